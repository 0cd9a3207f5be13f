package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"

	"github.com/frostyhq/frosty/internal/postgres/pgtest"
)

// TestStorePostgres runs the real binary on PostgreSQL (--store): what it
// acknowledged is there after a kill -9 and a restart, on a new data
// directory but the same database.
func TestStorePostgres(t *testing.T) {
	url := pgtest.MustSchema(t)
	data := t.TempDir()
	p := startServer(t, data, "--store", url)
	ctx := context.Background()
	addr, err := p.client().CreateAddress(ctx, &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("1 Main St"), City: aws.String("Seattle"), Country: aws.String("US")}})
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()

	p = startServer(t, data, "--store", url)
	out, err := p.client().DescribeAddress(ctx, &snowball.DescribeAddressInput{AddressId: addr.AddressId})
	if err != nil || aws.ToString(out.Address.Street1) != "1 Main St" {
		t.Fatalf("after a restart on PostgreSQL: %+v, %v", out, err)
	}
	if _, errOut, code := frosty(t, "health", "--endpoint", p.url); code != 0 {
		t.Errorf("frosty health on PostgreSQL: exit %d %s", code, errOut)
	}
}

func TestStoreFlag(t *testing.T) {
	_, errOut, code := frosty(t, "serve", "--listen", "127.0.0.1:0", "--data", t.TempDir(), "--store", "mysql://x")
	if code != 2 || !strings.Contains(errOut, `"mysql://" is not a store`) {
		t.Errorf("--store mysql://x: exit %d, %q", code, errOut)
	}
	_, errOut, code = frosty(t, "serve", "--listen", "127.0.0.1:0", "--data", t.TempDir(), "--store", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
	if code != 1 || !strings.Contains(errOut, "--store") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("--store with no server behind it: exit %d, %q; want one line naming --store", code, errOut)
	}
}
