// Package sqlite is the store of the reference IM server: an im.Service on
// modernc.org/sqlite (pure Go). It owns the schema (migrations embedded and
// applied on Open), durability (WAL, synchronous=FULL: an acknowledged
// write survives kill -9), and the transaction discipline: every Service
// call is one transaction, writes go through a single connection so they
// are serialized in process and never meet SQLITE_BUSY, and reads run on a
// small pool of their own that WAL lets proceed beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"jmcheck/server/im"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options tune a Store. The zero value is the conformant store.
type Options struct {
	// Now is the clock for ctime and mtime; nil means time.Now.
	Now func() time.Time
	// ReuseGIDs makes a new group take the lowest gid above the app's
	// current highest, so that deleting the newest group frees its gid.
	// It breaks spec/PROFILE.md §4 ("never reused") on purpose and
	// exists only for the server's mutation tests.
	ReuseGIDs bool
	// Bugs plants the explore mutants' store bugs (bugs.go); the zero value
	// is the conformant store.
	Bugs Bugs
}

// Store is an im.Service on SQLite.
type Store struct {
	w    *sql.DB // the single writer connection
	r    *sql.DB // readers; the same pool as w for :memory:
	opts Options

	mu   sync.Mutex
	apps map[string]im.App
}

var _ im.Service = (*Store)(nil)

// Open opens (creating if needed) the database at path, or a private
// in-memory database when path is ":memory:", and applies the embedded
// migrations. Each ":memory:" store is independent of every other.
func Open(ctx context.Context, dbPath string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Store{opts: opts, apps: map[string]im.App{}}
	params := url.Values{}
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "busy_timeout(10000)")
	params.Set("_txlock", "immediate")
	if dbPath == ":memory:" || dbPath == "" {
		// One connection holds the whole in-memory database; a second
		// connection to ":memory:" would see another, empty one.
		db, err := sql.Open("sqlite", ":memory:?"+params.Encode())
		if err != nil {
			return nil, fmt.Errorf("open in-memory database: %w", err)
		}
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s.w, s.r = db, db
	} else {
		params.Add("_pragma", "journal_mode(WAL)")
		params.Add("_pragma", "synchronous(FULL)")
		dsn := "file:" + (&url.URL{Path: dbPath}).EscapedPath() + "?" + params.Encode()
		w, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", dbPath, err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		r, err := sql.Open("sqlite", dsn)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open %s: %w", dbPath, err)
		}
		n := max(2, runtime.GOMAXPROCS(0))
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		s.w, s.r = w, r
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w (is it a jmcheck database?)", dbPath, err)
	}
	if err := s.createBugTables(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s: %w", dbPath, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// migrate applies, in order and each in its own transaction, the embedded
// migrations numbered above the database's user_version.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	var current int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, name := range names {
		num, _, _ := strings.Cut(path.Base(name), "_")
		version, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		if version <= current {
			continue
		}
		text, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		err = s.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(text)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version))
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
		current = version
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE on the single
// writer connection) and commits it unless fn fails.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in a read transaction, a consistent snapshot under WAL.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a read-only snapshot has nothing to keep
	return fn(tx)
}

// App returns the store's handle for appKey, creating the app on first use.
func (s *Store) App(ctx context.Context, appKey string) (im.App, error) {
	s.mu.Lock()
	id, ok := s.apps[appKey]
	s.mu.Unlock()
	if ok {
		return id, nil
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO apps (key) VALUES (?) ON CONFLICT (key) DO NOTHING", appKey); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT id FROM apps WHERE key = ?", appKey).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("register app: %w", err)
	}
	s.mu.Lock()
	s.apps[appKey] = id
	s.mu.Unlock()
	return id, nil
}

func (s *Store) now() int64 { return s.opts.Now().Unix() }

// userID returns the id of username in app, or a CodeNoSuchUser error
// whose message names code's place.
func userID(ctx context.Context, tx *sql.Tx, app im.App, username string, code im.Code) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE app = ? AND username = ?", app, username).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, im.Errorf(code, "no such user: %s", username)
	}
	if err != nil {
		return 0, fmt.Errorf("look up user: %w", err)
	}
	return id, nil
}
