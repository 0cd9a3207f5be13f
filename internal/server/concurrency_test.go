package server_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	"github.com/frostyhq/frosty/internal/frostytest"
)

// TestConcurrentClusterNodes races CreateJob for the last place of a
// cluster: exactly one wins, the others get ClusterLimitExceededException.
func TestConcurrentClusterNodes(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	cluster := mustCreateCluster(t, c, clusterInput(mustCreateAddress(t, c))).ClusterId
	for range 4 {
		mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: cluster})
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = c.CreateJob(t.Context(), &snowball.CreateJobInput{ClusterId: cluster})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var limit *types.ClusterLimitExceededException
		switch {
		case err == nil:
			ok++
		case !errors.As(err, &limit):
			t.Errorf("concurrent CreateJob: %v, want success or ClusterLimitExceededException", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent CreateJob calls took the last place, want 1", ok, n)
	}
	if got := len(mustClusterJobs(t, c, aws.ToString(cluster))); got != 5 {
		t.Errorf("cluster has %d nodes, want 5", got)
	}
}

// TestConcurrentReturnLabels races CreateReturnShippingLabel: one request
// starts a label, the others conflict with it.
func TestConcurrentReturnLabels(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	id := mustJobWithCustomer(t, s, c)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = c.CreateReturnShippingLabel(t.Context(), &snowball.CreateReturnShippingLabelInput{JobId: aws.String(id)})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		var conflict *types.ConflictException
		switch {
		case err == nil:
			ok++
		case !errors.As(err, &conflict):
			t.Errorf("concurrent CreateReturnShippingLabel: %v, want success or ConflictException", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d concurrent CreateReturnShippingLabel calls succeeded, want 1", ok, n)
	}
}

// TestConcurrentCreateJobs has several clients create jobs at once: every
// job gets its own ID and every acknowledged job is listed.
func TestConcurrentCreateJobs(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	const clients, perClient = 6, 20
	cs := make([]*snowball.Client, clients)
	for i := range cs {
		cs[i] = s.Alice()
	}
	addr := aws.String(mustCreateAddress(t, cs[0]))
	ids := make([][]string, clients)
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Go(func() {
			for range perClient {
				out, err := c.CreateJob(t.Context(), &snowball.CreateJobInput{
					JobType: types.JobTypeLocalUse, AddressId: addr, ShippingOption: types.ShippingOptionNextDay,
				})
				if err != nil {
					t.Error(err)
					return
				}
				ids[i] = append(ids[i], aws.ToString(out.JobId))
			}
		})
	}
	wg.Wait()
	listed := map[string]bool{}
	err := eachPage(t.Context(), snowball.NewListJobsPaginator(cs[0], &snowball.ListJobsInput{MaxResults: aws.Int32(7)}), func(p *snowball.ListJobsOutput, last bool) {
		for _, e := range p.JobListEntries {
			if listed[aws.ToString(e.JobId)] {
				t.Errorf("job %s listed twice", aws.ToString(e.JobId))
			}
			listed[aws.ToString(e.JobId)] = true
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range ids {
		for _, id := range list {
			if !listed[id] {
				t.Errorf("acknowledged job %s is not listed", id)
			}
		}
	}
	if len(listed) != clients*perClient {
		t.Errorf("%d jobs listed, want %d", len(listed), clients*perClient)
	}
}
