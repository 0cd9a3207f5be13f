package sqlite

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/snowball"
)

// TestMigrationFillsMessageAccounts: the messages queued before migration
// 0007 take their account from the notification they carry, so that a
// reset of that account deletes them.
func TestMigrationFillsMessageAccounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "frosty.db")
	old := migrationsBefore(t, 7)
	db, err := open(path, old)
	if err != nil {
		t.Fatal(err)
	}
	// Messages as the old schema kept them: no account anywhere but in the body.
	for _, m := range []struct{ id, body string }{
		{"1/webhook", `{"JobId":"JID1","AccountId":"111111111111"}`},
		{"2/webhook", `{"JobId":"JID2","AccountId":"222222222222"}`},
		{"3/webhook", `not JSON`},
	} {
		b, _ := json.Marshal(map[string]string{"ID": m.id, "Target": snowball.MessageTargetWebhook, "Body": m.body})
		if _, err := db.w.Exec("INSERT INTO messages (id, delivered, doc) VALUES (?, 0, ?)", m.id, string(b)); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	db = MustOpenPath(t, path)
	ctx := context.Background()
	var deleted snowball.RecordCounts
	var pending []*snowball.Message
	if err := db.Update(ctx, func(tx snowball.Tx) (err error) {
		if deleted, err = tx.DeleteRecords(ctx, "111111111111"); err != nil {
			return err
		}
		pending, err = tx.PendingMessages(ctx, snowball.Page{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if deleted.Messages != 1 {
		t.Errorf("DeleteRecords of 111111111111 deleted %d messages, want 1", deleted.Messages)
	}
	var got [][2]string
	for _, m := range pending {
		got = append(got, [2]string{m.ID, m.Account})
	}
	if diff := cmp.Diff([][2]string{{"2/webhook", "222222222222"}, {"3/webhook", ""}}, got); diff != "" {
		t.Errorf("messages left, with their accounts (-want +got):\n%s", diff)
	}
}
