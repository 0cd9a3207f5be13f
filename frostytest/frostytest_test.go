package frostytest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/aws/smithy-go"

	"github.com/frostyhq/frosty/frostytest"
)

func client(s *frostytest.Server, a frostytest.Account) *snowball.Client {
	return snowball.New(snowball.Options{
		BaseEndpoint: aws.String(s.URL()), Region: s.Region(),
		Credentials: credentials.NewStaticCredentialsProvider(a.AccessKeyID, a.SecretAccessKey, ""),
		Retryer:     aws.NopRetryer{},
	})
}

func mustImportJob(t *testing.T, c *snowball.Client) string {
	t.Helper()
	ctx := t.Context()
	addr, err := c.CreateAddress(ctx, &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US")}})
	if err != nil {
		t.Fatal(err)
	}
	job, err := c.CreateJob(ctx, &snowball.CreateJobInput{
		JobType: types.JobTypeImport, SnowballType: types.SnowballTypeEdge, AddressId: addr.AddressId,
		ShippingOption: types.ShippingOptionSecondDay,
		Resources:      &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::b")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return *job.JobId
}

func state(t *testing.T, c *snowball.Client, id string) types.JobState {
	t.Helper()
	out, err := c.DescribeJob(t.Context(), &snowball.DescribeJobInput{JobId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return out.JobMetadata.JobState
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestManualLifecycle(t *testing.T) {
	s := frostytest.New(t)
	c := client(s, s.Accounts()[0])
	job := mustImportJob(t, c)
	if got := state(t, c, job); got != types.JobStateNew {
		t.Fatalf("a new job is %s", got)
	}
	if err := s.AdvanceJob(t.Context(), job, "WithCustomer"); err != nil {
		t.Fatal(err)
	}
	if got := state(t, c, job); got != types.JobStateWithCustomer {
		t.Errorf("advanced to WithCustomer, the job is %s", got)
	}
	if _, err := c.GetJobUnlockCode(t.Context(), &snowball.GetJobUnlockCodeInput{JobId: aws.String(job)}); err != nil {
		t.Errorf("unlock code: %v", err)
	}
	err := s.AdvanceJob(t.Context(), job, "Bogus")
	if err == nil || !strings.Contains(err.Error(), "not a job state") {
		t.Errorf("AdvanceJob to Bogus: %v", err)
	}

	// 360 days on, the credentials have expired, and the client still
	// signs on the real time.
	if err := s.AdvanceClock(t.Context(), 360*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetJobUnlockCode(t.Context(), &snowball.GetJobUnlockCodeInput{JobId: aws.String(job)})
	if code(err) != "InvalidJobStateException" {
		t.Errorf("unlock code after 360 days: %v", err)
	}
	if now, err := s.Now(t.Context()); err != nil || time.Until(now) < 359*24*time.Hour {
		t.Errorf("Now = %v, %v; want 360 days ahead", now, err)
	}
}

func TestTimedLifecycle(t *testing.T) {
	s := frostytest.New(t, frostytest.WithTimedLifecycle(1)) // the real pace: nothing moves unless the clock does
	c := client(s, s.Accounts()[0])
	job := mustImportJob(t, c)
	if err := s.AdvanceClock(t.Context(), 5*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := state(t, c, job); got != types.JobStateWithCustomer {
		t.Errorf("5 days on, the job is %s, want WithCustomer", got)
	}
}

func TestAccountsResetSeedFaults(t *testing.T) {
	alice := frostytest.Account{AccountID: "111122223333", AccessKeyID: "AKIDALICE", SecretAccessKey: "alice-secret"}
	bob := frostytest.Account{AccountID: "444455556666", AccessKeyID: "AKIDBOB", SecretAccessKey: "bob-secret"}
	seed := []byte(`{"addresses": [{"ref": "hq", "accountId": "111122223333", "Street1": "1 Main St", "City": "Seattle", "Country": "US"}],
		"jobs": [{"ref": "job", "accountId": "111122223333", "state": "WithCustomer", "JobType": "IMPORT", "SnowballType": "EDGE",
		"AddressId": "ref:hq", "ShippingOption": "SECOND_DAY", "Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::b"}]}}]}`)
	s := frostytest.New(t, frostytest.WithAccount(alice), frostytest.WithAccount(bob), frostytest.WithSeed(seed),
		frostytest.WithFault(frostytest.Fault{Operation: "ListJobs", Error: "ThrottlingException", Count: 1, AccountID: bob.AccountID}))
	ctx := context.Background()
	a, b := client(s, alice), client(s, bob)
	if key, _ := s.Credentials(); key != alice.AccessKeyID {
		t.Errorf("Credentials() = %s, want the first account's", key)
	}

	out, err := a.ListJobs(ctx, &snowball.ListJobsInput{})
	if err != nil || len(out.JobListEntries) != 1 || out.JobListEntries[0].JobState != types.JobStateWithCustomer {
		t.Fatalf("Alice's seeded jobs: %+v, %v", out, err)
	}
	if _, err := b.ListJobs(ctx, &snowball.ListJobsInput{}); code(err) != "ThrottlingException" {
		t.Errorf("Bob's first ListJobs: %v, want the fault's ThrottlingException", err)
	}
	if out, err := b.ListJobs(ctx, &snowball.ListJobsInput{}); err != nil || len(out.JobListEntries) != 0 {
		t.Errorf("Bob's second ListJobs: %+v, %v; want none, the fault spent", out, err)
	}

	id, err := s.AddFault(ctx, frostytest.Fault{Operation: "DescribeAddresses", Error: "InternalFailure"})
	if err != nil || id == "" {
		t.Fatalf("AddFault: %q, %v", id, err)
	}
	if _, err := a.DescribeAddresses(ctx, &snowball.DescribeAddressesInput{}); code(err) != "InternalFailure" {
		t.Errorf("DescribeAddresses with a fault: %v", err)
	}
	if err := s.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFault(ctx, frostytest.Fault{Operation: "CreateJob", Error: "NoSuchError"}); err == nil {
		t.Error("AddFault of an error CreateJob cannot raise: no error")
	}

	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if out, err := a.ListJobs(ctx, &snowball.ListJobsInput{}); err != nil || len(out.JobListEntries) != 0 {
		t.Errorf("after Reset: %+v, %v", out, err)
	}
	if _, err := s.Seed(ctx, []byte(`{"jobs": [{"state": "Shipped"}]}`)); err == nil {
		t.Error("a bad seed: no error")
	}
}

func TestStartClose(t *testing.T) {
	s, err := frostytest.Start()
	if err != nil {
		t.Fatal(err)
	}
	url := s.URL()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s.Close() // again: no panic
	c := client(s, s.Accounts()[0])
	if _, err := c.ListJobs(context.Background(), &snowball.ListJobsInput{}); err == nil {
		t.Errorf("a closed server at %s still answers", url)
	}
}
