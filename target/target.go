// Package target owns what the harness knows of the server under test: its
// base URL and the credentials of up to two apps, the rules those settings
// follow (one place for each: the URL, the member-limit minimum, the run-id
// grammar), the Authorization values of §1, and the secrets that must never
// be printed or written. Conformance, exploration and load all start here;
// it never imports the reference server.
package target

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"jmcheck/exitcode"
)

// Target is a server under test and the credentials of up to two apps.
type Target struct {
	BaseURL    string // scheme://host[:port][/prefix], no trailing slash
	AppKey     string
	Secret     string
	AppKey2    string // optional second app: enables @two-apps
	Secret2    string
	GroupLimit int  // member limit including the owner; DefaultGroupLimit when zero
	Embedded   bool // the embedded reference server: thrown away after the run
}

// DefaultGroupLimit is the member limit of spec/PROFILE.md §4, owner
// included.
const DefaultGroupLimit = 500

// MinGroupLimit is the smallest member limit the harness works with: the
// suite's scenarios build groups of up to four people (the @group-limit
// ones fill the configured limit, whatever it is), and the load profiles'
// groups hold two.
const MinGroupLimit = 4

// Limit returns the group member limit, DefaultGroupLimit when unset.
func (t Target) Limit() int {
	if t.GroupLimit == 0 {
		return DefaultGroupLimit
	}
	return t.GroupLimit
}

// HasSecondApp reports whether a second app's credentials are known.
func (t Target) HasSecondApp() bool { return t.AppKey2 != "" && t.Secret2 != "" }

// Validate checks the target's fields and returns a usage error (exit 2)
// naming the first bad one.
func (t Target) Validate() error {
	if err := CheckURL(t.BaseURL); err != nil {
		return err
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
	return CheckGroupLimit("--group-limit", t.Limit())
}

// CheckURL checks a --target value before anything is looked up: an
// absolute http or https URL with a host, a port (if any) of 1..65535, no
// credentials in it (they would be printed wherever the URL is), and no
// query or fragment. The error is a usage error that says what to give.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return exitcode.Newf(exitcode.Usage, "--target %q is not an http(s) URL: give the base URL with its scheme, like http://127.0.0.1:8080", Printable(raw))
	}
	if u.User != nil {
		return exitcode.Newf(exitcode.Usage, "--target carries credentials (user:password@): jmcheck would print them with the URL; give the URL without them and the credentials with --appkey/--secret (or JMCHECK_APPKEY/JMCHECK_SECRET)")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return exitcode.Newf(exitcode.Usage, "--target %q has a query or fragment: give the API's base URL, like %s://%s", Printable(raw), u.Scheme, u.Host)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return exitcode.Newf(exitcode.Usage, "--target %q: port %s is not 1..65535", Printable(raw), p)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return exitcode.Newf(exitcode.Usage, "--target %q: the port after the colon is missing", Printable(raw))
	}
	if host := u.Hostname(); host == "" || strings.ContainsAny(host, " %") && net.ParseIP(host) == nil {
		return exitcode.Newf(exitcode.Usage, "--target %q: %q is not a host name", Printable(raw), host)
	}
	return nil
}

// CheckGroupLimit checks a member limit given by flag (or environment
// variable) name: MinGroupLimit or more.
func CheckGroupLimit(name string, n int) error {
	if n < MinGroupLimit {
		return exitcode.Newf(exitcode.Usage, "%s %d: the member limit counts the owner and must be %d or more (the suite's groups hold up to %d people)", name, n, MinGroupLimit, MinGroupLimit)
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

// AuthOf returns the Authorization value of app 1 or 2.
func (t Target) AuthOf(app int) (string, error) {
	if app == 2 {
		if !t.HasSecondApp() {
			return "", fmt.Errorf("this needs a second app: give --appkey2 and --secret2")
		}
		return t.Auth2(), nil
	}
	return t.Auth(), nil
}

// Redact replaces the credentials in an Authorization header value, so
// that a failure report can show the request without the secret.
func Redact(header string) string {
	if header == "" {
		return ""
	}
	scheme, _, _ := strings.Cut(header, " ")
	return Printable(scheme) + " [REDACTED]"
}
