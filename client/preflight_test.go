package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"jmcheck/exitcode"
	"jmcheck/target"
)

func TestPreflight(t *testing.T) {
	t.Parallel()
	ok := target.BasicAuth("k", "s")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/html/v1/users/":
			w.Write([]byte("<html>"))
		case r.Header.Get("Authorization") == ok:
			w.Write([]byte(`{"total":0,"start":0,"count":0,"users":[]}`))
		case strings.HasPrefix(r.Header.Get("Authorization"), target.BasicAuth("nokey", "")[:8]):
			w.WriteHeader(400)
			w.Write([]byte(`{"error":{"code":899009,"message":"unknown appkey"}}`))
		default:
			w.WriteHeader(401)
			w.Write([]byte(`{"error":{"code":899008,"message":"auth failed"}}`))
		}
	}))
	defer srv.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()

	tests := []struct {
		name string
		t    target.Target
		want int
	}{
		{"OK", target.Target{BaseURL: srv.URL, AppKey: "k", Secret: "s"}, exitcode.OK},
		{"WrongSecret", target.Target{BaseURL: srv.URL, AppKey: "k", Secret: "x"}, exitcode.TargetUnusable},
		{"WrongSecondApp", target.Target{BaseURL: srv.URL, AppKey: "k", Secret: "s", AppKey2: "k2", Secret2: "x"}, exitcode.TargetUnusable},
		{"NotTheAPI", target.Target{BaseURL: srv.URL + "/html", AppKey: "k", Secret: "s"}, exitcode.TargetUnusable},
		{"Unreachable", target.Target{BaseURL: deadURL, AppKey: "k", Secret: "s"}, exitcode.TargetUnusable},
		{"NoCredentials", target.Target{BaseURL: srv.URL}, exitcode.Usage},
		{"SecondAppIsTheFirst", target.Target{BaseURL: srv.URL, AppKey: "k", Secret: "s", AppKey2: "k", Secret2: "s"}, exitcode.Usage},
		{"UnknownAppKey", target.Target{BaseURL: srv.URL, AppKey: "nokey", Secret: "s"}, exitcode.TargetUnusable},
		{"NotAURL", target.Target{BaseURL: "staging", AppKey: "k", Secret: "s"}, exitcode.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Preflight(context.Background(), Config{Target: tt.t, Transport: srv.Client().Transport})
			if got := exitcode.Of(err); got != tt.want {
				t.Errorf("Preflight = %v (exit %d), want exit %d", err, got, tt.want)
			}
		})
	}
}

// TestPreflightErrorIsScrubbed: a target that echoes the credentials in
// its answer gets them scrubbed from the preflight's message, and its
// escape sequences quoted.
func TestPreflightErrorIsScrubbed(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(200)
		w.Write([]byte("<html>you sent " + r.Header.Get("Authorization") + " and topsecret \x1b[2J</html>"))
	}))
	defer srv.Close()
	err := Preflight(context.Background(), Config{Target: target.Target{BaseURL: srv.URL, AppKey: "k", Secret: "topsecret"}, Transport: srv.Client().Transport})
	if exitcode.Of(err) != exitcode.TargetUnusable {
		t.Fatalf("Preflight = %v, want exit 3", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "topsecret") || strings.Contains(msg, target.BasicAuth("k", "topsecret")[6:]) || strings.Contains(msg, "\x1b") {
		t.Errorf("the preflight's message leaks the secret or a raw escape: %q", msg)
	}
	if !strings.Contains(msg, "[REDACTED]") {
		t.Errorf("the message does not show the redaction: %q", msg)
	}
}
