package op

import (
	"regexp"
	"testing"
)

func TestNamerNamesAreValidAndMapBack(t *testing.T) {
	n := NewNamer("jabc123de", 2)
	valid := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{3,127}$`) // spec/PROFILE.md §3
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
	}
	for _, other := range []string{"jabc123de-1-u1", "jabc123de-2-g1", "jabc123de-2-u01", "jabc123de-2-u", "x", "jabc123de-2-uZ"} {
		if _, ok := n.UserIndex(other); ok {
			t.Errorf("UserIndex(%q) accepted a name that is not this shard's user", other)
		}
	}
	if a, b := n.Group(n.NextGroup()), n.Group(n.NextGroup()); a == b {
		t.Errorf("two groups named %q", a)
	}
}
