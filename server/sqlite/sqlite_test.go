package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"jmcheck/server/im"
)

// MustOpen opens a store at path and closes it when the test ends.
func MustOpen(tb testing.TB, path string, opts Options) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path, opts)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return s
}

// MustApp returns the store's handle for key.
func MustApp(tb testing.TB, s *Store, key string) im.App {
	tb.Helper()
	app, err := s.App(context.Background(), key)
	if err != nil {
		tb.Fatalf("app %s: %v", key, err)
	}
	return app
}

// MustRegister registers names with password "password", all created.
func MustRegister(tb testing.TB, s *Store, app im.App, names ...string) {
	tb.Helper()
	users := make([]im.NewUser, len(names))
	for i, n := range names {
		users[i] = im.NewUser{Username: n, Password: "password"}
	}
	results, err := s.RegisterUsers(context.Background(), app, users)
	if err != nil {
		tb.Fatalf("register: %v", err)
	}
	for i, err := range results {
		if err != nil {
			tb.Fatalf("register %s: %v", names[i], err)
		}
	}
}

func TestMemoryStoresAreIndependent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	stores := make([]*Store, 8)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, ":memory:", Options{})
			if err != nil {
				t.Errorf("open: %v", err)
				return
			}
			stores[i] = s
		}()
	}
	wg.Wait()
	for i, s := range stores {
		if s == nil {
			t.FailNow()
		}
		t.Cleanup(func() { s.Close() })
		MustRegister(t, s, MustApp(t, s, "k"), fmt.Sprintf("user%d", i))
	}
	for i, s := range stores {
		total, names, err := s.ListUsers(ctx, MustApp(t, s, "k"), 0, 10)
		if err != nil || total != 1 || names[0] != fmt.Sprintf("user%d", i) {
			t.Errorf("store %d: got %d %v %v, want only user%d", i, total, names, err, i)
		}
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "im.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	app := MustApp(t, s, "k")
	MustRegister(t, s, app, "alice")
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	s = MustOpen(t, path, Options{})
	if got := MustApp(t, s, "k"); got != app {
		t.Errorf("app id after reopen: got %d, want %d", got, app)
	}
	if _, err := s.GetUser(ctx, app, "alice"); err != nil {
		t.Errorf("alice after reopen: %v", err)
	}
	var version int
	if err := s.r.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != 1 {
		t.Errorf("user_version: got %d, %v, want 1", version, err)
	}
	var mode string
	if err := s.r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode: got %q, %v, want wal", mode, err)
	}
	var sync int
	if err := s.w.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Errorf("synchronous: got %d, %v, want 2 (FULL)", sync, err)
	}
}

func TestOpenRejectsNonDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path, Options{})
	if err == nil {
		s.Close()
		t.Fatal("open: got nil, want an error")
	}
	if !strings.Contains(err.Error(), "jmcheck database") {
		t.Errorf("open: got %v, want a hint", err)
	}
}

func TestPasswordsHashed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t, ":memory:", Options{})
	app := MustApp(t, s, "k")
	MustRegister(t, s, app, "alice", "bob1")
	var a, b string
	if err := s.r.QueryRow("SELECT password FROM users WHERE username = 'alice'").Scan(&a); err != nil {
		t.Fatal(err)
	}
	if err := s.r.QueryRow("SELECT password FROM users WHERE username = 'bob1'").Scan(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a, "password") || !strings.HasPrefix(a, passwordScheme+"$") {
		t.Errorf("stored: got %q, want a %s hash", a, passwordScheme)
	}
	if a == b {
		t.Error("equal passwords stored equal: want per-user salts")
	}
	for _, tt := range []struct {
		password string
		want     bool
	}{{"password", true}, {"passwore", false}} {
		if got, err := s.CheckPassword(ctx, app, "alice", tt.password); err != nil || got != tt.want {
			t.Errorf("CheckPassword(%q): got %v, %v, want %v", tt.password, got, err, tt.want)
		}
	}
	if _, err := s.CheckPassword(ctx, app, "nobody", "x"); im.CodeOf(err) != im.CodeNoSuchUser {
		t.Errorf("CheckPassword(nobody): got %v, want 899002", err)
	}
}

// TestPagesMatchOffset checks the page_blocks walk against a plain OFFSET
// query after churn across many blocks.
func TestPagesMatchOffset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := MustOpen(t, ":memory:", Options{})
	app := MustApp(t, s, "k")
	other := MustApp(t, s, "other")
	rng := rand.New(rand.NewPCG(1, 2))
	var names []string
	for i := range 3000 {
		names = append(names, fmt.Sprintf("user%05d", i))
	}
	for i := 0; i < len(names); i += 500 {
		MustRegister(t, s, app, names[i:i+500]...)
		MustRegister(t, s, other, fmt.Sprintf("other%d", i)) // interleaved ids of another app
	}
	for _, n := range names {
		if rng.IntN(10) < 4 {
			if err := s.DeleteUser(ctx, app, n); err != nil {
				t.Fatalf("delete %s: %v", n, err)
			}
		}
	}
	MustRegister(t, s, app, "late1", "late2")
	var want []string
	rows, err := s.r.Query("SELECT username FROM users WHERE app = ? ORDER BY id", app)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		want = append(want, n)
	}
	rows.Close()
	for _, tt := range []struct{ start, count int }{{0, 1}, {0, 500}, {511, 3}, {512, 7}, {1000, 500}, {len(want) - 1, 5}, {len(want), 5}, {len(want) + 100, 5}} {
		total, got, err := s.ListUsers(ctx, app, int64(tt.start), int64(tt.count))
		if err != nil {
			t.Fatalf("list %v: %v", tt, err)
		}
		end := min(len(want), tt.start+tt.count)
		var exp []string
		if tt.start < len(want) {
			exp = want[tt.start:end]
		}
		if total != int64(len(want)) || strings.Join(got, ",") != strings.Join(exp, ",") {
			t.Errorf("start=%d count=%d: got total %d %v, want %d %v", tt.start, tt.count, total, got, len(want), exp)
		}
	}
}

func TestGIDs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name      string
		opts      Options
		wantReuse bool
	}{{"NeverReused", Options{}, false}, {"ReuseGIDs", Options{ReuseGIDs: true}, true}} {
		t.Run(tt.name, func(t *testing.T) {
			s := MustOpen(t, ":memory:", tt.opts)
			app := MustApp(t, s, "k")
			MustRegister(t, s, app, "alice")
			create := func() int64 {
				g, err := s.CreateGroup(ctx, app, im.NewGroup{Owner: "alice", Name: "g"}, 500)
				if err != nil {
					t.Fatalf("create: %v", err)
				}
				return g.GID
			}
			g1, g2 := create(), create()
			if g1 != 1 || g2 != 2 {
				t.Fatalf("gids: got %d, %d, want 1, 2", g1, g2)
			}
			if err := s.DeleteGroup(ctx, app, g2); err != nil {
				t.Fatal(err)
			}
			if got := create() == g2; got != tt.wantReuse {
				t.Errorf("reused: got %v, want %v", got, tt.wantReuse)
			}
		})
	}
}

// BenchmarkPage100kAt99500 compares, on 100,000 users, the page_blocks
// walk that ListUsers does with the plain OFFSET on the covering index it
// replaces.
func BenchmarkPage100kAt99500(b *testing.B) {
	ctx := context.Background()
	s := MustOpen(b, filepath.Join(b.TempDir(), "im.db"), Options{})
	app := MustApp(b, s, "k")
	users := make([]im.NewUser, 0, 500)
	for i := range 100_000 {
		users = append(users, im.NewUser{Username: fmt.Sprintf("seed%06d", i), Password: "password"})
		if len(users) == 500 {
			if _, err := s.RegisterUsers(ctx, app, users); err != nil {
				b.Fatal(err)
			}
			users = users[:0]
		}
	}
	b.Run("Blocks", func(b *testing.B) {
		for b.Loop() {
			if _, names, err := s.ListUsers(ctx, app, 99_500, 100); err != nil || len(names) != 100 {
				b.Fatalf("got %d names, %v", len(names), err)
			}
		}
	})
	b.Run("Offset", func(b *testing.B) {
		for b.Loop() {
			rows, err := s.r.QueryContext(ctx, "SELECT username FROM users WHERE app = ? ORDER BY id LIMIT 100 OFFSET 99500", app)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			var total int
			if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE app = ?", app).Scan(&total); err != nil || n != 100 {
				b.Fatalf("got %d rows, %v", n, err)
			}
		}
	})
}
