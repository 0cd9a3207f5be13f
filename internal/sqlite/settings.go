package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/frostyhq/frosty/internal/snowball"
)

func (t *tx) Setting(ctx context.Context, name string) (string, error) {
	var value string
	err := t.q.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = ?", name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", snowball.Errorf(snowball.NotFound, "no setting %q", name)
	}
	if err != nil {
		return "", fmt.Errorf("get setting %q: %w", name, err)
	}
	return value, nil
}

func (t *tx) PutSetting(ctx context.Context, name, value string) error {
	_, err := t.q.ExecContext(ctx,
		"INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value)
	if err != nil {
		return fmt.Errorf("put setting %q: %w", name, err)
	}
	return nil
}
