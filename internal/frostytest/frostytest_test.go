package frostytest

import (
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/snowball"
)

// TestHarness checks the harness itself: a signed client reaches the server
// on the fake clock, even after the clock has moved far from real time.
func TestHarness(t *testing.T) {
	s := MustStart(t, Options{})
	s.Clock.Advance(400 * 24 * 3600 * 1e9)
	out, err := s.Alice().CreateAddress(&snowball.CreateAddressInput{Address: &snowball.Address{
		Street1: aws.String("1 Main"), City: aws.String("Seattle"), Country: aws.String("US"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(aws.StringValue(out.AddressId)); got != 40 {
		t.Errorf("AddressId %q has length %d, want 40", aws.StringValue(out.AddressId), got)
	}
}
