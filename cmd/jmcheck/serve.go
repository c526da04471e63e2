package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"jmcheck/exitcode"
	"jmcheck/server"
	"jmcheck/spec"
	"jmcheck/target"
)

// appFlag collects repeated --app KEY:SECRET values. Set never fails: the
// flag package would echo a bad value, secret included, in its error, so
// the values are checked after parsing, with the secret redacted.
type appFlag []string

// String counts the apps; it never shows a secret.
func (a *appFlag) String() string { return fmt.Sprintf("%d app(s)", len(*a)) }

// Set records one value; runServe checks it after parsing.
func (a *appFlag) Set(v string) error {
	*a = append(*a, v)
	return nil
}

// Type names the value in the help.
func (a *appFlag) Type() string { return "APPKEY:MASTERSECRET" }

// parseApp splits KEY:SECRET; the key may not hold a colon (Basic auth
// splits at the first one), the secret may.
func parseApp(v string) (string, string, error) {
	key, secret, ok := strings.Cut(strings.TrimSpace(v), ":")
	if !ok || key == "" || secret == "" {
		return "", "", fmt.Errorf("app %q: want APPKEY:MASTERSECRET, both non-empty", redactApp(v))
	}
	return key, secret, nil
}

// addApp adds an app; the same appKey with two secrets is an error, since
// silently keeping one would lock out the clients of the other.
func addApp(apps map[string]string, key, secret string) error {
	if old, ok := apps[key]; ok && old != secret {
		return fmt.Errorf("app %q is given twice with different secrets (across --app and JMCHECK_APPS): give each appKey once", key)
	}
	apps[key] = secret
	return nil
}

// redactApp keeps an app spec's key and hides its secret, for errors.
func redactApp(v string) string {
	if key, _, ok := strings.Cut(v, ":"); ok {
		return key + ":***"
	}
	return v
}

var serveHelp = help{
	usage: "jmcheck serve [flags]",
	about: `Runs the reference IM server: the JMessage IM REST API v1 (profile v1-2015,
spec/PROFILE.md) on SQLite, with /metrics for Prometheus. Every request
authenticates with Basic base64(APPKEY:MASTERSECRET) of a configured app; with
no app given, one is generated and printed. SIGINT or SIGTERM stops it
gracefully. Exit 2 when it cannot start as asked (a bad flag, an address in
use, a database it cannot open).`,
	examples: `  jmcheck serve --addr 127.0.0.1:8080 --db im.db --app KEY:SECRET
  jmcheck serve --db :memory: --app app1:s3cret --app app2:0ther --group-limit 50
  JMCHECK_APPS=app1:s3cret jmcheck serve --addr 127.0.0.1:0 --max-inflight 64 --fault-injection
  curl -u KEY:SECRET -H 'Content-Type: application/json' \
       -d '[{"username":"alice","password":"secret1"}]' http://127.0.0.1:8080/v1/users/`,
}

func runServe(ctx context.Context, sys system, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stdout, serveHelp)
	var apps appFlag
	addr := fs.String("addr", "127.0.0.1:8080", "`HOST:PORT` to listen on (port 0 picks a free port)")
	db := fs.String("db", "im.db", "SQLite database `FILE` (created if missing), or :memory:")
	fs.Var(&apps, "app", "an app; repeat for more apps (env JMCHECK_APPS=K:S,K2:S2)")
	groupLimit := fs.Int("group-limit", target.DefaultGroupLimit, fmt.Sprintf("group member limit, owner included, %d or more", target.MinGroupLimit))
	maxInflight := fs.Int("max-inflight", 0, "answer 503 "+spec.CodeBusy.String()+" past this many requests in flight (0: unlimited)")
	fault := fs.Bool("fault-injection", false, "honour the X-Fault-Inject: internal|busy request header (spec/PROFILE.md §6)")
	logFormat := fs.String("log", "text", "request log on stderr: text, json or none")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	cfg := server.Config{DB: *db, Apps: map[string]string{}, GroupLimit: *groupLimit, MaxInflight: *maxInflight, FaultInjection: *fault}
	if env := sys.getenv("JMCHECK_APPS"); env != "" {
		for _, v := range strings.Split(env, ",") {
			if strings.TrimSpace(v) == "" {
				continue
			}
			key, secret, err := parseApp(v)
			if err == nil {
				err = addApp(cfg.Apps, key, secret)
			}
			if err != nil {
				return exitcode.Newf(exitcode.Usage, "serve: JMCHECK_APPS: %w", err)
			}
		}
	}
	for _, v := range apps {
		key, secret, err := parseApp(v)
		if err == nil {
			err = addApp(cfg.Apps, key, secret)
		}
		if err != nil {
			return exitcode.Newf(exitcode.Usage, "serve: --app: %w", err)
		}
	}
	// The same checks, in the same words, as conform's and load's
	// --group-limit and load's --embedded-max-inflight.
	if err := target.CheckGroupLimit("--group-limit", *groupLimit); err != nil {
		return exitcode.Newf(exitcode.Usage, "serve: %w", err)
	}
	if *maxInflight < 0 {
		return exitcode.Newf(exitcode.Usage, "serve: --max-inflight %d: want 0 (unlimited) or more", *maxInflight)
	}
	switch *logFormat {
	case "text":
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	case "json":
		cfg.Logger = slog.New(slog.NewJSONHandler(stderr, nil))
	case "none":
	default:
		return exitcode.Newf(exitcode.Usage, "serve: --log %q: want text, json or none", *logFormat)
	}
	generated := ""
	if len(cfg.Apps) == 0 {
		key, secret := randomHex(12), randomHex(12)
		cfg.Apps[key] = secret
		generated = key + ":" + secret
	}

	if _, port, err := net.SplitHostPort(*addr); err != nil || port == "" {
		return exitcode.Newf(exitcode.Usage, "serve: --addr %q is not host:port, such as 127.0.0.1:8080 (port 0 picks a free one)", *addr)
	}
	if *db != ":memory:" {
		dir := filepath.Dir(*db)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return exitcode.Newf(exitcode.Usage, "serve: --db %s: the folder %s does not exist: create it, or give a path in a folder that does", *db, dir)
		}
		if st, err := os.Stat(*db); err == nil && st.IsDir() {
			return exitcode.Newf(exitcode.Usage, "serve: --db %s is a folder: give the database file's path", *db)
		}
	}
	srv, err := server.Open(cfg)
	if err != nil {
		return exitcode.Newf(exitcode.Usage, "serve: %w", err)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return exitcode.Newf(exitcode.Usage, "serve: listen on %s: %w (is the port in use? try --addr 127.0.0.1:0)", *addr, err)
	}
	url := "http://" + ln.Addr().String()
	if generated != "" {
		fmt.Fprintf(stdout, "generated app (give --app to choose one): %s\n", generated)
	}
	fmt.Fprintf(stdout, "jmcheck serve: listening on %s (db %s, %d app(s), group limit %d)\n", url, *db, len(cfg.Apps), *groupLimit)
	if err := srv.Serve(ctx, ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(stdout, "jmcheck serve: stopped")
	return nil
}

// randomHex returns 2n random hex digits, the shape of upstream appKeys.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
