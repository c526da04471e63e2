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
