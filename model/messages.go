package model

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// msgBodyRules are the fields msg_body must hold by msg_type (§5):
// the field and whether it is a string (else a number); optional ones in
// msgBodyOptional.
var (
	msgBodyRules = map[string][][2]string{
		"text":  {{"text", "string"}},
		"voice": {{"media_id", "string"}, {"media_crc", "number"}, {"duration", "number"}, {"format", "string"}},
		"image": {{"media_id", "string"}, {"media_crc", "number"}, {"width", "number"}, {"height", "number"}},
	}
	msgBodyOptional = map[string][][2]string{
		"image": {{"format", "string"}, {"img_link", "string"}},
	}
)

// message is a send request as the model reads it.
type message struct {
	singleTarget bool
	target       string
	fromUser     bool
	from         string
}

// parseMessage applies the field rules of §5.
func parseMessage(body []byte) (message, verdict) {
	doc, ok := parseBody(body)
	if !ok || !doc.IsObject() {
		return message{}, invalid
	}
	how := valid
	_, h := intRange(doc.Get("version"), 1, 1, false)
	how.and(h)
	how.and(oneOf(doc.Get("target_type"), "single", "group"))
	how.and(oneOf(doc.Get("from_type"), "user", "admin", "robot"))
	how.and(oneOf(doc.Get("msg_type"), "text", "voice", "image", "custom"))
	tid, fid := doc.Get("target_id"), doc.Get("from_id")
	if tid.Type != gjson.String || fid.Type != gjson.String || fid.Str == "" {
		how.and(invalid)
	}
	_, h = intRange(doc.Get("create_time"), 0, -1, false)
	how.and(h)
	for _, k := range []string{"target_name", "from_name"} {
		if v := doc.Get(k); v.Exists() && v.Type != gjson.String {
			how.and(either)
		}
	}
	if v := doc.Get("from_platform"); v.Exists() {
		if v.Type == gjson.Null {
			how.and(either)
		} else {
			how.and(oneOf(v, "a", "i", "w", "web"))
		}
	}
	how.and(msgBody(doc.Get("msg_type").Str, doc.Get("msg_body")))
	m := message{singleTarget: doc.Get("target_type").Str == "single", target: tid.Str, fromUser: doc.Get("from_type").Str == "user", from: fid.Str}
	return m, how
}

// msgBody judges msg_body: an object of at most 4096 bytes as compact
// JSON, extras an object, and the fields of its msg_type. The bound is
// exact for plain ASCII, which every serializer writes alike; other text
// over it is implementation-defined.
func msgBody(msgType string, b gjson.Result) verdict {
	if !b.IsObject() {
		return invalid
	}
	how := valid
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(b.Raw)); err != nil {
		return invalid
	}
	if buf.Len() > MaxMsgBody {
		if plainASCII(buf.Bytes()) {
			return invalid
		}
		how = either
	}
	if e := b.Get("extras"); e.Exists() && !e.IsObject() {
		return invalid
	}
	for _, f := range msgBodyRules[msgType] {
		if !isType(b.Get(f[0]), f[1]) {
			return invalid
		}
	}
	for _, f := range msgBodyOptional[msgType] {
		if v := b.Get(f[0]); v.Exists() && !isType(v, f[1]) {
			how.and(either)
		}
	}
	return how
}

func isType(v gjson.Result, kind string) bool {
	if kind == "string" {
		return v.Type == gjson.String
	}
	return v.Type == gjson.Number
}

// plainASCII reports whether JSON text is printable ASCII without escapes.
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '\\' {
			return false
		}
	}
	return true
}

// sendMessage is POST /v1/messages (§5): field rules, then the sender and
// the target (899005, 899006), then a msg_id larger than every earlier one.
func (s *State) sendMessage(body []byte) []alt {
	m, how := parseMessage(body)
	if how == invalid {
		return fail(spec.CodeInvalid)
	}
	var alts []alt
	if how == either {
		alts = fail(spec.CodeInvalid)
	}
	if names := m.userNames(); s.fold == FoldUnknown && s.variantIn(names...) {
		return append(alts, s.forkFold(func(t *State) []alt { return t.sendMessage(body) })...)
	}
	var codes []spec.Code // body resources (§7a group 6): any of them may win
	if m.fromUser {
		codes = append(codes, s.userCodes(m.from)...)
	}
	sender := ""
	if u, _ := s.lookup(m.from); m.fromUser && u != nil {
		sender = u.Name
	}
	var group *Group
	if m.singleTarget {
		codes = append(codes, s.userCodes(m.target)...)
	} else {
		gid, form := parseGID(m.target)
		switch {
		case form == gidMalformed || form == gidHuge:
			codes = append(codes, spec.CodeInvalid, spec.CodeNoSuchGroup)
		case s.groups[gid] == nil && s.gone[gid]:
			codes = append(codes, spec.CodeNoSuchGroup)
		case s.groups[gid] == nil:
			return append(alts, someoneElses()...) // not the run's: someone else's group, or none
		default:
			group = s.groups[gid]
		}
	}
	if len(codes) > 0 {
		for _, c := range codes {
			alts = append(alts, fail(c)...)
		}
		return alts
	}
	alts = append(alts, alt{out: Outcome{Status: http.StatusOK}, apply: func(n *State, doc gjson.Result) *Divergence {
		return n.msgID(doc.Get("msg_id"))
	}})
	if group != nil && sender != "" && !group.has(sender, s.fold) {
		alts = append(alts, alt{anyClientError: true}) // a sender not in the group: implementation-defined (§5)
	}
	return alts
}

// userNames are the usernames a message looks up.
func (m message) userNames() []string {
	var out []string
	if m.fromUser {
		out = append(out, m.from)
	}
	if m.singleTarget {
		out = append(out, m.target)
	}
	return out
}

// userCodes are the codes a message's username may get: none for a user,
// 899005 for an unknown one, 899003 or 899005 for a malformed one (§9).
func (s *State) userCodes(name string) []spec.Code {
	if !ValidUsername(name) {
		return []spec.Code{spec.CodeInvalid, spec.CodeInvalidUID}
	}
	if u, _ := s.lookup(name); u == nil {
		return []spec.Code{spec.CodeInvalidUID}
	}
	return nil
}

// msgID checks a msg_id: positive, larger than every earlier one (§5).
func (s *State) msgID(v gjson.Result) *Divergence {
	if !spec.IsPositiveInteger(v) {
		return diverge("5", Check{Kind: CheckPresent, Path: "msg_id", Want: "a positive integer"}, "a positive msg_id", v.Raw)
	}
	if v.Int() <= s.lastMsg {
		return diverge("5", Check{Kind: CheckGreater, Path: "msg_id", Want: strconv.FormatInt(s.lastMsg, 10)},
			"a msg_id larger than every earlier one (> "+strconv.FormatInt(s.lastMsg, 10)+")", v.Raw)
	}
	s.lastMsg = v.Int()
	return nil
}
