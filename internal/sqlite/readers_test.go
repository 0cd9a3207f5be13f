package sqlite

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/snowball"
)

// TestViewWaitsForAConnection fills the pool and checks that one more View
// waits for a connection, and gives up when its context ends.
func TestViewWaitsForAConnection(t *testing.T) {
	db := MustOpenDB(t)
	n := cap(db.readers.slots)
	release := make(chan struct{})
	started := make(chan struct{}, n)
	done := make(chan error, n)
	for range n {
		go func() {
			done <- db.View(t.Context(), func(snowball.Tx) error {
				started <- struct{}{}
				<-release
				return nil
			})
		}()
	}
	for range n {
		<-started
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := db.View(ctx, func(snowball.Tx) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("View with every connection taken = %v, want to wait until its deadline", err)
	}
	close(release)
	for range n {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if err := db.View(t.Context(), func(snowball.Tx) error { return nil }); err != nil {
		t.Errorf("View after the others ended: %v", err)
	}
}

// TestViewAfterClose fails rather than hangs.
func TestViewAfterClose(t *testing.T) {
	db := MustOpenDB(t)
	if err := db.View(t.Context(), func(snowball.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.View(t.Context(), func(snowball.Tx) error { return nil }); err == nil {
		t.Error("View after Close: no error")
	}
}
