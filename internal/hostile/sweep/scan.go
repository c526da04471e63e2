package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
)

// What the sweep looks for in everything a run prints or writes, by kind.
const (
	kindSecret    = iota // a form of the credentials
	kindEscape           // a raw ESC: a terminal would act on it
	kindTraceback        // Go's traceback of an unrecovered panic or fatal error
	kindRecovered        // a panic that was recovered and reported as a failure
)

// needle is one byte string to look for, and what finding it means.
type needle struct {
	b    []byte
	kind int
}

// secretNeedles are the forms of the credentials that must never appear in
// what a run prints or writes: the secret as it is, JSON- and URL-escaped;
// base64(appKey:secret) in the standard and URL alphabets (the unpadded
// forms are prefixes of the padded ones, and still match: the padding is
// left out); and both of those as they read inside a base64-encoded body
// (vegeta's JSON and CSV result files encode bodies so), at each of the
// three byte alignments. The list is the sweep's own: it does not reuse
// jmcheck's scrubber, which it checks.
func secretNeedles(appKey, secret string) []needle {
	pair := []byte(appKey + ":" + secret)
	quoted, _ := json.Marshal(secret) // a string always marshals
	plain := []string{
		secret,
		string(quoted[1 : len(quoted)-1]),
		url.QueryEscape(secret),
		url.PathEscape(secret),
		base64.RawStdEncoding.EncodeToString(pair),
		base64.RawURLEncoding.EncodeToString(pair),
	}
	var forms []string
	for _, f := range plain {
		forms = append(forms, f)
		forms = append(forms, inBase64(f)...)
	}
	var out []needle
	for _, f := range forms {
		if f != "" && !slices.ContainsFunc(out, func(n needle) bool { return string(n.b) == f }) {
			out = append(out, needle{[]byte(f), kindSecret})
		}
	}
	return out
}

// inBase64 returns what s reads as inside the standard base64 encoding of
// any text that holds it: one string per alignment of s on the encoder's
// 3-byte groups, without the characters that also encode the neighbouring
// bytes.
func inBase64(s string) []string {
	var out []string
	for k := range 3 {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, k), s...))
		from := [3]int{0, 2, 3}[k]   // characters that carry bits of the k bytes before s
		to := 4 * ((k + len(s)) / 3) // characters of whole groups only
		if to-from >= 8 {            // shorter ones would match by chance
			out = append(out, enc[from:to])
		}
	}
	return out
}

// watchNeedles are what the sweep looks for besides the secret forms.
var watchNeedles = []needle{
	{[]byte{0x1b}, kindEscape},
	// Go prints "goroutine 1 [running]:" for a panic or a fatal error
	// (also "goroutine 1 gp=… m=0 mp=… [running]:" at GOTRACEBACK=system).
	{[]byte(" [running]:"), kindTraceback},
	// godog turns a panic in a step into the step's failure, with the
	// panic's value: a runtime error, or conform's own wording.
	{[]byte("runtime error: "), kindRecovered},
	{[]byte("stopped on a panic"), kindRecovered},
}

// matcher is an io.Writer that tells which of its needles went through
// it, also across writes. It keeps only the last bytes a needle could
// still start in, so a child's endless output costs no memory.
type matcher struct {
	needles []needle
	found   []bool
	tail    []byte
	keep    int // longest needle - 1
	buf     []byte
}

var _ io.Writer = (*matcher)(nil)

func newMatcher(needles []needle) *matcher {
	m := &matcher{needles: needles, found: make([]bool, len(needles))}
	for _, n := range needles {
		m.keep = max(m.keep, len(n.b)-1)
	}
	return m
}

func (m *matcher) Write(p []byte) (int, error) {
	// Look in the kept tail and the head of p together, then in p alone:
	// no copy of p, however large it is.
	m.buf = append(append(m.buf[:0], m.tail...), p[:min(len(p), m.keep)]...)
	for i, n := range m.needles {
		if !m.found[i] && len(n.b) > 0 && (bytes.Contains(m.buf, n.b) || bytes.Contains(p, n.b)) {
			m.found[i] = true
		}
	}
	// The new tail: the last keep bytes of tail+p (buf is tail+p when p
	// is shorter than keep).
	if len(p) >= m.keep {
		m.tail = append(m.tail[:0], p[len(p)-m.keep:]...)
	} else {
		m.tail = append(m.tail[:0], m.buf[len(m.buf)-min(len(m.buf), m.keep):]...)
	}
	return len(p), nil
}

// Found reports whether a needle of kind went through.
func (m *matcher) Found(kind int) bool {
	for i, f := range m.found {
		if f && m.needles[i].kind == kind {
			return true
		}
	}
	return false
}

// findings says where each kind of needle was seen: in "stdout",
// "stderr" or a report file (its path relative to the report directory).
type findings map[int][]string

func (f findings) add(m *matcher, where string) {
	for _, k := range []int{kindSecret, kindEscape, kindTraceback, kindRecovered} {
		if m.Found(k) {
			f[k] = append(f[k], where)
		}
	}
}

// scanDir adds the files under dir, relative to it, that hold any of the
// needles. Files are streamed, never read whole.
func scanDir(dir string, needles []needle, f findings) error {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		file, err := os.Open(path)
		if err != nil {
			return err
		}
		defer file.Close()
		m := newMatcher(needles)
		if _, err := io.Copy(m, file); err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		rel, _ := filepath.Rel(dir, path)
		f.add(m, rel)
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan %s: %w", dir, err)
	}
	return nil
}
