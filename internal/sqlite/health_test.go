package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/storetest"
)

// wantOpenError fails t unless Open(path) fails with one line that names
// path and says want, leaving the file as it was.
func wantOpenError(t *testing.T, path, want string) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(path)
	if err == nil {
		db.Close()
		t.Fatalf("Open: no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, fmt.Sprintf("%q", path)) || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
		t.Errorf("Open error = %q, want one line naming %q and saying %q", msg, path, want)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
		t.Errorf("the failed Open changed the file (%d bytes before, %d after, %v)", len(before), len(after), err)
	}
}

func TestOpenEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wantOpenError(t, path, "the file is empty (0 bytes), not a Frosty database; remove it to start afresh")
}

func TestOpenMissingFileCreatesIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	db := MustOpenPath(t, path)
	if err := db.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Errorf("the new database file: %v, %v; want a non-empty file", fi, err)
	}
	db.Close()
	MustOpenPath(t, path) // and it opens again, though it holds no records
}

func TestOpenNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("these are my notes, not a database\n"), 200), 0o600); err != nil {
		t.Fatal(err)
	}
	wantOpenError(t, path, "not an SQLite database")
}

// garbage overwrites the first 16 KiB of the file at path, its header and
// the first pages of the schema, and keeps the rest.
func garbage(t *testing.T, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 16<<10)
	for i := range b {
		b[i] = byte(i*7 + 13)
	}
	if _, err := f.WriteAt(b, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// mustFill writes jobs and a sealed manifest, enough for the file to be
// longer than the 16 KiB garbage overwrites.
func mustFill(t *testing.T, db *DB) {
	t.Helper()
	mustUpdate(t, db, func(ctx context.Context, tx snowball.Tx) error {
		for i := range 50 {
			if err := tx.InsertJob(ctx, storetest.NewJob(fmt.Sprintf("j%d", i), owner)); err != nil {
				return err
			}
		}
		return tx.InsertSealedManifest(ctx, "j0", bytes.Repeat([]byte{0xaa}, 20<<10))
	})
}

// mustCheckpoint moves the WAL into the database file and empties it, so
// that what is read comes from the file.
func mustCheckpoint(t *testing.T, db *DB) {
	t.Helper()
	var busy, log, done int
	if err := db.w.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done); err != nil || busy != 0 {
		t.Fatalf("checkpoint: busy=%d, %v", busy, err)
	}
}

func TestOpenDamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustFill(t, db)
	mustCheckpoint(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	garbage(t, path)
	wantOpenError(t, path, "not an SQLite database")
}

// TestPingDamagedUnderOpenStore damages the file while the store has it
// open, as a disk or a stray process might.
func TestPingDamagedUnderOpenStore(t *testing.T) {
	// The pooled connections have read nothing since the checkpoint, so
	// they read the damaged file too.
	t.Run("Cold", func(t *testing.T) {
		db := openForDamage(t)
		mustFill(t, db)
		mustCheckpoint(t, db)
		garbage(t, db.path)
		wantPingError(t, db)
		err := db.View(t.Context(), func(tx snowball.Tx) error {
			_, err := tx.Jobs(t.Context(), snowball.JobFilter{}, snowball.Page{})
			return err
		})
		if err == nil {
			t.Errorf("Jobs of a damaged file: no error")
		}
	})
	// The pooled connections have read the file since the checkpoint and
	// may go on answering from their page caches; Ping must not.
	t.Run("Warm", func(t *testing.T) {
		db := openForDamage(t)
		mustFill(t, db)
		mustCheckpoint(t, db)
		for range 8 {
			if err := db.Ping(t.Context()); err != nil {
				t.Fatal(err)
			}
			mustJob(t, db, "j1")
		}
		garbage(t, db.path)
		wantPingError(t, db)
	})
}

// openForDamage opens a store in a new file, closed at the end of the test
// whatever Close says of the damaged file.
func openForDamage(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "frosty.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func wantPingError(t *testing.T, db *DB) {
	t.Helper()
	for range 2 { // and again: the failure is not a one-off
		err := db.Ping(t.Context())
		if err == nil {
			t.Fatal("Ping of a damaged file: no error")
		}
		if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("%q", db.path)) || !strings.Contains(msg, "not an SQLite database") {
			t.Errorf("Ping error = %q, want it to name %q and say it is not an SQLite database", msg, db.path)
		}
	}
}

func BenchmarkPing(b *testing.B) {
	db := MustOpenDB(b)
	for b.Loop() {
		if err := db.Ping(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
