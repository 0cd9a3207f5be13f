package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

// seedAnswer is the answer of POST /_frosty/seed.
type seedAnswer struct {
	IDs             map[string]string `json:"ids"`
	Addresses       []string          `json:"addresses"`
	Jobs            []string          `json:"jobs"`
	Clusters        []string          `json:"clusters"`
	LongTermPricing []string          `json:"longTermPricing"`
	PickupLocations []string          `json:"pickupLocations"`
}

// operatorJSON calls the operator API with a JSON body given as text,
// wants status, and decodes the answer into out.
func operatorJSON(tb testing.TB, s *frostytest.Server, path, body string, status int, out any) {
	tb.Helper()
	got, b := s.Operator(tb, http.MethodPost, path, json.RawMessage(body))
	if got != status {
		tb.Fatalf("POST %s: HTTP %d %s, want %d", path, got, b, status)
	}
	if err := json.Unmarshal([]byte(b), out); err != nil {
		tb.Fatalf("POST %s: answer %q: %v", path, b, err)
	}
}

func mustSeedServer(tb testing.TB, s *frostytest.Server, doc string) seedAnswer {
	tb.Helper()
	var out seedAnswer
	operatorJSON(tb, s, "/_frosty/seed", doc, http.StatusOK, &out)
	return out
}

// seedDoc seeds, for Alice and Bob, an address and an import job brought
// to WithCustomer, and for Alice an export job and a cluster, with the
// three catalogues.
const seedDoc = `{
	"addresses": [
		{"ref": "alice-home", "accountId": "111122223333", "Name": "Alice", "Street1": "1 Main St", "City": "Seattle", "Country": "US"},
		{"ref": "bob-home", "accountId": "444455556666", "Name": "Bob", "Street1": "2 Main St", "City": "Portland", "Country": "US"}
	],
	"clusters": [
		{"ref": "cluster", "accountId": "111122223333", "state": "Pending", "JobType": "LOCAL_USE", "SnowballType": "EDGE_C",
			"InitialClusterSize": 3, "AddressId": "ref:alice-home", "ShippingOption": "SECOND_DAY"}
	],
	"jobs": [
		{"ref": "alice-import", "accountId": "111122223333", "state": "WithCustomer", "JobType": "IMPORT", "SnowballType": "EDGE",
			"AddressId": "ref:alice-home", "ShippingOption": "SECOND_DAY",
			"Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::frosty-bucket"}]}},
		{"ref": "alice-export", "accountId": "111122223333", "JobType": "EXPORT", "SnowballType": "EDGE",
			"AddressId": "ref:depot", "ShippingOption": "NEXT_DAY",
			"Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::frosty-bucket"}]}},
		{"ref": "bob-import", "accountId": "444455556666", "state": "InTransitToAWS", "JobType": "IMPORT", "SnowballType": "EDGE",
			"AddressId": "ref:bob-home", "ShippingOption": "NEXT_DAY",
			"Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::bob-bucket"}]}}
	],
	"pickupLocations": [
		{"ref": "depot", "Name": "Depot", "Street1": "1 Dock Road", "City": "Tacoma", "StateOrProvince": "WA", "Country": "US"}
	],
	"compatibleImages": [{"AmiId": "ami-0123abcd", "Name": "Amazon Linux 2"}],
	"serviceVersions": [{"ServiceName": "KUBERNETES", "Version": "1.30"}]
}`

func TestSeed(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	ctx := t.Context()
	a, b := s.Alice(), s.Bob()
	got := mustSeedServer(t, s, seedDoc)
	for ref, re := range map[string]interface{ MatchString(string) bool }{
		"alice-home": reAddressID, "bob-home": reAddressID, "depot": reAddressID, "cluster": reClusterID,
		"alice-import": reJobID, "alice-export": reJobID, "bob-import": reJobID,
	} {
		if !re.MatchString(got.IDs[ref]) {
			t.Errorf("ids[%q] = %q, not an ID of its kind", ref, got.IDs[ref])
		}
	}

	t.Run("ListJobs", func(t *testing.T) {
		out, err := a.ListJobs(ctx, &snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		ids := jobIDs(out.JobListEntries)
		// The cluster's three nodes, then the two jobs.
		if len(ids) != 5 || !slices.Contains(ids, got.IDs["alice-import"]) || !slices.Contains(ids, got.IDs["alice-export"]) {
			t.Errorf("Alice's jobs = %v, want her 3 nodes, her import and her export", ids)
		}
		out, err = b.ListJobs(ctx, &snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{got.IDs["bob-import"]}, jobIDs(out.JobListEntries)); diff != "" {
			t.Errorf("Bob's jobs (-want +got):\n%s", diff)
		}
	})
	t.Run("DescribeJob", func(t *testing.T) {
		md := mustDescribeJob(t, a, got.IDs["alice-import"]).JobMetadata
		if md.JobState != types.JobStateWithCustomer || aws.ToString(md.SnowballId) == "" ||
			!reTrackingNumber.MatchString(aws.ToString(md.ShippingDetails.OutboundShipment.TrackingNumber)) {
			t.Errorf("Alice's import is %s with device %q and shipping %+v; want WithCustomer with a device and a tracking number",
				md.JobState, aws.ToString(md.SnowballId), md.ShippingDetails)
		}
		md = mustDescribeJob(t, b, got.IDs["bob-import"]).JobMetadata
		if md.JobState != types.JobStateInTransitToAws || md.ShippingDetails.InboundShipment == nil {
			t.Errorf("Bob's import is %s with inbound %+v; want InTransitToAWS on its way back", md.JobState, md.ShippingDetails.InboundShipment)
		}
		md = mustDescribeJob(t, a, got.IDs["alice-export"]).JobMetadata
		if md.JobState != types.JobStateNew || aws.ToString(md.AddressId) != got.IDs["depot"] {
			t.Errorf("Alice's export is %s to %s; want New to the pickup location", md.JobState, aws.ToString(md.AddressId))
		}
		if _, err := b.DescribeJob(ctx, &snowball.DescribeJobInput{JobId: aws.String(got.IDs["alice-import"])}); err == nil {
			t.Error("Bob can describe Alice's seeded job")
		}
	})
	t.Run("Manifest", func(t *testing.T) {
		out, err := a.GetJobManifest(ctx, &snowball.GetJobManifestInput{JobId: aws.String(got.IDs["alice-import"])})
		if err != nil {
			t.Fatal(err)
		}
		if status, body := frostytest.Get(t, aws.ToString(out.ManifestURI)); status != http.StatusOK || len(body) == 0 {
			t.Errorf("manifest download: HTTP %d, %d bytes", status, len(body))
		}
	})
	t.Run("Cluster", func(t *testing.T) {
		out, err := a.DescribeCluster(ctx, &snowball.DescribeClusterInput{ClusterId: aws.String(got.IDs["cluster"])})
		if err != nil {
			t.Fatal(err)
		}
		if out.ClusterMetadata.ClusterState != types.ClusterStatePending {
			t.Errorf("cluster is %s, want Pending", out.ClusterMetadata.ClusterState)
		}
	})
	t.Run("Catalogues", func(t *testing.T) {
		pickups, err := b.ListPickupLocations(ctx, &snowball.ListPickupLocationsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(pickups.Addresses) != 1 || aws.ToString(pickups.Addresses[0].AddressId) != got.IDs["depot"] || aws.ToString(pickups.Addresses[0].City) != "Tacoma" {
			t.Errorf("ListPickupLocations = %+v, want the depot", pickups.Addresses)
		}
		images, err := a.ListCompatibleImages(ctx, &snowball.ListCompatibleImagesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(images.CompatibleImages) != 1 || aws.ToString(images.CompatibleImages[0].AmiId) != "ami-0123abcd" {
			t.Errorf("ListCompatibleImages = %+v", images.CompatibleImages)
		}
		versions, err := a.ListServiceVersions(ctx, &snowball.ListServiceVersionsInput{ServiceName: types.ServiceNameKubernetes})
		if err != nil {
			t.Fatal(err)
		}
		if len(versions.ServiceVersions) != 1 || aws.ToString(versions.ServiceVersions[0].Version) != "1.30" {
			t.Errorf("ListServiceVersions = %+v, want only the seeded 1.30", versions.ServiceVersions)
		}
	})
}

func TestSeedRefused(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"State", `{"addresses": [{"ref": "home", "accountId": "111122223333", "Street1": "1 Main St", "City": "Seattle", "Country": "US"}],
			"jobs": [{"accountId": "111122223333", "state": "Shipped", "JobType": "IMPORT", "SnowballType": "EDGE", "AddressId": "ref:home",
			"ShippingOption": "NEXT_DAY", "Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::b"}]}}]}`,
			`jobs[0].state: "Shipped" is not a job state`},
		{"Ref", `{"jobs": [{"AddressId": "ref:hom"}]}`, `jobs[0].AddressId: unknown ref "hom"`},
		{"Model", `{"longTermPricing": [{"SnowballType": "EDGE"}]}`, `longTermPricing[0]: 1 validation error detected: Value null at 'longTermPricingType'`},
		{"UnknownMember", `{"jobs": [{"JobTyp": "IMPORT"}]}`, `jobs[0]: unknown member "JobTyp"`},
		// Found only when applied: the address before it is not kept.
		{"Rule", `{"addresses": [{"ref": "home", "accountId": "111122223333", "Street1": "1 Main St", "City": "Seattle", "Country": "US"}],
			"jobs": [{"accountId": "111122223333", "JobType": "EXPORT", "SnowballType": "SNC1_HDD", "AddressId": "ref:home", "ShippingOption": "NEXT_DAY"}]}`,
			`jobs[0]: One or more inputs were invalid.`},
		{"Empty", ``, `the document`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out struct{ Code, Message string }
			operatorJSON(t, s, "/_frosty/seed", tc.doc, http.StatusBadRequest, &out)
			if out.Code != "ValidationException" || !strings.Contains(out.Message, tc.want) {
				t.Errorf("answer %+v, want a ValidationException with %q", out, tc.want)
			}
		})
	}
	addrs, err := s.Alice().DescribeAddresses(t.Context(), &snowball.DescribeAddressesInput{})
	if err != nil || len(addrs.Addresses) != 0 {
		t.Errorf("Alice's addresses after refused seeds: %+v, %v; want none", addrs, err)
	}
	if status, _ := frostytest.Get(t, s.URL+"/_frosty/seed"); status != http.StatusUnauthorized && status != http.StatusMethodNotAllowed && status != http.StatusNotFound {
		t.Errorf("GET /_frosty/seed without a token: HTTP %d", status)
	}
	resp, err := http.Post(s.URL+"/_frosty/seed", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /_frosty/seed without a token: HTTP %d, want 401", resp.StatusCode)
	}
}

func TestReset(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	ctx := t.Context()
	a, b := s.Alice(), s.Bob()
	got := mustSeedServer(t, s, seedDoc)

	t.Run("Refused", func(t *testing.T) {
		for _, body := range []string{`{"accountId": "1234"}`, `{"accountId": ""}`, `{"account": "111122223333"}`, `{"accountId": 111122223333}`, `[]`} {
			var out struct{ Code, Message string }
			operatorJSON(t, s, "/_frosty/reset", body, http.StatusBadRequest, &out)
			if out.Code != "BadRequest" || !strings.Contains(out.Message, "accountId") {
				t.Errorf("reset with %s: %+v, want BadRequest naming accountId", body, out)
			}
		}
		resp, err := http.Post(s.URL+"/_frosty/reset", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST /_frosty/reset without a token: HTTP %d, want 401", resp.StatusCode)
		}
	})

	// Alice's: an address, 3 nodes and 2 jobs, a cluster; events: 3 + 1 +
	// 1 + 4 (the import to WithCustomer) + 1 (the export created) and 1
	// (the cluster to Pending); no messages (no notifications asked for).
	var counts map[string]int
	operatorJSON(t, s, "/_frosty/reset", `{"accountId": "111122223333"}`, http.StatusOK, &counts)
	want := map[string]int{"addresses": 1, "jobs": 5, "clusters": 1, "longTermPricing": 0, "events": 3 + 1 + 5 + 1 + 1, "messages": 0, "sealedManifests": 0}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("reset of Alice (-want +got):\n%s", diff)
	}
	if out, err := a.ListJobs(ctx, &snowball.ListJobsInput{}); err != nil || len(out.JobListEntries) != 0 {
		t.Errorf("Alice's jobs after her reset: %v, %v", jobIDs(out.JobListEntries), err)
	}
	if out, err := a.ListClusters(ctx, &snowball.ListClustersInput{}); err != nil || len(out.ClusterListEntries) != 0 {
		t.Errorf("Alice's clusters after her reset: %+v, %v", out, err)
	}
	if out, err := b.ListJobs(ctx, &snowball.ListJobsInput{}); err != nil || !cmp.Equal(jobIDs(out.JobListEntries), []string{got.IDs["bob-import"]}) {
		t.Errorf("Bob's jobs after Alice's reset: %v, %v; want his import", jobIDs(out.JobListEntries), err)
	}
	if status, body := s.Operator(t, http.MethodGet, "/_frosty/jobs/"+got.IDs["bob-import"]+"/events", nil); status != http.StatusOK || !strings.Contains(body, "InTransitToAWS") {
		t.Errorf("Bob's job's events after Alice's reset: HTTP %d %s", status, body)
	}

	// Everyone's, with no body at all; the catalogues stay.
	status, body := s.Operator(t, http.MethodPost, "/_frosty/reset", nil)
	if status != http.StatusOK || !strings.Contains(body, `"jobs":1`) {
		t.Errorf("reset of all: HTTP %d %s, want Bob's one job counted", status, body)
	}
	if out, err := b.ListJobs(ctx, &snowball.ListJobsInput{}); err != nil || len(out.JobListEntries) != 0 {
		t.Errorf("Bob's jobs after a reset of all: %v, %v", jobIDs(out.JobListEntries), err)
	}
	if out, err := b.DescribeAddresses(ctx, &snowball.DescribeAddressesInput{}); err != nil || len(out.Addresses) != 0 {
		t.Errorf("Bob's addresses after a reset of all: %+v, %v", out, err)
	}
	if out, err := b.ListPickupLocations(ctx, &snowball.ListPickupLocationsInput{}); err != nil || len(out.Addresses) != 1 {
		t.Errorf("pickup locations after a reset of all: %+v, %v; want the seeded one", out, err)
	}
	// And the store takes a seed again.
	mustSeedServer(t, s, seedDoc)
}

// TestSeedExample applies examples/seed.json, the seed the README shows.
func TestSeedExample(t *testing.T) {
	doc, err := os.ReadFile("../../examples/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	s := frostytest.MustStart(t, frostytest.Options{NoAuth: true})
	got := mustSeedServer(t, s, string(doc))
	if len(got.Addresses) != 2 || len(got.Jobs) != 2 || len(got.Clusters) != 1 || len(got.PickupLocations) != 1 || len(got.LongTermPricing) != 1 {
		t.Errorf("examples/seed.json created %+v", got)
	}
}
