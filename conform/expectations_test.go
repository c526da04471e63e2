package conform_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"jmcheck/conform"
)

func TestParseExpectations(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []conform.Expectation
		wantErr string
	}{
		{name: "OK", in: "[\n  {\"scenario\": \"users.feature:12\", \"reason\": \"known\"},\n\n  {\"scenario\": \"features/groups.feature:Create a group\", \"reason\": \" why \"}\n]\n",
			want: []conform.Expectation{
				{Scenario: "users.feature:12", Reason: "known", Entry: 1, Line: 2},
				{Scenario: "features/groups.feature:Create a group", Reason: "why", Entry: 2, Line: 4},
			}},
		{name: "EmptyArray", in: "[]", want: nil},
		{name: "EmptyFile", in: " \n", wantErr: "the file is empty"},
		{name: "NotArray", in: `{"scenario":"a.feature:1","reason":"r"}`, wantErr: "line 1: the file must be a JSON array"},
		{name: "SyntaxError", in: "[\n{\"scenario\": \"a.feature:1\",\n \"reason\": }]", wantErr: "entry 1 (line 2): line 3: invalid character"},
		{name: "UnknownKey", in: "[\n {\"scenario\":\"a.feature:1\",\"reason\":\"r\",\"owner\":\"me\"}]", wantErr: `entry 1 (line 2): line 2: json: unknown field "owner"`},
		{name: "WrongType", in: "[{\"scenario\":12,\"reason\":\"r\"}]", wantErr: `"scenario" must be a string, not a number`},
		{name: "MissingReason", in: `[{"scenario":"a.feature:1"}]`, wantErr: `entry 1 (line 1): "reason" is missing`},
		{name: "MissingScenario", in: `[{"reason":"r"}]`, wantErr: `"scenario" is missing`},
		{name: "NotAnID", in: "[\n{\"scenario\":\"a.feature:1\",\"reason\":\"r\"},\n{\"scenario\":\"Register a user\",\"reason\":\"r\"}]", wantErr: `entry 2 (line 3): scenario "Register a user" is not FILE:LINE or FILE:NAME`},
		{name: "Truncated", in: "[\n{\"scenario\":\"a.feature:1\",\"reason\":\"r\"}", wantErr: "ends too early"},
		{name: "TrailingData", in: `[] []`, wantErr: "unexpected data after the array"},
		{name: "NotObject", in: `["a.feature:1"]`, wantErr: "entry 1 (line 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := conform.ParseExpectations([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("entry %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestLoadExpectationsNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "known.json")
	if err := os.WriteFile(path, []byte(`[{"scenario":"a.feature:1"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := conform.LoadExpectations(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want it to name %s", err, path)
	}
	if _, err := conform.LoadExpectations(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing file gave no error")
	}
}

func FuzzParseExpectations(f *testing.F) {
	f.Add([]byte(`[{"scenario":"users.feature:12","reason":"known"}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte("[\n{\"scenario\": \"a.feature:x\",\n \"reason\": }]"))
	f.Add([]byte(`{"a":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		exps, err := conform.ParseExpectations(data)
		if err != nil {
			return
		}
		for i, e := range exps {
			if e.Entry != i+1 || e.Line < 1 || e.Scenario == "" || e.Reason == "" || !strings.Contains(e.Scenario, ".feature:") {
				t.Fatalf("entry %d accepted but invalid: %+v", i, e)
			}
		}
	})
}

func TestParseCapabilities(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: "", want: ""},
		{in: "fault-injection, overload", want: "fault-injection overload"},
		{in: "all", want: "fault-injection group-limit overload two-apps"},
		{in: "two-apps,,", want: "two-apps"},
		{in: "overlaod", wantErr: `unknown capability "overlaod": use a comma-separated list of fault-injection, group-limit, overload, two-apps, or all`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := conform.ParseCapabilities(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range conform.Capabilities() {
				if got[c] {
					names = append(names, c)
				}
			}
			if g := strings.Join(names, " "); g != tt.want {
				t.Errorf("got %q, want %q", g, tt.want)
			}
		})
	}
}

func TestCheckTags(t *testing.T) {
	tests := []struct {
		expr    string
		wantErr string
	}{
		{expr: ""},
		{expr: "@users"},
		{expr: "~@overload"},
		{expr: "@users && ~@overload,@auth"},
		{expr: "@endpoint:POST:/v1/users/ && @code:899001"},
		{expr: "not @overload", wantErr: `is not one tag`},
		{expr: "@a and @b", wantErr: `is not one tag`},
		{expr: "@a &&", wantErr: "empty term"},
		{expr: ",@a", wantErr: "empty term"},
		{expr: "~", wantErr: "empty term"},
		{expr: "@", wantErr: "empty term"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			err := conform.CheckTags(tt.expr)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func FuzzCheckTags(f *testing.F) {
	for _, s := range []string{"@a", "@a && ~@b,@c", "", ",", "~", "&&&&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		if conform.CheckTags(expr) != nil {
			return
		}
		// An accepted expression must not make godog's filter panic.
		if _, err := conform.LoadScenarios(os.DirFS("testdata/features"), expr); err != nil {
			t.Fatalf("LoadScenarios(%q): %v", expr, err)
		}
	})
}
