package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frostyhq/frosty/internal/snowball"
)

// NewMessage returns a pending outbox message with every field set but
// DeliveredAt.
func NewMessage(id string) *snowball.Message {
	at := time.Date(2026, 3, 4, 5, 6, 7, 123456000, time.UTC)
	return &snowball.Message{
		ID: id, Target: snowball.MessageTargetSNS, TopicARN: "arn:aws:sns:us-west-2:111122223333:jobs",
		Subject: "Snowball job " + id, Body: `{"JobId":"` + id + `"}`,
		CreatedAt: at, Attempts: 2, NextAttempt: at.Add(time.Minute), LastError: "connection refused",
	}
}

// messageTests are the tests of the notification outbox.
var messageTests = []test{
	{"InsertPending", testMessagesInsertPending},
	{"DeliveredLeavesPending", testMessagesDelivered},
	{"DuplicateID", testMessagesDuplicateID},
	{"PutNotFound", testMessagesPutNotFound},
}

func mustPending(t *testing.T, s snowball.Store, p snowball.Page) []*snowball.Message {
	t.Helper()
	var got []*snowball.Message
	view(t, s, func(ctx context.Context, tx snowball.Tx) error {
		var err error
		got, err = tx.PendingMessages(ctx, p)
		return err
	})
	return got
}

func testMessagesInsertPending(t *testing.T, s snowball.Store) {
	a, b, c := NewMessage("m1"), NewMessage("m2"), NewMessage("m3")
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, m := range []*snowball.Message{a, b, c} {
			if err := tx.InsertMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if !(0 < a.Seq && a.Seq < b.Seq && b.Seq < c.Seq) {
		t.Errorf("Seqs = %d, %d, %d; want positive and increasing", a.Seq, b.Seq, c.Seq)
	}
	if diff := cmp.Diff([]*snowball.Message{a, b, c}, mustPending(t, s, snowball.Page{}), equate); diff != "" {
		t.Errorf("PendingMessages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]*snowball.Message{b}, mustPending(t, s, snowball.Page{After: a.Seq, Limit: 1}), equate); diff != "" {
		t.Errorf("PendingMessages page (-want +got):\n%s", diff)
	}
}

func testMessagesDelivered(t *testing.T, s snowball.Store) {
	a, b := NewMessage("m1"), NewMessage("m2")
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		if err := tx.InsertMessage(ctx, a); err != nil {
			return err
		}
		return tx.InsertMessage(ctx, b)
	})
	a.Attempts++
	a.DeliveredAt = a.NextAttempt
	b.Attempts, b.LastError = 3, "HTTP 503"
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		if err := tx.PutMessage(ctx, a); err != nil {
			return err
		}
		return tx.PutMessage(ctx, b)
	})
	if diff := cmp.Diff([]*snowball.Message{b}, mustPending(t, s, snowball.Page{}), equate, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("PendingMessages after delivering m1 (-want +got):\n%s", diff)
	}
}

func testMessagesDuplicateID(t *testing.T, s snowball.Store) {
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return tx.InsertMessage(ctx, NewMessage("m1")) })
	err := s.Update(t.Context(), func(tx snowball.Tx) error { return tx.InsertMessage(t.Context(), NewMessage("m1")) })
	if err == nil {
		t.Fatal("a second message with ID m1 was inserted")
	}
}

func testMessagesPutNotFound(t *testing.T, s snowball.Store) {
	err := s.Update(t.Context(), func(tx snowball.Tx) error { return tx.PutMessage(t.Context(), NewMessage("nowhere")) })
	if !snowball.IsNotFound(err) {
		t.Errorf("PutMessage of a missing message = %v, want NotFound", err)
	}
}
