// Package transport is the load generator's attack path: the lean
// HTTP/1.1 client that writes each request straight into a pooled
// connection, parses the status line and the few headers the checks need,
// reads the body into a pooled buffer and checks it in place (package
// check), and hands the verdict to the result loop by vegeta's sequence
// number. A net/http fallback (Std) runs the same checks for targets the
// lean client cannot speak to. Everything else the harness sends goes
// through package client; this path is kept apart because its cost per
// request is the generator's capacity.
package transport

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"jmcheck/load/check"
)

const opHeader = check.OpHeader

// staleAfter is how long a pooled connection must have been idle for a
// failure before the first answer byte to be retried on a new one.
const staleAfter = time.Second

// keepBody bounds how much of a failed or error answer lands in the
// result file.
const keepBody = 8 << 10

// Verdicts hands each verdict from the transport, which checks the
// answer while it is still in a pooled buffer, to the result loop, which
// joins it with vegeta's Result by sequence number.
type Verdicts struct {
	shards [32]struct {
		mu sync.Mutex
		m  map[uint64]check.Verdict
		_  [40]byte // keep shards on separate cache lines
	}
}

// NewVerdicts returns an empty table.
func NewVerdicts() *Verdicts {
	t := &Verdicts{}
	for i := range t.shards {
		t.shards[i].m = make(map[uint64]check.Verdict)
	}
	return t
}

func (t *Verdicts) put(seq uint64, v check.Verdict) {
	s := &t.shards[seq%uint64(len(t.shards))]
	s.mu.Lock()
	s.m[seq] = v
	s.mu.Unlock()
}

// Take returns and forgets the verdict of the request with vegeta's
// sequence number seq.
func (t *Verdicts) Take(seq uint64) (check.Verdict, bool) {
	s := &t.shards[seq%uint64(len(t.shards))]
	s.mu.Lock()
	v, ok := s.m[seq]
	if ok {
		delete(s.m, seq)
	}
	s.mu.Unlock()
	return v, ok
}

// Stats counts what the transports see, for the in-flight gauge.
type Stats struct {
	Inflight atomic.Int64
}

var (
	bufPool      = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}
	exchangePool = sync.Pool{New: func() any { return new(check.Exchange) }}
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

// RequestMeta reads what the targeter put in the request for the checks
// and vegeta's sequence number.
func RequestMeta(h http.Header) (op int, tag, seq uint64, ok bool) {
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
func finish(c check.Checker, t *Verdicts, seq uint64, x *check.Exchange, body *[]byte) (*http.Response, error) {
	v := c.Check(x)
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
