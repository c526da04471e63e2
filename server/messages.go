package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"jmcheck/server/im"
)

// maxMsgBody is the largest msg_body, as compact JSON (spec/PROFILE.md §5).
const maxMsgBody = 4096

// msgIDCeiling is what the msg-id-decreasing mutant subtracts ids from.
const msgIDCeiling = 1_000_000_000_000

// sendMessage is POST /v1/messages: 200 {"msg_id":N}.
func (s *Server) sendMessage(ctx context.Context, q *request) (int, any, error) {
	m, err := s.parseMessage(q.body)
	if err != nil {
		return 0, nil, err
	}
	id, err := s.store.SendMessage(ctx, q.app, m)
	if im.CodeOf(err) == im.CodeNoSuchGroup && s.is(mutMsgGroup899005) {
		err = im.Errorf(im.CodeInvalidUID, "invalid uid: %s", m.TargetID)
	}
	if err != nil {
		return 0, nil, err
	}
	if s.is(mutMsgIDDecreasing) {
		id = msgIDCeiling - id
	}
	return http.StatusOK, map[string]int64{"msg_id": id}, nil
}

// parseMessage checks a message per spec/PROFILE.md §5. Every violation
// is 899003.
func (s *Server) parseMessage(body []byte) (im.Message, error) {
	var m im.Message
	o, err := decodeObject(body, "message")
	if err != nil {
		return m, err
	}
	version, ok := asInt(o["version"])
	if !ok || (version != 1 && !(version == 2 && s.is(mutMsgVersion2))) {
		return m, invalid("version must be 1")
	}
	if m.TargetType, err = oneOf(o, "target_type", "single", "group"); err != nil {
		return m, err
	}
	if m.TargetID, ok = asString(o["target_id"]); !ok || m.TargetID == "" {
		return m, invalid("target_id must be a non-empty string")
	}
	if m.TargetType == "group" {
		gid, ok := parseDecimal(m.TargetID)
		if !ok || gid < 1 {
			return m, invalid("target_id of a group must be its gid in decimal")
		}
		m.GID = gid
	}
	if m.FromType, err = oneOf(o, "from_type", "user", "admin", "robot"); err != nil {
		return m, err
	}
	if m.FromID, ok = asString(o["from_id"]); !ok || m.FromID == "" {
		return m, invalid("from_id must be a non-empty string")
	}
	if m.CreateTime, ok = asInt(o["create_time"]); !ok || m.CreateTime < 0 {
		return m, invalid("create_time must be an integer >= 0")
	}
	if m.MsgType, err = oneOf(o, "msg_type", "text", "voice", "image", "custom"); err != nil {
		return m, err
	}
	for _, key := range []string{"target_name", "from_name"} {
		if raw, given := o[key]; given {
			if _, ok := asString(raw); !ok {
				return m, invalid("%s must be a string", key)
			}
		}
	}
	if _, given := o["from_platform"]; given {
		if _, err := oneOf(o, "from_platform", "a", "i", "w", "web"); err != nil {
			return m, err
		}
	}
	if err := s.checkMsgBody(m.MsgType, o["msg_body"]); err != nil {
		return m, err
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, body); err != nil {
		return m, invalid("message is not valid JSON: %v", err)
	}
	m.Body = buf.Bytes()
	return m, nil
}

// oneOf returns o[key] when it is one of the allowed strings.
func oneOf(o object, key string, allowed ...string) (string, error) {
	v, ok := asString(o[key])
	if !ok || !slices.Contains(allowed, v) {
		return "", invalid("%s must be one of %v", key, allowed)
	}
	return v, nil
}

// checkMsgBody checks msg_body for msgType: an object of at most 4096
// bytes as compact JSON, with the fields its type requires.
func (s *Server) checkMsgBody(msgType string, raw json.RawMessage) error {
	b, err := decodeObject(raw, "msg_body")
	if err != nil {
		return err
	}
	limit := maxMsgBody
	if s.is(mutMsgBody4097) {
		limit++
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil || buf.Len() > limit {
		return invalid("msg_body must be at most %d bytes of compact JSON", maxMsgBody)
	}
	if extras, given := b["extras"]; given && jsonKind(extras) != '{' {
		return invalid("msg_body.extras must be an object")
	}
	str := func(key string, required bool) error {
		raw, given := b[key]
		if !given && !required {
			return nil
		}
		if _, ok := asString(raw); !ok {
			return invalid("msg_body.%s must be a string", key)
		}
		return nil
	}
	num := func(key string) error {
		if !isNumber(b[key]) {
			return invalid("msg_body.%s must be a number", key)
		}
		return nil
	}
	var checks []error
	switch msgType {
	case "text":
		checks = []error{str("text", true)}
	case "voice":
		checks = []error{str("media_id", true), num("media_crc"), num("duration"), str("format", true)}
	case "image":
		checks = []error{str("media_id", true), num("media_crc"), num("width"), num("height"),
			str("format", false), str("img_link", false)}
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}
