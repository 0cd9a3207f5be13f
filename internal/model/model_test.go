package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want Violations
	}{
		{"OK", &DescribeJobRequest{JobId: Ptr("JID123e4567-e89b-12d3-a456-426655440000")}, nil},
		{"ErrRequired", &DescribeJobRequest{}, Violations{"Value null at 'jobId' failed to satisfy constraint: Member must not be null"}},
		{"ErrLengthAndPattern", &DescribeJobRequest{JobId: Ptr("abc")}, Violations{
			"Value 'abc' at 'jobId' failed to satisfy constraint: Member must have length greater than or equal to 39",
			"Value 'abc' at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern: (M|J)ID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
		}},
		{"ErrPatternUppercaseHex", &DescribeJobRequest{JobId: Ptr("JID123E4567-E89B-12D3-A456-426655440000")}, Violations{
			"Value 'JID123E4567-E89B-12D3-A456-426655440000' at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern: (M|J)ID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
		}},
		{"ErrPatternIsAnchored", &DescribeJobRequest{JobId: Ptr("xJID123e4567-e89b-12d3-a456-42665544000")}, Violations{
			"Value 'xJID123e4567-e89b-12d3-a456-42665544000' at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern: (M|J)ID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
		}},
		{"ErrEnum", &CreateJobRequest{JobType: Ptr(JobType("IMPORTS"))}, Violations{
			"Value 'IMPORTS' at 'jobType' failed to satisfy constraint: Member must satisfy enum value set: [IMPORT, EXPORT, LOCAL_USE]",
		}},
		{"ErrRange", &ListJobsRequest{MaxResults: Ptr(int64(101))}, Violations{
			"Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
		}},
		{"ErrEmptyString", &ListJobsRequest{NextToken: Ptr("")}, Violations{
			"Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
		}},
		{"ErrNestedListPath", &CreateJobRequest{Resources: &JobResource{S3Resources: []S3Resource{{}, {BucketArn: Ptr("bucket")}}}}, Violations{
			"Value 'bucket' at 'resources.s3Resources.2.member.bucketArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:*",
		}},
		{"ErrEnumList", &CreateJobRequest{Notification: &Notification{JobStatesToNotify: []JobState{JobStateNew, "Gone"}}}, Violations{
			"Value 'Gone' at 'notification.jobStatesToNotify.2.member' failed to satisfy constraint: Member must satisfy enum value set: [New, PreparingAppliance, PreparingShipment, InTransitToCustomer, WithCustomer, InTransitToAWS, WithAWSSortingFacility, WithAWS, InProgress, Complete, Cancelled, Listing, Pending]",
		}},
		{"OKEmail", &CreateJobRequest{PickupDetails: &PickupDetails{Email: Ptr("a@b.co")}}, nil},
		{"ErrEmailLookaheadLength", &CreateJobRequest{PickupDetails: &PickupDetails{Email: Ptr(strings.Repeat("a", 100) + "@b.co")}}, Violations{
			"Value '*** Sensitive Data Redacted ***' at 'pickupDetails.email' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.{3,100}$).+@.+[.].+$",
		}},
		{"ErrDoubleMin", &CreateJobRequest{OnDeviceServiceConfiguration: &OnDeviceServiceConfiguration{S3OnDeviceService: &S3OnDeviceServiceConfiguration{StorageLimit: Ptr(-0.5)}}}, Violations{
			"Value '-0.5' at 'onDeviceServiceConfiguration.s3OnDeviceService.storageLimit' failed to satisfy constraint: Member must have value greater than or equal to 0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Validate(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestViolationsError(t *testing.T) {
	v := Violations{"a", "b"}
	if got, want := v.Error(), "2 validation errors detected: a; b"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := v[:1].Error(), "1 validation error detected: a"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestOmitUnsetKeepZero(t *testing.T) {
	out := JobListEntry{JobId: Ptr("JID"), IsMaster: Ptr(false)}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"IsMaster":false,"JobId":"JID"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	n := Notification{JobStatesToNotify: []JobState{}}
	b, _ = json.Marshal(n)
	if got, want := string(b), `{"JobStatesToNotify":[]}`; got != want {
		t.Errorf("empty list set: got %s, want %s", got, want)
	}
}

func TestTimestamp(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Unix(1480475517, 0), "1480475517"},
		{time.UnixMilli(1480475517250), "1480475517.250"},
	}
	for _, tt := range tests {
		b, err := json.Marshal(Timestamp{tt.in})
		if err != nil || string(b) != tt.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tt.in, b, err, tt.want)
		}
		var back Timestamp
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(tt.in) {
			t.Errorf("round trip of %s = %v, %v", b, back, err)
		}
	}
	var ts Timestamp
	if err := json.Unmarshal([]byte(`"2016-12-24T00:51:15Z"`), &ts); err != nil || ts.Unix() != 1482540675 {
		t.Errorf("RFC 3339 input: %v, %v", ts, err)
	}
	if err := json.Unmarshal([]byte(`true`), &ts); err == nil {
		t.Error("a boolean timestamp was accepted")
	}
}
