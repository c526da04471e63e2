// Package placeholder is the one grammar of the placeholders a feature
// step may hold in a path, a doc string or an expected value: the steps
// expand them when a scenario runs, and explore writes them when it prints
// a counterexample as a scenario, so that what it prints runs as it reads.
//
//	{alice}          the username of alias alice
//	{lower:alice}    the same, lower-cased; {upper:alice} upper-cased
//	{gid:team}       the gid of group alias team, in decimal
//	{name:team}      a run-unique group name for alias team
//	{var:x}          a value remembered with "I remember the JSON at ..."
//	{repeat:TEXT:N}  TEXT repeated N times ({repeat:é:32} is 64 bytes)
//	{limit}          the member limit of the target (owner included)
//
// JSON objects such as {"a":1} are never mistaken for placeholders: a
// placeholder has no quotes or spaces.
package placeholder

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MaxRepeat is the largest N of {repeat:TEXT:N}.
const MaxRepeat = 1 << 20

// Env resolves the names a placeholder refers to.
type Env interface {
	User(alias string) (string, error)
	GID(alias string) (int64, error)
	GroupName(alias string) string
	Var(name string) (string, bool)
	Limit() int
}

var pattern = regexp.MustCompile(`\{(?:(lower|upper|gid|name|var):([A-Za-z][A-Za-z0-9_]*)|repeat:([^:{}]+):(\d+)|([A-Za-z][A-Za-z0-9_]*))\}`)

// Expand replaces every placeholder of s; the error is the first one
// that does not resolve.
func Expand(s string, env Env) (string, error) {
	var firstErr error
	out := pattern.ReplaceAllStringFunc(s, func(m string) string {
		v, err := one(pattern.FindStringSubmatch(m), env)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("placeholder %s: %w", m, err)
		}
		return v
	})
	return out, firstErr
}

// one resolves one placeholder from its submatches.
func one(sub []string, env Env) (string, error) {
	switch {
	case sub[5] == "limit":
		return strconv.Itoa(env.Limit()), nil
	case sub[5] != "":
		return env.User(sub[5])
	case sub[3] != "":
		n, err := strconv.Atoi(sub[4])
		if err != nil || n > MaxRepeat {
			return "", fmt.Errorf("repeat count over %d", MaxRepeat)
		}
		return strings.Repeat(sub[3], n), nil
	case sub[1] == "lower" || sub[1] == "upper":
		v, err := env.User(sub[2])
		if sub[1] == "lower" {
			return strings.ToLower(v), err
		}
		return strings.ToUpper(v), err
	case sub[1] == "gid":
		gid, err := env.GID(sub[2])
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(gid, 10), nil
	case sub[1] == "name":
		return env.GroupName(sub[2]), nil
	default: // var
		v, ok := env.Var(sub[2])
		if !ok {
			return "", fmt.Errorf("nothing remembered as %q (use: I remember the JSON at \"...\" as %q)", sub[2], sub[2])
		}
		return v, nil
	}
}

// User writes the placeholder of a user alias, in a case form: "" as it
// is, "upper" or "lower".
func User(alias, form string) string {
	if form == "" {
		return "{" + alias + "}"
	}
	return "{" + form + ":" + alias + "}"
}

// GID writes the placeholder of a group alias's gid.
func GID(alias string) string { return "{gid:" + alias + "}" }

// Var writes the placeholder of a remembered value.
func Var(name string) string { return "{var:" + name + "}" }

// Repeat writes TEXT repeated n times; text must hold no ':', '{' or '}'.
func Repeat(text string, n int) string { return "{repeat:" + text + ":" + strconv.Itoa(n) + "}" }
