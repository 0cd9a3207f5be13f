package server_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/snowball"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

// TestSDKV1 is a smoke test for users still on aws-sdk-go v1 (end of
// support in 2025): a job's life through a few operations, a modeled
// error and a paginated list. The other tests use aws-sdk-go-v2.
func TestSDKV1(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	s.Clock.Advance(30 * 24 * time.Hour) // v1 signs on the fake clock too
	c := s.AliceV1()

	addr, err := c.CreateAddress(&snowball.CreateAddressInput{Address: &snowball.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 3 {
		out, err := c.CreateJob(&snowball.CreateJobInput{
			JobType: aws.String(snowball.JobTypeImport), SnowballType: aws.String(snowball.TypeEdge),
			AddressId: addr.AddressId, ShippingOption: aws.String(snowball.ShippingOptionSecondDay),
			Resources: &snowball.JobResource{S3Resources: []*snowball.S3Resource{{BucketArn: aws.String(testBucketARN)}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.StringValue(out.JobId))
	}

	t.Run("OKDescribeJob", func(t *testing.T) {
		out, err := c.DescribeJob(&snowball.DescribeJobInput{JobId: aws.String(ids[0])})
		if err != nil {
			t.Fatal(err)
		}
		md := out.JobMetadata
		if aws.StringValue(md.JobState) != snowball.JobStateNew || !aws.TimeValue(md.CreationDate).Equal(s.Clock.Now()) {
			t.Errorf("JobState %s CreationDate %v, want New at %v", aws.StringValue(md.JobState), aws.TimeValue(md.CreationDate), s.Clock.Now())
		}
	})
	t.Run("OKListJobsPages", func(t *testing.T) {
		var got []string
		pages := 0
		err := c.ListJobsPages(&snowball.ListJobsInput{MaxResults: aws.Int64(2)}, func(p *snowball.ListJobsOutput, last bool) bool {
			pages++
			for _, e := range p.JobListEntries {
				got = append(got, aws.StringValue(e.JobId))
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ids, got); diff != "" || pages != 2 {
			t.Errorf("%d pages (want 2) of jobs (-want +got):\n%s", pages, diff)
		}
	})
	t.Run("OKGetJobUnlockCode", func(t *testing.T) {
		s.Advance(t, ids[1], snowball.JobStateWithCustomer)
		out, err := c.GetJobUnlockCode(&snowball.GetJobUnlockCodeInput{JobId: aws.String(ids[1])})
		if err != nil {
			t.Fatal(err)
		}
		if code := aws.StringValue(out.UnlockCode); !reUnlockCode.MatchString(code) {
			t.Errorf("UnlockCode = %q", code)
		}
	})
	t.Run("ErrInvalidResource", func(t *testing.T) {
		_, err := c.DescribeJob(&snowball.DescribeJobInput{JobId: aws.String(unknownID("JID"))})
		e := wantErr[*snowball.InvalidResourceException](t, err)
		if got := aws.StringValue(e.ResourceType); got != "JOB" || e.Code() != "InvalidResourceException" {
			t.Errorf("error %s with ResourceType %q, want InvalidResourceException JOB", e.Code(), got)
		}
	})
	t.Run("ErrInvalidJobState", func(t *testing.T) {
		_, err := c.CancelJob(&snowball.CancelJobInput{JobId: aws.String(ids[1])})
		wantErr[*snowball.InvalidJobStateException](t, err)
	})
}
