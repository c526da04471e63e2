// Package check judges one answer of the load generator's attack: the
// exchange as the transport saw it (read in place, in a pooled buffer),
// what the operation expects (a success status and a body check, error
// answers that count as passes, load shedding), and the verdict with its
// failure reason, a closed set that is safe as a metric label. The rules
// themselves (the error body, Retry-After, the JSON media type, a bounded
// and unambiguous JSON value) are package spec's; this package applies
// them at attack speed, without allocating on a pass.
package check

import (
	"strconv"
	"strings"
	"time"

	"jmcheck/spec"
)

// MaxBody bounds an answer's body in the attack: a longer one is a body
// failure ("the answer is over 4 MiB"), not read on.
const MaxBody = 4 << 20

// OpHeader carries a request's operation (and an optional tag) from the
// targeter to the transport, which reads it and never sends it.
const OpHeader = "X-Jmcheck"

// Reason says why a request failed its check.
type Reason uint8

// The failure reasons. None is a pass.
const (
	None       Reason = iota
	Status            // an HTTP status the profile does not expect
	Code              // the expected status with the wrong business error code
	Body              // a body that breaks its shape, items or paging rules
	Header            // a header rule: Content-Type, Retry-After on a 503
	Timeout           // no complete answer within --timeout
	Connection        // refused, reset, or closed before an answer
	reasonCount
)

// ReasonCount is how many reasons there are, None included: the size of
// an array indexed by Reason.
const ReasonCount = int(reasonCount)

var reasonNames = [reasonCount]string{"", "status", "code", "body", "header", "timeout", "connection"}

// Reasons returns every failure reason, None excluded.
func Reasons() []Reason {
	out := make([]Reason, 0, reasonCount-1)
	for r := Status; r < reasonCount; r++ {
		out = append(out, r)
	}
	return out
}

// String returns the reason's label, "" for None.
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
	v, ok := ParseReason(string(b))
	if !ok {
		return &reasonError{string(b)}
	}
	*r = v
	return nil
}

type reasonError struct{ s string }

func (e *reasonError) Error() string { return "unknown failure reason " + strconv.Quote(e.s) }

// ParseReason reads a label.
func ParseReason(s string) (Reason, bool) {
	for i, n := range reasonNames {
		if n == s {
			return Reason(i), true
		}
	}
	return None, false
}

// Verdict is the outcome of checking one exchange.
type Verdict struct {
	Op       int       // index of the profile's operation
	Status   int       // HTTP status, 0 when there was no answer
	Code     spec.Code // business error code of an error body, 0 when none
	Reason   Reason    // None: the answer is one the profile expects
	Expected bool      // an expected error answer, such as 403 899013 for 501 items or a 503 899030 shed
	Detail   string    // one line on what is wrong; empty on a pass
	BytesIn  int
}

// Failed reports whether the verdict is a failure.
func (v Verdict) Failed() bool { return v.Reason != None }

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
	TooLarge    bool  // the body was longer than the transport reads
	// Started is when the transport began to send the request (the
	// history of load --check-history reads it as the call's time).
	Started time.Time
	// Resent says the request went out twice (a stale connection's retry
	// of an idempotent request after some of it was written): the first
	// send may have taken effect too.
	Resent bool
}

// Answer is an expected (status, business code) pair.
type Answer struct {
	Status int
	Code   spec.Code
}

// Expectation is what one operation accepts: the success status and its
// body check, and error answers that also count as passes.
type Expectation struct {
	Status int                              // the success status: 200, 201 or 204
	Body   func(x *Exchange) (string, bool) // checks a success body: detail, ok
	Errors []Answer                         // expected error answers
	Shed   bool                             // a 503 899030 with Retry-After is a pass
}

// Checker is what a transport calls on every exchange.
type Checker interface {
	Check(x *Exchange) Verdict
}

// Judge checks an exchange against an expectation.
func Judge(x *Exchange, e *Expectation) Verdict {
	v := Verdict{Op: x.Op, Status: x.Status, BytesIn: len(x.Body)}
	if x.Err != nil {
		v.Reason, v.Detail = Connection, "connection: "+ErrorText(x.Err)
		if x.Timeout {
			v.Reason, v.Detail = Timeout, "timeout: no complete answer in time"
		}
		return v
	}
	if x.TooLarge {
		v.Reason, v.Detail = Body, "body: the answer is over "+strconv.Itoa(MaxBody>>20)+" MiB"
		return v
	}
	if x.Status >= 300 && x.Status < 400 {
		// No endpoint redirects, and jmcheck never follows a redirect.
		v.Reason, v.Detail = Status, "status: "+strconv.Itoa(x.Status)+" (a redirect, never followed), want "+e.want()
		return v
	}
	hasBody := len(x.Body) > 0
	if hasBody && !spec.IsJSONMediaType(x.ContentType) {
		v.Reason, v.Detail = Header, "header: Content-Type "+strconv.Quote(x.ContentType)+" on a body, want application/json"
		return v
	}
	if hasBody {
		if err := spec.CheckJSON(x.Body); err != nil {
			v.Reason, v.Detail = Body, "body: "+strings.TrimPrefix(err.Error(), "the body is ")
			return v
		}
	}
	if x.Status >= 400 {
		code, msg, ok := spec.ErrorBody(x.Body)
		if !ok && !(!hasBody && (x.Status == 404 || x.Status == 405)) {
			// spec/PROFILE.md §1 lets 404 and 405 carry no body; they are
			// still unexpected below.
			v.Reason, v.Detail = Body, "body: "+strconv.Itoa(x.Status)+" without an error body {\"error\":{\"code\",\"message\"}}"
			return v
		}
		v.Code = code
		if ok && msg != nil {
			v.Reason, v.Detail = Body, "body: error "+code.String()+" with "+msg.Error()
			return v
		}
	}
	if x.Status == e.Status {
		if e.Body != nil {
			if d, ok := e.Body(x); !ok {
				v.Reason, v.Detail = Body, "body: "+d
			}
		}
		return v
	}
	if x.Status == 503 && v.Code == spec.CodeBusy && e.Shed {
		if _, ok := spec.RetryAfter(x.RetryAfter); !ok {
			v.Reason, v.Detail = Header, "header: 503 "+spec.CodeBusy.String()+" without a Retry-After of whole seconds ≥ 1"
			return v
		}
		v.Expected = true
		return v
	}
	statusKnown := false
	for _, a := range e.Errors {
		if a.Status == x.Status {
			statusKnown = true
			if a.Code == v.Code {
				v.Expected = true
				return v
			}
		}
	}
	if statusKnown {
		v.Reason, v.Detail = Code, "code: "+strconv.Itoa(x.Status)+" "+v.Code.String()+", want "+e.want()
		return v
	}
	v.Reason, v.Detail = Status, "status: "+strconv.Itoa(x.Status)+codeSuffix(v.Code)+", want "+e.want()
	return v
}

func (e *Expectation) want() string {
	var parts []string
	if e.Status != 0 {
		parts = append(parts, strconv.Itoa(e.Status))
	}
	for _, a := range e.Errors {
		parts = append(parts, strconv.Itoa(a.Status)+" "+a.Code.String())
	}
	if e.Shed {
		parts = append(parts, "503 "+spec.CodeBusy.String())
	}
	return strings.Join(parts, " or ")
}

func codeSuffix(code spec.Code) string {
	if code == 0 {
		return ""
	}
	return " " + code.String()
}

// CodeSuffix is " " and the code for a code, "" for none.
func CodeSuffix(code spec.Code) string { return codeSuffix(code) }

// ErrTooManyFiles is the phrase of a transport error that found no file
// descriptor free on this machine (EMFILE, ENFILE).
const ErrTooManyFiles = "too many open files"

// ErrorText shortens a transport error to a bounded phrase: no URLs, no
// addresses, so that result files and reports group failures.
func ErrorText(err error) string {
	s := err.Error()
	for _, p := range []string{
		"connection refused", "connection reset by peer", "broken pipe",
		"EOF", "no such host", "network is unreachable", ErrTooManyFiles,
		"server closed the connection", "malformed HTTP response", "response too large",
		"chunked encoding", "header too long", "TLS handshake", "certificate",
	} {
		if strings.Contains(s, p) {
			return p
		}
	}
	return "transport error"
}
