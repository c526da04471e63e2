package server

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// dbs are the stores concurrency runs on: one connection in memory, and a
// WAL file with a writer and a reader pool.
func dbs(t *testing.T) map[string]func(*Config) {
	return map[string]func(*Config){
		"Memory": func(c *Config) { c.DB = ":memory:" },
		"File":   func(c *Config) { c.DB = filepath.Join(t.TempDir(), "im.db") },
	}
}

// parallel runs fn(i) for i in [0, n) on n goroutines released together
// and returns the results.
func parallel(n int, fn func(i int) result) []result {
	out := make([]result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

func TestConcurrentRegisterOneName(t *testing.T) {
	t.Parallel()
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, db)
			results := parallel(50, func(int) result {
				return f.do("POST", "/v1/users/", `[{"username":"contested","password":"password"}]`)
			})
			created := 0
			for _, r := range results {
				if r.status != 201 {
					t.Fatalf("got %s, want 201", r)
				}
				switch code := r.get("0.error.code").Int(); code {
				case 0:
					created++
				case 899001:
				default:
					t.Errorf("item: got %s, want created or 899001", r.body)
				}
			}
			if created != 1 {
				t.Errorf("created: got %d, want exactly 1", created)
			}
			if got := f.do("GET", "/v1/users/?start=0&count=10", "").get("total").Int(); got != 1 {
				t.Errorf("total: got %d, want 1", got)
			}
		})
	}
}

func TestConcurrentMemberAdds(t *testing.T) {
	t.Parallel()
	const limit, adders = 10, 40
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, db, func(c *Config) { c.GroupLimit = limit })
			names := userNames("add", adders)
			f.mustRegister(append(names, "owner")...)
			gid := f.mustGroup("owner")
			path := fmt.Sprintf("/v1/groups/%d/members", gid)
			t.Run("DistinctUsersNeverPastLimit", func(t *testing.T) {
				results := parallel(adders, func(i int) result {
					return f.do("POST", path, fmt.Sprintf(`{"add":[%q]}`, names[i]))
				})
				added := 0
				for _, r := range results {
					switch {
					case r.status == 204:
						added++
					case r.code() != 899012:
						t.Errorf("got %s, want 204 or 899012", r)
					}
				}
				if added != limit-1 {
					t.Errorf("added: got %d, want %d", added, limit-1)
				}
				if got := len(f.do("GET", path, "").get("@this").Array()); got != limit {
					t.Errorf("members incl. owner: got %d, want %d", got, limit)
				}
			})
			t.Run("OneUserAddedOnce", func(t *testing.T) {
				gid2 := f.mustGroup("owner")
				results := parallel(20, func(int) result {
					return f.do("POST", fmt.Sprintf("/v1/groups/%d/members", gid2), fmt.Sprintf(`{"add":[%q]}`, names[0]))
				})
				added := 0
				for _, r := range results {
					switch {
					case r.status == 204:
						added++
					case r.code() != 899011:
						t.Errorf("got %s, want 204 or 899011", r)
					}
				}
				if added != 1 {
					t.Errorf("added: got %d, want 1", added)
				}
			})
		})
	}
}

func TestConcurrentMixedNever5xx(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.DB = filepath.Join(t.TempDir(), "im.db") })
	f.mustRegister("owner")
	gid := f.mustGroup("owner")
	results := parallel(60, func(i int) result {
		name := fmt.Sprintf("mix%03d", i)
		switch i % 4 {
		case 0:
			return f.do("POST", "/v1/users/", registerBody([]string{name}))
		case 1:
			return f.do("GET", "/v1/users/?start=0&count=50", "")
		case 2:
			return f.do("POST", fmt.Sprintf("/v1/groups/%d/members", gid), fmt.Sprintf(`{"add":["mix%03d"]}`, i-2))
		default:
			return f.do("PUT", "/v1/users/owner", fmt.Sprintf(`{"star":%d}`, i))
		}
	})
	for i, r := range results {
		if r.status >= 500 {
			t.Errorf("request %d: got %s, want no 5xx", i, r)
		}
	}
}
