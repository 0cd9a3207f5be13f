package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/frostyhq/frosty/internal/migration"
)

//go:embed migrations/*.sql
var embedded embed.FS

// migrations is the schema's history, one file per step, named
// NNNN_what.sql. A step once released is never edited: a change is a new
// file with the next number.
var migrations = func() fs.FS {
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}()

// migrationLock is the first key of the advisory lock that migrations
// take; the second is a hash of the schema, so that replicas over one
// schema migrate in turn while other schemas of the database (one per
// test, say) need not wait.
const migrationLock = 0x66726f73 // "fros"

// migrate applies, in one transaction, the migrations of fsys that the
// database has not had, recording each in schema_migrations. Either all of
// them are applied or none is. Replicas that start at once wait for one
// another on an advisory lock held to the end of the transaction, and each
// finds the work of the one before it done. It refuses a database that has
// had a migration fsys does not hold: a newer Frosty wrote it, and this
// one might misread or damage what it does not know.
func migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS) error {
	ms, err := migration.Read(fsys)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// READ COMMITTED (the default): each statement after the lock sees
	// what the replica that held it before committed.
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))", migrationLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	known := make(map[int]bool, len(ms))
	for _, m := range ms {
		known[m.Version] = true
	}
	for _, v := range applied {
		if !known[v] {
			return fmt.Errorf("migrate: the database has schema version %d, which this Frosty does not know (it knows up to %d): it was written by a newer Frosty", v, ms[len(ms)-1].Version)
		}
	}

	for _, m := range ms {
		if slices.Contains(applied, m.Version) {
			continue
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", m.Version); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// appliedVersions returns the versions recorded in schema_migrations, in order.
func appliedVersions(ctx context.Context, tx pgx.Tx) ([]int, error) {
	rows, err := tx.Query(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int])
}
