package model

import (
	"math/big"
	"net/url"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// The bounds of spec/PROFILE.md, in UTF-8 bytes where they are lengths.
const (
	MinUsername  = 4
	MaxUsername  = 128
	MinPassword  = 4
	MaxPassword  = 128
	MaxNickname  = 64
	MaxText      = 250 // avatar, signature, region, address, group_desc
	MaxGroupName = 64
	MaxBatch     = 500
	MaxPage      = 500
	MaxMsgBody   = 4096
)

// verdict is how the profile judges one value of a request.
type verdict uint8

const (
	valid   verdict = iota // the profile accepts it
	invalid                // the profile rejects it: 899003
	either                 // implementation-defined: accepted (as the value given) or 899003
)

// worse returns the verdict of two values of one request: any invalid one
// makes the request invalid.
func worse(a, b verdict) verdict { return max(a, b) }

// and is worse for a verdict of a request so far.
func (v *verdict) and(w verdict) { *v = worse(*v, w) }

// ValidUsername applies the username rules of §3: 4 to 128 bytes of ASCII,
// a letter or digit first, then letters, digits and _ . - @.
func ValidUsername(s string) bool {
	if len(s) < MinUsername || len(s) > MaxUsername {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || (c != '_' && c != '.' && c != '-' && c != '@')) {
			return false
		}
	}
	return true
}

// text judges a string field of at most max bytes; oneLine forbids \r and
// \n. A null is implementation-defined for an optional field (§7a).
func text(v gjson.Result, max int, oneLine bool) verdict {
	if v.Type == gjson.Null {
		return either
	}
	if v.Type != gjson.String || len(v.Str) > max || (oneLine && strings.ContainsAny(v.Str, "\r\n")) {
		return invalid
	}
	return valid
}

// integer reads a JSON number as an integer of §7a: an integer literal is
// one; 2.0 or 1e2 is implementation-defined; a literal beyond 64 bits is
// implementation-defined too (the profile sets no bound, a server may hold
// 64). ok is false for anything that is not an integer at all (a boolean,
// a string, 1.5).
func integer(v gjson.Result) (n *big.Int, how verdict, ok bool) {
	if v.Type != gjson.Number {
		return nil, invalid, false
	}
	if spec.IsInteger(v.Raw) {
		n, _ = new(big.Int).SetString(v.Raw, 10)
		if !n.IsInt64() {
			return n, either, true
		}
		return n, valid, true
	}
	f, _, err := big.ParseFloat(v.Raw, 10, 256, big.ToNearestEven)
	if err != nil || !f.IsInt() {
		return nil, invalid, false
	}
	n, _ = f.Int(nil)
	return n, either, true
}

// intRange judges an integer field within [lo, hi] (hi < 0: no upper
// bound); null is implementation-defined when the field is optional.
func intRange(v gjson.Result, lo, hi int64, optional bool) (n *big.Int, how verdict) {
	if v.Type == gjson.Null && optional {
		return nil, either
	}
	n, how, ok := integer(v)
	if !ok || n.Cmp(big.NewInt(lo)) < 0 || (hi >= 0 && n.Cmp(big.NewInt(hi)) > 0) {
		return nil, invalid
	}
	return n, how
}

// birthday judges a birthday (§3, §7): YYYY-MM-DD or YYYY-MM-DD HH:MM:SS on
// a real calendar date. long is the value in the long form; dateOnly tells
// that any time of that day may read back.
func birthday(v gjson.Result) (long string, dateOnly bool, how verdict) {
	if v.Type == gjson.Null {
		return "", false, either
	}
	if v.Type != gjson.String {
		return "", false, invalid
	}
	s := v.Str
	if len(s) == 10 && spec.IsTime(s+" 00:00:00") {
		return s, true, valid
	}
	if spec.IsTime(s) {
		return s, false, valid
	}
	return "", false, invalid
}

// oneOf judges a string that must be one of words.
func oneOf(v gjson.Result, words ...string) verdict {
	if v.Type != gjson.String {
		return invalid
	}
	for _, w := range words {
		if v.Str == w {
			return valid
		}
	}
	return invalid
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	return strconv.Quote(s) // valid JSON for valid UTF-8; the model compares by meaning
}

// sameJSON compares a JSON value of an answer with the model's, by meaning
// for strings and numbers.
func sameJSON(got gjson.Result, want string) bool {
	w := gjson.Parse(want)
	switch {
	case got.Type != w.Type:
		return false
	case got.Type == gjson.String:
		return got.Str == w.Str
	case got.Type == gjson.Number:
		a, ok1 := new(big.Float).SetPrec(256).SetString(got.Raw)
		b, ok2 := new(big.Float).SetPrec(256).SetString(w.Raw)
		return ok1 && ok2 && a.Cmp(b) == 0
	}
	return got.Raw == w.Raw
}

// PathSegments returns the decoded segments of a request path without its
// query and without a final empty segment (§1: a trailing slash is the
// same resource). ok is false when a segment does not decode.
func PathSegments(p string) (segs []string, query string, ok bool) {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p, query = p[:i], p[i+1:]
	}
	p = strings.TrimSuffix(strings.TrimPrefix(p, "/"), "/")
	for _, s := range strings.Split(p, "/") {
		d, err := url.PathUnescape(s)
		if err != nil {
			return nil, "", false
		}
		segs = append(segs, d)
	}
	return segs, query, true
}

// gidVerdict judges a gid written in a path or a message's target_id:
// a positive decimal integer. Over 64 bits is 899003 or 899006 (§7a); a
// leading zero is implementation-defined (§9).
type gidForm uint8

const (
	gidOK          gidForm = iota // a positive integer of 64 bits
	gidMalformed                  // 899003
	gidHuge                       // over 64 bits: 899003 or 899006
	gidLeadingZero                // implementation-defined: read as the number, or refused
)

func parseGID(s string) (int64, gidForm) {
	if s == "" {
		return 0, gidMalformed
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, gidMalformed
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil:
		return 0, gidHuge
	case n == 0:
		return 0, gidMalformed
	case s[0] == '0':
		return n, gidLeadingZero
	}
	return n, gidOK
}
