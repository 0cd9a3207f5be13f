package bench

import (
	"testing"
)

// TestSQLCeilingRows: the SQLite ceiling writes rows of the sizes Frosty
// stored, for the owner Frosty stored them under.
func TestSQLCeilingRows(t *testing.T) {
	ctx := t.Context()
	cred := newCredential()
	c, err := openSQLCeiling(ctx, "", t.TempDir(), cred, "us-west-2", 3)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	sc := c.(*sqliteCeiling)
	for _, write := range []func() error{
		func() error { return sc.createAddress(ctx) },
		func() error { return sc.createJob(ctx) },
		func() error { return sc.updateJob(ctx) },
	} {
		if err := write(); err != nil {
			t.Fatal(err)
		}
	}
	if sc.recs.account != cred.AccountID || sc.recs.partition == "" {
		t.Errorf("owner %q/%q, want account %s", sc.recs.account, sc.recs.partition, cred.AccountID)
	}
	for _, tc := range []struct {
		name, query string
		want        int
	}{
		{"address", "SELECT length(doc) FROM addresses WHERE id LIKE 'ADID" + sc.ids.tag + "%'", len(sc.recs.addressDoc)},
		{"created job", "SELECT length(doc) FROM jobs WHERE id LIKE 'JID" + sc.ids.tag + "%' AND doc NOT LIKE '%updated%' ORDER BY seq DESC LIMIT 1", len(sc.recs.jobDoc)},
		{"event", "SELECT length(doc) FROM events ORDER BY seq DESC LIMIT 1", len(sc.recs.eventDoc)},
		{"updated job", "SELECT length(doc) FROM jobs WHERE id = '" + sc.jobIDs[0] + "'", len(sc.recs.updatedDoc)},
	} {
		var got int
		if err := sc.db.QueryRowContext(ctx, tc.query).Scan(&got); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want || got == 0 {
			t.Errorf("%s: a doc of %d bytes, want %d as Frosty stored it", tc.name, got, tc.want)
		}
	}
	if len(sc.ids.next("JID")) != len(sc.recs.jobID) {
		t.Errorf("ceiling job ID %q, Frosty's %q: not the same length", sc.ids.next("JID"), sc.recs.jobID)
	}
}
