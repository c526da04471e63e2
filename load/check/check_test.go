package check

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	ok := func(*Exchange) (string, bool) { return "", true }
	bad := func(*Exchange) (string, bool) { return "user: username \"x\", want \"y\"", false }
	errBody := func(code int) []byte {
		return []byte(`{"error":{"code":` + strconv.Itoa(code) + `,"message":"m"}}`)
	}
	cases := map[string]struct {
		x        Exchange
		e        Expectation
		reason   Reason
		expected bool
		detail   string
	}{
		"Success": {
			x: Exchange{Status: 200, ContentType: "application/json; charset=utf-8", Body: []byte(`{}`)},
			e: Expectation{Status: 200, Body: ok},
		},
		"BadBody": {
			x: Exchange{Status: 200, ContentType: "application/json", Body: []byte(`{}`)},
			e: Expectation{Status: 200, Body: bad}, reason: Body, detail: "body: user",
		},
		"ExpectedError": {
			x: Exchange{Status: 403, ContentType: "application/json", Body: errBody(899013)},
			e: Expectation{Errors: []Answer{{Status: 403, Code: 899013}}}, expected: true,
		},
		"WrongCode": {
			x: Exchange{Status: 403, ContentType: "application/json", Body: errBody(899003)},
			e: Expectation{Errors: []Answer{{Status: 403, Code: 899013}}}, reason: Code, detail: "code: 403 899003, want 403 899013",
		},
		"WrongStatus": {
			x: Exchange{Status: 500, ContentType: "application/json", Body: errBody(899000)},
			e: Expectation{Status: 200}, reason: Status, detail: "status: 500 899000, want 200",
		},
		"ErrorWithoutBody": {
			x: Exchange{Status: 400, ContentType: "text/plain", Body: nil},
			e: Expectation{Status: 200}, reason: Body,
		},
		"EmptyMessage": {
			x: Exchange{Status: 403, ContentType: "application/json", Body: []byte(`{"error":{"code":899002,"message":""}}`)},
			e: Expectation{Errors: []Answer{{Status: 403, Code: 899002}}}, reason: Body, detail: "empty or missing message",
		},
		"NotJSONContentType": {
			x: Exchange{Status: 200, ContentType: "text/html", Body: []byte(`{}`)},
			e: Expectation{Status: 200}, reason: Header,
		},
		"Shed": {
			x: Exchange{Status: 503, ContentType: "application/json", RetryAfter: "1", Body: errBody(899030)},
			e: Expectation{Status: 200, Shed: true}, expected: true,
		},
		"ShedWithoutRetryAfter": {
			x: Exchange{Status: 503, ContentType: "application/json", Body: errBody(899030)},
			e: Expectation{Status: 200, Shed: true}, reason: Header,
		},
		"ShedWithBadRetryAfter": {
			x: Exchange{Status: 503, ContentType: "application/json", RetryAfter: "0.5", Body: errBody(899030)},
			e: Expectation{Status: 200, Shed: true}, reason: Header,
		},
		"ShedWhereNotAllowed": {
			x: Exchange{Status: 503, ContentType: "application/json", RetryAfter: "1", Body: errBody(899030)},
			e: Expectation{Status: 200}, reason: Status,
		},
		"Timeout": {
			x: Exchange{Err: os.ErrDeadlineExceeded, Timeout: true},
			e: Expectation{Status: 200}, reason: Timeout,
		},
		"Reset": {
			x: Exchange{Err: errors.New("read tcp: connection reset by peer")},
			e: Expectation{Status: 200}, reason: Connection, detail: "connection: connection reset by peer",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := Judge(&c.x, &c.e)
			if got.Reason != c.reason || got.Expected != c.expected {
				t.Fatalf("judge = %+v, want reason %q expected %v", got, c.reason, c.expected)
			}
			if !strings.Contains(got.Detail, c.detail) {
				t.Errorf("judge detail = %q, want it to hold %q", got.Detail, c.detail)
			}
		})
	}
}
