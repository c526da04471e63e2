package load

import (
	"regexp"
	"testing"
)

func TestNamerNamesAreValidAndMapBack(t *testing.T) {
	n := NewNamer("jabc123de", Shard{Index: 2, Count: 3})
	valid := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{3,127}$`) // SPEC.md §3
	first := n.NextUsers(1000)
	for i := first; i < first+1000; i++ {
		name := n.User(i)
		if !valid.MatchString(name) {
			t.Fatalf("User(%d) = %q: not a valid username", i, name)
		}
		back, ok := n.UserIndex(name)
		if !ok || back != i {
			t.Fatalf("UserIndex(%q) = %d, %v; want %d", name, back, ok, i)
		}
		if b2, ok := n.UserIndexBytes([]byte(name)); !ok || b2 != i {
			t.Fatalf("UserIndexBytes(%q) = %d, %v; want %d", name, b2, ok, i)
		}
	}
	for _, other := range []string{"jabc123de-1-u1", "jabc123de-2-g1", "jabc123de-2-u01", "jabc123de-2-u", "x", "jabc123de-2-uZ"} {
		if _, ok := n.UserIndex(other); ok {
			t.Errorf("UserIndex(%q) accepted a name that is not this shard's user", other)
		}
		if _, ok := n.UserIndexBytes([]byte(other)); ok {
			t.Errorf("UserIndexBytes(%q) accepted a name that is not this shard's user", other)
		}
	}
	if a, b := n.Group(n.NextGroup()), n.Group(n.NextGroup()); a == b {
		t.Errorf("two groups named %q", a)
	}
}

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
