package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	"jmcheck/exitcode"
	"jmcheck/server"
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

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var apps appFlag
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on (port 0 picks a free port)")
	db := fs.String("db", "im.db", "SQLite database `file` (created if missing), or :memory:")
	fs.Var(&apps, "app", "an app as `APPKEY:MASTERSECRET`; repeat for more apps (env JMCHECK_APPS=K:S,K2:S2)")
	groupLimit := fs.Int("group-limit", 500, "group member limit, owner included")
	maxInflight := fs.Int("max-inflight", 0, "answer 503 899030 past this many requests in flight (0: unlimited)")
	fault := fs.Bool("fault-injection", false, "honour the X-Fault-Inject: internal|busy request header (SPEC.md §6)")
	logFormat := fs.String("log", "text", "request log on stderr: text, json or none")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: jmcheck serve [flags]

Runs the reference IM server: the JMessage IM REST API v1 (profile v1-2015)
on SQLite, with /metrics for Prometheus. Every request authenticates with
Basic base64(APPKEY:MASTERSECRET) of a configured app; with no app given,
one is generated and printed. SIGINT or SIGTERM stops it gracefully.

Flags:
`)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), `
Examples:
  jmcheck serve --addr 127.0.0.1:8080 --db im.db --app KEY:SECRET
  jmcheck serve --db :memory: --app app1:s3cret --app app2:0ther --group-limit 50
  JMCHECK_APPS=app1:s3cret jmcheck serve --addr 127.0.0.1:0 --max-inflight 64 --fault-injection
  curl -u KEY:SECRET -H 'Content-Type: application/json' \
       -d '[{"username":"alice","password":"secret1"}]' http://127.0.0.1:8080/v1/users/
`)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := server.Config{DB: *db, Apps: map[string]string{}, GroupLimit: *groupLimit, MaxInflight: *maxInflight, FaultInjection: *fault}
	if env := os.Getenv("JMCHECK_APPS"); env != "" {
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
	if *groupLimit < 1 {
		return exitcode.Newf(exitcode.Usage, "serve: --group-limit %d: must be at least 1", *groupLimit)
	}
	if *maxInflight < 0 {
		return exitcode.Newf(exitcode.Usage, "serve: --max-inflight %d: must be 0 (unlimited) or more", *maxInflight)
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

	srv, err := server.Open(cfg)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer srv.Close()
	if _, port, err := net.SplitHostPort(*addr); err != nil || port == "" {
		return exitcode.Newf(exitcode.Usage, "serve: --addr %q is not host:port, such as 127.0.0.1:8080 (port 0 picks a free one)", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w (is the port in use? try --addr 127.0.0.1:0)", *addr, err)
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
