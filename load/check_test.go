package load

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
		e        expectation
		reason   Reason
		expected bool
		detail   string
	}{
		"Success": {
			x: Exchange{Status: 200, ContentType: "application/json; charset=utf-8", Body: []byte(`{}`)},
			e: expectation{status: 200, body: ok},
		},
		"BadBody": {
			x: Exchange{Status: 200, ContentType: "application/json", Body: []byte(`{}`)},
			e: expectation{status: 200, body: bad}, reason: ReasonBody, detail: "body: user",
		},
		"ExpectedError": {
			x: Exchange{Status: 403, ContentType: "application/json", Body: errBody(899013)},
			e: expectation{errors: []answer{{403, 899013}}}, expected: true,
		},
		"WrongCode": {
			x: Exchange{Status: 403, ContentType: "application/json", Body: errBody(899003)},
			e: expectation{errors: []answer{{403, 899013}}}, reason: ReasonCode, detail: "code: 403 899003, want 403 899013",
		},
		"WrongStatus": {
			x: Exchange{Status: 500, ContentType: "application/json", Body: errBody(899000)},
			e: expectation{status: 200}, reason: ReasonStatus, detail: "status: 500 899000, want 200",
		},
		"ErrorWithoutBody": {
			x: Exchange{Status: 400, ContentType: "text/plain", Body: nil},
			e: expectation{status: 200}, reason: ReasonBody,
		},
		"EmptyMessage": {
			x: Exchange{Status: 403, ContentType: "application/json", Body: []byte(`{"error":{"code":899002,"message":""}}`)},
			e: expectation{errors: []answer{{403, 899002}}}, reason: ReasonBody, detail: "empty or missing message",
		},
		"NotJSONContentType": {
			x: Exchange{Status: 200, ContentType: "text/html", Body: []byte(`{}`)},
			e: expectation{status: 200}, reason: ReasonHeader,
		},
		"Shed": {
			x: Exchange{Status: 503, ContentType: "application/json", RetryAfter: "1", Body: errBody(899030)},
			e: expectation{status: 200, shed: true}, expected: true,
		},
		"ShedWithoutRetryAfter": {
			x: Exchange{Status: 503, ContentType: "application/json", Body: errBody(899030)},
			e: expectation{status: 200, shed: true}, reason: ReasonHeader,
		},
		"ShedWithBadRetryAfter": {
			x: Exchange{Status: 503, ContentType: "application/json", RetryAfter: "0.5", Body: errBody(899030)},
			e: expectation{status: 200, shed: true}, reason: ReasonHeader,
		},
		"ShedWhereNotAllowed": {
			x: Exchange{Status: 503, ContentType: "application/json", RetryAfter: "1", Body: errBody(899030)},
			e: expectation{status: 200}, reason: ReasonStatus,
		},
		"Timeout": {
			x: Exchange{Err: os.ErrDeadlineExceeded, Timeout: true},
			e: expectation{status: 200}, reason: ReasonTimeout,
		},
		"Reset": {
			x: Exchange{Err: errors.New("read tcp: connection reset by peer")},
			e: expectation{status: 200}, reason: ReasonConnection, detail: "connection: connection reset by peer",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := judge(&c.x, &c.e)
			if got.Reason != c.reason || got.Expected != c.expected {
				t.Fatalf("judge = %+v, want reason %q expected %v", got, c.reason, c.expected)
			}
			if !strings.Contains(got.Detail, c.detail) {
				t.Errorf("judge detail = %q, want it to hold %q", got.Detail, c.detail)
			}
		})
	}
}

func TestIsTimestamp(t *testing.T) {
	cases := map[string]bool{
		"2015-06-01 10:00:00": true,
		"2016-02-29 23:59:59": true,
		"2015-02-29 10:00:00": false,
		"1990-02-30 00:00:00": false,
		"2000-02-29 00:00:00": true,
		"1900-02-29 00:00:00": false,
		"2015-13-01 00:00:00": false,
		"2015-06-01 24:00:00": false,
		"2015-06-01T10:00:00": false,
		"2015-06-01 10:00":    false,
		"2015-6-01 10:00:000": false,
		"":                    false,
	}
	for in, want := range cases {
		if got := isTimestamp(in); got != want {
			t.Errorf("isTimestamp(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestCheckUser(t *testing.T) {
	cases := map[string]struct {
		body string
		ok   bool
	}{
		"OK":          {body: `{"username":"alice","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:01","nickname":"a"}`, ok: true},
		"OtherName":   {body: `{"username":"bob","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`},
		"Password":    {body: `{"username":"alice","password":"x","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`},
		"NoCtime":     {body: `{"username":"alice","mtime":"2015-06-01 10:00:00"}`},
		"MtimeBefore": {body: `{"username":"alice","ctime":"2015-06-01 10:00:00","mtime":"2015-05-01 10:00:00"}`},
		"Truncated":   {body: `{"username":"alice","ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"`},
		"Array":       {body: `["alice"]`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, ok := checkUser(&Exchange{Path: "/v1/users/alice", Body: []byte(c.body)})
			if ok != c.ok {
				t.Errorf("checkUser(%s) = %v, want %v", c.body, ok, c.ok)
			}
		})
	}
}
