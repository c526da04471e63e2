package transport

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"jmcheck/load/check"
)

// Fast is the attack's lean HTTP/1.1 client. Per request it
// writes the request straight into a pooled connection's buffer, parses the
// status line and the few headers the checks need, reads the body into a
// pooled buffer and checks it in place: no per-connection goroutines, no
// header maps, no compression, no HTTP/2. The deadline of --timeout covers
// the whole exchange, so vegeta's client needs no Timeout (which costs a
// timer goroutine per request). vegeta still paces, times and records.
type Fast struct {
	https   bool
	addr    string // host:port to dial
	host    string // Host header
	tls     *tls.Config
	timeout time.Duration
	check   check.Checker
	table   *Verdicts
	stats   *Stats

	mu   sync.Mutex
	idle []*fastConn
}

type fastConn struct {
	conn     net.Conn
	br       *bufio.Reader
	wbuf     []byte // the request being written, kept between requests
	lastUsed time.Time
}

// NewFast returns the lean transport for a target's base URL: http or
// https, HTTP/1.1 only. Every request's answer is checked by c, its
// verdict filed in t.
func NewFast(base *url.URL, timeout time.Duration, c check.Checker, t *Verdicts, st *Stats) (*Fast, error) {
	ft := &Fast{host: base.Host, timeout: timeout, check: c, table: t, stats: st}
	port := base.Port()
	switch base.Scheme {
	case "http":
		if port == "" {
			port = "80"
		}
	case "https":
		ft.https = true
		if port == "" {
			port = "443"
		}
		ft.tls = &tls.Config{ServerName: base.Hostname(), NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12}
	default:
		return nil, fmt.Errorf("target scheme %q: want http or https", base.Scheme)
	}
	ft.addr = net.JoinHostPort(base.Hostname(), port)
	return ft, nil
}

// CloseIdleConnections closes the pooled connections.
func (t *Fast) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		c.conn.Close()
	}
}

func (t *Fast) get() *fastConn {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.idle); n > 0 {
		c := t.idle[n-1]
		t.idle[n-1] = nil
		t.idle = t.idle[:n-1]
		return c
	}
	return nil
}

func (t *Fast) put(c *fastConn) {
	c.lastUsed = time.Now()
	t.mu.Lock()
	t.idle = append(t.idle, c)
	t.mu.Unlock()
}

func (t *Fast) dial(deadline time.Time) (*fastConn, error) {
	d := net.Dialer{Deadline: deadline, KeepAlive: 30 * time.Second}
	conn, err := d.Dial("tcp", t.addr)
	if err != nil {
		return nil, err
	}
	if t.https {
		tc := tls.Client(conn, t.tls)
		err := tc.SetDeadline(deadline)
		if err == nil {
			err = tc.Handshake()
		}
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		conn = tc
	}
	return &fastConn{conn: conn, br: bufio.NewReaderSize(conn, 4096), wbuf: make([]byte, 0, 4096)}, nil
}

// RoundTrip implements http.RoundTripper.
func (t *Fast) RoundTrip(req *http.Request) (*http.Response, error) {
	t.stats.Inflight.Add(1)
	defer t.stats.Inflight.Add(-1)

	op, tag, seq, _ := RequestMeta(req.Header)
	reqBody, err := readRequestBody(req)
	if err != nil {
		return nil, err
	}
	defer putBuf(reqBody)

	x := exchangePool.Get().(*check.Exchange)
	*x = check.Exchange{Op: op, Tag: tag, Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery}
	if reqBody != nil {
		x.ReqBody = *reqBody
	}
	defer func() {
		*x = check.Exchange{}
		exchangePool.Put(x)
	}()

	x.Started = time.Now()
	deadline := x.Started.Add(t.timeout)
	body, err := t.exchange(req, x, deadline)
	if err != nil {
		x.Err = err
		var ne net.Error
		x.Timeout = errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
	}
	return finish(t.check, t.table, seq, x, body)
}

// exchange sends the request and reads the answer. A pooled connection
// that sat idle may have been closed by the server meanwhile; the request
// is sent again on a fresh one only when that is safe: no answer byte
// came, and the request is idempotent or provably never left (not one of
// its bytes was written). A POST the server may have read is never sent
// twice.
func (t *Fast) exchange(req *http.Request, x *check.Exchange, deadline time.Time) (*[]byte, error) {
	for attempt := 0; ; attempt++ {
		c := t.get()
		reused := c != nil
		if c == nil {
			var err error
			if c, err = t.dial(deadline); err != nil {
				return nil, err
			}
		}
		idleFor := time.Since(c.lastUsed)
		body, keep, wrote, started, err := t.once(c, req, x, deadline)
		if err == nil {
			if keep {
				t.put(c)
			} else {
				c.conn.Close()
			}
			return body, nil
		}
		c.conn.Close()
		putBuf(body)
		// Retry only what looks like the server's idle timeout: a
		// connection that sat unused for a while and died before any
		// answer byte. A reset of a busy connection is the server's doing
		// under load, and a failure to report, not to hide.
		safe := idempotent(req.Method) || wrote == 0
		if attempt == 0 && reused && !started && safe && !isTimeout(err) && idleFor > staleAfter {
			x.Resent = wrote > 0
			continue
		}
		return nil, err
	}
}

// idempotent reports whether a method may be sent twice (RFC 9110).
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

var errMalformed = errors.New("malformed HTTP response")

// once writes the request on c and reads the answer into x. wrote is how
// many bytes of the request went out; started says whether any byte of an
// answer arrived.
func (t *Fast) once(c *fastConn, req *http.Request, x *check.Exchange, deadline time.Time) (body *[]byte, keep bool, wrote int, started bool, err error) {
	if err := c.conn.SetDeadline(deadline); err != nil {
		return nil, false, 0, false, err
	}
	w := c.wbuf[:0]
	w = append(w, req.Method...)
	w = append(w, ' ')
	w = append(w, x.Path...)
	if x.Query != "" {
		w = append(w, '?')
		w = append(w, x.Query...)
	}
	w = append(w, " HTTP/1.1\r\nHost: "...)
	w = append(w, t.host...)
	w = append(w, "\r\nUser-Agent: jmcheck-load\r\n"...)
	for k, vs := range req.Header {
		if k == opHeader || k == "X-Vegeta-Seq" || k == "X-Vegeta-Attack" {
			continue
		}
		for _, v := range vs {
			w = append(w, k...)
			w = append(w, ": "...)
			w = append(w, v...)
			w = append(w, "\r\n"...)
		}
	}
	if len(x.ReqBody) > 0 || req.Method == http.MethodPost || req.Method == http.MethodPut {
		w = append(w, "Content-Length: "...)
		w = strconv.AppendInt(w, int64(len(x.ReqBody)), 10)
		w = append(w, "\r\n"...)
	}
	w = append(w, "\r\n"...)
	w = append(w, x.ReqBody...)
	if cap(w) <= maxKeptWriteBuf {
		c.wbuf = w[:0]
	}
	n, err := c.conn.Write(w)
	if err != nil {
		return nil, false, n, false, err
	}
	body, keep, started, err = readResponse(c.br, req.Method, x)
	return body, keep, n, started, err
}

// maxKeptWriteBuf bounds the write buffer a connection keeps between
// requests: a 500-user batch fits; a one-off larger body is not kept.
const maxKeptWriteBuf = 64 << 10
