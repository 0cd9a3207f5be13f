package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
}

// TestTimestampUnmarshal checks that a timestamp is epoch seconds in years
// 0001 to 9999 and that nothing else is taken as one.
func TestTimestampUnmarshal(t *testing.T) {
	tests := []struct {
		name, in string
		want     *time.Time // nil: an error
	}{
		{"OKSeconds", "1482540675", Ptr(time.Unix(1482540675, 0))},
		{"OKMillis", "1482540675.25", Ptr(time.UnixMilli(1482540675250))},
		{"OKExponent", "1.482540675e9", Ptr(time.Unix(1482540675, 0))},
		{"OKNegative", "-1", Ptr(time.Unix(-1, 0))},
		{"OKYear1", "-62135596800", Ptr(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))},
		{"OKYear9999", "253402300799", Ptr(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC))},
		{"ErrBeforeYear1", "-62135596801", nil},
		{"ErrAfterYear9999", "253402300800", nil},
		{"ErrHuge", "1e300", nil},
		{"ErrOverflow", "1e400", nil},
		{"ErrNegativeOverflow", "-1e400", nil},
		{"ErrRFC3339", `"2016-12-24T00:51:15Z"`, nil},
		{"ErrNumberInString", `"1482540675"`, nil},
		{"ErrBool", "true", nil},
		{"ErrObject", "{}", nil},
		{"ErrInf", "Inf", nil},
		{"ErrNaN", "NaN", nil},
		{"ErrHexFloat", "0x1p10", nil},
		{"ErrPlus", "+1", nil},
		{"ErrEmpty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Timestamp
			err := got.UnmarshalJSON([]byte(tt.in))
			if tt.want == nil {
				if err == nil {
					t.Errorf("UnmarshalJSON(%s) = %v, want an error", tt.in, got.Time)
				}
				return
			}
			if err != nil || !got.Equal(*tt.want) {
				t.Errorf("UnmarshalJSON(%s) = %v, %v; want %v", tt.in, got.Time, err, *tt.want)
			}
		})
	}
	t.Run("OKNullLeavesAsIs", func(t *testing.T) {
		ts := Timestamp{time.Unix(5, 0)}
		if err := ts.UnmarshalJSON([]byte("null")); err != nil || ts.Unix() != 5 {
			t.Errorf("null: %v, %v", ts.Time, err)
		}
	})
	t.Run("ErrEchoTruncated", func(t *testing.T) {
		var ts Timestamp
		err := ts.UnmarshalJSON([]byte("1" + strings.Repeat("0", 10000)))
		if err == nil || len(err.Error()) > 400 {
			t.Errorf("error for a 10001-digit timestamp: %.500v", err)
		}
	})
}

func TestTruncate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"OKShort", "abc", "abc"},
		{"OKAtLimit", strings.Repeat("a", EchoLimit), strings.Repeat("a", EchoLimit)},
		{"OKMultibyteAtLimit", strings.Repeat("é", EchoLimit), strings.Repeat("é", EchoLimit)},
		{"Long", strings.Repeat("a", EchoLimit+1), strings.Repeat("a", EchoLimit) + "...(truncated, 257 characters)"},
		{"LongMultibyte", strings.Repeat("日", 1000), strings.Repeat("日", EchoLimit) + "...(truncated, 1000 characters)"},
		{"InvalidUTF8", strings.Repeat("\xff", 300), strings.Repeat("\xff", EchoLimit) + "...(truncated, 300 characters)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.in)
			if got != tt.want {
				t.Errorf("Truncate(%d bytes) = %q, want %q", len(tt.in), got, tt.want)
			}
			if utf8.ValidString(tt.in) && !utf8.ValidString(got) {
				t.Errorf("Truncate cut a UTF-8 sequence: %q", got)
			}
		})
	}
}

// TestViolationsBounded checks that a ValidationException message stays
// small however large or many the bad values are.
func TestViolationsBounded(t *testing.T) {
	huge := strings.Repeat("x", 1_000_000)
	t.Run("ValueTruncated", func(t *testing.T) {
		got := Validate(&CreateAddressRequest{Address: &Address{Street1: &huge}})
		want := Violations{"Value '" + strings.Repeat("x", EchoLimit) + "...(truncated, 1000000 characters)' at 'address.street1' " +
			"failed to satisfy constraint: Member must have length less than or equal to 1024"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Validate() mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("NumberTruncated", func(t *testing.T) {
		got := Validate(&CreateJobRequest{OnDeviceServiceConfiguration: &OnDeviceServiceConfiguration{
			S3OnDeviceService: &S3OnDeviceServiceConfiguration{StorageLimit: Ptr(-1e308)}}})
		if len(got) != 1 || !strings.Contains(got[0], "...(truncated, 310 characters)' at 'onDeviceServiceConfiguration.s3OnDeviceService.storageLimit'") {
			t.Errorf("Validate() = %v", got)
		}
	})
	t.Run("TenHugeMembers", func(t *testing.T) {
		a := &Address{}
		for _, p := range []**string{&a.City, &a.Company, &a.Country, &a.Landmark, &a.Name,
			&a.PostalCode, &a.PrefectureOrDistrict, &a.StateOrProvince, &a.Street1, &a.Street2} {
			*p = Ptr(huge[:100_000])
		}
		v := Validate(&CreateAddressRequest{Address: a})
		if len(v) != 10 {
			t.Fatalf("%d violations, want 10", len(v))
		}
		if msg := v.Error(); len(msg) > 4200 {
			t.Errorf("message of 10 huge members is %d bytes", len(msg))
		}
	})
	t.Run("ManyViolationsCounted", func(t *testing.T) {
		var res []S3Resource
		for range 20_000 {
			res = append(res, S3Resource{BucketArn: Ptr("x")})
		}
		v := Validate(&CreateJobRequest{Resources: &JobResource{S3Resources: res}})
		msg := v.Error()
		if len(v) != 20_000 || !strings.HasPrefix(msg, "20000 validation errors detected: ") || !strings.HasSuffix(msg, "; and 19990 more") {
			t.Errorf("%d violations, message %.200q...%q", len(v), msg, msg[max(0, len(msg)-40):])
		}
		if got := strings.Count(msg, "failed to satisfy constraint"); got != ListedViolations {
			t.Errorf("message spells out %d violations, want %d", got, ListedViolations)
		}
	})
}
