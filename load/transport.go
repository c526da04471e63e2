package load

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The attack's requests carry their operation (and an optional tag) in
// this header; the transports read it and never send it.
const opHeader = "X-Jmcheck"

// staleAfter is how long a pooled connection must have been idle for a
// failure before the first answer byte to be retried on a new one.
const staleAfter = time.Second

// maxBody bounds a response body; a larger one is a failure, not a hang.
const maxBody = 16 << 20

// keepBody bounds how much of a failed or error answer lands in the
// result file.
const keepBody = 8 << 10

// checker is what the transports call on every exchange.
type checker interface {
	check(x *Exchange) Verdict
}

// verdictTable hands each verdict from the transport, which checks the
// answer while it is still in a pooled buffer, to the result loop, which
// joins it with vegeta's Result by sequence number.
type verdictTable struct {
	shards [32]struct {
		mu sync.Mutex
		m  map[uint64]Verdict
		_  [40]byte // keep shards on separate cache lines
	}
}

func newVerdictTable() *verdictTable {
	t := &verdictTable{}
	for i := range t.shards {
		t.shards[i].m = make(map[uint64]Verdict)
	}
	return t
}

func (t *verdictTable) put(seq uint64, v Verdict) {
	s := &t.shards[seq%uint64(len(t.shards))]
	s.mu.Lock()
	s.m[seq] = v
	s.mu.Unlock()
}

func (t *verdictTable) take(seq uint64) (Verdict, bool) {
	s := &t.shards[seq%uint64(len(t.shards))]
	s.mu.Lock()
	v, ok := s.m[seq]
	if ok {
		delete(s.m, seq)
	}
	s.mu.Unlock()
	return v, ok
}

// transportStats counts what the transports see, for the in-flight gauge.
type transportStats struct {
	inflight atomic.Int64
}

var (
	bufPool      = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
	exchangePool = sync.Pool{New: func() any { return new(Exchange) }}
)

// pooledBody hands a failed or error answer to vegeta, which copies it
// into Result.Body, and returns the buffer to the pool on Close.
type pooledBody struct {
	buf *[]byte
	r   bytes.Reader
}

func (b *pooledBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *pooledBody) Close() error {
	if b.buf != nil {
		*b.buf = (*b.buf)[:0]
		bufPool.Put(b.buf)
		b.buf = nil
	}
	return nil
}

// requestMeta reads what the targeter put in the request for the checks
// and vegeta's sequence number.
func requestMeta(h http.Header) (op int, tag, seq uint64, ok bool) {
	v := h[opHeader]
	if len(v) != 1 {
		return 0, 0, 0, false
	}
	s := v[0]
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		op = op*10 + int(s[i]-'0')
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			tag = tag*10 + uint64(s[i]-'0')
		}
	}
	for _, c := range firstValue(h, "X-Vegeta-Seq") {
		if c < '0' || c > '9' {
			break
		}
		seq = seq*10 + uint64(c-'0')
	}
	return op, tag, seq, true
}

func firstValue(h http.Header, k string) string {
	if v := h[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// readRequestBody reads a request body into a pooled buffer.
func readRequestBody(req *http.Request) (*[]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	if req.ContentLength > 0 && int64(cap(b)) < req.ContentLength {
		b = make([]byte, 0, req.ContentLength)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := req.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = b[:0]
			bufPool.Put(bp)
			return nil, fmt.Errorf("read request body: %w", err)
		}
	}
	*bp = b
	return bp, nil
}

func putBuf(bp *[]byte) {
	if bp != nil {
		*bp = (*bp)[:0]
		bufPool.Put(bp)
	}
}

// finish checks an exchange, files the verdict and builds the response
// vegeta sees: no body for a passing 2xx (nothing to copy), the body of an
// error or failed answer otherwise, so that the result file shows it.
func finish(c checker, t *verdictTable, seq uint64, x *Exchange, body *[]byte) (*http.Response, error) {
	v := c.check(x)
	t.put(seq, v)
	if x.Err != nil {
		err := x.Err
		putBuf(body)
		return nil, err
	}
	resp := &http.Response{
		StatusCode: x.Status,
		Status:     statusLine(x.Status),
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Body: http.NoBody,
	}
	if (x.Status >= 300 || v.Failed()) && body != nil && len(*body) > 0 {
		pb := &pooledBody{buf: body}
		b := *body
		if len(b) > keepBody {
			b = b[:keepBody]
		}
		pb.r.Reset(b)
		resp.Body = pb
		return resp, nil
	}
	putBuf(body)
	return resp, nil
}

var statusLines sync.Map // int → string

func statusLine(code int) string {
	if s, ok := statusLines.Load(code); ok {
		return s.(string)
	}
	s := strconv.Itoa(code) + " " + http.StatusText(code)
	statusLines.Store(code, s)
	return s
}

// fastTransport is the attack's lean HTTP/1.1 client. Per request it
// writes the request straight into a pooled connection's buffer, parses the
// status line and the few headers the checks need, reads the body into a
// pooled buffer and checks it in place: no per-connection goroutines, no
// header maps, no compression, no HTTP/2. The deadline of --timeout covers
// the whole exchange, so vegeta's client needs no Timeout (which costs a
// timer goroutine per request). vegeta still paces, times and records.
type fastTransport struct {
	https   bool
	addr    string // host:port to dial
	host    string // Host header
	tls     *tls.Config
	timeout time.Duration
	check   checker
	table   *verdictTable
	stats   *transportStats

	mu   sync.Mutex
	idle []*fastConn
}

type fastConn struct {
	conn     net.Conn
	br       *bufio.Reader
	bw       *bufio.Writer
	lastUsed time.Time
	num      [20]byte // scratch for Content-Length
}

func newFastTransport(base *url.URL, timeout time.Duration, c checker, t *verdictTable, st *transportStats) (*fastTransport, error) {
	ft := &fastTransport{host: base.Host, timeout: timeout, check: c, table: t, stats: st}
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
func (t *fastTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		c.conn.Close()
	}
}

func (t *fastTransport) get() *fastConn {
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

func (t *fastTransport) put(c *fastConn) {
	c.lastUsed = time.Now()
	t.mu.Lock()
	t.idle = append(t.idle, c)
	t.mu.Unlock()
}

func (t *fastTransport) dial(deadline time.Time) (*fastConn, error) {
	d := net.Dialer{Deadline: deadline, KeepAlive: 30 * time.Second}
	conn, err := d.Dial("tcp", t.addr)
	if err != nil {
		return nil, err
	}
	if t.https {
		tc := tls.Client(conn, t.tls)
		if err := tc.SetDeadline(deadline); err == nil {
			err = tc.Handshake()
		}
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		conn = tc
	}
	return &fastConn{conn: conn, br: bufio.NewReaderSize(conn, 4096), bw: bufio.NewWriterSize(conn, 4096)}, nil
}

// RoundTrip implements http.RoundTripper.
func (t *fastTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.stats.inflight.Add(1)
	defer t.stats.inflight.Add(-1)

	op, tag, seq, _ := requestMeta(req.Header)
	reqBody, err := readRequestBody(req)
	if err != nil {
		return nil, err
	}
	defer putBuf(reqBody)

	x := exchangePool.Get().(*Exchange)
	*x = Exchange{Op: op, Tag: tag, Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery}
	if reqBody != nil {
		x.ReqBody = *reqBody
	}
	defer func() {
		*x = Exchange{}
		exchangePool.Put(x)
	}()

	deadline := time.Now().Add(t.timeout)
	body, err := t.exchange(req, x, deadline)
	if err != nil {
		x.Err = err
		var ne net.Error
		x.Timeout = errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
	}
	return finish(t.check, t.table, seq, x, body)
}

// exchange sends the request and reads the answer, retrying once on a
// fresh connection when a pooled one that sat idle turns out closed before
// any answer byte (the server dropped it while idle).
func (t *fastTransport) exchange(req *http.Request, x *Exchange, deadline time.Time) (*[]byte, error) {
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
		body, keep, started, err := t.once(c, req, x, deadline)
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
		if attempt == 0 && reused && !started && !isTimeout(err) && idleFor > staleAfter {
			continue
		}
		return nil, err
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

var errMalformed = errors.New("malformed HTTP response")

// once writes the request on c and reads the answer into x. started says
// whether any byte of an answer arrived.
func (t *fastTransport) once(c *fastConn, req *http.Request, x *Exchange, deadline time.Time) (body *[]byte, keep, started bool, err error) {
	if err := c.conn.SetDeadline(deadline); err != nil {
		return nil, false, false, err
	}
	bw := c.bw
	bw.WriteString(req.Method)
	bw.WriteByte(' ')
	bw.WriteString(x.Path)
	if x.Query != "" {
		bw.WriteByte('?')
		bw.WriteString(x.Query)
	}
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(t.host)
	bw.WriteString("\r\nUser-Agent: jmcheck-load\r\n")
	for k, vs := range req.Header {
		if k == opHeader || k == "X-Vegeta-Seq" || k == "X-Vegeta-Attack" {
			continue
		}
		for _, v := range vs {
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
	if len(x.ReqBody) > 0 || req.Method == http.MethodPost || req.Method == http.MethodPut {
		bw.WriteString("Content-Length: ")
		bw.Write(strconv.AppendInt(c.num[:0], int64(len(x.ReqBody)), 10))
		bw.WriteString("\r\n")
	}
	bw.WriteString("\r\n")
	bw.Write(x.ReqBody)
	if err := bw.Flush(); err != nil {
		return nil, false, false, err
	}

	br := c.br
	var (
		status  int
		minor   byte
		line    []byte
		bodyLen = -1
		chunked bool
		closing bool
	)
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			if len(line) == 0 && !started {
				return nil, false, false, err
			}
			return nil, false, true, badRead(err)
		}
		started = true
		if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
			return nil, false, true, errMalformed
		}
		minor = line[7]
		status = int(line[9]-'0')*100 + int(line[10]-'0')*10 + int(line[11]-'0')
		if status < 100 || status > 999 || line[9] > '9' || line[10] > '9' || line[11] > '9' {
			return nil, false, true, errMalformed
		}
		closing = minor == '0'
		// Headers.
		for {
			h, err := br.ReadSlice('\n')
			if err != nil {
				return nil, false, true, badRead(err)
			}
			h = bytes.TrimRight(h, "\r\n")
			if len(h) == 0 {
				break
			}
			colon := bytes.IndexByte(h, ':')
			if colon <= 0 {
				return nil, false, true, errMalformed
			}
			name, value := h[:colon], bytes.TrimSpace(h[colon+1:])
			switch {
			case asciiEqualFold(name, "content-length"):
				n, ok := parseDecimal(value)
				if !ok {
					return nil, false, true, errMalformed
				}
				bodyLen = n
			case asciiEqualFold(name, "transfer-encoding"):
				chunked = asciiEqualFold(value, "chunked")
			case asciiEqualFold(name, "connection"):
				if asciiEqualFold(value, "close") {
					closing = true
				} else if asciiEqualFold(value, "keep-alive") && minor == '0' {
					closing = false
				}
			case asciiEqualFold(name, "content-type"):
				x.ContentType = internContentType(value)
			case asciiEqualFold(name, "retry-after"):
				x.RetryAfter = string(value)
			}
		}
		if status >= 100 && status < 200 && status != 101 {
			x.ContentType, x.RetryAfter = "", ""
			bodyLen, chunked = -1, false
			continue // an interim answer: the real one follows
		}
		break
	}
	x.Status = status

	if req.Method == http.MethodHead || status == 204 || status == 304 || status < 200 {
		return nil, !closing, true, nil
	}
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	switch {
	case chunked:
		b, err = readChunked(br, b)
	case bodyLen >= 0:
		if bodyLen > maxBody {
			err = errors.New("response too large")
			break
		}
		if cap(b) < bodyLen {
			b = make([]byte, bodyLen)
		}
		b = b[:bodyLen]
		_, err = io.ReadFull(br, b)
	default:
		closing = true
		b, err = readAll(br, b)
	}
	*bp = b
	if err != nil {
		return bp, false, true, badRead(err)
	}
	x.Body = b
	return bp, !closing, true, nil
}

func badRead(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("server closed the connection before a complete answer: EOF")
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		return errors.New("response header too long")
	}
	if errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("connection reset by peer: %w", err)
	}
	return err
}

func readChunked(br *bufio.Reader, b []byte) ([]byte, error) {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return b, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		line = bytes.TrimSpace(line)
		n, ok := parseHex(line)
		if !ok {
			return b, errors.New("malformed chunked encoding")
		}
		if n == 0 {
			// Trailers, then the final empty line.
			for {
				t, err := br.ReadSlice('\n')
				if err != nil {
					return b, err
				}
				if len(bytes.TrimRight(t, "\r\n")) == 0 {
					return b, nil
				}
			}
		}
		if len(b)+n > maxBody {
			return b, errors.New("response too large")
		}
		start := len(b)
		b = grow(b, n)
		if _, err := io.ReadFull(br, b[start:start+n]); err != nil {
			return b, err
		}
		crlf, err := br.ReadSlice('\n')
		if err != nil {
			return b, err
		}
		if len(bytes.TrimRight(crlf, "\r\n")) != 0 {
			return b, errors.New("malformed chunked encoding")
		}
	}
}

func readAll(br *bufio.Reader, b []byte) ([]byte, error) {
	for {
		if len(b) > maxBody {
			return b, errors.New("response too large")
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := br.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, 2*cap(b)+n)
	copy(nb, b)
	return nb
}

func parseDecimal(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 12 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func parseHex(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'f':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = int(c-'A') + 10
		default:
			return 0, false
		}
		n = n*16 + d
	}
	return n, true
}

func asciiEqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func internContentType(v []byte) string {
	switch string(v) { // no allocation: the compiler compares in place
	case "application/json":
		return "application/json"
	case "application/json; charset=utf-8":
		return "application/json; charset=utf-8"
	case "application/json;charset=utf-8":
		return "application/json;charset=utf-8"
	}
	return string(v)
}

// stdTransport runs the checks on top of net/http's Transport: the
// fallback for targets the lean client cannot speak to (a proxy, HTTP/2
// only). It costs more CPU per request.
type stdTransport struct {
	inner *http.Transport
	check checker
	table *verdictTable
	stats *transportStats
}

func newStdTransport(c checker, t *verdictTable, st *transportStats) *stdTransport {
	return &stdTransport{
		inner: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 10000,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
			TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{},
			WriteBufferSize:     8192,
			ReadBufferSize:      8192,
		},
		check: c, table: t, stats: st,
	}
}

// CloseIdleConnections closes the pooled connections.
func (t *stdTransport) CloseIdleConnections() { t.inner.CloseIdleConnections() }

// RoundTrip implements http.RoundTripper.
func (t *stdTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.stats.inflight.Add(1)
	defer t.stats.inflight.Add(-1)

	op, tag, seq, _ := requestMeta(req.Header)
	req.Header.Del(opHeader)
	req.Header.Set("User-Agent", "jmcheck-load")
	reqBody, err := readRequestBody(req)
	if err != nil {
		return nil, err
	}
	defer putBuf(reqBody)
	x := &Exchange{Op: op, Tag: tag, Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery}
	if reqBody != nil {
		x.ReqBody = *reqBody
		req.Body = io.NopCloser(bytes.NewReader(x.ReqBody))
		req.ContentLength = int64(len(x.ReqBody))
	}
	resp, err := t.inner.RoundTrip(req)
	var body *[]byte
	if err == nil {
		x.Status = resp.StatusCode
		x.ContentType = resp.Header.Get("Content-Type")
		x.RetryAfter = resp.Header.Get("Retry-After")
		bp := bufPool.Get().(*[]byte)
		b, rerr := readAll(bufio.NewReader(io.LimitReader(resp.Body, maxBody+1)), (*bp)[:0])
		resp.Body.Close()
		*bp = b
		body = bp
		x.Body = b
		err = rerr
		if err == nil && len(b) > maxBody {
			err = errors.New("response too large")
		}
	}
	if err != nil {
		x.Err = err
		x.Timeout = isTimeout(err)
	}
	return finish(t.check, t.table, seq, x, body)
}
