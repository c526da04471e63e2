package transport

import (
	"bufio"
	"io"
	"jmcheck/load/check"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// expect200 is a checker that wants a 200 with a JSON body.
type expect200 struct{ bodies atomic.Int64 }

func (e *expect200) Check(x *check.Exchange) check.Verdict {
	if len(x.Body) > 0 {
		e.bodies.Add(int64(len(x.Body)))
	}
	return check.Judge(x, &check.Expectation{Status: 200})
}

func newTestTransport(t *testing.T, base string, timeout time.Duration) (*Fast, *Verdicts, *expect200) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	table := NewVerdicts()
	c := &expect200{}
	ft, err := NewFast(u, timeout, c, table, &Stats{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ft.CloseIdleConnections)
	return ft, table, c
}

// roundTrip sends one GET through the transport and returns its verdict.
func roundTrip(t *testing.T, ft *Fast, table *Verdicts, base string, seq uint64) (check.Verdict, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/v1/users/alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(opHeader, "0")
	req.Header.Set("X-Vegeta-Seq", strconv.FormatUint(seq, 10))
	resp, _ := ft.RoundTrip(req)
	if resp != nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	v, ok := table.Take(seq)
	if !ok {
		t.Fatalf("no verdict for request %d", seq)
	}
	return v, resp
}

func TestFastTransportReadsBodiesAndReusesConnections(t *testing.T) {
	var conns atomic.Int64
	cases := map[string]http.HandlerFunc{
		"ContentLength": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"username":"alice"}`))
		},
		"Chunked": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"username":`))
			w.(http.Flusher).Flush()
			w.Write([]byte(`"alice"}`))
		},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			conns.Store(0)
			srv := httptest.NewUnstartedServer(h)
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			ft, table, c := newTestTransport(t, srv.URL, 5*time.Second)
			for i := uint64(0); i < 5; i++ {
				if v, _ := roundTrip(t, ft, table, srv.URL, i); v.Failed() || v.Status != 200 {
					t.Fatalf("request %d: got %+v, want a pass", i, v)
				}
			}
			if got := c.bodies.Load(); got != 5*int64(len(`{"username":"alice"}`)) {
				t.Errorf("checks saw %d body bytes, want 5 whole bodies", got)
			}
			if got := conns.Load(); got != 1 {
				t.Errorf("got %d connections, want 1 reused", got)
			}
		})
	}
}

// rawServer answers every connection with f, which reads the request
// itself.
func rawServer(t *testing.T, f func(c net.Conn, br *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				f(c, bufio.NewReader(c))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// readRequest reads one request head.
func readRequest(br *bufio.Reader) bool {
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return false
		}
		if line == "\r\n" {
			return true
		}
	}
}

func TestFastTransportFailures(t *testing.T) {
	const okAnswer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
	cases := map[string]struct {
		serve   func(c net.Conn, br *bufio.Reader)
		timeout time.Duration
		reason  check.Reason
		detail  string
	}{
		"Reset": {
			serve:  func(c net.Conn, br *bufio.Reader) { readRequest(br); c.(*net.TCPConn).SetLinger(0) },
			reason: check.Connection,
		},
		"Garbage": {
			serve:  func(c net.Conn, br *bufio.Reader) { readRequest(br); io.WriteString(c, "SMTP ready\r\n\r\n") },
			reason: check.Connection, detail: "malformed",
		},
		"ShortBody": {
			serve: func(c net.Conn, br *bufio.Reader) {
				readRequest(br)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{}")
			},
			reason: check.Connection, detail: "EOF",
		},
		"Slow": {
			serve: func(c net.Conn, br *bufio.Reader) {
				readRequest(br)
				time.Sleep(300 * time.Millisecond)
				io.WriteString(c, okAnswer)
			},
			timeout: 50 * time.Millisecond, reason: check.Timeout,
		},
		"Interim": {
			serve: func(c net.Conn, br *bufio.Reader) {
				readRequest(br)
				io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n"+okAnswer)
			},
			reason: check.None,
		},
		"UntilClose": {
			serve: func(c net.Conn, br *bufio.Reader) {
				readRequest(br)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"a\":1}")
			},
			reason: check.None,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := rawServer(t, c.serve)
			timeout := c.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			ft, table, _ := newTestTransport(t, base, timeout)
			v, _ := roundTrip(t, ft, table, base, 1)
			if v.Reason != c.reason {
				t.Fatalf("got %+v, want reason %q", v, c.reason)
			}
			if !strings.Contains(v.Detail, c.detail) {
				t.Errorf("got detail %q, want it to hold %q", v.Detail, c.detail)
			}
		})
	}
}

func TestFastTransportRetriesAConnectionClosedWhileIdle(t *testing.T) {
	var accepted atomic.Int64
	base := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		accepted.Add(1)
		if readRequest(br) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
		}
		// Then close, as a server does at its idle timeout.
	})
	ft, table, _ := newTestTransport(t, base, 5*time.Second)
	if v, _ := roundTrip(t, ft, table, base, 1); v.Failed() {
		t.Fatalf("first request: %+v", v)
	}
	ft.mu.Lock()
	for _, c := range ft.idle {
		c.lastUsed = time.Now().Add(-2 * staleAfter) // idle for long enough to be stale
	}
	ft.mu.Unlock()
	time.Sleep(20 * time.Millisecond) // let the server's close land
	if v, _ := roundTrip(t, ft, table, base, 2); v.Failed() {
		t.Fatalf("request on a stale connection: got %+v, want a retry that passes", v)
	}
	if got := accepted.Load(); got != 2 {
		t.Errorf("got %d connections, want 2", got)
	}
}

func TestFastTransportHandsFailedBodiesToVegeta(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		w.Write([]byte(`{"error":{"code":899000,"message":"boom"}}`))
	}))
	defer srv.Close()
	ft, table, _ := newTestTransport(t, srv.URL, 5*time.Second)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/users/alice", nil)
	req.Header.Set(opHeader, "0")
	req.Header.Set("X-Vegeta-Seq", "3")
	resp, err := ft.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(body), "899000") {
		t.Errorf("got %d %q, want the 500 and its body", resp.StatusCode, body)
	}
	if v, _ := table.Take(3); v.Reason != check.Status || v.Code != 899000 {
		t.Errorf("got verdict %+v, want a status failure with code 899000", v)
	}
}

// TestFastTransportNeverResendsAPostTheServerRead: a pooled connection the
// server closes after reading a POST whole is a failure to report, not a
// request to send again (it may have been applied). A GET on such a
// connection is sent again.
func TestFastTransportNeverResendsAPostTheServerRead(t *testing.T) {
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		t.Run(method, func(t *testing.T) {
			var got atomic.Int64
			first := atomic.Bool{}
			base := rawServer(t, func(c net.Conn, br *bufio.Reader) {
				for readRequest(br) {
					if n := br.Buffered(); n > 0 {
						br.Discard(n) // the body
					}
					got.Add(1)
					if first.CompareAndSwap(false, true) {
						io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
						continue
					}
					return // read the request whole, then hang up: it may have been applied
				}
			})
			ft, table, _ := newTestTransport(t, base, 5*time.Second)
			send := func(seq uint64) check.Verdict {
				req, _ := http.NewRequest(method, base+"/v1/users/", strings.NewReader(`[{"username":"a","password":"bbbb"}]`))
				if method == http.MethodGet {
					req, _ = http.NewRequest(method, base+"/v1/users/a", nil)
				}
				req.Header.Set(opHeader, "0")
				req.Header.Set("X-Vegeta-Seq", strconv.FormatUint(seq, 10))
				if resp, _ := ft.RoundTrip(req); resp != nil {
					resp.Body.Close()
				}
				v, _ := table.Take(seq)
				return v
			}
			if v := send(1); v.Failed() {
				t.Fatalf("first request: %+v", v)
			}
			ft.mu.Lock()
			for _, c := range ft.idle {
				c.lastUsed = time.Now().Add(-2 * staleAfter) // idle for long enough to look stale
			}
			ft.mu.Unlock()
			got.Store(0)
			v := send(2)
			switch method {
			case http.MethodPost:
				if n := got.Load(); n != 1 || v.Reason != check.Connection {
					t.Errorf("the POST reached the server %d times with verdict %+v, want once and a connection failure", n, v)
				}
			case http.MethodGet:
				if n := got.Load(); n != 2 {
					t.Errorf("the GET reached the server %d times, want 2 (sent again on a fresh connection)", n)
				}
			}
		})
	}
}

// TestFastTransportReportsAFailedTLSHandshake: a certificate the client
// does not trust is a connection failure, never a connection used anyway.
func TestFastTransportReportsAFailedTLSHandshake(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	ft, table, _ := newTestTransport(t, srv.URL, 5*time.Second)
	v, _ := roundTrip(t, ft, table, srv.URL, 1)
	if v.Reason != check.Connection || !(strings.Contains(v.Detail, "TLS handshake") || strings.Contains(v.Detail, "certificate")) {
		t.Errorf("got %+v, want a connection failure naming the TLS handshake", v)
	}
	if n := served.Load(); n != 0 {
		t.Errorf("the server answered %d requests over an unverified connection", n)
	}
}

// TestFastTransportBoundsBodies: an answer over check.MaxBody, announced
// or streamed without end, is a body failure that says so; the connection
// is closed rather than drained.
func TestFastTransportBoundsBodies(t *testing.T) {
	cases := map[string]func(c net.Conn, br *bufio.Reader){
		"Announced": func(c net.Conn, br *bufio.Reader) {
			readRequest(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n[")
		},
		"EndlessChunked": func(c net.Conn, br *bufio.Reader) {
			readRequest(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
			chunk := "10000\r\n" + strings.Repeat(" ", 0x10000) + "\r\n"
			for range 200 { // 12.5 MiB, far past the cap
				if _, err := io.WriteString(c, chunk); err != nil {
					return
				}
			}
		},
		"UntilClose": func(c net.Conn, br *bufio.Reader) {
			readRequest(br)
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
			for range 200 {
				if _, err := io.WriteString(c, strings.Repeat(" ", 0x10000)); err != nil {
					return
				}
			}
		},
	}
	for name, serve := range cases {
		t.Run(name, func(t *testing.T) {
			base := rawServer(t, serve)
			ft, table, _ := newTestTransport(t, base, 10*time.Second)
			v, _ := roundTrip(t, ft, table, base, 1)
			if v.Reason != check.Body || !strings.Contains(v.Detail, "over 4 MiB") {
				t.Errorf("got %+v, want a body failure: the answer is over 4 MiB", v)
			}
		})
	}
}
