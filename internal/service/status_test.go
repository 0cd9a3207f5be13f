package service

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// failingStore is a store whose reads fail once fail is set.
type failingStore struct {
	snowball.Store
	fail bool
}

func (f *failingStore) View(ctx context.Context, fn func(snowball.Tx) error) error {
	if f.fail {
		return errors.New("disk I/O error")
	}
	return f.Store.View(ctx, fn)
}

func TestOnStoreError(t *testing.T) {
	store := &failingStore{Store: mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db"))}
	var got []error
	s, _ := mustService(store, Config{OnStoreError: func(err error) { got = append(got, err) }})
	ctx := WithOwner(t.Context(), testOwner)

	// A refusal of the service's is no store error.
	_, err := s.DescribeJob(ctx, &model.DescribeJobRequest{JobId: model.Ptr("JID00000000-0000-0000-0000-000000000000")})
	if snowball.ErrorCode(err) != snowball.InvalidResource || len(got) != 0 {
		t.Fatalf("unknown job: %v, store errors %v", err, got)
	}
	store.fail = true
	if _, err := s.DescribeAddresses(ctx, &model.DescribeAddressesRequest{}); err == nil {
		t.Fatal("DescribeAddresses over a failing store: no error")
	}
	if len(got) != 1 || got[0].Error() != "disk I/O error" {
		t.Errorf("store errors reported: %v, want the one", got)
	}
}

func TestStateCounts(t *testing.T) {
	s, _ := mustService(mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db")), Config{})
	mustJob(t, s, model.JobStateNew)
	mustJob(t, s, model.JobStateWithCustomer)
	mustJob(t, s, model.JobStateWithCustomer)
	jobs, clusters, err := s.StateCounts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"New": 1, "WithCustomer": 2}, jobs); diff != "" {
		t.Errorf("jobs by state (-want +got):\n%s", diff)
	}
	if len(clusters) != 0 {
		t.Errorf("clusters by state: %v, want none", clusters)
	}
}

// TestOnMessage: the dispatcher is told of a commit only when it queued a
// notification; other writes give it nothing to do.
func TestOnMessage(t *testing.T) {
	var told int
	s, _ := mustService(mustOpenStore(t, filepath.Join(t.TempDir(), "frosty.db")),
		Config{NotifyWebhook: true, OnMessage: func() { told++ }})
	ctx := WithOwner(t.Context(), testOwner)
	addr, err := s.CreateAddress(ctx, &model.CreateAddressRequest{Address: &model.Address{
		Street1: model.Ptr("1 Main St"), City: model.Ptr("Seattle"), Country: model.Ptr("US")}})
	if err != nil {
		t.Fatal(err)
	}
	job, err := s.CreateJob(ctx, &model.CreateJobRequest{
		JobType: model.Ptr(model.JobTypeImport), SnowballType: model.Ptr(model.SnowballTypeEdge), AddressId: addr.AddressId,
		ShippingOption: model.Ptr(model.ShippingOptionSecondDay),
		Resources:      &model.JobResource{S3Resources: []model.S3Resource{{BucketArn: model.Ptr("arn:aws:s3:::b")}}},
		Notification:   &model.Notification{JobStatesToNotify: []model.JobState{model.JobStateWithCustomer}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if told != 0 {
		t.Fatalf("told %d times before any notification was queued", told)
	}
	if _, err := s.AdvanceJob(t.Context(), *job.JobId, model.JobStatePreparingShipment); err != nil {
		t.Fatal(err)
	}
	if told != 0 {
		t.Errorf("told %d times by moves the job does not notify", told)
	}
	if _, err := s.AdvanceJob(t.Context(), *job.JobId, model.JobStateWithCustomer); err != nil {
		t.Fatal(err)
	}
	if told != 1 {
		t.Errorf("told %d times by the move to WithCustomer, want 1", told)
	}
}
