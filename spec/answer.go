package spec

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Answer is what a server sent back for one request, as the rules see it.
type Answer struct {
	Method string      // of the request
	Route  Route       // RouteOther when the request hit no endpoint
	Status int         // HTTP status
	Header http.Header // nil is an empty header
	Body   []byte
}

// CheckAnswer applies the rules every answer keeps, whatever the request
// was and whatever a scenario expects of it (§1, §2, §6, §7a):
//
//   - a body is one bounded JSON value with a JSON Content-Type;
//   - an error is the error body of §1, with the status its code has in §2;
//   - a 2xx of an endpoint is its documented status, and its body matches
//     the endpoint's schema;
//   - no endpoint answers a 3xx;
//   - a 405 carries Allow, and a 503 899030 a Retry-After of whole seconds.
//
// A HEAD answer has no body to judge (RFC 9110): only its Allow is. The
// error lists every broken rule, one per line; nil means none.
func CheckAnswer(a Answer) error {
	var problems []string
	add := func(err error) {
		if err != nil {
			problems = append(problems, err.Error())
		}
	}
	allow := a.Header.Get("Allow")
	if a.Method == http.MethodHead {
		if a.Status == http.StatusMethodNotAllowed && allow == "" {
			return fmt.Errorf("a 405 answer carries an Allow header (%s)", Cite("1"))
		}
		return nil
	}
	if a.Status >= 300 && a.Status < 400 {
		add(fmt.Errorf("HTTP %d is neither a success nor an error status: no endpoint of the API redirects, and jmcheck never follows a redirect (%s)", a.Status, Cite("9")))
	}
	if len(bytes.TrimSpace(a.Body)) > 0 {
		if ct := a.Header.Get("Content-Type"); !IsJSONMediaType(ct) {
			add(fmt.Errorf("Content-Type is %q; every answer with a body is application/json (%s)", ct, Cite("1")))
		}
		if err := CheckJSON(a.Body); err != nil {
			add(fmt.Errorf("%w (%s)", err, Cite("1")))
			return errors.New(strings.Join(problems, "\n")) // nothing more can be read of it
		}
	}
	switch {
	case a.Route.Known() && a.Status != http.StatusMethodNotAllowed && (a.Status < 300 || a.Status >= 400):
		add(Validate(a.Route, a.Status, a.Body))
	case a.Status == http.StatusNotFound || a.Status == http.StatusMethodNotAllowed:
		// May be empty; a body must be JSON, checked above.
	case a.Status >= 400 && a.Status < 600:
		add(CheckError(a.Status, a.Body))
	}
	if a.Status == http.StatusMethodNotAllowed && allow == "" {
		add(fmt.Errorf("a 405 answer carries an Allow header (%s)", Cite("1")))
	}
	if a.Status == http.StatusServiceUnavailable {
		if code, _, _ := ErrorBody(a.Body); code == CodeBusy {
			add(CheckRetryAfter(a.Header.Get("Retry-After")))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "\n"))
}

// Shed reports whether an answer sheds load as §6 says: 503 with the
// 899030 error body, or for HEAD, which has no body, 503 with Retry-After.
func Shed(method string, status int, header http.Header, body []byte) bool {
	if status != http.StatusServiceUnavailable {
		return false
	}
	if method == http.MethodHead {
		return header.Get("Retry-After") != ""
	}
	code, _, _ := ErrorBody(body)
	return code == CodeBusy
}
