package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"slices"

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

// migrate applies, in one transaction, the migrations of fsys that the
// database has not had, recording each in schema_migrations. Either all of
// them are applied or none is. It refuses a database that has had a
// migration fsys does not hold: a newer Frosty wrote it, and this one might
// misread or damage what it does not know.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	ms, err := migration.Read(fsys)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	// db's transactions are BEGIN IMMEDIATE, so a second process opening
	// the same file waits here and then finds the work done.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
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
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`,
			m.Version); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// appliedVersions returns the versions recorded in schema_migrations, in order.
func appliedVersions(ctx context.Context, q querier) ([]int, error) {
	rows, err := q.QueryContext(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}
