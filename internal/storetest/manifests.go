package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/frostyhq/frosty/internal/snowball"
)

// manifestTests are the tests of the sealed manifests.
var manifestTests = []test{
	{"RoundTrip", testSealedManifestRoundTrip},
	{"NotFound", testSealedManifestNotFound},
	{"SecondInsertRefused", testSealedManifestSecondInsert},
	{"Rollback", testSealedManifestRollback},
	{"Copies", testSealedManifestCopies},
}

// sealedBytes returns n bytes with every byte value in them, NULs and
// invalid UTF-8 included, as a sealed manifest has.
func sealedBytes(n int, salt byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i) ^ salt
	}
	return b
}

func mustSealedManifest(t *testing.T, s snowball.Store, jobID string) []byte {
	t.Helper()
	var b []byte
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		b, err = tx.SealedManifest(ctx, jobID)
		return err
	})
	return b
}

func testSealedManifestRoundTrip(t *testing.T, s snowball.Store) {
	a, b := sealedBytes(70_000, 0), sealedBytes(3, 0xff)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		if err := tx.InsertSealedManifest(ctx, "ja", a); err != nil {
			return err
		}
		got, err := tx.SealedManifest(ctx, "ja")
		if err == nil && !bytes.Equal(got, a) {
			t.Errorf("SealedManifest in the inserting transaction: %d bytes, not the %d inserted", len(got), len(a))
		}
		return err
	})
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.InsertSealedManifest(ctx, "jb", b) })
	for id, want := range map[string][]byte{"ja": a, "jb": b} {
		if got := mustSealedManifest(t, s, id); !bytes.Equal(got, want) {
			t.Errorf("SealedManifest(%s) = %d bytes, want the %d inserted, byte for byte", id, len(got), len(want))
		}
	}
}

func testSealedManifestNotFound(t *testing.T, s snowball.Store) {
	check := func() {
		t.Helper()
		err := s.View(t.Context(), func(tx snowball.Tx) error {
			b, err := tx.SealedManifest(t.Context(), "missing")
			if b != nil {
				t.Errorf("SealedManifest of a job without one returned %d bytes", len(b))
			}
			return err
		})
		if !snowball.IsNotFound(err) {
			t.Errorf("SealedManifest of a job without one: error = %v, want NotFound", err)
		}
	}
	check()
	jobKind.insertAll(t, s, NewJob("missing", ownerA)) // a job, but no manifest
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		return tx.InsertSealedManifest(ctx, "present", sealedBytes(10, 1))
	})
	check()
}

func testSealedManifestSecondInsert(t *testing.T, s snowball.Store) {
	first := sealedBytes(100, 1)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.InsertSealedManifest(ctx, "j", first) })
	err := s.Update(t.Context(), func(tx snowball.Tx) error {
		return tx.InsertSealedManifest(t.Context(), "j", sealedBytes(100, 2))
	})
	if !snowball.IsExists(err) {
		t.Errorf("a second InsertSealedManifest: error = %v, want code %s", err, snowball.Exists)
	}
	if got := mustSealedManifest(t, s, "j"); !bytes.Equal(got, first) {
		t.Errorf("after the refused insert, SealedManifest is not the first one")
	}
}

func testSealedManifestRollback(t *testing.T, s snowball.Store) {
	errBoom := errors.New("boom")
	err := s.Update(t.Context(), func(tx snowball.Tx) error {
		if err := tx.InsertSealedManifest(t.Context(), "j", sealedBytes(100, 1)); err != nil {
			t.Errorf("InsertSealedManifest: %v", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update error = %v, want %v", err, errBoom)
	}
	err = s.View(t.Context(), func(tx snowball.Tx) error {
		_, err := tx.SealedManifest(t.Context(), "j")
		return err
	})
	if !snowball.IsNotFound(err) {
		t.Errorf("after a rollback, SealedManifest: error = %v, want NotFound", err)
	}
	// Nothing is left to make the next insert fail either.
	want := sealedBytes(100, 2)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.InsertSealedManifest(ctx, "j", want) })
	if got := mustSealedManifest(t, s, "j"); !bytes.Equal(got, want) {
		t.Errorf("the insert after a rollback was not stored as given")
	}
}

func testSealedManifestCopies(t *testing.T, s snowball.Store) {
	in := sealedBytes(100, 1)
	want := bytes.Clone(in)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.InsertSealedManifest(ctx, "j", in) })
	in[0] ^= 0xff
	got := mustSealedManifest(t, s, "j")
	if !bytes.Equal(got, want) {
		t.Fatalf("changing the inserted bytes changed the stored ones")
	}
	got[1] ^= 0xff
	if !bytes.Equal(mustSealedManifest(t, s, "j"), want) {
		t.Errorf("changing the returned bytes changed the stored ones")
	}
}

// storeTests are the tests of the Store's own methods.
var storeTests = []test{
	{"PingHealthy", testPingHealthy},
}

func testPingHealthy(t *testing.T, s snowball.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping of a new store: %v", err)
	}
	jobKind.insertAll(t, s, NewJob("j", ownerA))
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		return tx.InsertSealedManifest(ctx, "j", sealedBytes(10, 0))
	})
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping of a store with records: %v", err)
	}
}
