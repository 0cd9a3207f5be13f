package frostytest_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	"github.com/frostyhq/frosty/frostytest"
)

// A test gets a Snowball client in three lines; in a test, frostytest.New(t)
// replaces Start and Close.
func Example() {
	srv, _ := frostytest.Start()
	defer srv.Close()
	keyID, secret := srv.Credentials()
	client := snowball.New(snowball.Options{BaseEndpoint: aws.String(srv.URL()), Region: srv.Region(),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")})

	ctx := context.Background()
	addr, _ := client.CreateAddress(ctx, &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US")}})
	job, _ := client.CreateJob(ctx, &snowball.CreateJobInput{
		JobType: types.JobTypeImport, SnowballType: types.SnowballTypeEdge, AddressId: addr.AddressId,
		ShippingOption: types.ShippingOptionSecondDay,
		Resources:      &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::my-bucket")}}},
	})
	srv.AdvanceJob(ctx, *job.JobId, "WithCustomer")
	out, _ := client.DescribeJob(ctx, &snowball.DescribeJobInput{JobId: job.JobId})
	fmt.Println(out.JobMetadata.JobState)
	// Output: WithCustomer
}
