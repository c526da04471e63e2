// Package hostile is a catalogue of misbehaving targets for jmcheck's own
// tests and its sweep: servers on loopback that answer the preflight like
// the IM API, and then do one bad thing (hang, trickle, send endless or
// huge bodies, lie about lengths, reset, redirect, echo the credentials,
// answer random statuses, nest JSON millions deep, or die mid-run). Every
// server listens on 127.0.0.1 only and stops with Close.
package hostile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"jmcheck/exitcode"
)

// Case is one misbehaviour.
type Case struct {
	Name string
	What string
	// Exit are the exit codes a jmcheck run against the case may end
	// with: exitcode.Failed when the target answers wrongly,
	// exitcode.TargetUnusable when it stops answering. Never OK (the
	// target is broken) nor Usage (the run was set up right).
	Exit []int
	// Slow cases take the client's whole timeout per request: the sweep
	// runs them, unit tests do not.
	Slow  bool
	serve func(s *Server, w http.ResponseWriter, r *http.Request)
	raw   func(s *Server, c net.Conn, br *bufio.Reader) // instead of serve: the raw connection
}

// Cases returns the catalogue.
func Cases() []Case {
	return []Case{
		{Name: "hang", What: "reads the request, never answers", Exit: []int{exitcode.TargetUnusable}, Slow: true, raw: func(s *Server, c net.Conn, br *bufio.Reader) {
			<-s.done
		}},
		{Name: "stall", What: "sends the status line and headers, then nothing", Exit: []int{exitcode.TargetUnusable}, Slow: true, raw: func(s *Server, c net.Conn, br *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
			<-s.done
		}},
		{Name: "trickle", What: "sends a valid answer one byte every 200ms", Exit: []int{exitcode.TargetUnusable}, Slow: true, raw: func(s *Server, c net.Conn, br *bufio.Reader) {
			answer := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n[" + strings.Repeat(" ", 1998) + "]"
			for i := 0; i < len(answer); i++ {
				if _, err := c.Write([]byte{answer[i]}); err != nil {
					return
				}
				select {
				case <-s.done:
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		}},
		{Name: "huge", What: "answers 200 with a 64 MiB body", Exit: []int{exitcode.Failed}, serve: func(s *Server, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", fmt.Sprint(64<<20))
			chunk := []byte(strings.Repeat(" ", 1<<20))
			for range 64 {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}},
		{Name: "endless", What: "answers 200 with a chunked body that never ends", Exit: []int{exitcode.Failed}, serve: func(s *Server, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat("[", 64<<10))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				select {
				case <-s.done:
					return
				default:
				}
			}
		}},
		{Name: "bad-length", What: "announces a longer body than it sends, then closes", Exit: []int{exitcode.Failed, exitcode.TargetUnusable}, raw: func(s *Server, c net.Conn, br *bufio.Reader) {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"a\":1}")
		}},
		{Name: "reset", What: "resets every connection after reading the request", Exit: []int{exitcode.TargetUnusable}, raw: func(s *Server, c net.Conn, br *bufio.Reader) {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
		}},
		{Name: "redirect", What: "redirects every request to a spy on another port", Exit: []int{exitcode.Failed}, serve: func(s *Server, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, s.spy.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
		}},
		{Name: "echo", What: "answers 401 echoing the Authorization header and the secret, with terminal escapes", Exit: []int{exitcode.Failed}, serve: func(s *Server, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("WWW-Authenticate", r.Header.Get("Authorization"))
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"error":{"code":899008,"message":"you sent %s and %s \u001b[2J\u001b[32mPASS"}}`, r.Header.Get("Authorization"), s.Secret)
		}},
		{Name: "random", What: "answers random statuses with random bodies", Exit: []int{exitcode.Failed}, serve: func(s *Server, w http.ResponseWriter, r *http.Request) {
			codes := []int{200, 201, 204, 301, 400, 401, 403, 404, 405, 418, 500, 502, 503}
			w.Header().Set("Content-Type", []string{"application/json", "text/html", ""}[rand.IntN(3)])
			w.WriteHeader(codes[rand.IntN(len(codes))])
			fmt.Fprint(w, []string{`{}`, `[]`, `{"error":{"code":899001,"message":"x"}}`, `<html>`, `{"username":`, ``}[rand.IntN(6)])
		}},
		{Name: "deep", What: "answers 200 with JSON nested 4 million levels deep", Exit: []int{exitcode.Failed}, serve: func(s *Server, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, strings.Repeat("[", 4<<20))
		}},
		{Name: "dies", What: "answers like the API for 20 requests, then stops listening", Exit: []int{exitcode.TargetUnusable}, serve: func(s *Server, w http.ResponseWriter, r *http.Request) {
			if s.requests.Load() > 20 {
				s.ln.Close()
				if hj, ok := w.(http.Hijacker); ok {
					if c, _, err := hj.Hijack(); err == nil {
						c.Close()
					}
				}
				return
			}
			apiLike(w, r)
		}},
	}
}

// Server is one running hostile target.
type Server struct {
	URL            string
	AppKey, Secret string
	SpyHits        *atomic.Int64 // requests with credentials that reached the spy (redirect)
	spy            *httptest.Server
	ln             net.Listener
	done           chan struct{}
	requests       atomic.Int64
}

// Start serves the case on a loopback port.
func Start(c Case) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), AppKey: "hostilekey", Secret: "hostile-secret-42", ln: ln, done: make(chan struct{}), SpyHits: new(atomic.Int64)}
	s.spy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			s.SpyHits.Add(1)
		}
		w.WriteHeader(200)
	}))
	go s.accept(c)
	return s, nil
}

// Requests is how many requests the server has read so far, the
// preflight's included.
func (s *Server) Requests() int64 { return s.requests.Load() }

// Close stops the server and its spy.
func (s *Server) Close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.ln.Close()
	s.spy.Close()
}

func (s *Server) accept(c Case) {
	if c.raw == nil {
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := s.requests.Add(1)
			if isPreflight(r) && (c.Name != "dies" || n <= 20) {
				apiLike(w, r)
				return
			}
			c.serve(s, w, r)
		}), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			<-s.done
			srv.Close()
		}()
		_ = srv.Serve(s.ln)
		return
	}
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.rawConn(c, conn)
	}
}

// rawConn answers the preflight like the API, and anything else by the
// case, on the raw connection.
func (s *Server) rawConn(c Case, conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, io.LimitReader(req.Body, 8<<20))
		req.Body.Close()
		s.requests.Add(1)
		if isPreflight(req) {
			body := `{"total":0,"start":0,"count":0,"users":[]}`
			if _, err := fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body); err != nil {
				return
			}
			continue
		}
		c.raw(s, conn, br)
		return
	}
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.TrimSuffix(r.URL.Path, "/") == "/v1/users" && r.URL.Query().Get("count") == "1"
}

// apiLike answers like the API, loosely: the user list, a batch
// register (every item created), a user read back. It is enough for a run
// to get going before the case misbehaves; it is not conformant.
func apiLike(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodGet && path == "/v1/users":
		io.WriteString(w, `{"total":0,"start":0,"count":0,"users":[]}`)
	case r.Method == http.MethodPost && path == "/v1/users":
		var items []struct {
			Username string `json:"username"`
		}
		_ = json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&items)
		out := make([]map[string]string, len(items))
		for i, it := range items {
			out[i] = map[string]string{"username": it.Username}
		}
		w.WriteHeader(201)
		_ = json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/v1/users/"):
		fmt.Fprintf(w, `{"username":%q,"ctime":"2015-06-01 10:00:00","mtime":"2015-06-01 10:00:00"}`, strings.TrimPrefix(path, "/v1/users/"))
	default:
		w.WriteHeader(403)
		io.WriteString(w, `{"error":{"code":899002,"message":"no such user"}}`)
	}
}
