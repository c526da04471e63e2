package target

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"jmcheck/exitcode"
)

func TestNewRunIDFitsUsernameRules(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-@]{3,127}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewRunID()
		if !re.MatchString(id) {
			t.Fatalf("run id %q breaks the username rules", id)
		}
		if seen[id] {
			t.Fatalf("run id %q repeated", id)
		}
		seen[id] = true
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	got := Redact(BasicAuth("key", "topsecret"))
	if strings.Contains(got, "dG9w") || got != "Basic [REDACTED]" {
		t.Errorf("Redact = %q", got)
	}
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	ok := BasicAuth("k", "s")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/html/v1/users/":
			w.Write([]byte("<html>"))
		case r.Header.Get("Authorization") == ok:
			w.Write([]byte(`{"total":0,"start":0,"count":0,"users":[]}`))
		case strings.HasPrefix(r.Header.Get("Authorization"), BasicAuth("nokey", "")[:8]):
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
		t    Target
		want int
	}{
		{"OK", Target{BaseURL: srv.URL, AppKey: "k", Secret: "s"}, exitcode.OK},
		{"WrongSecret", Target{BaseURL: srv.URL, AppKey: "k", Secret: "x"}, exitcode.TargetUnusable},
		{"WrongSecondApp", Target{BaseURL: srv.URL, AppKey: "k", Secret: "s", AppKey2: "k2", Secret2: "x"}, exitcode.TargetUnusable},
		{"NotTheAPI", Target{BaseURL: srv.URL + "/html", AppKey: "k", Secret: "s"}, exitcode.TargetUnusable},
		{"Unreachable", Target{BaseURL: deadURL, AppKey: "k", Secret: "s"}, exitcode.TargetUnusable},
		{"NoCredentials", Target{BaseURL: srv.URL}, exitcode.Usage},
		{"SecondAppIsTheFirst", Target{BaseURL: srv.URL, AppKey: "k", Secret: "s", AppKey2: "k", Secret2: "s"}, exitcode.Usage},
		{"UnknownAppKey", Target{BaseURL: srv.URL, AppKey: "nokey", Secret: "s"}, exitcode.TargetUnusable},
		{"NotAURL", Target{BaseURL: "staging", AppKey: "k", Secret: "s"}, exitcode.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Preflight(context.Background(), srv.Client(), tt.t)
			if got := exitcode.Of(err); got != tt.want {
				t.Errorf("Preflight = %v (exit %d), want exit %d", err, got, tt.want)
			}
		})
	}
}
