package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/tidwall/gjson"
)

// MaxDepth bounds the nesting of any JSON answer the harness reads. No
// answer of the API nests deeper than 4; a deeper one is a body failure.
// The bound comes before any recursive parser sees the body: gjson's
// validator recurses, and millions of brackets overflow its stack.
const MaxDepth = 64

// JSONError says why an answer's body is not one JSON value the harness
// may read.
type JSONError struct {
	Reason string // "not valid JSON", "nested deeper than 64 levels", "duplicate key \"a\""
	Offset int    // byte offset of the problem, -1 when it has none
}

func (e *JSONError) Error() string {
	if e.Offset < 0 {
		return "the body is " + e.Reason
	}
	return fmt.Sprintf("the body is %s (at byte %d)", e.Reason, e.Offset)
}

// CheckJSON reports whether b is exactly one valid JSON value, nested at
// most MaxDepth deep, with no object that repeats a key. Every part of the
// harness reads an answer with gjson only after CheckJSON passed, so that
// one body is judged one way everywhere: a repeated key (which readers
// resolve differently, first or last) is a body failure, never a value.
// It does not allocate, except to compare keys written with escapes.
func CheckJSON(b []byte) error {
	sc := scanners.Get().(*keyScanner)
	defer scanners.Put(sc)
	if err := sc.scan(b); err != nil {
		return err
	}
	if !gjson.ValidBytes(b) {
		return &JSONError{Reason: "not valid JSON", Offset: -1}
	}
	if sc.dupAt >= 0 {
		return &JSONError{Reason: fmt.Sprintf("ambiguous: an object repeats the key %s", quote(sc.dup)), Offset: sc.dupAt}
	}
	return nil
}

// ValidJSON is CheckJSON as a predicate.
func ValidJSON(b []byte) bool { return CheckJSON(b) == nil }

var scanners = sync.Pool{New: func() any { return &keyScanner{} }}

// keyScanner walks a body once without recursion: it bounds the depth and
// finds the first repeated key of an object. It does not validate the
// grammar (gjson does, once the depth is bounded); on malformed input it
// still ends in linear time.
type keyScanner struct {
	levels []level // open containers
	keys   []span  // keys of the open objects, innermost last
	dup    string
	dupAt  int
}

type level struct {
	object    bool
	firstKey  int  // index into keys of this object's first key
	expectKey bool // in an object, the next string is a key
}

type span struct {
	start, end int // the key's bytes between the quotes
	escaped    bool
}

func (sc *keyScanner) scan(b []byte) error {
	sc.levels, sc.keys, sc.dup, sc.dupAt = sc.levels[:0], sc.keys[:0], "", -1
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '{', '[':
			if len(sc.levels) >= MaxDepth {
				return &JSONError{Reason: fmt.Sprintf("nested deeper than %d levels", MaxDepth), Offset: i}
			}
			sc.levels = append(sc.levels, level{object: c == '{', firstKey: len(sc.keys), expectKey: c == '{'})
		case '}', ']':
			if n := len(sc.levels); n > 0 {
				sc.keys = sc.keys[:sc.levels[n-1].firstKey]
				sc.levels = sc.levels[:n-1]
			}
		case ',':
			if n := len(sc.levels); n > 0 && sc.levels[n-1].object {
				sc.levels[n-1].expectKey = true
			}
		case '"':
			start := i + 1
			escaped := false
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					escaped = true
					i++
				}
			}
			n := len(sc.levels)
			if n == 0 || !sc.levels[n-1].object || !sc.levels[n-1].expectKey {
				continue
			}
			sc.levels[n-1].expectKey = false
			k := span{start: start, end: min(i, len(b)), escaped: escaped}
			if sc.dupAt < 0 {
				for _, o := range sc.keys[sc.levels[n-1].firstKey:] {
					if sameKey(b, o, k) {
						sc.dup, sc.dupAt = string(b[k.start:k.end]), k.start-1
						break
					}
				}
			}
			sc.keys = append(sc.keys, k)
		}
	}
	return nil
}

// sameKey compares two keys by meaning: "a" and "\u0061" are one key.
func sameKey(b []byte, x, y span) bool {
	if !x.escaped && !y.escaped {
		return bytes.Equal(b[x.start:x.end], b[y.start:y.end])
	}
	return unquote(b, x) == unquote(b, y)
}

func unquote(b []byte, s span) string {
	var v string
	raw := make([]byte, 0, s.end-s.start+2)
	raw = append(append(append(raw, '"'), b[s.start:s.end]...), '"')
	if json.Unmarshal(raw, &v) != nil {
		return string(raw) // malformed: gjson rejects the body anyway
	}
	return v
}
