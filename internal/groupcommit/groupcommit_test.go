package groupcommit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frostyhq/frosty/internal/groupcommit"
)

// writer runs every batch of q with t, and tells each write its own
// outcome, until q closes.
func writer(q *groupcommit.Queue[string], t string, batches chan<- int) {
	var batch []*groupcommit.Write[string]
	for {
		var ok bool
		if batch, ok = q.Next(batch, 8); !ok {
			return
		}
		ws := groupcommit.Take(batch)
		batches <- len(ws)
		for _, w := range ws {
			w.Done(w.Run(t))
		}
	}
}

func TestQueue(t *testing.T) {
	q := groupcommit.New[string]()
	batches := make(chan int, 100)
	go writer(q, "tx", batches)

	var got string
	if err := q.Do(t.Context(), func(tx string) error { got = tx; return nil }); err != nil || got != "tx" {
		t.Fatalf("Do = %v, ran with %q; want nil, with the writer's tx", err, got)
	}
	refused := errors.New("refused")
	if err := q.Do(t.Context(), func(string) error { return refused }); !errors.Is(err, refused) {
		t.Errorf("Do = %v, want the function's own error", err)
	}
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want the function's panic, raised again in the caller", v)
			}
		}()
		q.Do(t.Context(), func(string) error { panic("boom") })
		t.Error("Do of a panicking function returned")
	}()

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	if err := q.Do(ctx, func(string) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Do with a cancelled context = %v, ran %v; want context.Canceled, not run", err, ran)
	}

	q.Close()
	time.Sleep(10 * time.Millisecond) // the writer sees the close
	if err := q.Do(t.Context(), func(string) error { return nil }); !errors.Is(err, groupcommit.ErrClosed) {
		t.Errorf("Do after Close = %v, want ErrClosed", err)
	}
}

// TestTakeLeavesAbandoned checks that a write whose caller gave up while it
// waited is not taken, and that its caller hears why.
func TestTakeLeavesAbandoned(t *testing.T) {
	q := groupcommit.New[string]()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- q.Do(ctx, func(string) error { t.Error("an abandoned write ran"); return nil }) }()
	batch, ok := q.Next(nil, 8)
	if !ok || len(batch) != 1 {
		t.Fatalf("Next = %d writes, %v", len(batch), ok)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Do = %v, want context.Canceled", err)
	}
	if ws := groupcommit.Take(batch); len(ws) != 0 {
		t.Errorf("Take kept %d abandoned writes", len(ws))
	}
}
