package client

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"jmcheck/spec"
	"jmcheck/target"
)

// Exchange is a request and its answer, kept for assertions and for the
// failure message.
type Exchange struct {
	Method    string
	URL       string
	Route     spec.Route // RouteOther when the request hits no endpoint
	ReqHeader http.Header
	ReqBody   []byte
	Status    int // 0: no answer
	Header    http.Header
	Body      []byte // at most MaxBody bytes
	TooLarge  bool   // the answer was longer than MaxBody: Body is its first bytes only (as Kept keeps them)
	Took      time.Duration
	Attempts  int // 1, or more after retries

	scrub     *target.Scrubber
	checked   bool
	jsonErr   error // CheckJSON of Body, once
	bodyLen   int   // Kept: the length of the answer's body, of which Body is the start; 0: len(Body)
	keptCheck error // Kept: Check of the whole answer
}

// keptBody is how much of an answer's body Kept keeps: what Describe
// reads of it (it scrubs maxShown+512 bytes, then shows maxShown).
const keptBody = maxShown + 512

// Kept returns the exchange as a failure message needs it, and no more:
// a copy whose answer body is cut to what Describe shows (its length
// kept, so that Describe says the same), for the many exchanges a burst
// keeps in case one fails (a burst of 64 answers of 4 MiB each would
// otherwise hold 256 MiB, and 20 bursts 20 times that). Only Describe may
// read a kept exchange's body, and Check and JSONError judge it as the
// original; an exchange with a short body comes back as it is.
func (ex *Exchange) Kept() *Exchange {
	if ex == nil || len(ex.Body) <= keptBody {
		return ex
	}
	ex.JSONError() // judged on the whole body, once, before it is cut
	k := *ex
	k.Body = bytes.Clone(ex.Body[:keptBody])
	k.bodyLen, k.keptCheck = len(ex.Body), ex.Check()
	return &k
}

// BodyLen is the length of the answer's body (of the original, for a
// Kept exchange).
func (ex *Exchange) BodyLen() int {
	if ex.bodyLen > 0 {
		return ex.bodyLen
	}
	return len(ex.Body)
}

// Answer returns the answer as the rules of package spec see it.
func (ex *Exchange) Answer() spec.Answer {
	return spec.Answer{Method: ex.Method, Route: ex.Route, Status: ex.Status, Header: ex.Header, Body: ex.Body}
}

// Check applies the rules every answer keeps (spec.CheckAnswer); an answer
// that was cut at MaxBody breaks them too.
func (ex *Exchange) Check() error {
	if ex.TooLarge {
		return &TooLargeError{Limit: int64(ex.BodyLen())}
	}
	if ex.bodyLen > 0 {
		return ex.keptCheck
	}
	return spec.CheckAnswer(ex.Answer())
}

// JSONError is the outcome of spec.CheckJSON on the body, computed once.
func (ex *Exchange) JSONError() error {
	if !ex.checked {
		ex.checked = true
		if ex.TooLarge {
			ex.jsonErr = &TooLargeError{Limit: int64(ex.BodyLen())}
		} else {
			ex.jsonErr = spec.CheckJSON(ex.Body)
		}
	}
	return ex.jsonErr
}

// JSON returns the parsed body, or an error when it is not one bounded,
// unambiguous JSON value: gjson never sees a body CheckJSON refused.
func (ex *Exchange) JSON() (gjson.Result, error) {
	if ex == nil {
		return gjson.Result{}, errors.New("no answer")
	}
	if err := ex.JSONError(); err != nil {
		return gjson.Result{}, err
	}
	return gjson.ParseBytes(ex.Body), nil
}

// Get returns the value at a gjson path of the body; nothing when the body
// is not readable JSON.
func (ex *Exchange) Get(path string) gjson.Result {
	doc, err := ex.JSON()
	if err != nil {
		return gjson.Result{}
	}
	return doc.Get(path)
}

// Code returns the business error code of the answer, 0 when it has none.
func (ex *Exchange) Code() spec.Code {
	if ex == nil || ex.Status < 400 || ex.JSONError() != nil {
		return 0
	}
	code, _, _ := spec.ErrorBody(ex.Body)
	return code
}

// Shed reports whether the answer sheds load (spec/PROFILE.md §6).
func (ex *Exchange) Shed() bool {
	return ex != nil && spec.Shed(ex.Method, ex.Status, ex.Header, ex.Body)
}

// Is reports whether the answer is the error of a status and code.
func (ex *Exchange) Is(status int, code spec.Code) bool {
	return ex != nil && ex.Status == status && ex.Code() == code
}

// maxShown bounds how much of a body a failure message shows.
const maxShown = 1500

// Describe renders the exchange for a failure message: the request with
// Authorization redacted, the answer, long bodies cut, every secret form
// scrubbed and every control character quoted, so that whatever the
// target sent can be printed on a terminal and written into a report.
func (ex *Exchange) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "request:  %s %s\n", ex.Method, ex.safe(ex.URL))
	ex.writeHeaders(&b, ex.ReqHeader)
	ex.writeBody(&b, ex.ReqBody)
	if ex.Status == 0 {
		b.WriteString("response: none\n")
		return b.String()
	}
	retries := ""
	if ex.Attempts > 1 {
		retries = fmt.Sprintf(", attempt %d", ex.Attempts)
	}
	fmt.Fprintf(&b, "response: HTTP %d %s (%s%s)\n", ex.Status, http.StatusText(ex.Status), ex.Took.Round(time.Microsecond), retries)
	ex.writeHeaders(&b, ex.Header)
	if ex.TooLarge {
		fmt.Fprintf(&b, "  (over %s; the first bytes:)\n", formatSize(int64(ex.BodyLen())))
	}
	ex.writeBodyOf(&b, ex.Body, ex.BodyLen())
	return b.String()
}

// Safe scrubs and quotes text that came from the target or carries what
// was sent to it.
func (ex *Exchange) safe(s string) string { return ex.scrub.Safe(s) }

// Safe is the scrubbed, terminal-safe form of s for this exchange's target.
func (ex *Exchange) Safe(s string) string { return ex.safe(s) }

func (ex *Exchange) writeHeaders(b *strings.Builder, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			if strings.EqualFold(k, "Authorization") {
				v = target.Redact(v)
			}
			fmt.Fprintf(b, "  %s: %s\n", ex.safe(k), ex.safe(v))
		}
	}
}

func (ex *Exchange) writeBody(b *strings.Builder, body []byte) {
	ex.writeBodyOf(b, body, len(body))
}

// writeBodyOf writes body, the start of one of total bytes.
func (ex *Exchange) writeBodyOf(b *strings.Builder, body []byte, total int) {
	if total == 0 {
		b.WriteString("  (no body)\n")
		return
	}
	// Scrub before cutting, so that a secret at the cut is scrubbed whole.
	s := ex.scrub.String(string(body[:min(len(body), maxShown+512)]))
	if total > maxShown {
		fmt.Fprintf(b, "  %s… (%d bytes in all)\n", target.Printable(strings.ToValidUTF8(s[:min(len(s), maxShown)], "")), total)
		return
	}
	fmt.Fprintf(b, "  %s\n", target.Printable(s))
}

// Scrubber returns the scrubber of the exchange's target.
func (ex *Exchange) Scrubber() *target.Scrubber { return ex.scrub }
