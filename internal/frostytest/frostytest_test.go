package frostytest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	snowballv1 "github.com/aws/aws-sdk-go/service/snowball"
)

// TestHarness checks the harness itself: a signed client reaches the server
// on the fake clock, even after the clock has moved far from real time.
func TestHarness(t *testing.T) {
	s := MustStart(t, Options{})
	s.Clock.Advance(400 * 24 * 3600 * 1e9)
	out, err := s.Alice().CreateAddress(t.Context(), &snowball.CreateAddressInput{Address: &types.Address{
		Street1: aws.String("1 Main"), City: aws.String("Seattle"), Country: aws.String("US"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(aws.ToString(out.AddressId)); got != 40 {
		t.Errorf("AddressId %q has length %d, want 40", aws.ToString(out.AddressId), got)
	}
	t.Run("V1", func(t *testing.T) {
		v1, err := s.AliceV1().DescribeAddresses(&snowballv1.DescribeAddressesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(v1.Addresses); n != 1 {
			t.Errorf("aws-sdk-go v1 lists %d addresses, want 1", n)
		}
	})
}
