package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/frostyhq/frosty/internal/snowball"
)

// settingTests are the tests of the server-wide settings.
var settingTests = []test{
	{"NotFound", testSettingNotFound},
	{"PutReplaces", testSettingPutReplaces},
	{"Rollback", testSettingRollback},
}

func mustSetting(t *testing.T, s snowball.Store, name string) string {
	t.Helper()
	var v string
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		v, err = tx.Setting(ctx, name)
		return err
	})
	return v
}

func testSettingNotFound(t *testing.T, s snowball.Store) {
	view(t, s, func(ctx context.Context, tx snowball.Tx) error {
		if _, err := tx.Setting(ctx, "clock"); !snowball.IsNotFound(err) {
			t.Errorf("Setting of a name never put: %v, want NotFound", err)
		}
		return nil
	})
}

func testSettingPutReplaces(t *testing.T, s snowball.Store) {
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.PutSetting(ctx, "clock", `{"offset":1}`) })
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.PutSetting(ctx, "other", "x") })
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.PutSetting(ctx, "clock", `{"offset":2}`) })
	if got := mustSetting(t, s, "clock"); got != `{"offset":2}` {
		t.Errorf("Setting(clock) = %q, want the last put", got)
	}
	if got := mustSetting(t, s, "other"); got != "x" {
		t.Errorf("Setting(other) = %q", got)
	}
}

func testSettingRollback(t *testing.T, s snowball.Store) {
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.PutSetting(ctx, "clock", "kept") })
	errRollback := errors.New("roll back")
	err := s.Update(context.Background(), func(tx snowball.Tx) error {
		if err := tx.PutSetting(context.Background(), "clock", "lost"); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("Update = %v", err)
	}
	if got := mustSetting(t, s, "clock"); got != "kept" {
		t.Errorf("after a rollback Setting(clock) = %q, want kept", got)
	}
}
