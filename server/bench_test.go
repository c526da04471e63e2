package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"jmcheck/server/im"
)

// benchDBs are the stores the benchmarks run on: the file is the real
// thing (WAL, synchronous=FULL: every commit is an fsync).
func benchDBs(b *testing.B) []struct {
	name string
	mod  func(*Config)
} {
	return []struct {
		name string
		mod  func(*Config)
	}{
		{"Memory", func(c *Config) { c.DB = ":memory:" }},
		{"File", func(c *Config) { c.DB = filepath.Join(b.TempDir(), "im.db") }},
	}
}

// benchDo sends one request straight to the handler and fails on an
// unexpected status.
func benchDo(b *testing.B, f *fixture, method, path, body string, want int) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", basic(appKey1, secret1))
	rec := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: got %d %s, want %d", method, path, rec.Code, rec.Body, want)
	}
}

// BenchmarkRegisterBatch500 registers a batch of 500 new users per op.
func BenchmarkRegisterBatch500(b *testing.B) {
	for _, db := range benchDBs(b) {
		b.Run(db.name, func(b *testing.B) {
			f := newFixture(b, db.mod)
			bodies := make([]string, b.N)
			for i := range bodies {
				bodies[i] = registerBody(userNames(fmt.Sprintf("b%d_", i), 500))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				benchDo(b, f, "POST", "/v1/users/", bodies[i], 201)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/user")
		})
	}
}

// BenchmarkGetUser reads one user's profile per op.
func BenchmarkGetUser(b *testing.B) {
	for _, db := range benchDBs(b) {
		b.Run(db.name, func(b *testing.B) {
			f := newFixture(b, db.mod)
			f.mustRegister("alice")
			f.do("PUT", "/v1/users/alice", `{"nickname":"Al","star":3,"birthday":"1990-01-24"}`)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				benchDo(b, f, "GET", "/v1/users/alice", "", 200)
			}
		})
	}
}

// BenchmarkListUsers reads a 100-user page of a 100,000-user app at the
// start and near the end of the list.
func BenchmarkListUsers(b *testing.B) {
	const total = 100_000
	for _, db := range benchDBs(b) {
		b.Run(db.name, func(b *testing.B) {
			f := newFixture(b, db.mod)
			seedUsers(b, f, total)
			for _, start := range []int{0, 99_500} {
				b.Run(fmt.Sprintf("start=%d", start), func(b *testing.B) {
					path := fmt.Sprintf("/v1/users/?start=%d&count=100", start)
					b.ReportAllocs()
					for b.Loop() {
						benchDo(b, f, "GET", path, "", 200)
					}
				})
			}
		})
	}
}

// seedUsers registers n users through the store in batches of 500.
func seedUsers(b *testing.B, f *fixture, n int) {
	b.Helper()
	ctx := context.Background()
	app := f.s.apps[appKey1].id
	for i := 0; i < n; i += im.MaxBatch {
		batch := make([]im.NewUser, 0, im.MaxBatch)
		for j := i; j < min(n, i+im.MaxBatch); j++ {
			batch = append(batch, im.NewUser{Username: fmt.Sprintf("seed%06d", j), Password: "password"})
		}
		if _, err := f.s.store.RegisterUsers(ctx, app, batch); err != nil {
			b.Fatalf("seed users: %v", err)
		}
	}
}
