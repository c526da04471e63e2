package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"jmcheck/exitcode"
	"jmcheck/target"
)

func testTarget(url string) target.Target {
	return target.Target{BaseURL: url, AppKey: "key1", Secret: "topsecret", AppKey2: "key2", Secret2: "othersecret"}
}

func newClient(t *testing.T, srv *httptest.Server, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{Target: testTarget(srv.URL), Transport: srv.Client().Transport, MaxBusyWait: 10 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	c := New(cfg)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// TestNoRedirectIsFollowed: a target that redirects to another origin
// (another port of the same host: net/http would keep Authorization) gets
// its 3xx judged as the answer; the other origin never hears of the
// credentials.
func TestNoRedirectIsFollowed(t *testing.T) {
	t.Parallel()
	var spied atomic.Int64
	spy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		spied.Add(1)
		w.WriteHeader(200)
	}))
	defer spy.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, spy.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	c := newClient(t, srv, nil)
	for _, m := range []string{"GET", "POST", "DELETE"} {
		ex, err := c.Do(context.Background(), Request{Method: m, Path: "/v1/users/alice", Body: []byte("[]"), HasBody: m == "POST"})
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		if ex.Status != http.StatusTemporaryRedirect {
			t.Errorf("%s: status %d, want the 307 itself", m, ex.Status)
		}
		if err := ex.Check(); err == nil || !strings.Contains(err.Error(), "redirect") {
			t.Errorf("%s: Check() = %v, want the 3xx judged wrong", m, err)
		}
	}
	if n := spied.Load(); n != 0 {
		t.Errorf("the other origin got %d requests", n)
	}
}

// TestAnswerOverTheCap: an answer longer than MaxBody, streamed or
// announced by its Content-Length, is reported as over the cap, never as
// "not JSON", and the exchange keeps only its first bytes.
func TestAnswerOverTheCap(t *testing.T) {
	t.Parallel()
	var wrote atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/announced" {
			w.Header().Set("Content-Length", strconv.Itoa(64<<20))
		}
		chunk := []byte("[" + strings.Repeat(" ", 64<<10-1))
		for range 1024 { // 2.5 MiB streamed, or 64 MiB announced
			if r.URL.Path == "/streamed" && wrote.Load() >= 40 {
				return
			}
			if _, err := w.Write(chunk); err != nil {
				return
			}
			wrote.Add(1)
		}
	}))
	defer srv.Close()
	c := newClient(t, srv, func(c *Config) { c.MaxBody = 1 << 20 })
	for _, path := range []string{"/streamed", "/announced"} {
		wrote.Store(0)
		ex, err := c.Do(context.Background(), Request{Method: "GET", Path: path})
		var tl *TooLargeError
		if !errors.As(err, &tl) || !strings.Contains(err.Error(), "over 1 MiB") {
			t.Fatalf("%s: Do = %v, want an answer over 1 MiB", path, err)
		}
		// Of the answer, the exchange keeps what a failure message shows.
		if !ex.TooLarge || len(ex.Body) != keptBody || ex.BodyLen() != 1<<20 || ex.Body[0] != '[' {
			t.Errorf("%s: TooLarge %v with %d bytes kept (BodyLen %d), want the first %d", path, ex.TooLarge, len(ex.Body), ex.BodyLen(), keptBody)
		}
		if err := ex.Check(); err == nil || !strings.Contains(err.Error(), "over 1 MiB") {
			t.Errorf("%s: Check() = %v, want the size named", path, err)
		}
		if d := ex.Describe(); !strings.Contains(d, "(over 1 MiB; the first bytes:)") {
			t.Errorf("%s: Describe does not name the cap:\n%.300s", path, d)
		}
	}
}

// TestBusyRetryHonoursRetryAfter: a shed request is sent again, up to
// BusyRetries times; NoBusyRetry hands the 503 back.
func TestBusyRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1) <= 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(503)
			io.WriteString(w, `{"error":{"code":899030,"message":"busy"}}`)
			return
		}
		io.WriteString(w, `{"total":0,"start":0,"count":0,"users":[]}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, nil)
	start := time.Now()
	ex, err := c.Do(context.Background(), Request{Method: "POST", Path: "/v1/users/", Body: []byte("[]"), HasBody: true})
	if err != nil || ex.Status != 200 || ex.Attempts != 3 {
		t.Fatalf("Do = %v, status %d after %d attempts; want 200 after 3", err, ex.Status, ex.Attempts)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s: the wait is capped by MaxBusyWait", d)
	}
	calls.Store(0)
	ex, _ = c.Do(context.Background(), Request{Method: "GET", Path: "/v1/users/", NoBusyRetry: true})
	if ex.Status != 503 || ex.Attempts != 1 {
		t.Errorf("NoBusyRetry: status %d after %d attempts, want the 503 at once", ex.Status, ex.Attempts)
	}
}

// hangUp is a server that reads each request whole, then closes the
// connection without an answer: a request that may have been applied.
func hangUp(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

// TestNoRequestIsSentTwiceWhenItMayHaveArrived: after a transport failure
// a GET is retried, a POST never (it may have been applied).
func TestNoRequestIsSentTwiceWhenItMayHaveArrived(t *testing.T) {
	t.Parallel()
	srv, got := hangUp(t)
	c := newClient(t, srv, func(c *Config) { c.FailAfter = -1 })
	if _, err := c.Do(context.Background(), Request{Method: "POST", Path: "/v1/users/", Body: []byte(`[{"username":"a"}]`), HasBody: true}); err == nil {
		t.Fatal("a hang-up was an answer")
	}
	if n := got.Load(); n != 1 {
		t.Errorf("the POST reached the server %d times, want once", n)
	}
	got.Store(0)
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/v1/users/a"}); err == nil {
		t.Fatal("a hang-up was an answer")
	}
	if n := got.Load(); n != 1+transportRetries {
		t.Errorf("the GET was sent %d times, want %d", n, 1+transportRetries)
	}
}

// TestFailFast: a target that stops answering makes the client unusable
// after FailAfter failures in a row over FailSpan; later requests fail at
// once, with exit code 3. An answer resets the count.
func TestFailFast(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close() // nothing listens: every dial is refused
	c := New(Config{Target: testTarget(url), FailAfter: 3, FailSpan: time.Millisecond})
	var last error
	for i := 0; i < 3; i++ {
		time.Sleep(2 * time.Millisecond)
		_, last = c.Do(context.Background(), Request{Method: "POST", Path: "/v1/users/", HasBody: true})
	}
	if c.Unusable() == nil || exitcode.Of(last) != exitcode.TargetUnusable {
		t.Fatalf("after 3 refused requests: Unusable() = %v, last error %v (exit %d), want exit 3", c.Unusable(), last, exitcode.Of(last))
	}
	start := time.Now()
	if _, err := c.Do(context.Background(), Request{Method: "GET", Path: "/v1/users/a"}); exitcode.Of(err) != exitcode.TargetUnusable || time.Since(start) > 100*time.Millisecond {
		t.Errorf("a request after the target became unusable: %v after %s, want exit 3 at once", err, time.Since(start))
	}
	if !strings.Contains(c.Unusable().Error(), "became unusable") {
		t.Errorf("the error does not say what happened: %v", c.Unusable())
	}
	if f := c.ForCleanup(); f.Unusable() != nil {
		t.Error("the cleanup client starts unusable")
	}
}

// TestDescribeIsSafe: whatever the target echoes (the credentials, escape
// sequences, a fake PASS line) is scrubbed and quoted in what jmcheck
// prints.
func TestDescribeIsSafe(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", r.Header.Get("Authorization"))
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"code":899008,"message":"you sent `+r.Header.Get("Authorization")+` and topsecret \u001b[2J\u001b[32mPASS"}}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, nil)
	ex, err := c.Do(context.Background(), Request{Method: "GET", Path: "/v1/users/a"})
	if err != nil {
		t.Fatal(err)
	}
	// The body carries the escape as the JSON escape \u001b; a target may
	// also send the raw byte: both must come out quoted.
	ex.Body = append(ex.Body, "\x1b[2J\r\nPASS"...)
	d := ex.Describe()
	for _, bad := range []string{"topsecret", target.BasicAuth("key1", "topsecret")[len("Basic "):], "\x1b", "\r"} {
		if strings.Contains(d, bad) {
			t.Errorf("Describe() holds %q:\n%s", bad, d)
		}
	}
	if !strings.Contains(d, target.Redacted) || !strings.Contains(d, `\x1b[2J`) {
		t.Errorf("Describe() does not show the redaction and the quoted escape:\n%s", d)
	}
}

// TestDeepJSONIsABodyFailure: an answer nested millions deep is judged,
// never parsed recursively.
func TestDeepJSONIsABodyFailure(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", 3_000_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, deep)
	}))
	defer srv.Close()
	c := newClient(t, srv, nil)
	ex, err := c.Do(context.Background(), Request{Method: "GET", Path: "/v1/users/a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.JSON(); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("JSON() = %v, want nested deeper than 64", err)
	}
	if err := ex.Check(); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("Check() = %v, want nested deeper than 64", err)
	}
	if ex.Code() != 0 {
		t.Errorf("Code() = %d of an unreadable body", ex.Code())
	}
}

// TestKeptIsWhatAFailureMessageNeeds: a kept exchange holds no more of a
// large answer than Describe shows, and describes and judges itself as
// the whole one does; a short one is kept as it is.
func TestKeptIsWhatAFailureMessageNeeds(t *testing.T) {
	t.Parallel()
	big := `{"error":{"code":899000,"message":"` + strings.Repeat("x", 1<<20) + `"}}`
	bodies := map[string]string{"/big": big, "/bad": `{"a":` + strings.Repeat(" ", 5000), "/small": `{"error":{"code":899000,"message":"x"}}`, "/huge": strings.Repeat(" ", 3<<20)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		io.WriteString(w, bodies[r.URL.Path])
	}))
	defer srv.Close()
	c := newClient(t, srv, func(c *Config) { c.MaxBody = 2 << 20 })
	for path := range bodies {
		ex, _ := c.Do(context.Background(), Request{Method: "GET", Path: path})
		whole := *ex // Describe and Check of the answer as it came
		k := ex.Kept()
		if path == "/small" {
			if k != ex {
				t.Errorf("%s: a short answer was copied", path)
			}
			continue
		}
		if len(k.Body) > keptBody || k.BodyLen() != min(len(bodies[path]), 2<<20) {
			t.Errorf("%s: kept %d bytes (BodyLen %d) of %d, want at most %d", path, len(k.Body), k.BodyLen(), len(bodies[path]), keptBody)
		}
		if got, want := k.Describe(), whole.Describe(); got != want {
			t.Errorf("%s: Describe of the kept exchange differs:\n%s\nwant:\n%s", path, got, want)
		}
		if got, want := fmt.Sprint(k.Check()), fmt.Sprint(whole.Check()); got != want {
			t.Errorf("%s: Check of the kept exchange %s, want %s", path, got, want)
		}
		if got, want := fmt.Sprint(k.JSONError()), fmt.Sprint(whole.JSONError()); got != want {
			t.Errorf("%s: JSONError of the kept exchange %s, want %s", path, got, want)
		}
	}
}

// TestNoRetryAfterTheTargetBecameUnusable: of requests in flight together
// against a target that never answers, the one that failed first waits
// its backoff to retry; by then the others have found the target
// unusable, and it does not send its retry to wait its whole timeout
// again (a load cleanup against such a target took two timeouts, not one).
func TestNoRetryAfterTheTargetBecameUnusable(t *testing.T) {
	t.Parallel()
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newClient(t, srv, func(c *Config) { c.Timeout, c.FailAfter = 300*time.Millisecond, 2 })
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := c.Do(context.Background(), Request{Method: "DELETE", Path: "/v1/users/a"})
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; exitcode.Of(err) != exitcode.TargetUnusable {
			t.Errorf("Do = %v, want the target unusable", err)
		}
	}
	if n := got.Load(); n != 2 {
		t.Errorf("the server got %d requests, want the 2 first sends and no retry", n)
	}
}
