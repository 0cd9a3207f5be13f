package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

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

func benchAddress(b testing.TB, sb *snowball.Client) *string {
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

// BenchmarkHandler measures the server alone: a request signed once (on the
// test clock, so its signature stays valid) is served straight by the
// handler, with no client, listener or connection in the way. Its CPU
// profile is the request path's own.
func BenchmarkHandler(b *testing.B) {
	s := frostytest.MustStart(b, frostytest.Options{})
	sb := s.Alice()
	addressID := benchAddress(b, sb)
	job, err := sb.CreateJob(b.Context(), benchJob(addressID))
	if err != nil {
		b.Fatal(err)
	}
	for range 99 {
		if _, err := sb.CreateJob(b.Context(), benchJob(addressID)); err != nil {
			b.Fatal(err)
		}
	}
	calls := []struct{ op, body string }{
		{"DescribeJob", fmt.Sprintf(`{"JobId":%q}`, *job.JobId)},
		{"ListJobs", `{"MaxResults":100}`},
		{"CreateAddress", `{"Address":{"Street1":"1 Main St","City":"Seattle","Country":"US"}}`},
		{"CreateJob", fmt.Sprintf(`{"JobType":"IMPORT","SnowballType":"EDGE","AddressId":%q,"ShippingOption":"SECOND_DAY","Description":"bench","Resources":{"S3Resources":[{"BucketArn":"arn:aws:s3:::bench"}]}}`, *addressID)},
		{"UpdateJob", fmt.Sprintf(`{"JobId":%q,"Description":"bench, updated"}`, *job.JobId)},
	}
	signer := v4.NewSigner()
	for _, c := range calls {
		b.Run(c.op, func(b *testing.B) {
			req, err := http.NewRequest(http.MethodPost, s.URL+"/", nil)
			if err != nil {
				b.Fatal(err)
			}
			req.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService."+c.op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			sum := sha256.Sum256([]byte(c.body))
			cred := frostytest.Accounts[0]
			err = signer.SignHTTP(b.Context(), aws.Credentials{AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey},
				req, hex.EncodeToString(sum[:]), "snowball", "us-west-2", s.Clock.Now())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetParallelism(8) // 16 clients on 2 cores, as frosty bench runs
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r := req.Clone(b.Context())
					r.Body = io.NopCloser(strings.NewReader(c.body))
					r.ContentLength = int64(len(c.body))
					w := httptest.NewRecorder()
					s.Handler.ServeHTTP(w, r)
					if w.Code != http.StatusOK {
						b.Errorf("%s: %d %s", c.op, w.Code, w.Body)
						return
					}
				}
			})
		})
	}
}
