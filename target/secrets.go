package target

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Scrubber removes every known form of a run's secrets from text that
// jmcheck prints or writes: a target may echo what it was sent (a
// WWW-Authenticate header, a body that repeats the request), and a report
// must not carry it on. The forms are, for both apps: the masterSecret as
// it is, JSON-escaped and URL-escaped, and base64(appKey:masterSecret) in
// the standard and URL alphabets, padded or not.
type Scrubber struct {
	forms []string // longest first, so that a longer form is replaced whole
}

// Redacted is what a scrubbed secret reads as.
const Redacted = "[REDACTED]"

// Scrubber returns the scrubber of the target's credentials.
func (t Target) Scrubber() *Scrubber {
	s := &Scrubber{}
	s.add(t.AppKey, t.Secret)
	s.add(t.AppKey2, t.Secret2)
	return s
}

func (s *Scrubber) add(key, secret string) {
	if secret == "" {
		return
	}
	pair := []byte(key + ":" + secret)
	quoted, _ := json.Marshal(secret) // a string always marshals
	forms := []string{
		secret,
		string(quoted[1 : len(quoted)-1]),
		url.QueryEscape(secret),
		url.PathEscape(secret),
		base64.StdEncoding.EncodeToString(pair),
		base64.RawStdEncoding.EncodeToString(pair),
		base64.URLEncoding.EncodeToString(pair),
		base64.RawURLEncoding.EncodeToString(pair),
	}
	for _, f := range forms {
		if f != "" && !contains(s.forms, f) {
			s.forms = append(s.forms, f)
		}
	}
	// Longest first: base64 of the pair before the bare secret.
	for i := 1; i < len(s.forms); i++ {
		for j := i; j > 0 && len(s.forms[j]) > len(s.forms[j-1]); j-- {
			s.forms[j], s.forms[j-1] = s.forms[j-1], s.forms[j]
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// String returns s with every secret form replaced by [REDACTED].
func (s *Scrubber) String(in string) string {
	if s == nil {
		return in
	}
	for _, f := range s.forms {
		if strings.Contains(in, f) {
			in = strings.ReplaceAll(in, f, Redacted)
		}
	}
	return in
}

// Bytes returns b with every secret form replaced; b itself when it holds
// none (so a clean body costs no copy).
func (s *Scrubber) Bytes(b []byte) []byte {
	if s == nil {
		return b
	}
	for _, f := range s.forms {
		if bytes.Contains(b, []byte(f)) {
			b = bytes.ReplaceAll(b, []byte(f), []byte(Redacted))
		}
	}
	return b
}

// Printable quotes what a terminal would act on in text that came from the
// target: C0 and C1 control characters (escape sequences, carriage
// returns, line feeds), DEL, bidirectional overrides and invalid UTF-8 are
// written as \x1b, \u202e and the like, so that an answer can never clear
// the screen, retitle the window or print a line of its own (a fake PASS).
// Text without such characters comes back unchanged.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if needsQuote(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && needsQuote(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsQuote(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func needsQuote(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return true
	case r < 0x20 && r != '\t', r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
		return true
	}
	return false
}

// Safe is Printable after scrubbing: the form of target-sent text that may
// be shown or written.
func (s *Scrubber) Safe(in string) string { return Printable(s.String(in)) }
