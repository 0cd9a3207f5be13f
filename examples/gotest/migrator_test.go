package migrator

import (
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	"github.com/frostyhq/frosty/frostytest"
)

func newClient(t *testing.T, srv *frostytest.Server) *snowball.Client {
	keyID, secret := srv.Credentials()
	return snowball.New(snowball.Options{BaseEndpoint: aws.String(srv.URL()), Region: srv.Region(),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, "")})
}

func TestOrderAndUnlock(t *testing.T) {
	srv := frostytest.New(t)
	c := newClient(t, srv)
	ctx := t.Context()
	addr, err := c.CreateAddress(ctx, &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US")}})
	if err != nil {
		t.Fatal(err)
	}
	job, err := OrderImport(ctx, c, *addr.AddressId, "arn:aws:s3:::archive")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Unlock(ctx, c, job); err == nil {
		t.Fatal("unlocked a device that has not arrived")
	}
	if err := srv.AdvanceJob(ctx, job, "WithCustomer"); err != nil {
		t.Fatal(err)
	}
	url, code, err := Unlock(ctx, c, job)
	if err != nil || len(code) != 29 {
		t.Fatalf("Unlock: %q %q %v", url, code, err)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body[:8]) != "FROSTYMF" {
		t.Errorf("manifest download: HTTP %d", resp.StatusCode)
	}

	// A year later the device's credentials have expired.
	if err := srv.AdvanceClock(ctx, 361*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	var state *types.InvalidJobStateException
	if _, _, err := Unlock(ctx, c, job); !errors.As(err, &state) {
		t.Errorf("Unlock after 361 days: %v, want InvalidJobStateException", err)
	}
}

// TestOrderRetriesThrottling: the SDK's retries get an order through a
// throttled CreateJob.
func TestOrderRetriesThrottling(t *testing.T) {
	srv := frostytest.New(t, frostytest.WithFault(frostytest.Fault{Operation: "CreateJob", Error: "ThrottlingException", Count: 2}))
	c := newClient(t, srv)
	addr, err := c.CreateAddress(t.Context(), &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OrderImport(t.Context(), c, *addr.AddressId, "arn:aws:s3:::archive"); err != nil {
		t.Errorf("OrderImport through two throttles: %v", err)
	}
}
