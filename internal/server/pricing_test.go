package server_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/snowball"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

func mustCreateLTP(tb testing.TB, c *snowball.Snowball, ltpType, snowballType string) string {
	tb.Helper()
	out, err := c.CreateLongTermPricing(&snowball.CreateLongTermPricingInput{
		LongTermPricingType: aws.String(ltpType), SnowballType: aws.String(snowballType),
	})
	if err != nil {
		tb.Fatalf("CreateLongTermPricing: %v", err)
	}
	return aws.StringValue(out.LongTermPricingId)
}

// mustLTPEntry returns the ListLongTermPricing entry of id.
func mustLTPEntry(tb testing.TB, c *snowball.Snowball, id string) *snowball.LongTermPricingListEntry {
	tb.Helper()
	var found *snowball.LongTermPricingListEntry
	err := c.ListLongTermPricingPages(&snowball.ListLongTermPricingInput{}, func(p *snowball.ListLongTermPricingOutput, last bool) bool {
		for _, e := range p.LongTermPricingEntries {
			if aws.StringValue(e.LongTermPricingId) == id {
				found = e
			}
		}
		return true
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
		ltpType string
		end     time.Time
	}{
		{snowball.LongTermPricingTypeOneMonth, frostytest.Start.AddDate(0, 1, 0)},
		{snowball.LongTermPricingTypeOneYear, frostytest.Start.AddDate(1, 0, 0)},
		{snowball.LongTermPricingTypeThreeYear, frostytest.Start.AddDate(3, 0, 0)},
	} {
		t.Run("OK"+tc.ltpType, func(t *testing.T) {
			id := mustCreateLTP(t, c, tc.ltpType, snowball.TypeEdge)
			if !reLTPID.MatchString(id) {
				t.Errorf("LongTermPricingId = %q, want LTPID + UUIDv4", id)
			}
			want := &snowball.LongTermPricingListEntry{
				LongTermPricingId:          aws.String(id),
				LongTermPricingType:        aws.String(tc.ltpType),
				SnowballType:               aws.String(snowball.TypeEdge),
				LongTermPricingStartDate:   aws.Time(frostytest.Start),
				LongTermPricingEndDate:     aws.Time(tc.end),
				LongTermPricingStatus:      aws.String("ACTIVE"),
				IsLongTermPricingAutoRenew: aws.Bool(false),
				JobIds:                     []*string{},
			}
			if diff := cmp.Diff(want, mustLTPEntry(t, c, id), sdkOpts); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("OKAutoRenew", func(t *testing.T) {
		out, err := c.CreateLongTermPricing(&snowball.CreateLongTermPricingInput{
			LongTermPricingType: aws.String(snowball.LongTermPricingTypeOneYear), SnowballType: aws.String(snowball.TypeEdgeC),
			IsLongTermPricingAutoRenew: aws.Bool(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		if e := mustLTPEntry(t, c, aws.StringValue(out.LongTermPricingId)); !aws.BoolValue(e.IsLongTermPricingAutoRenew) {
			t.Errorf("IsLongTermPricingAutoRenew = %v, want true", e.IsLongTermPricingAutoRenew)
		}
	})

	t.Run("OKJobs", func(t *testing.T) {
		ltp := mustCreateLTP(t, c, snowball.LongTermPricingTypeOneYear, snowball.TypeEdge)
		addr := mustCreateAddress(t, c)
		in := importJob(addr)
		in.LongTermPricingId = aws.String(ltp)
		first := mustCreateJob(t, c, in)
		e := mustLTPEntry(t, c, ltp)
		if diff := cmp.Diff([]string{first}, aws.StringValueSlice(e.JobIds)); diff != "" {
			t.Errorf("JobIds (-want +got):\n%s", diff)
		}
		if got := aws.StringValue(e.CurrentActiveJob); got != first {
			t.Errorf("CurrentActiveJob = %q, want %s", got, first)
		}
		if got := aws.StringValue(mustDescribeJob(t, c, first).JobMetadata.LongTermPricingId); got != ltp {
			t.Errorf("job LongTermPricingId = %q, want %s", got, ltp)
		}

		second := mustCreateJob(t, c, in)
		e = mustLTPEntry(t, c, ltp)
		if diff := cmp.Diff([]string{first, second}, aws.StringValueSlice(e.JobIds)); diff != "" {
			t.Errorf("JobIds (-want +got):\n%s", diff)
		}
		if got := aws.StringValue(e.CurrentActiveJob); got != second {
			t.Errorf("CurrentActiveJob = %q, want the newest job %s", got, second)
		}

		if _, err := c.CancelJob(&snowball.CancelJobInput{JobId: aws.String(second)}); err != nil {
			t.Fatal(err)
		}
		if got := aws.StringValue(mustLTPEntry(t, c, ltp).CurrentActiveJob); got != first {
			t.Errorf("after cancelling %s: CurrentActiveJob = %q, want %s", second, got, first)
		}
		s.Advance(t, first, snowball.JobStateComplete)
		if e := mustLTPEntry(t, c, ltp); e.CurrentActiveJob != nil {
			t.Errorf("with every job finished: CurrentActiveJob = %s, want none", *e.CurrentActiveJob)
		}
	})

	t.Run("OKClusterNodes", func(t *testing.T) {
		ltps := []string{
			mustCreateLTP(t, c, snowball.LongTermPricingTypeOneYear, snowball.TypeEdge),
			mustCreateLTP(t, c, snowball.LongTermPricingTypeOneYear, snowball.TypeEdge),
		}
		in := clusterInput(mustCreateAddress(t, c))
		in.InitialClusterSize = aws.Int64(3)
		in.LongTermPricingIds = aws.StringSlice(ltps)
		out := mustCreateCluster(t, c, in)
		for i, ltp := range ltps {
			node := aws.StringValue(out.JobListEntries[i].JobId)
			if diff := cmp.Diff([]string{node}, aws.StringValueSlice(mustLTPEntry(t, c, ltp).JobIds)); diff != "" {
				t.Errorf("JobIds of %s (-want +got):\n%s", ltp, diff)
			}
		}
		if got := mustDescribeJob(t, c, aws.StringValue(out.JobListEntries[2].JobId)).JobMetadata.LongTermPricingId; got != nil {
			t.Errorf("node 3 has LongTermPricingId %s; only two were given", *got)
		}
	})
}

func TestListLongTermPricing(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()

	out, err := c.ListLongTermPricing(&snowball.ListLongTermPricingInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.LongTermPricingEntries == nil || len(out.LongTermPricingEntries) != 0 {
		t.Errorf("empty list = %v, want []", out)
	}
	var want []string
	for range 3 {
		want = append(want, mustCreateLTP(t, c, snowball.LongTermPricingTypeOneYear, snowball.TypeEdge))
	}
	t.Run("OKPagination", func(t *testing.T) {
		var got []string
		pages := 0
		err := c.ListLongTermPricingPages(&snowball.ListLongTermPricingInput{MaxResults: aws.Int64(2)},
			func(p *snowball.ListLongTermPricingOutput, last bool) bool {
				pages++
				for _, e := range p.LongTermPricingEntries {
					got = append(got, aws.StringValue(e.LongTermPricingId))
				}
				return true
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
		_, err := c.ListLongTermPricing(&snowball.ListLongTermPricingInput{NextToken: aws.String("bogus")})
		wantErr[*snowball.InvalidNextTokenException](t, err)
	})
	t.Run("OKOtherAccountSeesNone", func(t *testing.T) {
		out, err := s.Bob().ListLongTermPricing(&snowball.ListLongTermPricingInput{})
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
	ltp := mustCreateLTP(t, c, snowball.LongTermPricingTypeOneYear, snowball.TypeEdge)

	t.Run("OK", func(t *testing.T) {
		job := mustCreateImportJob(t, c)
		if _, err := c.UpdateLongTermPricing(&snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(ltp), ReplacementJob: aws.String(job), IsLongTermPricingAutoRenew: aws.Bool(true),
		}); err != nil {
			t.Fatal(err)
		}
		e := mustLTPEntry(t, c, ltp)
		if aws.StringValue(e.ReplacementJob) != job || !aws.BoolValue(e.IsLongTermPricingAutoRenew) {
			t.Errorf("after update ReplacementJob = %v, IsLongTermPricingAutoRenew = %v; want %s, true",
				aws.StringValue(e.ReplacementJob), aws.BoolValue(e.IsLongTermPricingAutoRenew), job)
		}
		// Only the members given change.
		if _, err := c.UpdateLongTermPricing(&snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(ltp), IsLongTermPricingAutoRenew: aws.Bool(false),
		}); err != nil {
			t.Fatal(err)
		}
		e = mustLTPEntry(t, c, ltp)
		if aws.StringValue(e.ReplacementJob) != job || e.IsLongTermPricingAutoRenew == nil || *e.IsLongTermPricingAutoRenew {
			t.Errorf("after second update ReplacementJob = %v, IsLongTermPricingAutoRenew = %v; want %s, false",
				aws.StringValue(e.ReplacementJob), e.IsLongTermPricingAutoRenew, job)
		}
	})
	t.Run("ErrInvalidResourceUnknown", func(t *testing.T) {
		_, err := c.UpdateLongTermPricing(&snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(unknownID("LTPID")), IsLongTermPricingAutoRenew: aws.Bool(true),
		})
		wantResource(t, err, "LONG_TERM_PRICING")
	})
	t.Run("ErrInvalidResourceReplacementJob", func(t *testing.T) {
		_, err := c.UpdateLongTermPricing(&snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(ltp), ReplacementJob: aws.String(unknownID("JID")),
		})
		wantResource(t, err, "JOB")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		_, err := s.Bob().UpdateLongTermPricing(&snowball.UpdateLongTermPricingInput{
			LongTermPricingId: aws.String(ltp), IsLongTermPricingAutoRenew: aws.Bool(true),
		})
		wantResource(t, err, "LONG_TERM_PRICING")
	})
}
