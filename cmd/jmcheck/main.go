// Command jmcheck proves that a server speaks the JMessage IM REST API v1
// (profile v1-2015) and measures how much load it takes. main only wires:
// every command is a plain function of (ctx, sys, args, stdout, stderr),
// where sys holds what the process gives (its environment, its signals),
// so that a test runs a command without touching the process's globals.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"jmcheck/exitcode"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, pflag.ErrHelp) {
		os.Exit(exitcode.OK)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "jmcheck:", err)
	}
	os.Exit(exitcode.Of(err))
}

// system is what a command takes from the process.
type system struct {
	getenv func(string) string
	// interrupts returns a channel that receives the process's interrupt
	// signals from now on (a second Ctrl-C), and a function that stops it.
	interrupts func() (<-chan os.Signal, func())
}

// osSystem is the process's own environment and signals.
func osSystem() system {
	return system{
		getenv: os.Getenv,
		interrupts: func() (<-chan os.Signal, func()) {
			c := make(chan os.Signal, 1)
			signal.Notify(c, os.Interrupt, syscall.SIGTERM)
			return c, func() { signal.Stop(c) }
		},
	}
}

// command is one jmcheck subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, sys system, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"conform", "run the conformance suite against a server (default: the embedded reference server)", runConform},
		{"explore", "generate operation sequences, judge them against a model of the API, check concurrent histories", runExplore},
		{"selftest", "prove the suite: pass on the reference server, fail on every mutant", runSelftest},
		{"load", "run a load profile with per-response checks and thresholds", runLoad},
		{"report", "render load results (jmcheck or vegeta files) as text, JSON or HTML", runReport},
		{"serve", "run the reference IM server on SQLite", runServe},
		{"version", "print the version", runVersion},
	}
}

// run dispatches args to a command with the process's environment and
// signals; exitcode.Of maps its error to the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runWith(ctx, osSystem(), args, stdout, stderr)
}

// runWith is run with what the process gives made explicit.
func runWith(ctx context.Context, sys system, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return exitcode.Newf(exitcode.Usage, "no command given")
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return nil
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, sys, args[1:], stdout, stderr)
		}
	}
	usage(stderr)
	return exitcode.Newf(exitcode.Usage, "unknown command %q: see 'jmcheck help'", name)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `jmcheck: conformance and load testing for the JMessage IM REST API v1 (profile v1-2015)

Usage:
  jmcheck <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
With no --target, conform, explore and load start the embedded reference
server on a loopback port with generated credentials. The rules they check are
spec/PROFILE.md.

Exit codes: 0 pass, 1 failures or crossed thresholds, 2 bad usage or config,
3 target unusable.

Examples:
  jmcheck conform
  jmcheck conform --target https://staging.example --appkey KEY --secret SECRET --report-dir out/
  jmcheck explore --duration 30s --clients 4
  jmcheck load register-batch --rate 20/1s --duration 10s --threshold 'p99<250ms'
  jmcheck serve --addr 127.0.0.1:8080 --db im.db --app KEY:SECRET

Run 'jmcheck <command> --help' for a command's flags.
`)
}
