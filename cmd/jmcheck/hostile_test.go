package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"jmcheck/exitcode"
	"jmcheck/internal/hostile"
)

// TestHostileTargets runs conform and load against every fast case of the
// hostile catalogue: each run ends by itself with the right exit code,
// never a panic; nothing it prints or writes holds the secret or a raw
// terminal escape; no credential reaches another origin. (The slow cases,
// hang, stall and trickle, cost the client's whole timeout per request:
// the client's own tests cover its deadline, and the sweep in the README
// runs them against the binary.)
func TestHostileTargets(t *testing.T) {
	for _, c := range hostile.Cases() {
		if c.Slow {
			continue
		}
		want := c.Exit
		if len(want) == 0 {
			t.Fatalf("case %s has no expected exit code", c.Name)
		}
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			s, err := hostile.Start(c)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			dir := t.TempDir()
			conform := []string{"conform", "--report-dir", filepath.Join(dir, "conform")}
			if c.Name != "dies" && c.Name != "reset" {
				// One endpoint is enough to see a wrong answer; a target that
				// stops answering gets the whole suite, which must end early
				// with exit 3 wherever the target stopped.
				conform = append(conform, "--tags", "@endpoint:GET:/v1/users/{username}")
			}
			runs := map[string][]string{
				"conform": conform,
				"load": {"load", "mixed", "--quiet", "--seed", "2", "--mix", "get-user=1", "--rate", "50/1s", "--max-requests", "20",
					"--output", filepath.Join(dir, "load.json"), "--format", "json", "--summary-json", filepath.Join(dir, "summary.json")},
			}
			for name, args := range runs {
				args = append(args, "--target", s.URL, "--appkey", s.AppKey, "--secret", s.Secret)
				var stdout, stderr bytes.Buffer
				began := time.Now()
				err := runWith(context.Background(), testSystem(nil), args, &stdout, &stderr)
				took := time.Since(began)
				code := exitcode.Of(err)
				if !containsInt(want, code) {
					t.Errorf("%s: exit %d (%v), want one of %v\nstdout:\n%.2000s", name, code, err, want, stdout.String())
				}
				if took > 90*time.Second {
					t.Errorf("%s took %s", name, took)
				}
				out := stdout.String() + stderr.String()
				if err != nil {
					out += err.Error()
				}
				checkClean(t, name+" output", []byte(out), s)
			}
			filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() {
					data, _ := os.ReadFile(path)
					checkClean(t, filepath.Base(path), data, s)
				}
				return nil
			})
			if n := s.SpyHits.Load(); n != 0 {
				t.Errorf("another origin got %d requests with credentials", n)
			}
		})
	}
}

// checkClean fails when data holds the secret, in clear or in Basic
// auth's base64, or a raw escape character.
func checkClean(t *testing.T, what string, data []byte, s *hostile.Server) {
	t.Helper()
	b64 := base64.StdEncoding.EncodeToString([]byte(s.AppKey + ":" + s.Secret))
	switch {
	case bytes.Contains(data, []byte(s.Secret)):
		t.Errorf("%s holds the secret", what)
	case bytes.Contains(data, []byte(b64)):
		t.Errorf("%s holds base64(appKey:secret)", what)
	case bytes.IndexByte(data, 0x1b) >= 0:
		i := bytes.IndexByte(data, 0x1b)
		t.Errorf("%s holds a raw escape character: %q", what, data[max(0, i-80):min(len(data), i+20)])
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// testSystem is a process environment for in-process runs: the variables
// given, and no interrupts.
func testSystem(env map[string]string) system {
	return system{
		getenv:     func(k string) string { return env[k] },
		interrupts: func() (<-chan os.Signal, func()) { return make(chan os.Signal), func() {} },
	}
}

// TestConformSecondInterruptEndsAtOnce: the first Ctrl-C ends the
// scenarios and starts the cleanup; against a target that no longer
// answers, the cleanup would take its whole timeout; a second Ctrl-C ends
// the run at once and says what was not cleaned.
func TestConformSecondInterruptEndsAtOnce(t *testing.T) {
	var hang hostile.Case
	for _, c := range hostile.Cases() {
		if c.Name == "hang" {
			hang = c
		}
	}
	s, err := hostile.Start(hang)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, first := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 1)
	sys := system{getenv: func(string) string { return "" }, interrupts: func() (<-chan os.Signal, func()) { return sig, func() {} }}
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runWith(ctx, sys, []string{"conform", "--target", s.URL, "--appkey", s.AppKey, "--secret", s.Secret, "--tags", "@endpoint:DELETE:/v1/users/{username}"}, &stdout, &stderr)
	}()
	// The preflight is answered; a scenario's request is the second one
	// the target reads, and it never gets an answer.
	awaitRequests(t, s, 2)
	before := s.Requests()
	first()
	awaitRequests(t, s, before+1) // the cleanup has begun, and waits too
	second := time.Now()
	sig <- os.Interrupt
	select {
	case err := <-done:
		if d := time.Since(second); d > 3*time.Second {
			t.Errorf("the run ended %s after the second interrupt", d)
		}
		if exitcode.Of(err) == exitcode.OK {
			t.Errorf("an interrupted run passed")
		}
		if !strings.Contains(stderr.String(), "second interrupt") || !strings.Contains(stderr.String(), "could not delete") {
			t.Errorf("stderr does not say the cleanup was abandoned and what it left:\n%s", stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not end after the second interrupt")
	}
}

// awaitRequests waits (20 s at most) until the hostile server has read n
// requests: a test that interrupts a run waits for the run to be where it
// means to interrupt it, not for a time that a busy machine outlasts.
func awaitRequests(t *testing.T, s *hostile.Server, n int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for s.Requests() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the target read %d requests in 20 s, want %d", s.Requests(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
