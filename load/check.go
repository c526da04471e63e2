package load

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// Reason says why a request failed its check. The set is closed, so it is
// safe as a metric label.
type Reason uint8

// The failure reasons. ReasonNone is a pass.
const (
	ReasonNone       Reason = iota
	ReasonStatus            // an HTTP status the profile does not expect
	ReasonCode              // the expected status with the wrong business error code
	ReasonBody              // a body that breaks its shape, items or paging rules
	ReasonHeader            // a header rule: Content-Type, Retry-After on a 503
	ReasonTimeout           // no complete answer within --timeout
	ReasonConnection        // refused, reset, or closed before an answer
	reasonCount
)

var reasonNames = [reasonCount]string{"", "status", "code", "body", "header", "timeout", "connection"}

// Reasons returns every failure reason, ReasonNone excluded.
func Reasons() []Reason {
	out := make([]Reason, 0, reasonCount-1)
	for r := ReasonStatus; r < reasonCount; r++ {
		out = append(out, r)
	}
	return out
}

// String returns the reason's label, "" for ReasonNone.
func (r Reason) String() string {
	if r >= reasonCount {
		return "unknown"
	}
	return reasonNames[r]
}

// MarshalText writes the label.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a label.
func (r *Reason) UnmarshalText(b []byte) error {
	v, ok := parseReason(string(b))
	if !ok {
		return &reasonError{string(b)}
	}
	*r = v
	return nil
}

type reasonError struct{ s string }

func (e *reasonError) Error() string { return "unknown failure reason " + quote(e.s) }

func parseReason(s string) (Reason, bool) {
	for i, n := range reasonNames {
		if n == s {
			return Reason(i), true
		}
	}
	return ReasonNone, false
}

// Verdict is the outcome of checking one exchange.
type Verdict struct {
	Op       int    // index of the profile's operation
	Status   int    // HTTP status, 0 when there was no answer
	Code     int    // business error code of an error body, 0 when none
	Reason   Reason // ReasonNone: the answer is one the profile expects
	Expected bool   // an expected error answer, such as 403 899013 for 501 items or a 503 899030 shed
	Detail   string // one line on what is wrong; empty on a pass
	BytesIn  int
}

// Failed reports whether the verdict is a failure.
func (v Verdict) Failed() bool { return v.Reason != ReasonNone }

// Exchange is one request and its answer as a check sees it. Body is only
// valid during the check: it lives in a pooled buffer.
type Exchange struct {
	Op          int
	Tag         uint64 // per-request tag from the targeter, 0 when none
	Method      string
	Path        string // the request path, as sent
	Query       string
	ReqBody     []byte
	Status      int
	ContentType string
	RetryAfter  string
	Body        []byte
	Err         error // transport failure: no answer
	Timeout     bool  // Err is a timeout
}

// answer is an expected (status, business code) pair.
type answer struct {
	status int
	code   int
}

// expectation is what one operation accepts: the success status and its
// body check, and error answers that also count as passes.
type expectation struct {
	status int                              // the success status: 200, 201 or 204
	body   func(x *Exchange) (string, bool) // checks a success body: detail, ok
	errors []answer                         // expected error answers
	shed   bool                             // a 503 899030 with Retry-After is a pass
}

// Business error codes the load checks name.
const (
	codeUserExists    = 899001
	codeNoSuchUser    = 899002
	codeMalformed     = 899003
	codeNoSuchGroup   = 899006
	codeAlreadyMember = 899011
	codeBatchTooLarge = 899013
	codeBusy          = 899030
)

// judge checks an exchange against an expectation.
func judge(x *Exchange, e *expectation) Verdict {
	v := Verdict{Op: x.Op, Status: x.Status, BytesIn: len(x.Body)}
	if x.Err != nil {
		v.Reason, v.Detail = ReasonConnection, "connection: "+errorText(x.Err)
		if x.Timeout {
			v.Reason, v.Detail = ReasonTimeout, "timeout: no complete answer in time"
		}
		return v
	}
	hasBody := len(x.Body) > 0
	if hasBody && !isJSONType(x.ContentType) {
		v.Reason, v.Detail = ReasonHeader, "header: Content-Type "+strconv.Quote(x.ContentType)+" on a body, want application/json"
		return v
	}
	if x.Status >= 400 {
		code, msgOK, ok := errorBody(x.Body)
		if !ok {
			if !hasBody && (x.Status == 404 || x.Status == 405) {
				// SPEC.md §1 lets these carry no body; still unexpected below.
			} else {
				v.Reason, v.Detail = ReasonBody, "body: "+strconv.Itoa(x.Status)+" without an error body {\"error\":{\"code\",\"message\"}}"
				return v
			}
		}
		v.Code = code
		if ok && !msgOK {
			v.Reason, v.Detail = ReasonBody, "body: error "+strconv.Itoa(code)+" with an empty or missing message"
			return v
		}
	}
	if x.Status == e.status {
		if e.body != nil {
			if d, ok := e.body(x); !ok {
				v.Reason, v.Detail = ReasonBody, "body: "+d
			}
		}
		return v
	}
	if x.Status == 503 && v.Code == codeBusy && e.shed {
		if !validRetryAfter(x.RetryAfter) {
			v.Reason, v.Detail = ReasonHeader, "header: 503 899030 without a Retry-After of whole seconds ≥ 1"
			return v
		}
		v.Expected = true
		return v
	}
	statusKnown := false
	for _, a := range e.errors {
		if a.status == x.Status {
			statusKnown = true
			if a.code == v.Code {
				v.Expected = true
				return v
			}
		}
	}
	if statusKnown {
		v.Reason, v.Detail = ReasonCode, "code: "+strconv.Itoa(x.Status)+" "+strconv.Itoa(v.Code)+", want "+e.want()
		return v
	}
	v.Reason, v.Detail = ReasonStatus, "status: "+strconv.Itoa(x.Status)+codeSuffix(v.Code)+", want "+e.want()
	return v
}

func (e *expectation) want() string {
	var parts []string
	if e.status != 0 {
		parts = append(parts, strconv.Itoa(e.status))
	}
	for _, a := range e.errors {
		parts = append(parts, strconv.Itoa(a.status)+" "+strconv.Itoa(a.code))
	}
	if e.shed {
		parts = append(parts, "503 899030")
	}
	return strings.Join(parts, " or ")
}

func codeSuffix(code int) string {
	if code == 0 {
		return ""
	}
	return " " + strconv.Itoa(code)
}

// errorBody reads SPEC.md §1's error body: the code, whether the message is
// a non-empty string, and whether the body has that shape at all.
func errorBody(b []byte) (code int, msgOK, ok bool) {
	if len(b) == 0 || !gjson.ValidBytes(b) {
		return 0, false, false
	}
	c := gjson.GetBytes(b, "error.code")
	if c.Type != gjson.Number || c.Raw == "" || bytes.ContainsAny([]byte(c.Raw), ".eE") {
		return 0, false, false
	}
	m := gjson.GetBytes(b, "error.message")
	return int(c.Int()), m.Type == gjson.String && m.Str != "", true
}

// validRetryAfter reports whether a Retry-After value is whole seconds ≥ 1
// (SPEC.md §7a).
func validRetryAfter(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n >= 1
}

// isJSONType reports whether a Content-Type is application/json, with any
// parameters.
func isJSONType(ct string) bool {
	const want = "application/json"
	if len(ct) < len(want) {
		return false
	}
	for i := 0; i < len(want); i++ {
		c := ct[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	rest := ct[len(want):]
	return rest == "" || rest[0] == ';' || rest[0] == ' '
}

// errorText shortens a transport error to a bounded phrase: no URLs, no
// addresses, so that result files and reports group failures.
func errorText(err error) string {
	s := err.Error()
	for _, p := range []string{
		"connection refused", "connection reset by peer", "broken pipe",
		"EOF", "no such host", "network is unreachable", "too many open files",
		"server closed the connection", "malformed HTTP response", "response too large",
		"chunked encoding", "header too long", "TLS handshake", "certificate",
	} {
		if bytes.Contains([]byte(s), []byte(p)) {
			return p
		}
	}
	return "transport error"
}

// isTimestamp reports whether s is "YYYY-MM-DD HH:MM:SS" with a real
// calendar date (SPEC.md §7). It is on every user check's path, so it
// reads the digits itself rather than through time.Parse.
func isTimestamp(s string) bool {
	if len(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d := num(0, 4), num(5, 2), num(8, 2)
	h, mi, se := num(11, 2), num(14, 2), num(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mo]
	if mo == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}
