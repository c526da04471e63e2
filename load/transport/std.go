package transport

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"jmcheck/load/check"
)

// Std runs the checks on top of net/http's Transport: the fallback for
// targets the lean client cannot speak to (a proxy, say). It costs more
// CPU per request. It never follows a redirect: vegeta's client is built
// with one that does not.
type Std struct {
	inner *http.Transport
	check check.Checker
	table *Verdicts
	stats *Stats
}

// NewStd returns the net/http transport with the checks.
func NewStd(c check.Checker, t *Verdicts, st *Stats) *Std {
	return &Std{
		inner: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 10000,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
			TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{},
			WriteBufferSize:     8192,
			ReadBufferSize:      8192,
			// The answer's headers are read into memory: bound them.
			MaxResponseHeaderBytes: 64 << 10,
		},
		check: c, table: t, stats: st,
	}
}

// CloseIdleConnections closes the pooled connections.
func (t *Std) CloseIdleConnections() { t.inner.CloseIdleConnections() }

// RoundTrip implements http.RoundTripper.
func (t *Std) RoundTrip(req *http.Request) (*http.Response, error) {
	t.stats.Inflight.Add(1)
	defer t.stats.Inflight.Add(-1)

	op, tag, seq, _ := RequestMeta(req.Header)
	req.Header.Del(opHeader)
	req.Header.Set("User-Agent", "jmcheck-load")
	reqBody, err := readRequestBody(req)
	if err != nil {
		return nil, err
	}
	defer putBuf(reqBody)
	x := &check.Exchange{Op: op, Tag: tag, Method: req.Method, Path: req.URL.EscapedPath(), Query: req.URL.RawQuery}
	if reqBody != nil {
		x.ReqBody = *reqBody
		req.Body = io.NopCloser(bytes.NewReader(x.ReqBody))
		req.ContentLength = int64(len(x.ReqBody))
	}
	x.Started = time.Now()
	resp, err := t.inner.RoundTrip(req)
	var body *[]byte
	if err == nil {
		x.Status = resp.StatusCode
		x.ContentType = resp.Header.Get("Content-Type")
		x.RetryAfter = resp.Header.Get("Retry-After")
		bp := bufPool.Get().(*[]byte)
		b, rerr := readAll(bufio.NewReader(io.LimitReader(resp.Body, check.MaxBody+1)), (*bp)[:0])
		resp.Body.Close()
		*bp = b
		body = bp
		x.Body = b
		if errors.Is(rerr, errTooLarge) {
			x.TooLarge, rerr = true, nil
		}
		err = rerr
	}
	if err != nil {
		x.Err = err
		x.Timeout = isTimeout(err)
	}
	return finish(t.check, t.table, seq, x, body)
}
