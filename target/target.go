// Package target owns what the harness knows of the server under test: its
// base URL and credentials, how to authenticate, run-scoped unique names, and
// the preflight that tells a usable target from an unusable one. The
// conformance steps and the load profiles both start here; it never imports
// the reference server.
package target

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"jmcheck/exitcode"
)

// Target is a server under test and the credentials of up to two apps.
type Target struct {
	BaseURL    string // scheme://host[:port][/prefix], no trailing slash
	AppKey     string
	Secret     string
	AppKey2    string // optional second app: enables @two-apps
	Secret2    string
	GroupLimit int  // member limit including the owner; 500 when zero
	Embedded   bool // the embedded reference server
}

// DefaultGroupLimit is SPEC.md §4's member limit, owner included.
const DefaultGroupLimit = 500

// Limit returns the group member limit, DefaultGroupLimit when unset.
func (t Target) Limit() int {
	if t.GroupLimit <= 0 {
		return DefaultGroupLimit
	}
	return t.GroupLimit
}

// HasSecondApp reports whether a second app's credentials are known.
func (t Target) HasSecondApp() bool { return t.AppKey2 != "" && t.Secret2 != "" }

// Validate checks the target's fields and returns a usage error naming the
// first bad one.
func (t Target) Validate() error {
	u, err := url.Parse(t.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return exitcode.Newf(exitcode.Usage, "target %q is not an http(s) URL: give --target like http://127.0.0.1:8080", t.BaseURL)
	}
	if t.AppKey == "" || t.Secret == "" {
		return exitcode.Newf(exitcode.Usage, "no credentials for %s: give --appkey and --secret, or JMCHECK_APPKEY and JMCHECK_SECRET", t.BaseURL)
	}
	if (t.AppKey2 == "") != (t.Secret2 == "") {
		return exitcode.Newf(exitcode.Usage, "second app half given: --appkey2 and --secret2 go together")
	}
	if t.AppKey2 != "" && t.AppKey2 == t.AppKey {
		// One app twice would fail every @two-apps scenario for no fault of the server.
		return exitcode.Newf(exitcode.Usage, "--appkey2 %q is the first app again: the app-isolation scenarios need a second, different app", t.AppKey2)
	}
	if t.GroupLimit < 0 {
		return exitcode.Newf(exitcode.Usage, "--group-limit %d: must be 2 or more", t.GroupLimit)
	}
	return nil
}

// URL joins the base URL and path (which starts with "/").
func (t Target) URL(path string) string {
	return strings.TrimRight(t.BaseURL, "/") + path
}

// BasicAuth returns the Authorization header value of §1 for an app.
func BasicAuth(appKey, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(appKey+":"+secret))
}

// Auth returns the Authorization header value of the first app.
func (t Target) Auth() string { return BasicAuth(t.AppKey, t.Secret) }

// Auth2 returns the Authorization header value of the second app.
func (t Target) Auth2() string { return BasicAuth(t.AppKey2, t.Secret2) }

// Redact replaces the credentials in an Authorization header value, so
// that a failure report can show the request without the secret.
func Redact(header string) string {
	if header == "" {
		return ""
	}
	scheme, _, _ := strings.Cut(header, " ")
	return scheme + " [REDACTED]"
}

// NewRunID returns a short random run id that fits the username rules of
// SPEC.md §3 (an ASCII letter first, then letters and digits), so it can
// prefix every name a run creates: parallel runs on one server never collide.
func NewRunID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	out := make([]byte, len(b)+1)
	out[0] = 'j'
	for i, c := range b {
		out[i+1] = alphabet[int(c)%len(alphabet)]
	}
	return string(out)
}

// Preflight checks that the target answers the API with the given
// credentials: one authenticated GET of the user list. It returns an
// exitcode.TargetUnusable error that says what is wrong and what to do.
func Preflight(ctx context.Context, client *http.Client, t Target) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if client == nil {
		client = http.DefaultClient
	}
	check := func(app, auth string) error {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL("/v1/users/?start=0&count=1"), nil)
		if err != nil {
			return exitcode.Newf(exitcode.Usage, "preflight: %w", err)
		}
		req.Header.Set("Authorization", auth)
		resp, err := client.Do(req)
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return exitcode.Newf(exitcode.TargetUnusable, "target %s did not answer within 10s: is it up and is --target right?", t.BaseURL)
			}
			return exitcode.Newf(exitcode.TargetUnusable, "cannot reach target %s: %v (is it up and is --target right?)", t.BaseURL, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return exitcode.Newf(exitcode.TargetUnusable, "target %s: reading the preflight answer: %v", t.BaseURL, err)
		}
		if resp.StatusCode == http.StatusOK && gjson.ValidBytes(body) && gjson.GetBytes(body, "total").Exists() {
			return nil
		}
		code := int64(0)
		if gjson.ValidBytes(body) {
			code = gjson.GetBytes(body, "error.code").Int()
		}
		switch code {
		case 899007, 899008:
			return exitcode.Newf(exitcode.TargetUnusable, "target %s rejected the credentials of %s (HTTP %d, code %d): check the secret", t.BaseURL, app, resp.StatusCode, code)
		case 899009:
			return exitcode.Newf(exitcode.TargetUnusable, "target %s does not know the appKey of %s (HTTP %d, code %d): check the appKey", t.BaseURL, app, resp.StatusCode, code)
		}
		return exitcode.Newf(exitcode.TargetUnusable, "target %s does not answer like the IM API: GET /v1/users/?start=0&count=1 gave HTTP %d %q: is --target the API's base URL?", t.BaseURL, resp.StatusCode, snippet(body))
	}
	if err := check("--appkey", t.Auth()); err != nil {
		return err
	}
	if t.HasSecondApp() {
		return check("--appkey2", t.Auth2())
	}
	return nil
}

func snippet(b []byte) string {
	const max = 120
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
