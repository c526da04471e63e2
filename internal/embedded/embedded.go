// Package embedded is the wiring of jmcheck's entry points (cmd/jmcheck
// and the root test runner for go test and the godog CLI): it starts the
// embedded reference server on a loopback port, or checks a given target
// with the preflight. It is the one package besides those entry points
// that sees both sides; the harness (spec, client, steps, conform, load,
// explore, reports) and the server never import each other.
package embedded

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"

	"jmcheck/client"
	"jmcheck/server"
	"jmcheck/target"
)

// Options configure the embedded reference server.
type Options struct {
	GroupLimit     int // member limit, owner included; 0: target.DefaultGroupLimit
	MaxInflight    int // shed past this many requests in flight; 0: unlimited
	FaultInjection bool
	Mutant         string // "" for the conformant server (tests and selftest only)
}

// Start starts the reference server on a loopback port with an in-memory
// store and two generated apps. The server runs on a context of its own:
// after an interrupt it must still answer the cleanup that follows. stop
// shuts it down and waits for it; call it always.
func Start(opts Options) (target.Target, func(), error) {
	nop := func() {}
	limit := opts.GroupLimit
	if limit == 0 {
		limit = target.DefaultGroupLimit
	}
	if err := target.CheckGroupLimit("--group-limit", limit); err != nil {
		return target.Target{}, nop, err
	}
	k1, s1, k2, s2 := randomHex(8), randomHex(16), randomHex(8), randomHex(16)
	srv, err := server.Open(server.Config{
		DB:             ":memory:",
		Apps:           map[string]string{k1: s1, k2: s2},
		GroupLimit:     limit,
		MaxInflight:    opts.MaxInflight,
		FaultInjection: opts.FaultInjection,
		Mutant:         opts.Mutant,
	})
	if err != nil {
		return target.Target{}, nop, fmt.Errorf("embedded reference server: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return target.Target{}, nop, fmt.Errorf("embedded reference server: listen on loopback: %w", err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx, ln) }()
	stop := func() {
		cancel()
		<-done
		srv.Close()
	}
	return target.Target{
		BaseURL: "http://" + ln.Addr().String(),
		AppKey:  k1, Secret: s1, AppKey2: k2, Secret2: s2,
		GroupLimit: limit, Embedded: true,
	}, stop, nil
}

// Open returns t checked by the preflight, or, when t has no base URL,
// starts the embedded reference server (with t's member limit). stop
// releases what Open started; call it always.
func Open(ctx context.Context, t target.Target, opts Options) (target.Target, func(), error) {
	if t.BaseURL == "" {
		if opts.GroupLimit == 0 {
			opts.GroupLimit = t.GroupLimit
		}
		return Start(opts)
	}
	if err := client.Preflight(ctx, client.Config{Target: t}); err != nil {
		return target.Target{}, func() {}, err
	}
	return t, func() {}, nil
}

// randomHex returns 2n random hex digits, the shape of upstream appKeys.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
