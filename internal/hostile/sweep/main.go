// Command sweep runs the jmcheck binary against every target of the
// hostile catalogue (package hostile), the slow ones (hang, stall,
// trickle) included, which jmcheck's own tests skip. For each case it runs
// conform, load mixed (seeding first) and load register-batch (the attack
// at once), each against a fresh hostile server started in this process,
// each as a child process under a hard timeout, and prints one markdown
// row per run: the exit code and the codes the case allows
// (hostile.Case.Exit), the wall time, the child's peak RSS (getrusage, so
// the child alone), whether a form of the secret (in clear, escaped,
// base64(appKey:secret), or inside a base64-encoded body) or a raw escape
// character appears in anything the run printed or wrote, and how many
// requests with credentials reached another origin. It exits 1 when a
// run ended with an exit code its case does not allow, hung past the
// timeout, crashed (a signal, a Go traceback) or reported a recovered
// panic, went over the RSS bound, leaked, printed a raw escape or sent
// credentials away.
//
//	go build -o /tmp/jm ./cmd/jmcheck
//	go run ./internal/hostile/sweep -jmcheck /tmp/jm
//	go run ./internal/hostile/sweep -jmcheck /tmp/jm -cases hang,echo -runs conform -timeout 2m
//
// Every server listens on 127.0.0.1; nothing leaves the machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"jmcheck/exitcode"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(exitcode.OK)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sweep:", err)
	}
	os.Exit(exitcode.Of(err))
}

// run parses the flags, runs the sweep, prints the table to stdout and
// progress to stderr. The error is an *exitcode.Error: 1 when a run
// misbehaved, 2 on bad usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	results, err := sweep(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	if err := writeMarkdown(stdout, results, cfg.bounds); err != nil {
		return fmt.Errorf("write the table: %w", err)
	}
	if n := countBad(results, cfg.bounds); n > 0 {
		return exitcode.Newf(exitcode.Failed, "%d of %d runs ended wrong (see Problems)", n, len(results))
	}
	return nil
}
