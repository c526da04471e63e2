package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"jmcheck/server/im"
)

// maxBody caps a request body. A 500-user batch of 128-byte names and
// passwords is about 140 KiB, or 800 KiB written entirely in \u escapes;
// 1 MiB fits both with room to spare.
const maxBody = 1 << 20

// statusClientClosed is the metrics status of a request whose client left
// before the answer (nginx's 499); it is never sent.
const statusClientClosed = 499

// handler answers one matched, authenticated request with a status and a
// body to encode as JSON (nil for no body), or a domain error.
type handler func(ctx context.Context, q *request) (int, any, error)

// request is what a handler sees: the HTTP request, the caller's app, the
// percent-decoded path parameters and the body.
type request struct {
	*http.Request
	app    im.App
	params []string
	body   []byte
}

// route is a path template and its handlers by method.
type route struct {
	template string // the metrics label, e.g. "/v1/users/{username}"
	segs     []string
	methods  map[string]handler
	allow    string // the Allow header for 405
}

// routes builds the route table and returns the server's root handler.
func (s *Server) routes() http.Handler {
	table := []struct {
		template string
		methods  map[string]handler
	}{
		{"/v1/users", map[string]handler{http.MethodGet: s.listUsers, http.MethodPost: s.registerUsers}},
		{"/v1/users/{username}", map[string]handler{http.MethodGet: s.getUser, http.MethodPut: s.updateUser, http.MethodDelete: s.deleteUser}},
		{"/v1/users/{username}/groups", map[string]handler{http.MethodGet: s.userGroups}},
		{"/v1/groups", map[string]handler{http.MethodGet: s.listGroups, http.MethodPost: s.createGroup}},
		{"/v1/groups/{gid}", map[string]handler{http.MethodGet: s.getGroup, http.MethodDelete: s.deleteGroup}},
		{"/v1/groups/{gid}/members", map[string]handler{http.MethodGet: s.groupMembers, http.MethodPost: s.updateMembers}},
		{"/v1/messages", map[string]handler{http.MethodPost: s.sendMessage}},
	}
	r := &router{s: s, metrics: promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})}
	for _, t := range table {
		rt := route{template: t.template, segs: strings.Split(strings.TrimPrefix(t.template, "/"), "/"), methods: t.methods}
		var allow []string
		for m := range t.methods {
			allow = append(allow, m)
		}
		slices.Sort(allow)
		rt.allow = strings.Join(allow, ", ")
		r.routes = append(r.routes, rt)
	}
	return r
}

// router is the server's root handler: admission, routing, auth, fault
// injection, body reading, and the one place responses are written.
type router struct {
	s       *Server
	routes  []route
	metrics http.Handler
}

// exchange wraps the ResponseWriter to record what was answered, for the
// metrics, the log and the panic handler.
type exchange struct {
	http.ResponseWriter
	route  string
	status int
	code   im.Code
	wrote  bool
}

// WriteHeader records the first status and passes it on.
func (e *exchange) WriteHeader(status int) {
	if !e.wrote {
		e.status, e.wrote = status, true
	}
	e.ResponseWriter.WriteHeader(status)
}

// Write records an implicit 200 and passes the bytes on.
func (e *exchange) Write(b []byte) (int, error) {
	if !e.wrote {
		e.WriteHeader(http.StatusOK)
	}
	return e.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (e *exchange) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// ServeHTTP answers one request: shed, route, authenticate, inject faults,
// read the body, run the handler, and record the exchange.
func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := rt.s
	start := time.Now()
	ex := &exchange{ResponseWriter: w, route: "unmatched"}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler { //nolint:errorlint // a sentinel panic value, never wrapped
				panic(p)
			}
			s.log.Error("handler panicked", "route", ex.route, "method", r.Method, "panic", p, "stack", string(debug.Stack()))
			if !ex.wrote {
				s.writeError(ex, im.Errorf(im.CodeInternal, "internal error"))
			}
		}
		s.observe(ex, r, time.Since(start))
	}()

	if r.URL.Path == "/metrics" || r.URL.Path == "/metrics/" {
		ex.route = "/metrics"
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.writeNoBody(ex, http.StatusMethodNotAllowed, "GET, HEAD")
			return
		}
		rt.metrics.ServeHTTP(ex, r)
		return
	}

	if s.inflight != nil {
		select {
		case s.inflight <- struct{}{}:
			defer func() { <-s.inflight }()
		default:
			ex.route = "shed"
			s.writeError(ex, im.Errorf(im.CodeBusy, "too many requests in flight: retry later"))
			return
		}
	}
	s.metrics.inflight.Inc()
	defer s.metrics.inflight.Dec()

	route, params := rt.match(r.URL)
	if route == nil {
		s.writeNoBody(ex, http.StatusNotFound, "")
		return
	}
	ex.route = route.template
	h, ok := route.methods[r.Method]
	if !ok {
		allow := route.allow
		if s.is(mut405NoAllow) {
			allow = ""
		}
		s.writeNoBody(ex, http.StatusMethodNotAllowed, allow)
		return
	}
	app, err := s.authenticate(r.Header.Get("Authorization"))
	if err != nil {
		s.writeError(ex, err)
		return
	}
	if s.cfg.FaultInjection {
		if err := s.injectedFault(r.Header.Get("X-Fault-Inject")); err != nil {
			if s.is(mutFaultPlain) && im.CodeOf(err) == im.CodeInternal {
				ex.code = im.CodeInternal
				ex.Header().Set("Content-Type", "text/plain; charset=utf-8")
				ex.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(ex, "internal error\n")
				return
			}
			s.writeError(ex, err)
			return
		}
	}
	q := &request{Request: r, app: app, params: params}
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		if q.body, err = s.readBody(ex, r); err != nil {
			s.writeError(ex, err)
			return
		}
	}
	status, body, err := h(r.Context(), q)
	if err != nil && r.Context().Err() != nil && im.CodeOf(err) == im.CodeInternal {
		// The client went away mid-request; its transaction rolled back
		// and no one reads an answer. Record it as nginx does, not as 500.
		ex.status, ex.wrote = statusClientClosed, true
		s.log.Info("client closed the request", "route", ex.route, "method", r.Method)
		return
	}
	if err != nil {
		s.writeError(ex, err)
		return
	}
	s.writeJSON(ex, status, body)
}

// match finds the route of u's path, percent-decoding each segment; the
// trailing slash is optional.
func (rt *router) match(u *url.URL) (*route, []string) {
	p := u.EscapedPath()
	if strings.HasSuffix(p, "/") && len(p) > 1 {
		if rt.s.is(mutNoTrailingSlash) {
			return nil, nil
		}
		p = p[:len(p)-1]
	}
	if !strings.HasPrefix(p, "/") {
		return nil, nil
	}
	segs := strings.Split(p[1:], "/")
next:
	for i := range rt.routes {
		route := &rt.routes[i]
		if len(route.segs) != len(segs) {
			continue
		}
		var params []string
		for j, want := range route.segs {
			seg := segs[j]
			if rt.s.is(mutPercentAtNotDecoded) && strings.HasPrefix(want, "{") {
				seg = strings.ReplaceAll(seg, "%40", "%2540") // decodes to %40: the escape is kept
			}
			got, err := url.PathUnescape(seg)
			if err != nil || got == "" {
				continue next
			}
			if strings.HasPrefix(want, "{") {
				params = append(params, got)
			} else if got != want {
				continue next
			}
		}
		return route, params
	}
	return nil, nil
}

// readBody reads the request body up to maxBody. Any Content-Type is
// accepted: spec/PROFILE.md §1 requires application/json with any
// parameters, even malformed ones, and the body's JSON is what is checked.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if s.is(mutStrictContentType) {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			return nil, invalid("Content-Type must be application/json")
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, invalid("request body over %d bytes", maxBody)
	}
	if err != nil {
		return nil, invalid("read request body: %v", err)
	}
	return b, nil
}

// writeJSON writes status and body as JSON; a nil body writes no body.
func (s *Server) writeJSON(ex *exchange, status int, body any) {
	if body == nil {
		ex.WriteHeader(status)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		s.log.Error("encode response", "route", ex.route, "err", err)
		s.writeError(ex, im.Errorf(im.CodeInternal, "internal error"))
		return
	}
	ex.Header().Set("Content-Type", s.contentType())
	ex.WriteHeader(status)
	_, _ = ex.Write(buf.Bytes())
}

func (s *Server) contentType() string {
	if s.is(mutTextPlain) {
		return "text/plain; charset=utf-8"
	}
	return "application/json"
}

// writeError writes err as {"error":{"code","message"}} at its code's
// status, with Retry-After on 503.
func (s *Server) writeError(ex *exchange, err error) {
	obj := errorObjectOf(err)
	status := statusOf(obj.Code)
	if obj.Code == im.CodeInternal {
		s.log.Error("internal error", "route", ex.route, "err", err)
	}
	ex.code = obj.Code
	if obj.Code == im.CodeMissingAuth && s.is(mutAuthMissing400) {
		status = http.StatusBadRequest
	}
	if status == http.StatusServiceUnavailable && !s.is(mutNoRetryAfter) {
		ex.Header().Set("Retry-After", "1")
	}
	if s.is(mutErrorExtraKey) {
		s.writeJSON(ex, status, map[string]any{"error": map[string]any{"code": obj.Code, "message": obj.Message, "status": status}})
		return
	}
	s.writeJSON(ex, status, errorBody{Error: obj})
}

// writeNoBody answers 404 or 405 without a body (spec/PROFILE.md §1 allows
// it); allow, when set, is the Allow header.
func (s *Server) writeNoBody(ex *exchange, status int, allow string) {
	if allow != "" {
		ex.Header().Set("Allow", allow)
	}
	ex.WriteHeader(status)
}
