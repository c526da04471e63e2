package server

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// object is a decoded JSON object whose values are still raw, so each field
// can be checked for its exact JSON type.
type object map[string]json.RawMessage

// jsonKind returns the first byte of a trimmed JSON value: '{', '[', '"',
// 't', 'f', 'n', or a digit or '-' for numbers; 0 for empty input.
func jsonKind(raw []byte) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

// decodeObject parses b as one JSON object: bad JSON or another type is
// a CodeInvalid error.
func decodeObject(b []byte, what string) (object, error) {
	if jsonKind(b) != '{' {
		return nil, invalid("%s must be a JSON object", what)
	}
	var o object
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, invalid("%s is not valid JSON: %v", what, err)
	}
	return o, nil
}

// decodeArray parses b as one JSON array.
func decodeArray(b []byte, what string) ([]json.RawMessage, error) {
	if jsonKind(b) != '[' {
		return nil, invalid("%s must be a JSON array", what)
	}
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, invalid("%s is not valid JSON: %v", what, err)
	}
	return a, nil
}

// asString returns raw as a string when it is a JSON string (not null).
func asString(raw json.RawMessage) (string, bool) {
	if jsonKind(raw) != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// asInt returns raw as an int64 when it is a JSON number written without
// fraction or exponent that fits 64 bits (spec/PROFILE.md §7a: 2.0 and 1e2
// are implementation-defined; this server rejects them).
func asInt(raw json.RawMessage) (int64, bool) {
	t := bytes.TrimSpace(raw)
	digits := bytes.TrimPrefix(t, []byte("-"))
	if len(digits) == 0 || (len(digits) > 1 && digits[0] == '0') {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(t), 10, 64)
	return n, err == nil
}

// isNumber reports whether raw is any JSON number.
func isNumber(raw json.RawMessage) bool {
	k := jsonKind(raw)
	return k == '-' || (k >= '0' && k <= '9')
}

// asStrings returns raw as a list of strings when it is a JSON array of
// strings.
func asStrings(raw json.RawMessage) ([]string, bool) {
	if jsonKind(raw) != '[' {
		return nil, false
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false
	}
	out := make([]string, len(items))
	for i, item := range items {
		s, ok := asString(item)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// validUsername applies spec/PROFILE.md §3: 4..max bytes of ASCII, the
// first a letter or digit, the rest letters, digits, or _ . - @.
func validUsername(u string, max int) bool {
	if len(u) < 4 || len(u) > max {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == '-' || c == '@'):
		default:
			return false
		}
	}
	return true
}

// boundedText reports whether v is valid UTF-8 of at most max bytes and,
// when oneLine, free of CR and LF.
func (s *Server) boundedText(v string, max int, oneLine bool) bool {
	n := len(v)
	if s.is(mutLengthInRunes) {
		n = utf8.RuneCountInString(v)
	}
	if n > max || !utf8.ValidString(v) {
		return false
	}
	if s.is(mutMultilineRejected) {
		oneLine = true
	}
	return !oneLine || !strings.ContainsAny(v, "\r\n")
}
