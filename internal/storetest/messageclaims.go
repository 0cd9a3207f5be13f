package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/snowball"
)

// messageClaimTests are the tests of ClaimMessages and NextMessageAttempt:
// how dispatchers on several replicas share the outbox.
var messageClaimTests = []test{
	{"ClaimDueToTargets", testClaimMessages},
	{"PutEndsClaim", testClaimMessagesPutEndsClaim},
	{"ConcurrentClaimsDisjoint", testClaimMessagesConcurrent},
	{"NextAttempt", testNextMessageAttempt},
}

func outboxMessage(id, target string, next time.Time) *snowball.Message {
	m := NewMessage(id)
	m.Target, m.NextAttempt = target, next
	return m
}

func insertMessages(t *testing.T, s snowball.Store, ms ...*snowball.Message) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, m := range ms {
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

func mustClaimMessages(t *testing.T, s snowball.Store, targets []string, now, lease time.Time, limit int) []string {
	t.Helper()
	got, err := s.ClaimMessages(t.Context(), targets, now, lease, limit)
	if err != nil {
		t.Fatalf("ClaimMessages: %v", err)
	}
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	return ids
}

var sns = []string{snowball.MessageTargetSNS}

func testClaimMessages(t *testing.T, s snowball.Store) {
	delivered := outboxMessage("delivered", snowball.MessageTargetSNS, now)
	delivered.DeliveredAt = now
	insertMessages(t, s,
		outboxMessage("m1", snowball.MessageTargetSNS, now.Add(-time.Hour)),
		outboxMessage("later", snowball.MessageTargetSNS, now.Add(time.Second)),
		outboxMessage("hook", snowball.MessageTargetWebhook, now),
		delivered,
		outboxMessage("m2", snowball.MessageTargetSNS, now),
		outboxMessage("zero", snowball.MessageTargetSNS, time.Time{}),
	)
	lease := now.Add(time.Minute)
	if got, want := mustClaimMessages(t, s, sns, now, lease, 10), []string{"m1", "m2", "zero"}; !slices.Equal(got, want) {
		t.Errorf("ClaimMessages(sns) = %v; want %v", got, want)
	}
	if got := mustClaimMessages(t, s, sns, now, lease, 10); len(got) != 0 {
		t.Errorf("ClaimMessages within the lease = %v; want none", got)
	}
	if got := mustClaimMessages(t, s, nil, now, lease, 10); len(got) != 0 {
		t.Errorf("ClaimMessages of no target = %v; want none", got)
	}
	both := []string{snowball.MessageTargetSNS, snowball.MessageTargetWebhook}
	if got, want := mustClaimMessages(t, s, both, lease, lease.Add(time.Minute), 2), []string{"m1", "later"}; !slices.Equal(got, want) {
		t.Errorf("ClaimMessages once the lease ran out, limit 2 = %v; want %v", got, want)
	}
}

func testClaimMessagesPutEndsClaim(t *testing.T, s snowball.Store) {
	m := outboxMessage("m1", snowball.MessageTargetSNS, now)
	insertMessages(t, s, m)
	got, err := s.ClaimMessages(t.Context(), sns, now, now.Add(time.Hour), 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("ClaimMessages = %v, %v; want m1", got, err)
	}
	if diff := cmp.Diff(m, got[0], equate); diff != "" {
		t.Errorf("claimed message (-want +got):\n%s", diff)
	}
	// A failed attempt: put back with a later retry, which ends the claim.
	m.Attempts++
	m.NextAttempt = now.Add(time.Second)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.PutMessage(ctx, m) })
	if got := mustClaimMessages(t, s, sns, now, now.Add(time.Hour), 10); len(got) != 0 {
		t.Errorf("ClaimMessages before the retry = %v; want none", got)
	}
	if got := mustClaimMessages(t, s, sns, now.Add(time.Second), now.Add(time.Hour), 10); !slices.Equal(got, []string{"m1"}) {
		t.Errorf("ClaimMessages at the retry = %v; want [m1]", got)
	}
	m.DeliveredAt = now.Add(time.Second)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.PutMessage(ctx, m) })
	if got := mustClaimMessages(t, s, sns, now.Add(time.Hour), now.Add(2*time.Hour), 10); len(got) != 0 {
		t.Errorf("ClaimMessages after delivery = %v; want none", got)
	}
}

func testClaimMessagesConcurrent(t *testing.T, s snowball.Store) {
	const n = 150
	var ms []*snowball.Message
	for i := range n {
		ms = append(ms, outboxMessage(fmt.Sprintf("m%03d", i), snowball.MessageTargetSNS, now))
	}
	insertMessages(t, s, ms...)
	wantClaimedOnce(t, "message", n, func() ([]string, error) {
		got, err := s.ClaimMessages(t.Context(), sns, now, now.Add(time.Hour), 6)
		var ids []string
		for _, m := range got {
			ids = append(ids, m.ID)
		}
		return ids, err
	})
}

func testNextMessageAttempt(t *testing.T, s snowball.Store) {
	next := func(targets []string, now time.Time) time.Time {
		var got time.Time
		view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
			got, err = tx.NextMessageAttempt(ctx, targets, now)
			return err
		})
		return got
	}
	if got := next(sns, now); !got.IsZero() {
		t.Errorf("NextMessageAttempt of an empty outbox = %v; want zero", got)
	}
	delivered := outboxMessage("delivered", snowball.MessageTargetSNS, now.Add(-time.Hour))
	delivered.DeliveredAt = now
	insertMessages(t, s, delivered,
		outboxMessage("hook", snowball.MessageTargetWebhook, now.Add(time.Second)),
		outboxMessage("m1", snowball.MessageTargetSNS, now.Add(time.Minute)),
		outboxMessage("m2", snowball.MessageTargetSNS, now.Add(time.Hour)))
	if got := next(sns, now); !got.Equal(now.Add(time.Minute)) {
		t.Errorf("NextMessageAttempt(sns) = %v; want %v", got, now.Add(time.Minute))
	}
	if got := next(nil, now); !got.IsZero() {
		t.Errorf("NextMessageAttempt of no target = %v; want zero", got)
	}
	mustClaimMessages(t, s, sns, now.Add(time.Minute), now.Add(10*time.Minute), 1)
	if got := next(sns, now); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("NextMessageAttempt with m1 claimed = %v; want m2's %v", got, now.Add(time.Hour))
	}
}
