package main

import (
	"context"
	"fmt"
	"net"

	"jmcheck/exitcode"
	"jmcheck/server"
	"jmcheck/target"
)

// startEmbedded starts the reference server on a loopback port with an
// in-memory store and two generated apps. The server runs on its own
// context, not ctx: after an interrupt it must still answer the cleanup
// that follows. stop shuts it down and waits for it.
func startEmbedded(_ context.Context, groupLimit int, opts embeddedOptions) (target.Target, func(), error) {
	nop := func() {}
	if groupLimit < 2 {
		return target.Target{}, nop, exitcode.Newf(exitcode.Usage, "--group-limit %d: a group holds its owner, so the limit must be 2 or more", groupLimit)
	}
	k1, s1, k2, s2 := randomHex(8), randomHex(16), randomHex(8), randomHex(16)
	srv, err := server.Open(server.Config{
		DB:             ":memory:",
		Apps:           map[string]string{k1: s1, k2: s2},
		GroupLimit:     groupLimit,
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
		GroupLimit: groupLimit, Embedded: true,
	}, stop, nil
}
