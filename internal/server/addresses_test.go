package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

func TestCreateAddress(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()

	t.Run("OK", func(t *testing.T) {
		in := testAddress()
		in.Street2 = aws.String("Suite 100")
		in.AddressId = aws.String(unknownID("ADID")) // ignored: the server issues the ID
		in.PrefectureOrDistrict = aws.String("King") // "no longer used and the value is ignored"
		in.Landmark = aws.String("Space Needle")
		out, err := c.CreateAddress(t.Context(), &snowball.CreateAddressInput{Address: in})
		if err != nil {
			t.Fatal(err)
		}
		id := aws.ToString(out.AddressId)
		if !reAddressID.MatchString(id) {
			t.Fatalf("AddressId = %q, want ADID + UUIDv4", id)
		}
		if id == aws.ToString(in.AddressId) {
			t.Errorf("the server kept the client-supplied AddressId %s", id)
		}
		got, err := c.DescribeAddress(t.Context(), &snowball.DescribeAddressInput{AddressId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		want := testAddress()
		want.Street2 = aws.String("Suite 100")
		want.AddressId = aws.String(id)
		want.Type = types.AddressTypeAwsShip // BEHAVIOR §4.6: Type defaults to AWS_SHIP
		if diff := cmp.Diff(want, got.Address, sdkOpts); diff != "" {
			t.Errorf("DescribeAddress mismatch (-want +got):\n%s", diff)
		}
	})

	// aws-sdk-go-v2 never sends a false IsRestricted and cannot tell a false
	// one in a response from none, so this request is raw.
	t.Run("OKIsRestrictedFalse", func(t *testing.T) {
		id := mustRaw(t, s, "CreateAddress", `{"Address":{"Street1":"1 Main","City":"Seattle","Country":"US","IsRestricted":false}}`)["AddressId"].(string)
		a := mustRaw(t, s, "DescribeAddress", `{"AddressId":"`+id+`"}`)["Address"].(map[string]any)
		if v, ok := a["IsRestricted"]; !ok || v != false {
			t.Errorf("IsRestricted = %v (present %v), want false present", v, ok)
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
		clear func(*types.Address)
	}{
		{"ErrInvalidAddressNoStreet1", func(a *types.Address) { a.Street1 = nil }},
		{"ErrInvalidAddressNoCity", func(a *types.Address) { a.City = nil }},
		{"ErrInvalidAddressNoCountry", func(a *types.Address) { a.Country = nil }},
		{"ErrInvalidAddressBlankCity", func(a *types.Address) { a.City = aws.String("   ") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := testAddress()
			tc.clear(a)
			_, err := c.CreateAddress(t.Context(), &snowball.CreateAddressInput{Address: a})
			wantErr[*types.InvalidAddressException](t, err)
		})
	}
}

func TestDescribeAddress(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	id := mustCreateAddress(t, s.Alice())

	t.Run("OK", func(t *testing.T) {
		out, err := s.Alice().DescribeAddress(t.Context(), &snowball.DescribeAddressInput{AddressId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.Address.AddressId); got != id {
			t.Errorf("AddressId = %s, want %s", got, id)
		}
	})
	t.Run("ErrInvalidResourceUnknown", func(t *testing.T) {
		_, err := s.Alice().DescribeAddress(t.Context(), &snowball.DescribeAddressInput{AddressId: aws.String(unknownID("ADID"))})
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		_, err := s.Bob().DescribeAddress(t.Context(), &snowball.DescribeAddressInput{AddressId: aws.String(id)})
		wantResource(t, err, "ADDRESS")
	})
}

func TestDescribeAddresses(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()

	t.Run("OKEmpty", func(t *testing.T) {
		out, err := c.DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{})
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
		out, err := c.DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range out.Addresses {
			got = append(got, aws.ToString(a.AddressId))
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
		err := eachPage(t.Context(), snowball.NewDescribeAddressesPaginator(c, &snowball.DescribeAddressesInput{MaxResults: aws.Int32(2)}),
			func(p *snowball.DescribeAddressesOutput, last bool) {
				pages++
				if len(p.Addresses) > 2 {
					t.Errorf("page of %d addresses, MaxResults 2", len(p.Addresses))
				}
				for _, a := range p.Addresses {
					got = append(got, aws.ToString(a.AddressId))
				}
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
		out, err := s.Bob().DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Addresses) != 0 {
			t.Errorf("Bob sees %d of Alice's addresses", len(out.Addresses))
		}
	})

	t.Run("ErrInvalidNextToken", func(t *testing.T) {
		_, err := c.DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{NextToken: aws.String("forged-token")})
		wantErr[*types.InvalidNextTokenException](t, err)
	})

	t.Run("ErrInvalidNextTokenFromOtherOperation", func(t *testing.T) {
		for range 2 {
			mustCreateImportJob(t, c)
		}
		jobs, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{MaxResults: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		if jobs.NextToken == nil {
			t.Fatal("ListJobs gave no NextToken")
		}
		_, err = c.DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{NextToken: jobs.NextToken})
		wantErr[*types.InvalidNextTokenException](t, err)
	})
}
