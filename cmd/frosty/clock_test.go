package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
)

// TestClockEndToEnd moves the operator clock of the real binary, in the
// timed lifecycle at the real pace: a job created now is WithCustomer as
// soon as `frosty clock --advance 5d` returns, its events stamped with the
// times they fell due, and a restart keeps the clock where it was.
func TestClockEndToEnd(t *testing.T) {
	data := t.TempDir()
	p := startServer(t, data, "--lifecycle", "timed", "--time-scale", "1")
	c := p.client()
	ctx := context.Background()
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

	// New 1h, PreparingAppliance 1d, PreparingShipment 1d, two days in
	// transit: WithCustomer 4d1h after creation.
	out, errOut, code := frosty(t, "clock", "--endpoint", p.url, "--data", data, "--advance", "5d")
	if code != 0 || !strings.Contains(out, "running") {
		t.Fatalf("frosty clock --advance 5d: exit %d, %q %q", code, out, errOut)
	}
	d, err := c.DescribeJob(ctx, &snowball.DescribeJobInput{JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.JobMetadata.JobState; got != types.JobStateWithCustomer {
		t.Fatalf("right after the clock moved 5 days the job is %s, want WithCustomer", got)
	}
	created := *d.JobMetadata.CreationDate
	unlock, err := c.GetJobUnlockCode(ctx, &snowball.GetJobUnlockCodeInput{JobId: job.JobId})
	if err != nil || unlock.UnlockCode == nil {
		t.Fatalf("GetJobUnlockCode: %v", err)
	}

	out, _, _ = frosty(t, "events", *job.JobId, "--endpoint", p.url, "--data", data)
	if !regexp.MustCompile(`\+97h0m0s\s+InTransitToCustomer\s+WithCustomer\s+timer`).MatchString(out) {
		t.Errorf("events do not show WithCustomer at +4d1h (97h) after creation:\n%s", out)
	}

	// 360 days after creation the credentials have expired, and the client,
	// signing on the real time, still gets through.
	if _, _, code := frosty(t, "clock", "--endpoint", p.url, "--data", data, "--advance", "356d"); code != 0 {
		t.Fatal("frosty clock --advance 356d failed")
	}
	if _, err := c.GetJobUnlockCode(ctx, &snowball.GetJobUnlockCodeInput{JobId: job.JobId}); !isCode(err, "InvalidJobStateException") {
		t.Errorf("GetJobUnlockCode 361 days after creation: %v, want InvalidJobStateException", err)
	}

	// A restart keeps the clock.
	p.cmd.Process.Kill()
	p.cmd.Wait()
	p = startServer(t, data, "--lifecycle", "timed", "--time-scale", "1")
	out, _, _ = frosty(t, "clock", "--endpoint", p.url, "--data", data)
	now, err := time.Parse(time.RFC3339, strings.Fields(out)[0])
	if err != nil || now.Before(created.Add(361*24*time.Hour-time.Second)) {
		t.Errorf("after a restart the clock says %q, want at least 361 days after %v", out, created)
	}
}

func isCode(err error, code string) bool {
	return err != nil && strings.Contains(err.Error(), code)
}
