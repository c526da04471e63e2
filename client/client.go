// Package client is the harness's one HTTP client for everything that is
// not the load generator's attack path: the conformance steps' exchanges,
// exploration, the preflight, and load's seeding, verification and
// cleanup. It owns the rules those requests follow, once:
//
//   - credentials go to the target's origin only: no redirect is ever
//     followed (a 3xx is the answer, judged as such), so Authorization
//     never reaches another port, scheme or host;
//   - an answer is read up to MaxBody (4 MiB); a longer one is reported as
//     "the answer is over N MiB", a body failure of the target, and only
//     its first bytes are kept (one whose Content-Length is over the cap
//     is not read further);
//   - a request shed with 503 899030 is retried after its Retry-After
//     (capped), a few times: shedding applies nothing (spec/PROFILE.md §6);
//   - a request that failed in transport is retried only when it is
//     idempotent (GET, PUT, DELETE): a POST that may have reached the
//     server is never sent twice;
//   - after FailAfter transport failures in a row (8; no answer between
//     them), the target is unusable: every later request fails at once
//     with an exitcode.TargetUnusable error, so that a run ends in seconds,
//     not in hours of timeouts;
//   - everything the client renders for people (Describe) is scrubbed of
//     the run's secrets and quoted for terminals.
//
// It never imports the reference server.
package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"jmcheck/exitcode"
	"jmcheck/spec"
	"jmcheck/target"
)

// Defaults of Config.
const (
	DefaultTimeout     = 15 * time.Second
	DefaultMaxBody     = 4 << 20
	DefaultBusyRetries = 5
	DefaultMaxBusyWait = 2 * time.Second
	DefaultFailAfter   = 8
	transportRetries   = 2
	transportBackoff   = 200 * time.Millisecond
)

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	Target      target.Target
	Timeout     time.Duration // per attempt, from send to the last body byte
	MaxBody     int64         // bytes of an answer read at most
	BusyRetries int           // retries of a 503 899030; negative: none
	MaxBusyWait time.Duration // the longest Retry-After honoured
	// FailAfter transport failures in a row, spanning FailSpan or more
	// (0: any span), make the target unusable; negative FailAfter: never.
	FailAfter int
	FailSpan  time.Duration
	// Transport is the round tripper (tests); nil: a pooled one of its own.
	Transport http.RoundTripper
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.BusyRetries == 0 {
		c.BusyRetries = DefaultBusyRetries
	}
	if c.MaxBusyWait <= 0 {
		c.MaxBusyWait = DefaultMaxBusyWait
	}
	if c.FailAfter == 0 {
		c.FailAfter = DefaultFailAfter
	}
	return c
}

// Client sends requests to one target. It is safe for concurrent use.
type Client struct {
	cfg   Config
	http  *http.Client
	own   *http.Transport // nil when Config.Transport was given
	scrub *target.Scrubber

	mu        sync.Mutex
	failures  int       // transport failures in a row
	failSince time.Time // when the first of them happened
	dead      atomic.Pointer[UnusableError]
}

// New returns a client for cfg.Target.
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	c := &Client{cfg: cfg, scrub: cfg.Target.Scrubber()}
	rt := cfg.Transport
	if rt == nil {
		c.own = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     30 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
			DisableCompression:  true,
			// The answer's headers are read into memory: bound them.
			MaxResponseHeaderBytes: 64 << 10,
		}
		rt = c.own
	}
	c.http = &http.Client{
		Transport: rt,
		Timeout:   cfg.Timeout,
		// No client of jmcheck follows a redirect: net/http keeps
		// Authorization on one to the same host name on another port or
		// scheme. A 3xx is the answer, and no endpoint answers one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c
}

// Target returns the target the client talks to.
func (c *Client) Target() target.Target { return c.cfg.Target }

// Scrubber returns the scrubber of the target's secrets.
func (c *Client) Scrubber() *target.Scrubber { return c.scrub }

// CloseIdleConnections closes the pooled connections, so that a server
// shutting down right after the run (the embedded one) does not wait for
// connections dialled but never used.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// Request is one request to the target.
type Request struct {
	Method      string
	Path        string // appended to the base URL; may hold a query
	Body        []byte
	HasBody     bool   // send Body (an empty body is a body too)
	ContentType string // "" = application/json when there is a body
	App         int    // 0 or 1: the first app; 2: the second
	// Authorization, when not nil, replaces the app's credentials with
	// exactly these header values: an empty slice sends none, [""] an
	// empty one.
	Authorization []string
	Header        http.Header // more headers
	Chunked       bool        // send the body with chunked transfer encoding
	NoBusyRetry   bool        // hand back a 503 899030 instead of retrying it
}

// Idempotent reports whether the request may be sent again after a
// transport failure: GET, HEAD, PUT, DELETE and OPTIONS may (RFC 9110), a
// POST never, for it may have reached the server.
func (r Request) Idempotent() bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// Do sends a request and returns its exchange. The error is set when no
// complete answer came: a *TransportError (the target's fault), an
// *UnusableError (the target has stopped answering; exit 3), the context's
// end, or a request that could not be built. An answer over MaxBody comes
// back with TooLarge set and a *TooLargeError.
func (c *Client) Do(ctx context.Context, r Request) (*Exchange, error) {
	if d := c.dead.Load(); d != nil {
		return &Exchange{Method: r.Method, URL: c.cfg.Target.URL(r.Path), ReqBody: r.Body}, d
	}
	var (
		ex  *Exchange
		err error
	)
	for attempt, busy, broken := 1, 0, 0; ; attempt++ {
		ex, err = c.once(ctx, r)
		ex.Attempts = attempt
		var te *TransportError
		switch {
		case err == nil && !r.NoBusyRetry && busy < c.cfg.BusyRetries && ex.Shed():
			busy++
			if werr := Sleep(ctx, c.busyWait(ex.Header)); werr != nil {
				return ex, werr
			}
			continue
		case errors.As(err, &te) && r.Idempotent() && broken < transportRetries && ctx.Err() == nil && c.dead.Load() == nil:
			broken++
			if werr := Sleep(ctx, transportBackoff); werr != nil {
				return ex, werr
			}
			if d := c.dead.Load(); d != nil {
				// The requests in flight beside this one found the target
				// unusable meanwhile: no retry waits its timeout again.
				return ex, d
			}
			continue
		}
		if d := c.dead.Load(); d != nil && err != nil && errors.As(err, &te) {
			return ex, d
		}
		return ex, err
	}
}

// busyWait is how long to wait before retrying a shed request: its
// Retry-After, at most MaxBusyWait, at least 50 ms.
func (c *Client) busyWait(h http.Header) time.Duration {
	d := time.Second
	if n, ok := spec.RetryAfter(h.Get("Retry-After")); ok {
		d = time.Duration(n) * time.Second
	}
	return max(min(d, c.cfg.MaxBusyWait), 50*time.Millisecond)
}

func (c *Client) once(ctx context.Context, r Request) (*Exchange, error) {
	u := c.cfg.Target.URL(r.Path)
	ex := &Exchange{Method: r.Method, URL: u, ReqBody: r.Body, scrub: c.scrub}
	var body io.Reader
	if r.HasBody {
		if r.Chunked {
			// A reader of unknown length makes net/http send the body chunked.
			body = io.MultiReader(bytes.NewReader(r.Body))
		} else {
			body = bytes.NewReader(r.Body)
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u, body)
	if err != nil {
		return ex, fmt.Errorf("build request %s %s: %w", r.Method, target.Printable(r.Path), err)
	}
	if r.HasBody {
		ct := r.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
		if r.Chunked {
			req.ContentLength = -1
			req.GetBody = nil
		}
	}
	req.Header.Set("Accept", "application/json")
	if r.Authorization != nil {
		if len(r.Authorization) > 0 {
			req.Header["Authorization"] = append([]string(nil), r.Authorization...)
		}
	} else {
		auth, err := c.cfg.Target.AuthOf(r.App)
		if err != nil {
			return ex, err
		}
		req.Header.Set("Authorization", auth)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	ex.ReqHeader = req.Header.Clone()
	ex.Route = spec.Match(r.Method, req.URL.EscapedPath())

	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		ex.Took = time.Since(start)
		if ctx.Err() != nil {
			// The run was interrupted or timed out: not the target's fault.
			return ex, fmt.Errorf("request abandoned after %s: %w", ex.Took.Round(time.Millisecond), context.Cause(ctx))
		}
		return ex, c.failed(&TransportError{Err: unwrapURL(err), Took: ex.Took, Timeout: isTimeout(err)})
	}
	defer resp.Body.Close()
	ex.Status, ex.Header = resp.StatusCode, resp.Header
	// An answer that says it is over the cap is too large as it stands:
	// only what a failure message shows of it is read.
	announced := resp.ContentLength > c.cfg.MaxBody
	if announced {
		ex.Body, err = io.ReadAll(io.LimitReader(resp.Body, keptBody))
	} else {
		ex.Body, err = c.readBody(ctx, resp.Body)
	}
	ex.Took = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return ex, fmt.Errorf("request abandoned after %s: %w", ex.Took.Round(time.Millisecond), context.Cause(ctx))
		}
		return ex, c.failed(&TransportError{Err: fmt.Errorf("reading the answer: %w", unwrapURL(err)), Took: ex.Took, Timeout: isTimeout(err), Answered: true})
	}
	c.answered()
	if announced || int64(len(ex.Body)) > c.cfg.MaxBody {
		// Of an answer over the cap, the exchange keeps what a failure
		// message shows (Kept), and its length reads as the cap: it holds
		// no large body, whoever keeps it. The rest is not read: the
		// connection is closed rather than drained.
		ex.Body = bytes.Clone(ex.Body[:min(len(ex.Body), keptBody)])
		ex.TooLarge, ex.bodyLen = true, int(c.cfg.MaxBody)
		return ex, &TooLargeError{Limit: c.cfg.MaxBody}
	}
	return ex, nil
}

// smallBody is what any answer may read without a token; largeReads is
// how many answers may read past it at once. Together they bound the
// memory of answers being read: smallBody per request in flight, plus
// largeReads answers of up to MaxBody (a 512-request burst against a
// target that answers 4 MiB each holds 32 MiB + 16 MiB, not 2 GiB).
const (
	smallBody  = 64 << 10
	largeReads = 4
)

var largeTokens = make(chan struct{}, largeReads)

// readBody reads an answer's body up to MaxBody+1 bytes (one more tells an
// answer over the cap).
func (c *Client) readBody(ctx context.Context, r io.Reader) ([]byte, error) {
	limit := c.cfg.MaxBody + 1
	first := min(limit, smallBody)
	b, err := io.ReadAll(io.LimitReader(r, first))
	if err != nil || int64(len(b)) < first || first == limit {
		return b, err
	}
	select {
	case largeTokens <- struct{}{}:
	case <-ctx.Done():
		return b, ctx.Err()
	}
	defer func() { <-largeTokens }()
	buf := bytes.NewBuffer(b)
	_, err = buf.ReadFrom(io.LimitReader(r, limit-first))
	return buf.Bytes(), err
}

// failed counts a transport failure toward the fail-fast rule.
func (c *Client) failed(te *TransportError) error {
	if c.cfg.FailAfter < 0 {
		return te
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.failures == 0 {
		c.failSince = now
	}
	c.failures++
	if c.failures >= c.cfg.FailAfter && now.Sub(c.failSince) >= c.cfg.FailSpan && c.dead.Load() == nil {
		c.dead.Store(&UnusableError{Failures: c.failures, Span: now.Sub(c.failSince), Last: te, Target: c.cfg.Target.BaseURL})
	}
	return te
}

// answered resets the fail-fast count: the target answers.
func (c *Client) answered() {
	c.mu.Lock()
	c.failures = 0
	c.mu.Unlock()
}

// Unusable returns the error that made the target unusable, nil while it
// answers.
func (c *Client) Unusable() error {
	if d := c.dead.Load(); d != nil {
		return d
	}
	return nil
}

// ForCleanup returns a client for the one short, bounded cleanup attempt
// after the target became unusable: short timeouts, no retries, and a
// fail-fast count of its own.
func (c *Client) ForCleanup() *Client {
	cfg := c.cfg
	cfg.Timeout = min(cfg.Timeout, 3*time.Second)
	cfg.BusyRetries = -1
	cfg.FailAfter, cfg.FailSpan = 3, 0
	if c.own == nil {
		return New(cfg)
	}
	cfg.Transport = c.own
	n := New(cfg)
	n.own = c.own
	return n
}

// TransportError is a request that got no complete answer: refused,
// reset, timed out, or cut off.
type TransportError struct {
	Err      error
	Took     time.Duration
	Timeout  bool
	Answered bool // the status line came, the body did not
}

func (e *TransportError) Error() string {
	what := "no answer"
	if e.Answered {
		what = "no complete answer"
	}
	return fmt.Sprintf("%s after %s: %s (a server must answer, also under load: %s)", what, e.Took.Round(time.Millisecond), target.Printable(e.Err.Error()), spec.Cite("6"))
}

func (e *TransportError) Unwrap() error { return e.Err }

// UnusableError says the target stopped answering: exit 3.
type UnusableError struct {
	Failures int
	Span     time.Duration
	Last     *TransportError
	Target   string
}

func (e *UnusableError) Error() string {
	return fmt.Sprintf("target %s became unusable: %d requests in a row over %s got no answer (the last: %v); stopping", e.Target, e.Failures, e.Span.Round(time.Millisecond), e.Last)
}

// ExitCode makes the error exit 3.
func (e *UnusableError) Unwrap() error {
	return exitcode.New(exitcode.TargetUnusable, errors.New("target unusable"))
}

// TooLargeError is an answer longer than the client reads.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return "the answer is over " + formatSize(e.Limit) + ": a body failure of the target (no answer of the API is that large; " + spec.Cite("9") + ")"
}

func formatSize(n int64) string {
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// unwrapURL drops net/http's "Get \"http://…\":" prefix: the exchange
// shows the URL already.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Sleep waits d, or until ctx ends, and returns ctx's error if it did.
// d of 0 or less returns at once.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
