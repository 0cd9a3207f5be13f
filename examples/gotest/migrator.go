// Package migrator is a stand-in for a user's code: a tool that orders a
// Snowball device for a migration and waits for it to arrive. Its tests run
// against Frosty through the public frostytest package only.
package migrator

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
)

// OrderImport orders an import device to the address for the bucket and
// returns the job's ID.
func OrderImport(ctx context.Context, c *snowball.Client, addressID, bucketARN string) (string, error) {
	out, err := c.CreateJob(ctx, &snowball.CreateJobInput{
		JobType: types.JobTypeImport, SnowballType: types.SnowballTypeEdge, AddressId: aws.String(addressID),
		ShippingOption: types.ShippingOptionSecondDay,
		Resources:      &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String(bucketARN)}}},
	})
	if err != nil {
		return "", fmt.Errorf("order import: %w", err)
	}
	return *out.JobId, nil
}

// Unlock returns the manifest URL and unlock code of a delivered device.
func Unlock(ctx context.Context, c *snowball.Client, jobID string) (manifestURL, code string, err error) {
	m, err := c.GetJobManifest(ctx, &snowball.GetJobManifestInput{JobId: aws.String(jobID)})
	if err != nil {
		return "", "", fmt.Errorf("manifest: %w", err)
	}
	u, err := c.GetJobUnlockCode(ctx, &snowball.GetJobUnlockCodeInput{JobId: aws.String(jobID)})
	if err != nil {
		return "", "", fmt.Errorf("unlock code: %w", err)
	}
	return *m.ManifestURI, *u.UnlockCode, nil
}
