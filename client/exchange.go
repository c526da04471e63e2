package client

import (
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
	TooLarge  bool   // the answer was longer than MaxBody, and cut
	Took      time.Duration
	Attempts  int // 1, or more after retries

	scrub   *target.Scrubber
	checked bool
	jsonErr error // CheckJSON of Body, once
}

// Answer returns the answer as the rules of package spec see it.
func (ex *Exchange) Answer() spec.Answer {
	return spec.Answer{Method: ex.Method, Route: ex.Route, Status: ex.Status, Header: ex.Header, Body: ex.Body}
}

// Check applies the rules every answer keeps (spec.CheckAnswer); an answer
// that was cut at MaxBody breaks them too.
func (ex *Exchange) Check() error {
	if ex.TooLarge {
		return &TooLargeError{Limit: int64(len(ex.Body))}
	}
	return spec.CheckAnswer(ex.Answer())
}

// JSONError is the outcome of spec.CheckJSON on the body, computed once.
func (ex *Exchange) JSONError() error {
	if !ex.checked {
		ex.checked = true
		if ex.TooLarge {
			ex.jsonErr = &TooLargeError{Limit: int64(len(ex.Body))}
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
		fmt.Fprintf(&b, "  (over %s; the first bytes:)\n", formatSize(int64(len(ex.Body))))
	}
	ex.writeBody(&b, ex.Body)
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
	if len(body) == 0 {
		b.WriteString("  (no body)\n")
		return
	}
	// Scrub before cutting, so that a secret at the cut is scrubbed whole.
	s := ex.scrub.String(string(body[:min(len(body), maxShown+512)]))
	if len(body) > maxShown {
		fmt.Fprintf(b, "  %s… (%d bytes in all)\n", target.Printable(strings.ToValidUTF8(s[:min(len(s), maxShown)], "")), len(body))
		return
	}
	fmt.Fprintf(b, "  %s\n", target.Printable(s))
}

// Scrubber returns the scrubber of the exchange's target.
func (ex *Exchange) Scrubber() *target.Scrubber { return ex.scrub }
