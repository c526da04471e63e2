// Package server is the jmcheck reference IM server: a real implementation
// of spec/PROFILE.md (the JMessage IM REST API v1, profile v1-2015) over
// the store in server/sqlite. It owns the routes and handlers, request
// validation, auth, admission control (load shedding), fault injection,
// metrics and request logs, and the mutants: named single deviations from
// spec/PROFILE.md that prove the conformance suite catches each kind of bug
// (Mutants), and the explore mutants that the explorer must catch
// (ExploreMutants).
//
// Times (ctime, mtime) are written in UTC+8, upstream's zone; birthdays are
// calendar values kept as given. Usernames are case-sensitive.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jmcheck/server/im"
	"jmcheck/server/sqlite"
)

// Config configures a Server.
type Config struct {
	DB             string            // SQLite file path, or ":memory:"
	Apps           map[string]string // appKey -> masterSecret (at least one)
	GroupLimit     int               // member limit incl. owner; 0 means 500
	MaxInflight    int               // 0 = unlimited; past it: 503 899030 + Retry-After
	FaultInjection bool              // honour X-Fault-Inject (spec/PROFILE.md §6)
	Logger         *slog.Logger      // nil = discard
	Mutant         string            // "" = conformant; else a name from Mutants() or ExploreMutants() (never a serve flag)
}

// Server is the reference IM server. Its handler is safe for concurrent use.
type Server struct {
	cfg      Config
	store    im.Service
	apps     map[string]app // by appKey
	limit    int
	mutant   string
	inflight chan struct{} // admission tokens; nil when unlimited
	log      *slog.Logger
	metrics  *metrics
	handler  http.Handler
}

// app is one configured appKey: its secret and its store handle.
type app struct {
	secret string
	id     im.App
}

// Timeouts of the HTTP server that Serve runs.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 10 * time.Second
)

// Open validates cfg, opens the store (an empty DB means ":memory:") and
// returns a ready Server. An unknown cfg.Mutant is an error.
func Open(cfg Config) (*Server, error) { return open(cfg, time.Now) }

// open is Open with the store's clock; tests move it to see mtime move.
func open(cfg Config, now func() time.Time) (*Server, error) {
	if len(cfg.Apps) == 0 {
		return nil, errors.New("no app configured: give at least one appKey:masterSecret")
	}
	for key, secret := range cfg.Apps {
		if key == "" || secret == "" {
			return nil, fmt.Errorf("app %q: appKey and masterSecret must both be non-empty", key)
		}
	}
	if cfg.GroupLimit < 0 {
		return nil, fmt.Errorf("group limit %d: must be at least 1 (0 means %d)", cfg.GroupLimit, im.DefaultGroupLimit)
	}
	if cfg.MaxInflight < 0 {
		return nil, fmt.Errorf("max in-flight %d: must be 0 (unlimited) or more", cfg.MaxInflight)
	}
	if cfg.Mutant != "" && !knownMutant(cfg.Mutant) {
		return nil, fmt.Errorf("unknown mutant %q: see server.Mutants() and server.ExploreMutants()", cfg.Mutant)
	}
	if cfg.DB == "" {
		cfg.DB = ":memory:"
	}
	s := &Server{
		cfg:    cfg,
		apps:   map[string]app{},
		limit:  cfg.GroupLimit,
		mutant: cfg.Mutant,
		log:    cfg.Logger,
	}
	if s.limit == 0 {
		s.limit = im.DefaultGroupLimit
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MaxInflight > 0 {
		s.inflight = make(chan struct{}, cfg.MaxInflight)
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, cfg.DB, sqlite.Options{Now: now, ReuseGIDs: s.is(mutGIDReused), Bugs: s.storeBugs()})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	s.store = store
	keys := make([]string, 0, len(cfg.Apps))
	for key := range cfg.Apps {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		id, err := store.App(ctx, key)
		if err != nil {
			store.Close()
			return nil, fmt.Errorf("open app %s: %w", key, err)
		}
		if s.is(mutAppsShared) && len(s.apps) > 0 {
			id = s.apps[keys[0]].id
		}
		s.apps[key] = app{secret: cfg.Apps[key], id: id}
	}
	s.metrics = newMetrics()
	s.handler = s.routes()
	return s, nil
}

// Handler returns the API and GET /metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry returns the server's private Prometheus registry, the one
// /metrics serves.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully
// (in-flight requests get a few seconds to finish) and returns nil. It
// returns an error only when serving fails. It does not close the store.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("shut down %s: %w", ln.Addr(), err)
	}
	return nil
}

// Close closes the store. Call it after Serve has returned.
func (s *Server) Close() error { return s.store.Close() }
