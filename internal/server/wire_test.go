package server_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

const jobIDPattern = "(M|J)ID[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

// TestValidationException checks the Coral-style messages of model
// violations the SDK does not catch itself.
func TestValidationException(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	for _, tc := range []struct {
		name, target, body, message string
	}{
		{"ErrJobIDTooShortAndPattern", "DescribeJob", `{"JobId":"abc"}`,
			"2 validation errors detected: " +
				"Value 'abc' at 'jobId' failed to satisfy constraint: Member must have length greater than or equal to 39; " +
				"Value 'abc' at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern: " + jobIDPattern},
		{"ErrJobIDMissing", "DescribeJob", `{}`,
			"1 validation error detected: Value null at 'jobId' failed to satisfy constraint: Member must not be null"},
		{"ErrJobIDUpperCaseHex", "CancelJob", `{"JobId":"JID123E4567-E89B-12D3-A456-426655440000"}`,
			"1 validation error detected: Value 'JID123E4567-E89B-12D3-A456-426655440000' at 'jobId' failed to satisfy constraint: " +
				"Member must satisfy regular expression pattern: " + jobIDPattern},
		{"ErrMaxResults101", "ListJobs", `{"MaxResults":101}`,
			"1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{"ErrMaxResultsNegative", "ListClusters", `{"MaxResults":-1}`,
			"1 validation error detected: Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"ErrEmptyNextToken", "ListJobs", `{"NextToken":""}`,
			"1 validation error detected: Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"ErrShipmentStateEnum", "UpdateJobShipmentState", `{"JobId":"JID123e4567-e89b-12d3-a456-426655440000","ShipmentState":"LOST"}`,
			"1 validation error detected: Value 'LOST' at 'shipmentState' failed to satisfy constraint: Member must satisfy enum value set: [RECEIVED, RETURNED]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := doRaw(t, s, rawRequest{Target: tc.target, Body: tc.body, Cred: &alice})
			body := wantRawError(t, r, "ValidationException")
			if got := body["message"]; got != tc.message {
				t.Errorf("message =\n%v\nwant\n%s", got, tc.message)
			}
			if _, ok := body["Message"]; ok {
				t.Errorf("a framework error carries Message as well as message: %s", r.Body)
			}
		})
	}
	t.Run("ErrNestedPath", func(t *testing.T) {
		r := doRaw(t, s, rawRequest{Target: "CreateJob", Cred: &alice,
			Body: `{"Resources":{"Ec2AmiResources":[{"AmiId":"ami-0123abcd"},{"AmiId":"ami-XYZ"}]}}`})
		body := wantRawError(t, r, "ValidationException")
		if msg, _ := body["message"].(string); !strings.Contains(msg, "Value 'ami-XYZ' at 'resources.ec2AmiResources.2.member.amiId'") {
			t.Errorf("message %q does not name resources.ec2AmiResources.2.member.amiId", msg)
		}
	})
	t.Run("ErrThroughSDK", func(t *testing.T) {
		_, err := s.Alice().ListJobs(t.Context(), &snowball.ListJobsInput{MaxResults: aws.Int32(101)})
		ae := wantCode(t, err, "ValidationException")
		if !strings.HasPrefix(ae.ErrorMessage(), "1 validation error detected: ") {
			t.Errorf("ErrorMessage() = %q", ae.ErrorMessage())
		}
	})
}

func TestSerializationException(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	for _, tc := range []struct {
		name, target, body string
	}{
		{"ErrArray", "ListJobs", `[]`},
		{"ErrString", "ListJobs", `"ListJobs"`},
		{"ErrMaxResultsString", "ListJobs", `{"MaxResults":"x"}`},
		{"ErrJobIDNumber", "DescribeJob", `{"JobId":5}`},
		{"ErrAddressNotObject", "CreateAddress", `{"Address":"1 Main St"}`},
		{"ErrInvalidJSON", "ListJobs", `{`},
		{"ErrTrailingGarbage", "ListJobs", `{} x`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := doRaw(t, s, rawRequest{Target: tc.target, Body: tc.body, Cred: &alice})
			body := wantRawError(t, r, "SerializationException")
			if msg, _ := body["message"].(string); msg == "" {
				t.Errorf("no message: %s", r.Body)
			}
		})
	}
	t.Run("OKEmptyBody", func(t *testing.T) {
		got := mustRaw(t, s, "GetSnowballUsage", "")
		want := map[string]any{"SnowballLimit": json.Number("1"), "SnowballsInUse": json.Number("0")}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GetSnowballUsage with no body (-want +got):\n%s", diff)
		}
	})
	t.Run("OKUnknownMembersIgnored", func(t *testing.T) {
		mustRaw(t, s, "DescribeAddresses", `{"Frosty":true,"MaxResults":5}`)
	})
}

func TestUnknownOperation(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	for _, tc := range []struct{ name, target string }{
		{"ErrNoSuchOperation", "AWSIESnowballJobManagementService.DeleteJob"},
		{"ErrWrongPrefix", "AmazonS3.ListJobs"},
		{"ErrNoOperation", "AWSIESnowballJobManagementService."},
		{"ErrCaseMismatch", "AWSIESnowballJobManagementService.listJobs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantRawError(t, doRaw(t, s, rawRequest{Target: tc.target, Body: "{}", Cred: &alice}), "UnknownOperationException")
		})
	}
}

// TestResponseEnvelope checks what every response carries and how modeled
// errors are shaped.
func TestResponseEnvelope(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})

	t.Run("OKHeaders", func(t *testing.T) {
		r := doRaw(t, s, rawRequest{Target: "ListJobs", Body: "{}", Cred: &alice})
		if r.Status != http.StatusOK {
			t.Fatalf("HTTP %d %s", r.Status, r.Body)
		}
		if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
			t.Errorf("Content-Type = %q", got)
		}
		if r.Header.Get("X-Amzn-Requestid") == "" {
			t.Error("no x-amzn-RequestId")
		}
		if got := r.Header.Get("X-Amzn-ErrorType"); got != "" {
			t.Errorf("X-Amzn-ErrorType %q on a success", got)
		}
	})
	t.Run("OKRequestIDsDiffer", func(t *testing.T) {
		a := doRaw(t, s, rawRequest{Target: "ListJobs", Body: "{}", Cred: &alice}).Header.Get("X-Amzn-Requestid")
		b := doRaw(t, s, rawRequest{Target: "ListJobs", Body: "{}", Cred: &alice}).Header.Get("X-Amzn-Requestid")
		if a == b {
			t.Errorf("two requests share the request ID %q", a)
		}
	})
	t.Run("OKEmptyResult", func(t *testing.T) {
		id := mustCreateImportJob(t, s.Alice())
		r := doRaw(t, s, rawRequest{Target: "CancelJob", Body: `{"JobId":"` + id + `"}`, Cred: &alice})
		if r.Status != http.StatusOK || string(r.Body) != "{}" {
			t.Errorf("CancelJob: HTTP %d %s, want 200 {}", r.Status, r.Body)
		}
	})
	t.Run("ErrModeledErrorShape", func(t *testing.T) {
		id := unknownID("JID")
		r := doRaw(t, s, rawRequest{Target: "DescribeJob", Body: `{"JobId":"` + id + `"}`, Cred: &alice})
		body := wantRawError(t, r, "InvalidResourceException")
		want := map[string]any{
			"__type":       "InvalidResourceException",
			"Message":      "The specified job ID " + id + " does not exist.",
			"ResourceType": "JOB",
		}
		if diff := cmp.Diff(want, body); diff != "" {
			t.Errorf("error body (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrConflictResourceTopLevel", func(t *testing.T) {
		id := mustJobWithCustomer(t, s, s.Alice())
		mustRaw(t, s, "CreateReturnShippingLabel", `{"JobId":"`+id+`"}`)
		r := doRaw(t, s, rawRequest{Target: "CreateReturnShippingLabel", Body: `{"JobId":"` + id + `"}`, Cred: &alice})
		if got := wantRawError(t, r, "ConflictException")["ConflictResource"]; got != id {
			t.Errorf("ConflictResource = %v, want %s", got, id)
		}
	})
	t.Run("ErrGetRoot", func(t *testing.T) {
		status, body := frostytest.Get(t, s.URL+"/")
		if status == http.StatusOK {
			t.Errorf("GET /: HTTP 200 %s", body)
		}
	})
}

// TestInjectedErrorsTyped covers the modeled exceptions Frosty never
// raises by itself: injected as faults, each reaches aws-sdk-go-v2 as its
// type, message included.
func TestInjectedErrorsTyped(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	inject := func(t *testing.T, op, code string) {
		t.Helper()
		mustOperator(t, s, http.MethodPost, "/_frosty/faults",
			map[string]any{"operation": op, "error": code, "message": "injected", "count": 1}, http.StatusCreated)
	}
	createJob := func(t *testing.T) error {
		_, err := c.CreateJob(t.Context(), importJob(addr))
		return err
	}
	for _, tc := range []struct {
		name, op string
		call     func(*testing.T) error
		check    func(*testing.T, error) string // the error's message
	}{
		{"Ec2RequestFailedException", "CreateJob", createJob, func(t *testing.T, err error) string {
			return aws.ToString(wantErr[*types.Ec2RequestFailedException](t, err).Message)
		}},
		{"KMSRequestFailedException", "CreateJob", createJob, func(t *testing.T, err error) string {
			return aws.ToString(wantErr[*types.KMSRequestFailedException](t, err).Message)
		}},
		{"UnsupportedAddressException", "CreateAddress", func(t *testing.T) error {
			_, err := c.CreateAddress(t.Context(), &snowball.CreateAddressInput{Address: testAddress()})
			return err
		}, func(t *testing.T, err error) string {
			return aws.ToString(wantErr[*types.UnsupportedAddressException](t, err).Message)
		}},
	} {
		t.Run("Err"+strings.TrimSuffix(tc.name, "Exception"), func(t *testing.T) {
			inject(t, tc.op, tc.name)
			if msg := tc.check(t, tc.call(t)); msg != "injected" {
				t.Errorf("Message = %q, want injected", msg)
			}
		})
	}
}

// keys returns the sorted keys of a JSON object.
func keys(tb testing.TB, v any) []string {
	tb.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		tb.Fatalf("%v is not a JSON object", v)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestOutputFidelity checks that a member never set is absent, one set to
// false, 0 or an empty list is present, and timestamps are numbers.
func TestOutputFidelity(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	in := importJob(addr)
	in.KmsKeyARN, in.RoleARN = nil, nil
	id := mustCreateJob(t, c, in)

	t.Run("OKDescribeJobNew", func(t *testing.T) {
		got := mustRaw(t, s, "DescribeJob", `{"JobId":"`+id+`"}`)
		if diff := cmp.Diff([]string{"JobMetadata"}, keys(t, got)); diff != "" {
			t.Errorf("DescribeJob of a standalone job: top-level keys (-want +got):\n%s", diff)
		}
		md := got["JobMetadata"].(map[string]any)
		want := []string{
			"AddressId", "CreationDate", "JobId", "JobState", "JobType", "RemoteManagement",
			"Resources", "ShippingDetails", "SnowballCapacityPreference", "SnowballType",
		}
		if diff := cmp.Diff(want, keys(t, md)); diff != "" {
			t.Errorf("JobMetadata keys of a New job (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]any{"ShippingOption": "SECOND_DAY"}, md["ShippingDetails"]); diff != "" {
			t.Errorf("ShippingDetails of a New job (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]any{"S3Resources": []any{map[string]any{"BucketArn": testBucketARN}}}, md["Resources"]); diff != "" {
			t.Errorf("Resources (-want +got):\n%s", diff)
		}
		n, ok := md["CreationDate"].(json.Number)
		if !ok {
			t.Fatalf("CreationDate = %#v, want a JSON number", md["CreationDate"])
		}
		if f, _ := n.Float64(); f != float64(frostytest.Start.Unix()) {
			t.Errorf("CreationDate = %s, want %d", n, frostytest.Start.Unix())
		}
	})

	t.Run("OKFalseAndEmptyPresent", func(t *testing.T) {
		// aws-sdk-go-v2 never sends a false NotifyAll, so the request is raw.
		id := mustRaw(t, s, "CreateJob", `{"JobType":"IMPORT","SnowballType":"EDGE","AddressId":"`+addr+`","ShippingOption":"SECOND_DAY",
			"Notification":{"NotifyAll":false,"JobStatesToNotify":[]},
			"Resources":{"S3Resources":[{"BucketArn":"`+testBucketARN+`","KeyRange":{}}]}}`)["JobId"].(string)
		md := mustRaw(t, s, "DescribeJob", `{"JobId":"`+id+`"}`)["JobMetadata"].(map[string]any)
		if diff := cmp.Diff(map[string]any{"NotifyAll": false, "JobStatesToNotify": []any{}}, md["Notification"]); diff != "" {
			t.Errorf("Notification (-want +got):\n%s", diff)
		}
		wantRes := map[string]any{"S3Resources": []any{map[string]any{"BucketArn": testBucketARN, "KeyRange": map[string]any{}}}}
		if diff := cmp.Diff(wantRes, md["Resources"]); diff != "" {
			t.Errorf("Resources with KeyRange {} (-want +got):\n%s", diff)
		}
	})

	t.Run("OKListJobsIsMasterFalse", func(t *testing.T) {
		got := mustRaw(t, s, "ListJobs", `{"MaxResults":1}`)
		entries := got["JobListEntries"].([]any)
		e := entries[0].(map[string]any)
		if v, ok := e["IsMaster"]; !ok || v != false {
			t.Errorf("IsMaster = %v (present %v), want false present", v, ok)
		}
		if diff := cmp.Diff([]string{"CreationDate", "IsMaster", "JobId", "JobState", "JobType", "SnowballType"}, keys(t, e)); diff != "" {
			t.Errorf("JobListEntry keys (no Description set) (-want +got):\n%s", diff)
		}
		if _, ok := e["CreationDate"].(json.Number); !ok {
			t.Errorf("CreationDate = %#v, want a JSON number", e["CreationDate"])
		}
		if _, ok := got["NextToken"].(string); !ok {
			t.Errorf("NextToken = %#v with more jobs to list", got["NextToken"])
		}
	})

	t.Run("OKNoNextTokenAtEnd", func(t *testing.T) {
		got := mustRaw(t, s, "ListJobs", `{}`)
		if _, ok := got["NextToken"]; ok {
			t.Errorf("NextToken present on the last page: %v", got["NextToken"])
		}
	})

	t.Run("OKFractionalTimestamp", func(t *testing.T) {
		s.Clock.Advance(1500 * time.Millisecond)
		id := mustCreateJob(t, c, importJob(addr))
		md := mustRaw(t, s, "DescribeJob", `{"JobId":"`+id+`"}`)["JobMetadata"].(map[string]any)
		n, ok := md["CreationDate"].(json.Number)
		if !ok {
			t.Fatalf("CreationDate = %#v, want a JSON number", md["CreationDate"])
		}
		f, _ := n.Float64()
		want := float64(frostytest.Start.Add(1500*time.Millisecond).UnixMilli()) / 1000
		if f != want {
			t.Errorf("CreationDate = %s, want %s", n, strconv.FormatFloat(want, 'f', -1, 64))
		}
	})

	t.Run("OKExportMasterSubJobMetadata", func(t *testing.T) {
		master := mustCreateJob(t, c, exportJob(addr))
		got := mustRaw(t, s, "DescribeJob", `{"JobId":"`+master+`"}`)
		if _, ok := got["SubJobMetadata"]; !ok {
			t.Errorf("DescribeJob of an export master lacks SubJobMetadata: %v", keys(t, got))
		}
	})

	t.Run("OKDescribeAddress", func(t *testing.T) {
		got := mustRaw(t, s, "DescribeAddress", `{"AddressId":"`+addr+`"}`)["Address"]
		want := []string{"AddressId", "City", "Company", "Country", "Name", "PhoneNumber", "PostalCode", "StateOrProvince", "Street1", "Type"}
		if diff := cmp.Diff(want, keys(t, got)); diff != "" {
			t.Errorf("Address keys (-want +got):\n%s", diff)
		}
	})

	t.Run("OKDescribeCluster", func(t *testing.T) {
		id := mustRaw(t, s, "CreateCluster", `{"JobType":"LOCAL_USE","SnowballType":"EDGE","ShippingOption":"SECOND_DAY","AddressId":"`+addr+`"}`)["ClusterId"].(string)
		md := mustRaw(t, s, "DescribeCluster", `{"ClusterId":"`+id+`"}`)["ClusterMetadata"]
		want := []string{"AddressId", "ClusterId", "ClusterState", "CreationDate", "JobType", "ShippingOption", "SnowballType"}
		if diff := cmp.Diff(want, keys(t, md)); diff != "" {
			t.Errorf("ClusterMetadata keys of a minimal cluster (-want +got):\n%s", diff)
		}
		if _, ok := md.(map[string]any)["CreationDate"].(json.Number); !ok {
			t.Errorf("CreationDate = %#v, want a JSON number", md.(map[string]any)["CreationDate"])
		}
	})

	t.Run("OKListLongTermPricing", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		mustRaw(t, s, "CreateLongTermPricing", `{"LongTermPricingType":"OneYear","SnowballType":"EDGE"}`)
		entries := mustRaw(t, s, "ListLongTermPricing", `{}`)["LongTermPricingEntries"].([]any)
		e := entries[0].(map[string]any)
		want := []string{
			"IsLongTermPricingAutoRenew", "JobIds", "LongTermPricingEndDate", "LongTermPricingId", "LongTermPricingStartDate",
			"LongTermPricingStatus", "LongTermPricingType", "SnowballType",
		}
		if diff := cmp.Diff(want, keys(t, e)); diff != "" {
			t.Errorf("LongTermPricingListEntry keys (-want +got):\n%s", diff)
		}
		if e["IsLongTermPricingAutoRenew"] != false {
			t.Errorf("IsLongTermPricingAutoRenew = %#v, want false", e["IsLongTermPricingAutoRenew"])
		}
		for _, k := range []string{"LongTermPricingStartDate", "LongTermPricingEndDate"} {
			if _, ok := e[k].(json.Number); !ok {
				t.Errorf("%s = %#v, want a JSON number", k, e[k])
			}
		}
	})

	t.Run("OKReturnShippingLabel", func(t *testing.T) {
		id := mustJobWithCustomer(t, s, c)
		created := mustRaw(t, s, "CreateReturnShippingLabel", `{"JobId":"`+id+`"}`)
		if diff := cmp.Diff(map[string]any{"Status": "InProgress"}, created); diff != "" {
			t.Errorf("CreateReturnShippingLabel (-want +got):\n%s", diff)
		}
		got := mustRaw(t, s, "DescribeReturnShippingLabel", `{"JobId":"`+id+`"}`)
		if diff := cmp.Diff([]string{"ExpirationDate", "ReturnShippingLabelURI", "Status"}, keys(t, got)); diff != "" {
			t.Errorf("DescribeReturnShippingLabel keys (-want +got):\n%s", diff)
		}
		if _, ok := got["ExpirationDate"].(json.Number); !ok {
			t.Errorf("ExpirationDate = %#v, want a JSON number", got["ExpirationDate"])
		}
	})

	t.Run("OKCreateClusterNoJobs", func(t *testing.T) {
		got := mustRaw(t, s, "CreateCluster", `{"JobType":"LOCAL_USE","SnowballType":"EDGE","ShippingOption":"SECOND_DAY","AddressId":"`+addr+`"}`)
		if v, ok := got["JobListEntries"]; ok && len(v.([]any)) != 0 {
			t.Errorf("empty CreateCluster result lists jobs: %v", v)
		}
	})
}
