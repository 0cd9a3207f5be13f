package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	"github.com/frostyhq/frosty/internal/frostytest"
)

// benchJob is a typical IMPORT job request.
func benchJob(addressID *string) *snowball.CreateJobInput {
	return &snowball.CreateJobInput{
		JobType: types.JobTypeImport, SnowballType: types.SnowballTypeEdge, AddressId: addressID,
		ShippingOption: types.ShippingOptionSecondDay, Description: aws.String("bench"),
		Resources: &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::bench")}}},
	}
}

func benchAddress(b *testing.B, sb *snowball.Client) *string {
	b.Helper()
	out, err := sb.CreateAddress(b.Context(), &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US"),
	}})
	if err != nil {
		b.Fatal(err)
	}
	return out.AddressId
}

// BenchmarkCreateJob measures a signed CreateJob through the real client,
// listener, SigV4 check, validation, service and a durable SQLite commit.
func BenchmarkCreateJob(b *testing.B) {
	s := frostytest.MustStart(b, frostytest.Options{})
	sb := s.Alice()
	in := benchJob(benchAddress(b, sb))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := sb.CreateJob(b.Context(), in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkDescribeJob measures the read path end to end.
func BenchmarkDescribeJob(b *testing.B) {
	s := frostytest.MustStart(b, frostytest.Options{})
	sb := s.Alice()
	job, err := sb.CreateJob(b.Context(), benchJob(benchAddress(b, sb)))
	if err != nil {
		b.Fatal(err)
	}
	in := &snowball.DescribeJobInput{JobId: job.JobId}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := sb.DescribeJob(b.Context(), in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkListJobs measures a full page of 100 jobs.
func BenchmarkListJobs(b *testing.B) {
	s := frostytest.MustStart(b, frostytest.Options{})
	sb := s.Alice()
	in := benchJob(benchAddress(b, sb))
	for range 100 {
		if _, err := sb.CreateJob(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		out, err := sb.ListJobs(b.Context(), &snowball.ListJobsInput{})
		if err != nil || len(out.JobListEntries) != 100 {
			b.Fatalf("ListJobs: %d entries, %v", len(out.JobListEntries), err)
		}
	}
}
