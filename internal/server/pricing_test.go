package server_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

func mustCreateLTP(tb testing.TB, c *snowball.Client, ltpType types.LongTermPricingType, snowballType types.SnowballType) string {
	tb.Helper()
	out, err := c.CreateLongTermPricing(tb.Context(), &snowball.CreateLongTermPricingInput{
		LongTermPricingType: ltpType, SnowballType: snowballType,
	})
	if err != nil {
		tb.Fatalf("CreateLongTermPricing: %v", err)
	}
	return aws.ToString(out.LongTermPricingId)
}

// mustLTPEntry returns the ListLongTermPricing entry of id.
func mustLTPEntry(tb testing.TB, c *snowball.Client, id string) *types.LongTermPricingListEntry {
	tb.Helper()
	var found *types.LongTermPricingListEntry
	err := eachPage(tb.Context(), snowball.NewListLongTermPricingPaginator(c, &snowball.ListLongTermPricingInput{}), func(p *snowball.ListLongTermPricingOutput, last bool) {
		for _, e := range p.LongTermPricingEntries {
			if aws.ToString(e.LongTermPricingId) == id {
				found = &e
			}
		}
	})
	if err != nil {
		tb.Fatalf("ListLongTermPricing: %v", err)
	}
	if found == nil {
		tb.Fatalf("long-term pricing %s not listed", id)
	}
	return found
}

func TestCreateLongTermPricing(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()

	for _, tc := range []struct {
		ltpType types.LongTermPricingType
		end     time.Time
	}{
		{types.LongTermPricingTypeOneMonth, frostytest.Start.AddDate(0, 1, 0)},
		{types.LongTermPricingTypeOneYear, frostytest.Start.AddDate(1, 0, 0)},
		{types.LongTermPricingTypeThreeYear, frostytest.Start.AddDate(3, 0, 0)},
	} {
		t.Run("OK"+string(tc.ltpType), func(t *testing.T) {
			id := mustCreateLTP(t, c, tc.ltpType, types.SnowballTypeEdge)
			if !reLTPID.MatchString(id) {
				t.Errorf("LongTermPricingId = %q, want LTPID + UUIDv4", id)
			}
			want := &types.LongTermPricingListEntry{
				LongTermPricingId:          aws.String(id),
				LongTermPricingType:        tc.ltpType,
				SnowballType:               types.SnowballTypeEdge,
				LongTermPricingStartDate:   aws.Time(frostytest.Start),
				LongTermPricingEndDate:     aws.Time(tc.end),
				LongTermPricingStatus:      aws.String("ACTIVE"),
				IsLongTermPricingAutoRenew: aws.Bool(false),
				JobIds:                     []string{},
			}
			if diff := cmp.Diff(want, mustLTPEntry(t, c, id), sdkOpts); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("OKAutoRenew", func(t *testing.T) {
		out, err := c.CreateLongTermPricing(t.Context(), &snowball.CreateLongTermPricingInput{
			LongTermPricingType: types.LongTermPricingTypeOneYear, SnowballType: types.SnowballTypeEdgeC,
			IsLongTermPricingAutoRenew: aws.Bool(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		if e := mustLTPEntry(t, c, aws.ToString(out.LongTermPricingId)); !aws.ToBool(e.IsLongTermPricingAutoRenew) {
			t.Errorf("IsLongTermPricingAutoRenew = %v, want true", e.IsLongTermPricingAutoRenew)
		}
	})

	t.Run("OKJobs", func(t *testing.T) {
		ltp := mustCreateLTP(t, c, types.LongTermPricingTypeOneYear, types.SnowballTypeEdge)
		addr := mustCreateAddress(t, c)
		in := importJob(addr)
		in.LongTermPricingId = aws.String(ltp)
		first := mustCreateJob(t, c, in)
		e := mustLTPEntry(t, c, ltp)
		if diff := cmp.Diff([]string{first}, e.JobIds); diff != "" {
			t.Errorf("JobIds (-want +got):\n%s", diff)
		}
		if got := aws.ToString(e.CurrentActiveJob); got != first {
			t.Errorf("CurrentActiveJob = %q, want %s", got, first)
		}
		if got := aws.ToString(mustDescribeJob(t, c, first).JobMetadata.LongTermPricingId); got != ltp {
			t.Errorf("job LongTermPricingId = %q, want %s", got, ltp)
		}

		second := mustCreateJob(t, c, in)
		e = mustLTPEntry(t, c, ltp)
		if diff := cmp.Diff([]string{first, second}, e.JobIds); diff != "" {
			t.Errorf("JobIds (-want +got):\n%s", diff)
		}
		if got := aws.ToString(e.CurrentActiveJob); got != second {
			t.Errorf("CurrentActiveJob = %q, want the newest job %s", got, second)
		}

		if _, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: aws.String(second)}); err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(mustLTPEntry(t, c, ltp).CurrentActiveJob); got != first {
			t.Errorf("after cancelling %s: CurrentActiveJob = %q, want %s", second, got, first)
		}
		s.Advance(t, first, string(types.JobStateComplete))
		if e := mustLTPEntry(t, c, ltp); e.CurrentActiveJob != nil {
			t.Errorf("with every job finished: CurrentActiveJob = %s, want none", *e.CurrentActiveJob)
		}
	})

	t.Run("OKClusterNodes", func(t *testing.T) {
		ltps := []string{
			mustCreateLTP(t, c, types.LongTermPricingTypeOneYear, types.SnowballTypeEdge),
			mustCreateLTP(t, c, types.LongTermPricingTypeOneYear, types.SnowballTypeEdge),
		}
		in := clusterInput(mustCreateAddress(t, c))
		in.InitialClusterSize = aws.Int32(3)
		in.LongTermPricingIds = ltps
		out := mustCreateCluster(t, c, in)
		for i, ltp := range ltps {
			node := aws.ToString(out.JobListEntries[i].JobId)
			if diff := cmp.Diff([]string{node}, mustLTPEntry(t, c, ltp).JobIds); diff != "" {
				t.Errorf("JobIds of %s (-want +got):\n%s", ltp, diff)
			}
		}
		if got := mustDescribeJob(t, c, aws.ToString(out.JobListEntries[2].JobId)).JobMetadata.LongTermPricingId; got != nil {
			t.Errorf("node 3 has LongTermPricingId %s; only two were given", *got)
		}
	})
}

func TestListLongTermPricing(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()

	out, err := c.ListLongTermPricing(t.Context(), &snowball.ListLongTermPricingInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.LongTermPricingEntries == nil || len(out.LongTermPricingEntries) != 0 {
		t.Errorf("empty list = %v, want []", out)
	}
	var want []string
	for range 3 {
		want = append(want, mustCreateLTP(t, c, types.LongTermPricingTypeOneYear, types.SnowballTypeEdge))
	}
	t.Run("OKPagination", func(t *testing.T) {
		var got []string
		pages := 0
		err := eachPage(t.Context(), snowball.NewListLongTermPricingPaginator(c, &snowball.ListLongTermPricingInput{MaxResults: aws.Int32(2)}),
			func(p *snowball.ListLongTermPricingOutput, last bool) {
				pages++
				for _, e := range p.LongTermPricingEntries {
					got = append(got, aws.ToString(e.LongTermPricingId))
				}
			})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("entries (-want +got):\n%s", diff)
		}
		if pages != 2 {
			t.Errorf("%d pages, want 2", pages)
		}
	})
	t.Run("ErrInvalidNextToken", func(t *testing.T) {
		_, err := c.ListLongTermPricing(t.Context(), &snowball.ListLongTermPricingInput{NextToken: aws.String("bogus")})
		wantErr[*types.InvalidNextTokenException](t, err)
	})
	t.Run("OKOtherAccountSeesNone", func(t *testing.T) {
		out, err := s.Bob().ListLongTermPricing(t.Context(), &snowball.ListLongTermPricingInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.LongTermPricingEntries) != 0 {
			t.Errorf("Bob sees %d of Alice's contracts", len(out.LongTermPricingEntries))
		}
	})
}

func TestUpdateLongTermPricing(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	ltp := mustCreateLTP(t, c, types.LongTermPricingTypeOneYear, types.SnowballTypeEdge)

	t.Run("OK", func(t *testing.T) {
		job := mustCreateImportJob(t, c)
		if _, err := c.UpdateLongTermPricing(t.Context(), &snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(ltp), ReplacementJob: aws.String(job), IsLongTermPricingAutoRenew: aws.Bool(true),
		}); err != nil {
			t.Fatal(err)
		}
		e := mustLTPEntry(t, c, ltp)
		if aws.ToString(e.ReplacementJob) != job || !aws.ToBool(e.IsLongTermPricingAutoRenew) {
			t.Errorf("after update ReplacementJob = %v, IsLongTermPricingAutoRenew = %v; want %s, true",
				aws.ToString(e.ReplacementJob), aws.ToBool(e.IsLongTermPricingAutoRenew), job)
		}
		// Only the members given change.
		if _, err := c.UpdateLongTermPricing(t.Context(), &snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(ltp), IsLongTermPricingAutoRenew: aws.Bool(false),
		}); err != nil {
			t.Fatal(err)
		}
		e = mustLTPEntry(t, c, ltp)
		if aws.ToString(e.ReplacementJob) != job || e.IsLongTermPricingAutoRenew == nil || *e.IsLongTermPricingAutoRenew {
			t.Errorf("after second update ReplacementJob = %v, IsLongTermPricingAutoRenew = %v; want %s, false",
				aws.ToString(e.ReplacementJob), e.IsLongTermPricingAutoRenew, job)
		}
	})
	t.Run("ErrInvalidResourceUnknown", func(t *testing.T) {
		_, err := c.UpdateLongTermPricing(t.Context(), &snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(unknownID("LTPID")), IsLongTermPricingAutoRenew: aws.Bool(true),
		})
		wantResource(t, err, "LONG_TERM_PRICING")
	})
	t.Run("ErrInvalidResourceReplacementJob", func(t *testing.T) {
		_, err := c.UpdateLongTermPricing(t.Context(), &snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(ltp), ReplacementJob: aws.String(unknownID("JID")),
		})
		wantResource(t, err, "JOB")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		_, err := s.Bob().UpdateLongTermPricing(t.Context(), &snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(ltp), IsLongTermPricingAutoRenew: aws.Bool(true),
		})
		wantResource(t, err, "LONG_TERM_PRICING")
	})
}
