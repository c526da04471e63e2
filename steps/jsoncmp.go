package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
)

// parseJSON decodes JSON keeping numbers exact.
func parseJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

// jsonDiff compares two JSON documents by meaning: key order, white space
// and the spelling of numbers (1, 1.0, 1e0) do not matter. With subset,
// got may hold object keys that want lacks (at any depth); arrays always
// match element by element. It returns "" when they match, else where and
// how they differ.
func jsonDiff(want, got []byte, subset bool) (string, error) {
	w, err := parseJSON(want)
	if err != nil {
		return "", fmt.Errorf("the expected JSON in the feature file is invalid: %w", err)
	}
	g, err := parseJSON(got)
	if err != nil {
		return fmt.Sprintf("the body is not JSON: %v", err), nil
	}
	return diffValue("$", w, g, subset), nil
}

func diffValue(path string, want, got any, subset bool) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("at %s: want an object, got %s", path, show(got))
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("at %s: key %q is missing", path, k)
			}
			if d := diffValue(path+"."+k, w[k], gv, subset); d != "" {
				return d
			}
		}
		if !subset {
			var extra []string
			for k := range g {
				if _, ok := w[k]; !ok {
					extra = append(extra, strconv.Quote(k))
				}
			}
			if len(extra) > 0 {
				sort.Strings(extra)
				return fmt.Sprintf("at %s: unexpected keys %s", path, strings.Join(extra, ", "))
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("at %s: want an array, got %s", path, show(got))
		}
		if len(g) != len(w) {
			return fmt.Sprintf("at %s: want %d items, got %d: %s", path, len(w), len(g), show(got))
		}
		for i := range w {
			if d := diffValue(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], subset); d != "" {
				return d
			}
		}
		return ""
	case json.Number:
		g, ok := got.(json.Number)
		if !ok || !numEqual(w, g) {
			return fmt.Sprintf("at %s: want %s, got %s", path, w, show(got))
		}
		return ""
	default: // string, bool, nil
		if want != got {
			return fmt.Sprintf("at %s: want %s, got %s", path, show(want), show(got))
		}
		return ""
	}
}

func numEqual(a, b json.Number) bool {
	x, ok1 := new(big.Rat).SetString(string(a))
	y, ok2 := new(big.Rat).SetString(string(b))
	return ok1 && ok2 && x.Cmp(y) == 0
}

func show(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
