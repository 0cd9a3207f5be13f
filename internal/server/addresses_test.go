package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/snowball"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

func TestCreateAddress(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()

	t.Run("OK", func(t *testing.T) {
		in := testAddress()
		in.Street2 = aws.String("Suite 100")
		in.IsRestricted = aws.Bool(false)
		in.AddressId = aws.String(unknownID("ADID")) // ignored: the server issues the ID
		in.PrefectureOrDistrict = aws.String("King") // "no longer used and the value is ignored"
		in.Landmark = aws.String("Space Needle")
		out, err := c.CreateAddress(&snowball.CreateAddressInput{Address: in})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.StringValue(out.AddressId)
		if !reAddressID.MatchString(id) {
			t.Fatalf("AddressId = %q, want ADID + UUIDv4", id)
		}
		if id == aws.StringValue(in.AddressId) {
			t.Errorf("the server kept the client-supplied AddressId %s", id)
		}
		got, err := c.DescribeAddress(&snowball.DescribeAddressInput{AddressId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		want := testAddress()
		want.Street2 = aws.String("Suite 100")
		want.IsRestricted = aws.Bool(false)
		want.AddressId = aws.String(id)
		want.Type = aws.String(snowball.AddressTypeAwsShip) // BEHAVIOR §4.6: Type defaults to AWS_SHIP
		if diff := cmp.Diff(want, got.Address, sdkOpts); diff != "" {
			t.Errorf("DescribeAddress mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("OKEveryCallIsNew", func(t *testing.T) {
		a := mustCreateAddress(t, c)
		b := mustCreateAddress(t, c)
		if a == b {
			t.Errorf("two CreateAddress calls returned the same ID %s", a)
		}
	})

	for _, tc := range []struct {
		name  string
		clear func(*snowball.Address)
	}{
		{"ErrInvalidAddressNoStreet1", func(a *snowball.Address) { a.Street1 = nil }},
		{"ErrInvalidAddressNoCity", func(a *snowball.Address) { a.City = nil }},
		{"ErrInvalidAddressNoCountry", func(a *snowball.Address) { a.Country = nil }},
		{"ErrInvalidAddressBlankCity", func(a *snowball.Address) { a.City = aws.String("   ") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := testAddress()
			tc.clear(a)
			_, err := c.CreateAddress(&snowball.CreateAddressInput{Address: a})
			wantErr[*snowball.InvalidAddressException](t, err)
		})
	}
}

func TestDescribeAddress(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	id := mustCreateAddress(t, s.Alice())

	t.Run("OK", func(t *testing.T) {
		out, err := s.Alice().DescribeAddress(&snowball.DescribeAddressInput{AddressId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.StringValue(out.Address.AddressId); got != id {
			t.Errorf("AddressId = %s, want %s", got, id)
		}
	})
	t.Run("ErrInvalidResourceUnknown", func(t *testing.T) {
		_, err := s.Alice().DescribeAddress(&snowball.DescribeAddressInput{AddressId: aws.String(unknownID("ADID"))})
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		_, err := s.Bob().DescribeAddress(&snowball.DescribeAddressInput{AddressId: aws.String(id)})
		wantResource(t, err, "ADDRESS")
	})
}

func TestDescribeAddresses(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()

	t.Run("OKEmpty", func(t *testing.T) {
		out, err := c.DescribeAddresses(&snowball.DescribeAddressesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if out.Addresses == nil || len(out.Addresses) != 0 || out.NextToken != nil {
			t.Errorf("got %v, want an empty Addresses list and no NextToken", out)
		}
	})

	var ids []string
	for range 5 {
		ids = append(ids, mustCreateAddress(t, c))
	}

	t.Run("OK", func(t *testing.T) {
		out, err := c.DescribeAddresses(&snowball.DescribeAddressesInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range out.Addresses {
			got = append(got, aws.StringValue(a.AddressId))
		}
		if diff := cmp.Diff(ids, got); diff != "" {
			t.Errorf("addresses in creation order (-want +got):\n%s", diff)
		}
		if out.NextToken != nil {
			t.Errorf("NextToken = %q on the last page", *out.NextToken)
		}
	})

	t.Run("OKPagination", func(t *testing.T) {
		var got []string
		pages := 0
		err := c.DescribeAddressesPages(&snowball.DescribeAddressesInput{MaxResults: aws.Int64(2)},
			func(p *snowball.DescribeAddressesOutput, last bool) bool {
				pages++
				if len(p.Addresses) > 2 {
					t.Errorf("page of %d addresses, MaxResults 2", len(p.Addresses))
				}
				for _, a := range p.Addresses {
					got = append(got, aws.StringValue(a.AddressId))
				}
				return true
			})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ids, got); diff != "" {
			t.Errorf("paged addresses (-want +got):\n%s", diff)
		}
		if pages != 3 {
			t.Errorf("%d pages, want 3", pages)
		}
	})

	t.Run("OKOtherAccountSeesNone", func(t *testing.T) {
		out, err := s.Bob().DescribeAddresses(&snowball.DescribeAddressesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Addresses) != 0 {
			t.Errorf("Bob sees %d of Alice's addresses", len(out.Addresses))
		}
	})

	t.Run("ErrInvalidNextToken", func(t *testing.T) {
		_, err := c.DescribeAddresses(&snowball.DescribeAddressesInput{NextToken: aws.String("forged-token")})
		wantErr[*snowball.InvalidNextTokenException](t, err)
	})

	t.Run("ErrInvalidNextTokenFromOtherOperation", func(t *testing.T) {
		for range 2 {
			mustCreateImportJob(t, c)
		}
		jobs, err := c.ListJobs(&snowball.ListJobsInput{MaxResults: aws.Int64(1)})
		if err != nil {
			t.Fatal(err)
		}
		if jobs.NextToken == nil {
			t.Fatal("ListJobs gave no NextToken")
		}
		_, err = c.DescribeAddresses(&snowball.DescribeAddressesInput{NextToken: jobs.NextToken})
		wantErr[*snowball.InvalidNextTokenException](t, err)
	})
}
