package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/postgres"
	"github.com/frostyhq/frosty/internal/postgres/pgtest"
	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
)

// mustOpenSQLite opens the SQLite store in the file at path, closed when tb
// ends.
func mustOpenSQLite(tb testing.TB, path string) snowball.Store {
	tb.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// replica is what one server starting over a store ends with.
type replica struct {
	sec   *secrets
	creds []sigv4.Credential
}

// mustStartReplica loads the secrets and credentials as serve does.
func mustStartReplica(tb testing.TB, store snowball.Store, dir string) replica {
	tb.Helper()
	r, err := startReplica(tb.Context(), store, dir)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func startReplica(ctx context.Context, store snowball.Store, dir string) (replica, error) {
	sec, _, err := loadOrCreateSecrets(ctx, store, dir)
	if err != nil {
		return replica{}, err
	}
	creds, _, err := loadOrCreateCredentials(ctx, store, dir, "")
	return replica{sec, creds}, err
}

// wantFiles checks that dir holds r's secrets and credentials, for the
// CLI's subcommands.
func wantFiles(tb testing.TB, dir string, r replica) {
	tb.Helper()
	sec, err := readSecrets(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if diff := cmp.Diff(r.sec, sec); diff != "" {
		tb.Errorf("%s (-store +file):\n%s", secretsFile, diff)
	}
	creds, err := readCredentials(filepath.Join(dir, credentialsFile))
	if err != nil {
		tb.Fatal(err)
	}
	if diff := cmp.Diff(r.creds, creds); diff != "" {
		tb.Errorf("%s (-store +file):\n%s", credentialsFile, diff)
	}
	for _, name := range []string{secretsFile, credentialsFile} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			tb.Errorf("%s: %v, mode %v; want 0600", name, err, fi.Mode().Perm())
		}
	}
}

func storedSetting(tb testing.TB, store snowball.Store, name string) (string, error) {
	tb.Helper()
	var v string
	err := store.View(tb.Context(), func(tx snowball.Tx) error {
		var err error
		v, err = tx.Setting(tb.Context(), name)
		return err
	})
	return v, err
}

func putStoredSetting(tb testing.TB, store snowball.Store, name, value string) {
	tb.Helper()
	if err := store.Update(tb.Context(), func(tx snowball.Tx) error {
		return tx.PutSetting(tb.Context(), name, value)
	}); err != nil {
		tb.Fatal(err)
	}
}

// TestSecretsShared: replicas with data directories of their own over one
// store get the same secrets and keys, so that a token, a presigned URL or
// a key from one works on the other.
func TestSecretsShared(t *testing.T) {
	db := filepath.Join(t.TempDir(), databaseFile)
	dirA, dirB := t.TempDir(), t.TempDir()
	a := mustStartReplica(t, mustOpenSQLite(t, db), dirA)
	b := mustStartReplica(t, mustOpenSQLite(t, db), dirB)
	if diff := cmp.Diff(a, b, cmp.AllowUnexported(replica{})); diff != "" {
		t.Errorf("replica B (-A +B):\n%s", diff)
	}
	wantFiles(t, dirA, a)
	wantFiles(t, dirB, a)

	// A restart keeps them.
	again := mustStartReplica(t, mustOpenSQLite(t, db), dirA)
	if diff := cmp.Diff(a, again, cmp.AllowUnexported(replica{})); diff != "" {
		t.Errorf("after a restart (-before +after):\n%s", diff)
	}
}

// TestSecretsAdopted: an existing data directory's secrets and keys become
// the store's, unchanged, so that what was issued before keeps working.
func TestSecretsAdopted(t *testing.T) {
	dir := t.TempDir()
	old := mustStartReplica(t, mustOpenSQLite(t, filepath.Join(t.TempDir(), databaseFile)), dir)
	store := mustOpenSQLite(t, filepath.Join(t.TempDir(), databaseFile)) // empty
	sec, created, err := loadOrCreateSecrets(t.Context(), store, dir)
	if err != nil || created {
		t.Fatalf("loadOrCreateSecrets: created %v, %v; want the file's", created, err)
	}
	creds, _, err := loadOrCreateCredentials(t.Context(), store, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	got := replica{sec, creds}
	if diff := cmp.Diff(old, got, cmp.AllowUnexported(replica{})); diff != "" {
		t.Errorf("adopted (-file +got):\n%s", diff)
	}
	// Another replica, with no files, gets them from the store.
	if diff := cmp.Diff(old, mustStartReplica(t, store, t.TempDir()), cmp.AllowUnexported(replica{})); diff != "" {
		t.Errorf("another replica (-file +got):\n%s", diff)
	}
}

// TestSecretsStoreWins: when the data directory's files differ from the
// store, the store's values are used and the files rewritten.
func TestSecretsStoreWins(t *testing.T) {
	store := mustOpenSQLite(t, filepath.Join(t.TempDir(), databaseFile))
	want := mustStartReplica(t, store, t.TempDir())
	dir := t.TempDir()
	mustStartReplica(t, mustOpenSQLite(t, filepath.Join(t.TempDir(), databaseFile)), dir) // files of its own
	got := mustStartReplica(t, store, dir)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(replica{})); diff != "" {
		t.Errorf("(-store +got):\n%s", diff)
	}
	wantFiles(t, dir, want)
}

// TestSecretsDamaged: a damaged stored value stops the server with an error
// naming the setting, whatever the data directory holds.
func TestSecretsDamaged(t *testing.T) {
	tests := []struct {
		name, setting, value, wantErr string
	}{
		{"SecretsNotJSON", secretsSetting, `{"tokenKey":`, `store setting "secrets": not valid JSON`},
		{"SecretsNoTokenKey", secretsSetting, `{"adminToken":"a","download":{"accountId":"frosty","accessKeyId":"K","secretAccessKey":"S"}}`, `store setting "secrets": empty tokenKey`},
		{"SecretsNoDownload", secretsSetting, `{"tokenKey":"t","adminToken":"a"}`, `store setting "secrets": download credential 0: empty accountId`},
		{"CredentialsEmpty", credentialsSetting, `[]`, `store setting "credentials": the array is empty`},
		{"CredentialsUnknownKey", credentialsSetting, `[{"accountId":"000000000000","accessKeyId":"K","secretAccessKey":"S","x":1}]`, `store setting "credentials": unknown key "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := mustOpenSQLite(t, filepath.Join(t.TempDir(), databaseFile))
			dir := t.TempDir()
			mustStartReplica(t, store, dir)
			putStoredSetting(t, store, tt.setting, tt.value)
			_, err := startReplica(t.Context(), store, dir)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

// TestSecretsCredentialsFlag: a --credentials file wins over the store's
// generated keys and is not stored: it is the user's.
func TestSecretsCredentialsFlag(t *testing.T) {
	store := mustOpenSQLite(t, filepath.Join(t.TempDir(), databaseFile))
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "creds.json")
	want := []sigv4.Credential{{AccountID: "111111111111", AccessKeyID: "AKIAUSER", SecretAccessKey: "user-secret"}}
	if err := writeJSON(file, want); err != nil {
		t.Fatal(err)
	}
	got, generated, err := loadOrCreateCredentials(t.Context(), store, dir, file)
	if err != nil || generated {
		t.Fatalf("loadOrCreateCredentials: generated %v, %v", generated, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-file +got):\n%s", diff)
	}
	if v, err := storedSetting(t, store, credentialsSetting); !snowball.IsNotFound(err) {
		t.Errorf("stored credentials: %q, %v; want none", v, err)
	}
	if _, err := os.Stat(filepath.Join(dir, credentialsFile)); !os.IsNotExist(err) {
		t.Errorf("%s: %v; want none written", credentialsFile, err)
	}

	// With keys already stored, the flag still wins.
	stored := mustStartReplica(t, store, t.TempDir()).creds
	got, _, err = loadOrCreateCredentials(t.Context(), store, dir, file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("with %v stored (-file +got):\n%s", stored, diff)
	}
}

// wantSameAtOnce starts n replicas at once, each opening its own store
// with open and loading into a data directory of its own, and checks that
// they all end with the same secrets and keys.
func wantSameAtOnce(t *testing.T, open func(context.Context) (snowball.Store, error)) {
	const n = 4
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	stores := make([]snowball.Store, n)
	got := make([]replica, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			store, err := open(t.Context())
			if err != nil {
				errs[i] = err
				return
			}
			stores[i] = store
			got[i], errs[i] = startReplica(t.Context(), store, dirs[i])
		})
	}
	wg.Wait()
	for i := range n {
		if stores[i] != nil {
			defer stores[i].Close()
		}
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("replica %d: %v", i, errs[i])
		}
	}
	for i := 1; i < n; i++ {
		if diff := cmp.Diff(got[0], got[i], cmp.AllowUnexported(replica{})); diff != "" {
			t.Errorf("replica %d (-replica 0 +replica %d):\n%s", i, i, diff)
		}
	}
}

func TestSecretsAtOnceSQLite(t *testing.T) {
	db := filepath.Join(t.TempDir(), databaseFile)
	mustOpenSQLite(t, db).Close() // replicas start on a database, not an empty file
	wantSameAtOnce(t, func(context.Context) (snowball.Store, error) { return sqlite.Open(db) })
}

// TestSecretsAtOncePostgres: replicas that start at once over one
// PostgreSQL schema, each generating secrets in a transaction that may be
// retried, agree on the ones that were committed first.
func TestSecretsAtOncePostgres(t *testing.T) {
	u := pgtest.MustSchema(t)
	wantSameAtOnce(t, func(ctx context.Context) (snowball.Store, error) { return postgres.Open(ctx, u) })
}
