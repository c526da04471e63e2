package placeholder

import (
	"errors"
	"strings"
	"testing"
)

type env map[string]string

func (e env) User(a string) (string, error) {
	if v, ok := e["u:"+a]; ok {
		return v, nil
	}
	return "", errors.New("unknown user alias " + a)
}
func (e env) GID(a string) (int64, error) {
	if a == "g" {
		return 42, nil
	}
	return 0, errors.New("unknown group alias " + a)
}
func (e env) GroupName(a string) string   { return "grp-" + a }
func (e env) Var(n string) (string, bool) { v, ok := e["v:"+n]; return v, ok }
func (e env) Limit() int                  { return 7 }

func TestExpand(t *testing.T) {
	e := env{"u:al": "Run.1.al", "v:m": "99"}
	for in, want := range map[string]string{
		"/v1/users/{al}":                    "/v1/users/Run.1.al",
		"{upper:al} {lower:al}":             "RUN.1.AL run.1.al",
		"/v1/groups/{gid:g}/members":        "/v1/groups/42/members",
		`{"name":"{name:t}","n":{limit}}`:   `{"name":"grp-t","n":7}`,
		"{repeat:é:3}{var:m}":               "ééé99",
		`{"a":1} {not a placeholder} {x y}`: `{"a":1} {not a placeholder} {x y}`,
		User("al", "upper") + GID("g") + Var("m") + Repeat("ab", 2) + User("al", ""): "RUN.1.AL4299ababRun.1.al",
	} {
		got, err := Expand(in, e)
		if err != nil || got != want {
			t.Errorf("Expand(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestExpandNamesTheFirstUnresolved(t *testing.T) {
	for in, want := range map[string]string{
		"{bob} {carol}":      "placeholder {bob}: unknown user alias bob",
		"{gid:h}":            "placeholder {gid:h}: unknown group alias h",
		"{var:nope}":         `placeholder {var:nope}: nothing remembered as "nope"`,
		"{repeat:x:2000000}": "placeholder {repeat:x:2000000}: repeat count over 1048576",
	} {
		_, err := Expand(in, env{})
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Expand(%q) error = %v; want it to start %q", in, err, want)
		}
	}
}
