package load

import (
	"jmcheck/load/op"
	"strconv"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	cases := map[string]struct {
		in      string
		want    Shard
		wantErr bool
	}{
		"First":    {in: "0/3", want: Shard{0, 3}},
		"Last":     {in: " 2/3 ", want: Shard{2, 3}},
		"One":      {in: "0/1", want: Shard{0, 1}},
		"TooBig":   {in: "3/3", wantErr: true},
		"Negative": {in: "-1/3", wantErr: true},
		"NoCount":  {in: "1", wantErr: true},
		"Zero":     {in: "0/0", wantErr: true},
		"Signed":   {in: "+1/3", wantErr: true},
		"Inner":    {in: "1 / 3", wantErr: true},
		"Words":    {in: "one/three", wantErr: true},
		"Max":      {in: "9999/10000", want: Shard{9999, 10000}},
		"TooMany":  {in: "0/10001", wantErr: true},
		"Huge":     {in: "0/99999999999999999999", wantErr: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ParseShard(c.in)
			if (err != nil) != c.wantErr || (!c.wantErr && got != c.want) {
				t.Errorf("ParseShard(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.wantErr)
			}
		})
	}
}

func TestParseMix(t *testing.T) {
	got, err := ParseMix("get-user=5, register=1,list-users=0")
	if err != nil {
		t.Fatal(err)
	}
	if got["get-user"] != 5 || got["register"] != 1 || got["list-users"] != 0 || len(got) != 3 {
		t.Errorf("ParseMix = %v", got)
	}
	if s := FormatMix(got); s != "register=1,get-user=5" {
		t.Errorf("FormatMix = %q, want register=1,get-user=5", s)
	}
	for _, bad := range []string{"", "get-user", "fly=1", "get-user=-1", "get-user=x", "get-user=1,get-user=2"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) = nil error, want one", bad)
		}
	}
}

func TestShardFromEnv(t *testing.T) {
	cases := map[string]struct {
		index, completions string
		want               Shard
		wantOK             bool
		wantErr            string // a part of the error, "" for none
	}{
		"Unset":            {},
		"IndexedJob":       {index: "2", completions: "3", want: Shard{2, 3}, wantOK: true},
		"FirstOfOne":       {index: "0", completions: "1", want: Shard{0, 1}, wantOK: true},
		"Spaces":           {index: " 1 ", completions: "4\n", want: Shard{1, 4}, wantOK: true},
		"IndexOnly":        {index: "1", wantErr: "JOB_COMPLETIONS is not"},
		"CompletionsOnly":  {completions: "3", wantErr: "JOB_COMPLETION_INDEX is not"},
		"IndexTooBig":      {index: "3", completions: "3", wantErr: "from 0 to 2"},
		"IndexNegative":    {index: "-1", completions: "3", wantErr: "JOB_COMPLETION_INDEX"},
		"IndexNotANumber":  {index: "two", completions: "3", wantErr: "JOB_COMPLETION_INDEX"},
		"CompletionsZero":  {index: "0", completions: "0", wantErr: "JOB_COMPLETIONS"},
		"CompletionsWords": {index: "0", completions: "many", wantErr: "JOB_COMPLETIONS"},
		"CompletionsHuge":  {index: "0", completions: "20000", wantErr: "from 1 to 10000"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok, err := ShardFromEnv(c.index, c.completions)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %+v, %v, %v; want an error with %q", got, ok, err, c.wantErr)
				}
				return
			}
			if err != nil || ok != c.wantOK || got != c.want {
				t.Errorf("got %+v, %v, %v; want %+v, %v, no error", got, ok, err, c.want, c.wantOK)
			}
		})
	}
}

func TestShardNamesAndPaths(t *testing.T) {
	cases := map[string]struct {
		shard              Shard
		label, runID, path string
	}{
		"Whole":  {shard: Shard{}, label: "0", runID: "jrun", path: "out-0.gob"},
		"Second": {shard: Shard{Index: 1, Count: 3}, label: "1", runID: "jrun-1", path: "out-1.gob"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := c.shard.Label(); got != c.label {
				t.Errorf("Label: got %q, want %q", got, c.label)
			}
			if got := c.shard.RunID("jrun"); got != c.runID {
				t.Errorf("RunID: got %q, want %q", got, c.runID)
			}
			if got := ShardPath("out-{shard}.gob", c.shard); got != c.path {
				t.Errorf("ShardPath: got %q, want %q", got, c.path)
			}
			if got := ShardPath("/results/plain.gob", c.shard); got != "/results/plain.gob" {
				t.Errorf("ShardPath without {shard}: got %q, want it unchanged", got)
			}
		})
	}
	// The shards of one run never share a name: the prefix holds the index.
	a, b := op.NewNamer("jrun", 0), op.NewNamer("jrun", 1)
	if a.User(0) == b.User(0) || a.Group(0) == b.Group(0) || a.Missing(0) == b.Missing(0) {
		t.Errorf("shards 0 and 1 share names: %s %s", a.User(0), b.User(0))
	}
	if _, ok := a.UserIndex(b.User(7)); ok {
		t.Errorf("shard 0 claims shard 1's user %s", b.User(7))
	}
}

func TestOptionsForShard(t *testing.T) {
	cases := map[string]struct {
		profile string
		seed, n int
		want    int
	}{
		"Whole":          {profile: "paginate-users", seed: 5000, n: 1, want: 5000},
		"Even":           {profile: "paginate-users", seed: 6000, n: 3, want: 2000},
		"RoundsUp":       {profile: "paginate-groups", seed: 1000, n: 3, want: 334},
		"PoolKeepsTwo":   {profile: "mixed", seed: 4, n: 3, want: 2},
		"OverloadKeeps2": {profile: "overload", seed: 2, n: 8, want: 2},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := Lookup(c.profile)
			if err != nil {
				t.Fatal(err)
			}
			if got := (Options{Seed: c.seed}).forShard(c.n, p.Info().MinSeed).Seed; got != c.want {
				t.Errorf("got seed %d, want %d", got, c.want)
			}
		})
	}
}

// FuzzParseShard checks that the shard parsers never panic, accept only
// 0 ≤ i < n ≤ MaxShards, and that what ParseShard accepts it writes back.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/3", " 2/3 ", "3/3", "-1/3", "+1/3", "1", "0/0", "9999/10000", "1/99999999999", "a/b", "/", "1//3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := ParseShard(s)
		if err == nil {
			if sh.Index < 0 || sh.Index >= sh.Count || sh.Count > MaxShards {
				t.Fatalf("ParseShard(%q) = %+v: out of range", s, sh)
			}
			back := strconv.Itoa(sh.Index) + "/" + strconv.Itoa(sh.Count)
			if again, err := ParseShard(back); err != nil || again != sh {
				t.Fatalf("ParseShard(%q) = %+v; %q reads back as %+v, %v", s, sh, back, again, err)
			}
		}
		index, completions, _ := strings.Cut(s, "/")
		sh, ok, err := ShardFromEnv(index, completions)
		if err == nil && ok && (sh.Index < 0 || sh.Index >= sh.Count || sh.Count > MaxShards) {
			t.Fatalf("ShardFromEnv(%q, %q) = %+v: out of range", index, completions, sh)
		}
		if err != nil && ok {
			t.Fatalf("ShardFromEnv(%q, %q): ok with an error %v", index, completions, err)
		}
	})
}
