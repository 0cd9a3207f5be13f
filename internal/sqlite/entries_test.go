package sqlite

import (
	"strconv"
	"strings"
	"testing"
)

// TestJobEntriesDecode: a page comes back in Seq order whatever order the
// aggregate joined it in, and a malformed page is an error, not a wrong
// page.
func TestJobEntriesDecode(t *testing.T) {
	entry := func(fields ...string) string {
		e := strings.Join(fields, "\x1f")
		return strconv.Itoa(len(e)) + ":" + e
	}
	second := entry("7", "JID7", "New", "0", "IMPORT", "EDGE", "", "b\x1fc:9:")
	first := entry("3", "JID3", "Complete", "1", "", "", "1700000000000", "")
	got, err := jobEntries(second + first)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "JID3" || got[1].ID != "JID7" || got[1].Description != "b\x1fc:9:" || !got[0].IsMaster || got[0].CreationDate.UnixMilli() != 1700000000000 {
		t.Errorf("jobEntries = %+v, %+v", got[0], got[1])
	}
	for _, bad := range []string{"x:", "99:abc", "-1:", "3:abc", entry("x", "JID", "New", "0", "", "", "", ""), entry("1", "JID", "New", "0", "", "", "soon", "")} {
		if _, err := jobEntries(bad); err == nil {
			t.Errorf("jobEntries(%q): no error", bad)
		}
	}
	if got, err := jobEntries(""); err != nil || len(got) != 0 {
		t.Errorf("jobEntries of an empty page = %v, %v", got, err)
	}
}
