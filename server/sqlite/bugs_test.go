package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// bugTableNames lists the bug_ tables of s's database.
func bugTableNames(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'bug\\_%' ESCAPE '\\' ORDER BY name")
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatalf("list tables: %v", err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	return names
}

func TestBugTablesOnlyWithTheirBug(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "im.db")
	if got := bugTableNames(t, MustOpen(t, path, Options{})); len(got) != 0 {
		t.Errorf("conformant store: got bug tables %v, want none", got)
	}
	all := Bugs{KeepDeletedProfiles: true, StaleUserGroups: true, MemberCounter: true, ReaddKeepsJoinOrder: true}
	got := bugTableNames(t, MustOpen(t, ":memory:", Options{Bugs: all}))
	want := []string{"bug_deleted_profiles", "bug_left_members", "bug_member_counts", "bug_user_groups"}
	if len(got) != len(want) {
		t.Fatalf("store with every table bug: got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("store with every table bug: got %v, want %v", got, want)
		}
	}
}
