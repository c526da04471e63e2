package target

import (
	"regexp"
	"strings"
	"testing"

	"jmcheck/exitcode"
)

func TestNewRunIDFitsUsernameRules(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-@]{3,127}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewRunID()
		if !re.MatchString(id) {
			t.Fatalf("run id %q breaks the username rules", id)
		}
		if seen[id] {
			t.Fatalf("run id %q repeated", id)
		}
		seen[id] = true
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	got := Redact(BasicAuth("key", "topsecret"))
	if strings.Contains(got, "dG9w") || got != "Basic [REDACTED]" {
		t.Errorf("Redact = %q", got)
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, want string // want: substring of the error, "" for valid
	}{
		{"http://127.0.0.1:8080", ""},
		{"https://staging.example/api", ""},
		{"not-a-url", "not an http(s) URL"},
		{"127.0.0.1:8080", "not an http(s) URL"},
		{"ftp://h", "not an http(s) URL"},
		{"http://key:secret@127.0.0.1:8080", "--appkey/--secret"},
		{"http://127.0.0.1:99999", "port 99999 is not 1..65535"},
		{"http://127.0.0.1:0", "port 0 is not 1..65535"},
		{"http://h/?a=1", "query or fragment"},
		{"http://h\x1b[2J/", "not an http(s) URL"},
	}
	for _, tt := range tests {
		err := CheckURL(tt.url)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckURL(%q) = %v, want valid", tt.url, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckURL(%q) = %v, want an error about %q", tt.url, err, tt.want)
		case tt.want != "" && exitcode.Of(err) != exitcode.Usage:
			t.Errorf("CheckURL(%q) exits %d, want %d", tt.url, exitcode.Of(err), exitcode.Usage)
		case err != nil && strings.Contains(err.Error(), "secret@"):
			t.Errorf("CheckURL(%q) repeats the credentials: %v", tt.url, err)
		}
	}
}

func TestParseRunID(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"":                                     "",
		"jdemo1":                               "jdemo1",
		"J0123456789abcde":                     "J0123456789abcde",
		"2a7c1e9f-0b3d-4c5e-8f6a-1b2c3d4e5f60": "j2a7c1e9f",
	}
	for in, want := range tests {
		if got, err := ParseRunID("--run-id", in); err != nil || got != want {
			t.Errorf("ParseRunID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"1abc", "a-b", "a.b", "abcdefghijklmnopq", "_ab"} {
		if _, err := ParseRunID("--run-id", bad); err == nil || !strings.Contains(err.Error(), "--run-id") {
			t.Errorf("ParseRunID(%q) = %v, want an error naming --run-id", bad, err)
		}
	}
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tg, err := FromEnv(env(map[string]string{EnvTarget: "http://h:1", EnvAppKey: "k", EnvSecret: "s", EnvGroupLimit: "50"}))
	if err != nil || tg.BaseURL != "http://h:1" || tg.AppKey != "k" || tg.Limit() != 50 {
		t.Errorf("FromEnv = %+v, %v", tg, err)
	}
	for v, want := range map[string]string{"abc": `JMCHECK_GROUP_LIMIT="abc": not a whole number`, "3": "JMCHECK_GROUP_LIMIT=3: the member limit"} {
		_, err := FromEnv(env(map[string]string{EnvGroupLimit: v}))
		if err == nil || !strings.Contains(err.Error(), want) || exitcode.Of(err) != exitcode.Usage {
			t.Errorf("FromEnv(%s=%s) = %v, want a usage error saying %q", EnvGroupLimit, v, err, want)
		}
	}
}

func TestScrubber(t *testing.T) {
	t.Parallel()
	tg := Target{AppKey: "key1", Secret: "top\"secret", AppKey2: "key2", Secret2: "other/secret"}
	s := tg.Scrubber()
	b64 := BasicAuth("key1", "top\"secret")[len("Basic "):]
	for _, in := range []string{
		"WWW-Authenticate: Basic " + b64,
		`{"echo":"top\"secret"}`,
		"secret is top\"secret",
		"path /a?s=other%2Fsecret",
		"raw other/secret and " + BasicAuth("key2", "other/secret"),
	} {
		out := s.String(in)
		if strings.Contains(out, "secret\"") || strings.Contains(out, "top\\\"") || strings.Contains(out, b64) || strings.Contains(out, "other/secret") || strings.Contains(out, "other%2Fsecret") || !strings.Contains(out, Redacted) {
			t.Errorf("Scrubber.String(%q) = %q, still holds a secret form", in, out)
		}
		if got := string(s.Bytes([]byte(in))); got != out {
			t.Errorf("Bytes and String disagree: %q vs %q", got, out)
		}
	}
	if got := s.String("nothing here"); got != "nothing here" {
		t.Errorf("a clean text changed: %q", got)
	}
}

func TestPrintable(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"plain text, tabs\tstay":  "plain text, tabs\tstay",
		"\x1b[2J\x1b]0;pwned\x07": `\x1b[2J\x1b]0;pwned\x07`,
		"line\r\nPASS":            `line\x0d\x0aPASS`,
		"é中 ok":                   "é中 ok",
		"bidi \u202e":             `bidi \u202e`,
		"bad \xff byte":           `bad \xff byte`,
		"c1 \u009b":               `c1 \u009b`,
	}
	for in, want := range tests {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
