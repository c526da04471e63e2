package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"jmcheck/internal/hostile"
)

// waitDelay bounds the wait for the child's output pipes after it was
// killed.
const waitDelay = 5 * time.Second

// jmcheckArgs returns the arguments of one run against s, writing its
// reports into dir.
func jmcheckArgs(kind, dir string, s *hostile.Server) []string {
	var args []string
	switch kind {
	case "conform":
		// The whole suite, every case: what a run keeps of the answers
		// grows with the scenarios (jmcheck's own tests run one endpoint).
		args = []string{"conform", "--report-dir", dir}
	case "load", "load-attack":
		args = []string{"load", "mixed", "--seed", "2", "--mix", "get-user=1"}
		if kind == "load-attack" {
			args = []string{"load", "register-batch", "--batch", "2"}
		}
		args = append(args, "--quiet", "--rate", "50/1s", "--max-requests", "20",
			"--output", filepath.Join(dir, "load.json"), "--format", "json",
			"--summary-json", filepath.Join(dir, "summary.json"), "--html", filepath.Join(dir, "report.html"))
	}
	return append(args, "--target", s.URL, "--appkey", s.AppKey, "--secret", s.Secret)
}

// sweep runs every selected case × run, at most cfg.parallel at once, and
// returns the results in table order. It says each result on progress as
// it comes. Only the parent's end stops it early.
func sweep(ctx context.Context, cfg config, progress io.Writer) ([]Result, error) {
	type job struct {
		c    hostile.Case
		kind string
	}
	var jobs []job
	for _, c := range cfg.cases {
		for _, k := range cfg.runs {
			jobs = append(jobs, job{c, k})
		}
	}
	results := make([]Result, len(jobs))
	sem := make(chan struct{}, cfg.parallel)
	var (
		wg sync.WaitGroup
		mu sync.Mutex
	)
	for i, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := runCase(ctx, cfg, j.c, j.kind)
			results[i] = r
			mu.Lock()
			defer mu.Unlock()
			verdict := "ok"
			if ps := r.Problems(cfg.bounds); len(ps) > 0 {
				verdict = strings.Join(ps, "; ")
			}
			fmt.Fprintf(progress, "sweep: %-10s %-7s exit %s in %s, peak RSS %s: %s\n", r.Case, r.Run, r.exitCell(cfg.bounds.Timeout), formatTook(r.Took), formatRSS(r.PeakRSS), verdict)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sweep interrupted: %w", err)
	}
	return results, nil
}

// runCase starts the case's server, runs jmcheck against it with a
// report directory of its own, and reads what the run printed and wrote.
// With cfg.keep, the directory and the run's stdout and stderr stay under
// it, as keep/CASE-RUN/{reports/,stdout,stderr}.
func runCase(ctx context.Context, cfg config, c hostile.Case, kind string) Result {
	r := Result{Case: c.Name, Run: kind, Want: c.Exit}
	s, err := hostile.Start(c)
	if err != nil {
		r.Err = fmt.Sprintf("start the hostile server: %v", err)
		return r
	}
	defer s.Close()
	var runDir string
	if cfg.keep != "" {
		runDir = filepath.Join(cfg.keep, c.Name+"-"+kind)
		err = os.RemoveAll(runDir)
		if err == nil {
			err = os.MkdirAll(runDir, 0o755)
		}
	} else {
		runDir, err = os.MkdirTemp("", "sweep-"+c.Name+"-"+kind+"-")
		defer os.RemoveAll(runDir)
	}
	if err != nil {
		r.Err = fmt.Sprintf("make a report directory: %v", err)
		return r
	}
	dir := filepath.Join(runDir, "reports")
	if err := os.Mkdir(dir, 0o755); err != nil {
		r.Err = fmt.Sprintf("make a report directory: %v", err)
		return r
	}

	needles := append(secretNeedles(s.AppKey, s.Secret), watchNeedles...)
	var keepOut, keepErr io.Writer
	if cfg.keep != "" {
		fo, err1 := os.Create(filepath.Join(runDir, "stdout"))
		fe, err2 := os.Create(filepath.Join(runDir, "stderr"))
		if err := errors.Join(err1, err2); err != nil {
			r.Err = fmt.Sprintf("keep the output: %v", err)
			return r
		}
		defer fo.Close()
		defer fe.Close()
		keepOut, keepErr = &capped{w: fo, n: keepCap}, &capped{w: fe, n: keepCap}
	}
	ch := runChild(ctx, cfg.bounds.Timeout, cfg.jmcheck, jmcheckArgs(kind, dir, s), needles, keepOut, keepErr)
	r.Exit, r.Signal, r.TimedOut = ch.exit, ch.signal, ch.timedOut
	r.Took, r.PeakRSS, r.Err = ch.took, ch.peakRSS, ch.err
	f := ch.found
	if err := scanDir(dir, needles, f); err != nil {
		r.Err = strings.TrimPrefix(r.Err+"; ", "; ") + err.Error()
	}
	r.LeakedIn, r.EscapesIn = f[kindSecret], f[kindEscape]
	r.Panicked = len(f[kindTraceback]) > 0
	r.RecoveredIn = f[kindRecovered]
	// The spy counts until Close: read it after the child is gone.
	r.SpyHits = s.SpyHits.Load()
	return r
}

// keepCap bounds each output stream kept with -keep.
const keepCap = 16 << 20

// capped writes its first n bytes to w, and swallows the rest.
type capped struct {
	w io.Writer
	n int
}

func (c *capped) Write(p []byte) (int, error) {
	if c.n > 0 {
		k := min(len(p), c.n)
		c.n -= k
		if _, err := c.w.Write(p[:k]); err != nil {
			c.n = 0 // a full disk ends the copy, not the run
		}
	}
	return len(p), nil
}

// child is what one child process did.
type child struct {
	exit     int    // -1 when it did not exit by itself
	signal   string // the signal that ended it, if one did
	timedOut bool   // killed at the timeout
	took     time.Duration
	peakRSS  int64    // KiB
	found    findings // what its stdout and stderr held
	err      string   // it could not be run, or its output not read
}

// runChild runs bin with args under a hard timeout, looking for needles
// in its output as it streams (nothing of it is kept but a needle's
// length, unless keepOut and keepErr are given).
func runChild(ctx context.Context, timeout time.Duration, bin string, args []string, needles []needle, keepOut, keepErr io.Writer) child {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, bin, args...)
	cmd.Env = childEnv(os.Environ())
	cmd.WaitDelay = waitDelay
	out, errOut := newMatcher(needles), newMatcher(needles)
	cmd.Stdout, cmd.Stderr = io.Writer(out), io.Writer(errOut)
	if keepOut != nil {
		cmd.Stdout, cmd.Stderr = io.MultiWriter(out, keepOut), io.MultiWriter(errOut, keepErr)
	}

	began := time.Now()
	err := cmd.Run()
	ch := child{exit: -1, took: time.Since(began), found: findings{}}
	if cmd.ProcessState == nil {
		ch.err = fmt.Sprintf("run %s: %v", bin, err)
		return ch
	}
	ps := cmd.ProcessState
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		ch.peakRSS = ru.Maxrss
		if runtime.GOOS == "darwin" {
			ch.peakRSS /= 1024 // bytes there, KiB on Linux
		}
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		ch.signal = ws.Signal().String()
		// Killed by the sweep at the timeout, not by a signal of its own.
		ch.timedOut = errors.Is(cctx.Err(), context.DeadlineExceeded)
	} else {
		ch.exit = ps.ExitCode()
	}
	ch.found.add(out, "stdout")
	ch.found.add(errOut, "stderr")
	if err != nil && !errors.As(err, new(*exec.ExitError)) {
		ch.err = err.Error() // such as the output pipes outliving the child
	}
	return ch
}

// childEnv is the parent's environment without JMCHECK_* (only the flags
// configure the run) and without GOTRACEBACK (a crash prints Go's
// default traceback, which the sweep recognises).
func childEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "JMCHECK_") && !strings.HasPrefix(kv, "GOTRACEBACK=") {
			out = append(out, kv)
		}
	}
	return out
}
