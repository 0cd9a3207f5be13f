package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// The requests, as the AWS SDKs send them. The job is an import job with
// an address, as internal/server's benchmarks create.
func createAddressRequest() []byte {
	return []byte(`{"Address":{"Name":"Bench","Street1":"1 Main St","City":"Seattle","StateOrProvince":"WA","PostalCode":"98101","Country":"US","PhoneNumber":"+1 206 555 0100"}}`)
}

func createJobRequest(addressID string) []byte {
	return fmt.Appendf(nil, `{"JobType":"IMPORT","SnowballType":"EDGE","AddressId":%q,"ShippingOption":"SECOND_DAY","Description":"bench",`+
		`"Resources":{"S3Resources":[{"BucketArn":"arn:aws:s3:::bench"}]}}`, addressID)
}

func describeJobRequest(jobID string) []byte { return fmt.Appendf(nil, `{"JobId":%q}`, jobID) }

func listJobsRequest() []byte { return []byte(`{"MaxResults":100}`) }

func updateJobRequest(jobID string) []byte {
	return fmt.Appendf(nil, `{"JobId":%q,"Description":"bench, updated"}`, jobID)
}

// createAddress creates the address the jobs ship to.
func createAddress(ctx context.Context, c *client) (string, error) {
	var out struct{ AddressId string }
	return out.AddressId, callJSON(ctx, c, "CreateAddress", createAddressRequest(), &out)
}

// createJob creates an import job to addressID.
func createJob(ctx context.Context, c *client, addressID string) (string, error) {
	var out struct{ JobId string }
	return out.JobId, callJSON(ctx, c, "CreateJob", createJobRequest(addressID), &out)
}

// callJSON makes a call that must succeed and decodes its answer.
func callJSON(ctx context.Context, c *client, op string, body []byte, out any) error {
	resp, err := c.call(ctx, op, body)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := resp.err(op); err != nil {
		return err
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// createJobs creates n jobs from clients goroutines, and returns their IDs.
func createJobs(ctx context.Context, c *client, addressID string, n, clients int) ([]string, error) {
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(clients, n) {
		wg.Go(func() {
			for i := range next {
				ids[i], errs[i] = createJob(ctx, c, addressID)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("preload %d jobs: %w", n, err)
		}
	}
	return ids, nil
}
