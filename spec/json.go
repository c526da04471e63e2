package spec

import (
	"bytes"
	"encoding/json"
	"fmt"

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
	dup, dupAt, err := scanKeys(b)
	if err != nil {
		return err
	}
	if !gjson.ValidBytes(b) {
		return &JSONError{Reason: "not valid JSON", Offset: -1}
	}
	if dupAt >= 0 {
		return &JSONError{Reason: fmt.Sprintf("ambiguous: an object repeats the key %s", quote(dup)), Offset: dupAt}
	}
	return nil
}

// level is one open container of scanKeys.
type level struct {
	object    bool
	firstKey  int  // index into keys of this object's first key
	expectKey bool // in an object, the next string is a key
}

// span is a key's bytes between its quotes.
type span struct {
	start, end int
	escaped    bool
}

// scanKeys walks a body once without recursion: it bounds the depth and
// finds the first repeated key of an object. It does not validate the
// grammar (gjson does, once the depth is bounded); on malformed input it
// still ends in linear time. Its state lives on the stack: no allocation,
// unless an object holds more keys than the buffer.
func scanKeys(b []byte) (dup string, dupAt int, err error) {
	var (
		levels [MaxDepth]level
		depth  int
		keyBuf [128]span
		keys   = keyBuf[:0]
	)
	dupAt = -1
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '{', '[':
			if depth >= MaxDepth {
				return "", -1, &JSONError{Reason: fmt.Sprintf("nested deeper than %d levels", MaxDepth), Offset: i}
			}
			levels[depth] = level{object: c == '{', firstKey: len(keys), expectKey: c == '{'}
			depth++
		case '}', ']':
			if depth > 0 {
				depth--
				keys = keys[:levels[depth].firstKey]
			}
		case ',':
			if depth > 0 && levels[depth-1].object {
				levels[depth-1].expectKey = true
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
			if depth == 0 || !levels[depth-1].object || !levels[depth-1].expectKey {
				continue
			}
			lv := &levels[depth-1]
			lv.expectKey = false
			k := span{start: start, end: min(i, len(b)), escaped: escaped}
			if dupAt < 0 {
				for _, o := range keys[lv.firstKey:] {
					if sameKey(b, o, k) {
						dup, dupAt = string(b[k.start:k.end]), k.start-1
						break
					}
				}
			}
			keys = append(keys, k)
		}
	}
	return dup, dupAt, nil
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
