package service

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/manifest"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
)

// Accounts of the seed tests.
const (
	seedAlice = "111122223333"
	seedBob   = "444455556666"
)

// mustSeedService returns a Service over a new store.
func mustSeedService(tb testing.TB, cfg Config) (*Service, *sqlite.DB) {
	tb.Helper()
	store := mustOpenStore(tb, filepath.Join(tb.TempDir(), "frosty.db"))
	s, _ := mustService(store, cfg)
	return s, store
}

// as is a context acting for account in us-west-2.
func as(tb testing.TB, account string) context.Context {
	return WithOwner(tb.Context(), snowball.OwnerFor(account, "us-west-2"))
}

func mustParseSeed(tb testing.TB, doc string) *Seed {
	tb.Helper()
	seed, err := ParseSeed([]byte(doc))
	if err != nil {
		tb.Fatalf("ParseSeed: %v", err)
	}
	return seed
}

func mustSeed(tb testing.TB, s *Service, doc string) *SeedResult {
	tb.Helper()
	res, err := s.Seed(tb.Context(), mustParseSeed(tb, doc))
	if err != nil {
		tb.Fatalf("Seed: %v", err)
	}
	return res
}

func mustDescribe(tb testing.TB, s *Service, account, id string) *model.DescribeJobResult {
	tb.Helper()
	out, err := s.DescribeJob(as(tb, account), &model.DescribeJobRequest{JobId: &id})
	if err != nil {
		tb.Fatalf("DescribeJob %s: %v", id, err)
	}
	return out
}

func mustCluster(tb testing.TB, s *Service, account, id string) (model.ClusterState, []model.JobListEntry) {
	tb.Helper()
	c, err := s.DescribeCluster(as(tb, account), &model.DescribeClusterRequest{ClusterId: &id})
	if err != nil {
		tb.Fatalf("DescribeCluster %s: %v", id, err)
	}
	nodes, err := s.ListClusterJobs(as(tb, account), &model.ListClusterJobsRequest{ClusterId: &id})
	if err != nil {
		tb.Fatalf("ListClusterJobs %s: %v", id, err)
	}
	return *c.ClusterMetadata.ClusterState, nodes.JobListEntries
}

// recordCounts counts every account's records.
func recordCounts(tb testing.TB, store snowball.Store) snowball.RecordCounts {
	tb.Helper()
	var n snowball.RecordCounts
	if err := store.View(tb.Context(), func(tx snowball.Tx) (err error) {
		n, err = tx.CountRecords(tb.Context(), "")
		return err
	}); err != nil {
		tb.Fatal(err)
	}
	return n
}

// The pieces of the test documents. The addresses and jobs are the
// requests of the API, as a client would send them.
const (
	seedAddress = `"Name": "Ops", "Street1": "1 Main St", "City": "Seattle", "StateOrProvince": "WA", "PostalCode": "98101", "Country": "US"`
	seedImport  = `"JobType": "IMPORT", "SnowballType": "EDGE", "ShippingOption": "SECOND_DAY",
		"Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::frosty-bucket"}]}`
	seedExport = `"JobType": "EXPORT", "SnowballType": "EDGE", "ShippingOption": "NEXT_DAY",
		"Resources": {"S3Resources": [{"BucketArn": "arn:aws:s3:::frosty-bucket"}]}`
	seedCluster = `"JobType": "LOCAL_USE", "SnowballType": "EDGE_C", "ShippingOption": "SECOND_DAY"`
)

func TestSeedEachKind(t *testing.T) {
	s, _ := mustSeedService(t, Config{})
	res := mustSeed(t, s, `{
		"addresses": [{"ref": "home", "accountId": "`+seedAlice+`", `+seedAddress+`}],
		"longTermPricing": [{"ref": "ltp", "accountId": "`+seedAlice+`", "LongTermPricingType": "OneYear", "SnowballType": "EDGE_C"}],
		"clusters": [{"ref": "cl", "accountId": "`+seedAlice+`", "AddressId": "ref:home", "InitialClusterSize": 3,
			"LongTermPricingIds": ["ref:ltp"], "Description": "seeded", `+seedCluster+`}],
		"jobs": [{"ref": "imp", "accountId": "`+seedAlice+`", "AddressId": "ref:depot", "Description": "to the depot", `+seedImport+`}],
		"pickupLocations": [{"ref": "depot", "Name": "Depot", "Street1": "1 Dock Road", "City": "Tacoma", "Country": "US"}],
		"compatibleImages": [{"AmiId": "ami-0123abcd", "Name": "Amazon Linux 2"}],
		"serviceVersions": [
			{"ServiceName": "KUBERNETES", "Version": "1.29"},
			{"ServiceName": "EKS_ANYWHERE", "Version": "0.19.0", "DependentServices": [
				{"ServiceName": "KUBERNETES", "ServiceVersion": {"Version": "1.29"}}]}
		]
	}`)
	for _, ref := range []string{"home", "ltp", "cl", "imp", "depot"} {
		if res.IDs[ref] == "" {
			t.Errorf("no ID for ref %q in %v", ref, res.IDs)
		}
	}
	want := &SeedResult{IDs: res.IDs, Addresses: []string{res.IDs["home"]}, Jobs: []string{res.IDs["imp"]},
		Clusters: []string{res.IDs["cl"]}, LongTermPricing: []string{res.IDs["ltp"]}, PickupLocations: []string{res.IDs["depot"]}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("SeedResult (-want +got):\n%s", diff)
	}
	ctx := as(t, seedAlice)

	addrs, err := s.DescribeAddresses(ctx, &model.DescribeAddressesRequest{})
	if err != nil || len(addrs.Addresses) != 1 || *addrs.Addresses[0].AddressId != res.IDs["home"] || *addrs.Addresses[0].City != "Seattle" {
		t.Errorf("DescribeAddresses = %+v, %v; want the seeded address", addrs, err)
	}
	state, nodes := mustCluster(t, s, seedAlice, res.IDs["cl"])
	if state != model.ClusterStateAwaitingQuorum || len(nodes) != 3 || *nodes[0].Description != "seeded-node-001" {
		t.Errorf("cluster %s with nodes %+v; want AwaitingQuorum with 3 nodes", state, nodes)
	}
	node := mustDescribe(t, s, seedAlice, *nodes[0].JobId).JobMetadata
	if model.Deref(node.LongTermPricingId) != res.IDs["ltp"] {
		t.Errorf("first node's LongTermPricingId = %v, want %s", model.Deref(node.LongTermPricingId), res.IDs["ltp"])
	}
	job := mustDescribe(t, s, seedAlice, res.IDs["imp"]).JobMetadata
	if *job.JobState != model.JobStateNew || *job.AddressId != res.IDs["depot"] || *job.Description != "to the depot" {
		t.Errorf("seeded job = %s at %s (%q), want New at the depot", *job.JobState, *job.AddressId, *job.Description)
	}
	if _, err := s.DescribeJob(as(t, seedBob), &model.DescribeJobRequest{JobId: job.JobId}); snowball.ErrorCode(err) != snowball.InvalidResource {
		t.Errorf("another account's DescribeJob of the seeded job: %v, want InvalidResourceException", err)
	}

	pickups, err := s.ListPickupLocations(ctx, &model.ListPickupLocationsRequest{})
	if err != nil || len(pickups.Addresses) != 1 || *pickups.Addresses[0].AddressId != res.IDs["depot"] ||
		*pickups.Addresses[0].Type != model.AddressTypeCustPickup {
		t.Errorf("ListPickupLocations = %+v, %v", pickups, err)
	}
	if a, err := s.DescribeAddress(as(t, seedBob), &model.DescribeAddressRequest{AddressId: model.Ptr(res.IDs["depot"])}); err != nil || *a.Address.City != "Tacoma" {
		t.Errorf("DescribeAddress of the pickup location by any account = %+v, %v", a, err)
	}
	images, err := s.ListCompatibleImages(ctx, &model.ListCompatibleImagesRequest{})
	if diff := cmp.Diff([]model.CompatibleImage{{AmiId: model.Ptr("ami-0123abcd"), Name: model.Ptr("Amazon Linux 2")}}, images.CompatibleImages); err != nil || diff != "" {
		t.Errorf("ListCompatibleImages (-want +got):\n%s%v", diff, err)
	}
	for _, tc := range []struct {
		name model.ServiceName
		deps []model.DependentService
		want []string
	}{
		{model.ServiceNameKubernetes, nil, []string{"1.29"}},
		{model.ServiceNameEksAnywhere, nil, []string{"0.19.0"}},
		{model.ServiceNameKubernetes, []model.DependentService{{ServiceName: model.Ptr(model.ServiceNameEksAnywhere),
			ServiceVersion: &model.ServiceVersion{Version: model.Ptr("0.19.0")}}}, []string{"1.29"}},
		{model.ServiceNameEksAnywhere, []model.DependentService{{ServiceName: model.Ptr(model.ServiceNameKubernetes),
			ServiceVersion: &model.ServiceVersion{Version: model.Ptr("1.28")}}}, nil},
	} {
		out, err := s.ListServiceVersions(ctx, &model.ListServiceVersionsRequest{ServiceName: &tc.name, DependentServices: tc.deps})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range out.ServiceVersions {
			got = append(got, *v.Version)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ListServiceVersions %s %+v (-want +got):\n%s", tc.name, tc.deps, diff)
		}
	}
}

// TestSeedServiceVersionsRule: a seeded catalogue is the one the rule on
// EKSOnDeviceService versions follows, as ListServiceVersions does.
func TestSeedServiceVersionsRule(t *testing.T) {
	s, _ := mustSeedService(t, Config{})
	ctx := as(t, seedAlice)
	addr, err := s.CreateAddress(ctx, &model.CreateAddressRequest{Address: &model.Address{Street1: model.Ptr("1 Main St"), City: model.Ptr("Seattle"), Country: model.Ptr("US")}})
	if err != nil {
		t.Fatal(err)
	}
	in := &model.CreateJobRequest{
		JobType: model.Ptr(model.JobTypeLocalUse), SnowballType: model.Ptr(model.SnowballTypeEdgeC), AddressId: addr.AddressId,
		ShippingOption: model.Ptr(model.ShippingOptionSecondDay),
		OnDeviceServiceConfiguration: &model.OnDeviceServiceConfiguration{EKSOnDeviceService: &model.EKSOnDeviceServiceConfiguration{
			EKSAnywhereVersion: model.Ptr("0.19.0"), KubernetesVersion: model.Ptr("1.29")}},
	}
	if _, err := s.CreateJob(ctx, in); snowball.ErrorCode(err) != snowball.InvalidInputCombination {
		t.Fatalf("CreateJob with EKS Anywhere 0.19.0 before the seed: %v, want InvalidInputCombinationException", err)
	}
	// Here the Kubernetes version names the EKS Anywhere one it works with.
	mustSeed(t, s, `{"serviceVersions": [{"ServiceName": "EKS_ANYWHERE", "Version": "0.19.0"}, {"ServiceName": "KUBERNETES", "Version": "1.29",
		"DependentServices": [{"ServiceName": "EKS_ANYWHERE", "ServiceVersion": {"Version": "0.19.0"}}]}]}`)
	if _, err := s.CreateJob(ctx, in); err != nil {
		t.Errorf("CreateJob with EKS Anywhere 0.19.0 after the seed: %v", err)
	}
	// An empty catalogue brings the built-in one back.
	mustSeed(t, s, `{"serviceVersions": []}`)
	if _, err := s.CreateJob(ctx, in); snowball.ErrorCode(err) != snowball.InvalidInputCombination {
		t.Errorf("CreateJob with EKS Anywhere 0.19.0 after emptying the catalogue: %v, want InvalidInputCombinationException", err)
	}
}

// wantEvents checks the states a job or cluster entered, in order, and that
// the operator moved it.
func wantEvents(tb testing.TB, s *Service, id string, want ...string) {
	tb.Helper()
	events, err := s.Events(tb.Context(), id)
	if err != nil {
		tb.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, e.To)
		if e.Cause != snowball.CauseOperator && e.Cause != snowball.CauseSystem {
			tb.Errorf("%s: event to %s caused by %s, want operator or system", id, e.To, e.Cause)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Errorf("%s: states entered (-want +got):\n%s", id, diff)
	}
}

func TestSeedStates(t *testing.T) {
	s, store := mustSeedService(t, Config{NotifyWebhook: true, ExportParts: 2})
	a := `"accountId": "` + seedAlice + `"`
	res := mustSeed(t, s, `{
		"addresses": [{"ref": "home", `+a+`, `+seedAddress+`}],
		"clusters": [
			{"ref": "pending", `+a+`, "state": "Pending", "AddressId": "ref:home", "InitialClusterSize": 3, `+seedCluster+`},
			{"ref": "inuse", `+a+`, "state": "InUse", "AddressId": "ref:home", "InitialClusterSize": 3, `+seedCluster+`},
			{"ref": "complete", `+a+`, "state": "Complete", "AddressId": "ref:home", "InitialClusterSize": 3, `+seedCluster+`},
			{"ref": "cancelled", `+a+`, "state": "Cancelled", "AddressId": "ref:home", "InitialClusterSize": 3, `+seedCluster+`},
			{"ref": "legacy", `+a+`, "state": "Pending", "AddressId": "ref:home", `+seedCluster+`}
		],
		"jobs": [
			{"ref": "imp", `+a+`, "state": "WithCustomer", "AddressId": "ref:home", `+seedImport+`,
				"Notification": {"NotifyAll": true}},
			{"ref": "done", `+a+`, "state": "Complete", "AddressId": "ref:home", `+seedImport+`},
			{"ref": "gone", `+a+`, "state": "Cancelled", "AddressId": "ref:home", `+seedImport+`},
			{"ref": "listing", `+a+`, "state": "Listing", "AddressId": "ref:home", `+seedExport+`},
			{"ref": "exp", `+a+`, "state": "WithCustomer", "AddressId": "ref:home", `+seedExport+`},
			{"ref": "expdone", `+a+`, "state": "Complete", "AddressId": "ref:home", `+seedExport+`},
			{"ref": "n1", `+a+`, "ClusterId": "ref:legacy"}, {"ref": "n2", `+a+`, "ClusterId": "ref:legacy"},
			{"ref": "n3", `+a+`, "ClusterId": "ref:legacy"}, {"ref": "n4", `+a+`, "ClusterId": "ref:legacy"},
			{"ref": "n5", `+a+`, "ClusterId": "ref:legacy", "state": "WithCustomer"}
		]
	}`)

	t.Run("ImportWithCustomer", func(t *testing.T) {
		id := res.IDs["imp"]
		md := mustDescribe(t, s, seedAlice, id).JobMetadata
		if *md.JobState != model.JobStateWithCustomer || md.SnowballId == nil || md.ShippingDetails.OutboundShipment == nil ||
			*md.ShippingDetails.OutboundShipment.Status != ShipmentDelivered {
			t.Errorf("job %s, SnowballId %v, shipping %+v; want WithCustomer with a device, delivered", *md.JobState, md.SnowballId, md.ShippingDetails)
		}
		wantEvents(t, s, id, "New", "PreparingAppliance", "PreparingShipment", "InTransitToCustomer", "WithCustomer")
		// Its manifest downloads, and its unlock code opens it.
		if _, err := s.GetJobManifest(as(t, seedAlice), &model.GetJobManifestRequest{JobId: &id}); err != nil {
			t.Fatal(err)
		}
		code, err := s.GetJobUnlockCode(as(t, seedAlice), &model.GetJobUnlockCodeRequest{JobId: &id})
		if err != nil {
			t.Fatal(err)
		}
		obj, err := s.Download(t.Context(), ManifestBucket, id+"_manifest.bin")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := manifest.Open(obj.Body, *code.UnlockCode)
		if err != nil || doc.JobID != id || doc.SnowballID != *md.SnowballId {
			t.Errorf("manifest.Open = %+v, %v; want the job's, with its device", doc, err)
		}
		// Its notifications were queued, one per state it entered.
		var pending []*snowball.Message
		if err := store.View(t.Context(), func(tx snowball.Tx) (err error) {
			pending, err = tx.PendingMessages(t.Context(), snowball.Page{})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range pending {
			if strings.Contains(m.Body, id) {
				n++
				if m.Account != seedAlice {
					t.Errorf("message %s has Account %q, want %s", m.ID, m.Account, seedAlice)
				}
			}
		}
		if n != 5 {
			t.Errorf("%d notifications of %s queued, want 5", n, id)
		}
	})
	t.Run("ImportComplete", func(t *testing.T) {
		md := mustDescribe(t, s, seedAlice, res.IDs["done"]).JobMetadata
		if *md.JobState != model.JobStateComplete || md.JobLogInfo == nil || md.ShippingDetails.InboundShipment == nil {
			t.Errorf("job %s with logs %v and inbound %v; want Complete with both", *md.JobState, md.JobLogInfo, md.ShippingDetails.InboundShipment)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		wantEvents(t, s, res.IDs["gone"], "New", "Cancelled")
	})
	t.Run("ExportMaster", func(t *testing.T) {
		out := mustDescribe(t, s, seedAlice, res.IDs["listing"])
		if *out.JobMetadata.JobState != model.JobStateListing || len(out.SubJobMetadata) != 0 {
			t.Errorf("export job %s with %d parts, want Listing with none", *out.JobMetadata.JobState, len(out.SubJobMetadata))
		}
	})
	t.Run("ExportPart", func(t *testing.T) {
		out := mustDescribe(t, s, seedAlice, res.IDs["exp"])
		var parts []model.JobState
		for _, p := range out.SubJobMetadata {
			parts = append(parts, *p.JobState)
		}
		if *out.JobMetadata.JobState != model.JobStatePending || !cmp.Equal(parts, []model.JobState{model.JobStateWithCustomer, model.JobStatePending}) {
			t.Errorf("export job %s with parts %v, want Pending with parts WithCustomer and Pending", *out.JobMetadata.JobState, parts)
		}
	})
	t.Run("ExportComplete", func(t *testing.T) {
		out := mustDescribe(t, s, seedAlice, res.IDs["expdone"])
		var parts []model.JobState
		for _, p := range out.SubJobMetadata {
			parts = append(parts, *p.JobState)
		}
		if *out.JobMetadata.JobState != model.JobStateComplete || !cmp.Equal(parts, []model.JobState{model.JobStateComplete, model.JobStateComplete}) {
			t.Errorf("export job %s with parts %v, want Complete with both parts Complete", *out.JobMetadata.JobState, parts)
		}
	})
	t.Run("Clusters", func(t *testing.T) {
		for _, tc := range []struct {
			ref   string
			state model.ClusterState
			nodes []model.JobState
		}{
			{"pending", model.ClusterStatePending, []model.JobState{"New", "New", "New"}},
			{"inuse", model.ClusterStateInUse, []model.JobState{"WithCustomer", "WithCustomer", "WithCustomer"}},
			{"complete", model.ClusterStateComplete, []model.JobState{"Complete", "Complete", "Complete"}},
			{"cancelled", model.ClusterStateCancelled, []model.JobState{"Cancelled", "Cancelled", "Cancelled"}},
			// The legacy cluster got its five nodes as jobs; the last one
			// went on to its own state.
			{"legacy", model.ClusterStateInUse, []model.JobState{"New", "New", "New", "New", "WithCustomer"}},
		} {
			state, nodes := mustCluster(t, s, seedAlice, res.IDs[tc.ref])
			var got []model.JobState
			for _, n := range nodes {
				got = append(got, *n.JobState)
			}
			if state != tc.state || !cmp.Equal(got, tc.nodes) {
				t.Errorf("cluster %s is %s with nodes %v, want %s with %v", tc.ref, state, got, tc.state, tc.nodes)
			}
		}
		wantEvents(t, s, res.IDs["complete"], "AwaitingQuorum", "Pending", "InUse", "Complete")
	})
}

func TestSeedErrors(t *testing.T) {
	a := `"accountId": "` + seedAlice + `"`
	for _, tc := range []struct {
		name, doc, want string
	}{
		// The document.
		{"NotAnObject", `[]`, `the document: want an object, got an array`},
		{"NotJSON", `{"jobs": [}`, `the document: it is not valid JSON`},
		{"Truncated", `{"jobs": [`, `the document: it ends before its JSON is complete`},
		{"Trailing", `{} {}`, `the document: there is more after its JSON object`},
		{"UnknownKind", `{"job": []}`, `the document: unknown member "job"`},
		{"UnknownMember", `{"jobs": [{"AdressId": "x"}]}`, `jobs[0]: unknown member "AdressId"`},
		{"MemberCase", `{"jobs": [{"addressId": "x"}]}`, `jobs[0]: unknown member "addressId" (member names are case-sensitive: did you mean "AddressId"?)`},
		{"NestedUnknown", `{"jobs": [{"Resources": {"S3Resources": [{"BucketARN": "x"}]}}]}`, `jobs[0].Resources.S3Resources[0]: unknown member "BucketARN"`},
		{"Twice", `{"jobs": [{"JobType": "IMPORT", "JobType": "EXPORT"}]}`, `jobs[0]: member "JobType" is given twice`},
		{"WrongType", `{"clusters": [{"InitialClusterSize": "3"}]}`, `clusters[0].InitialClusterSize: want an integer, got a string`},
		{"NotInteger", `{"clusters": [{"InitialClusterSize": 3.5}]}`, `clusters[0].InitialClusterSize: 3.5 is not an integer in range`},
		{"BadTimestamp", `{"jobs": [{"PickupDetails": {"IdentificationExpirationDate": "tomorrow"}}]}`, `jobs[0].PickupDetails.IdentificationExpirationDate: timestamp "tomorrow" is not a number of epoch seconds`},

		// Owners and refs.
		{"Account", `{"addresses": [{"accountId": "123", ` + seedAddress + `}]}`, `addresses[0].accountId: "123" is not an account ID of 12 digits`},
		{"Region", `{"addresses": [{"region": "Oregon", ` + seedAddress + `}]}`, `addresses[0].region: "Oregon" is not a region such as us-west-2`},
		{"RefSyntax", `{"addresses": [{"ref": "a b", ` + seedAddress + `}]}`, `addresses[0].ref: "a b" is not a ref`},
		{"RefTwice", `{"addresses": [{"ref": "home", ` + seedAddress + `}], "jobs": [{"ref": "home", ` + seedImport + `}]}`,
			`jobs[0].ref: "home" is the ref of addresses[0] already`},
		{"UnknownRef", `{"addresses": [{"ref": "home", ` + seedAddress + `}], "jobs": [{"AddressId": "ref:hom", ` + seedImport + `}]}`,
			`jobs[0].AddressId: unknown ref "hom"`},
		{"RefKind", `{"addresses": [{"ref": "home", ` + seedAddress + `}], "jobs": [{"ClusterId": "ref:home"}]}`,
			`jobs[0].ClusterId: ref "home" names an address (addresses[0]), not a cluster`},
		{"RefOwner", `{"addresses": [{"ref": "home", ` + seedAddress + `}], "jobs": [{` + a + `, "AddressId": "ref:home", ` + seedImport + `}]}`,
			`jobs[0].AddressId: ref "home" names an address of account 000000000000 in us-west-2 (addresses[0]), but this entry is of account ` + seedAlice + ` in us-west-2`},
		{"RefInList", `{"clusters": [{"LongTermPricingIds": ["ref:nope"], ` + seedCluster + `}]}`, `clusters[0].LongTermPricingIds[0]: unknown ref "nope"`},

		// The model.
		{"ModelEnum", `{"jobs": [{"ShippingOption": "TOMORROW"}]}`,
			`jobs[0]: 1 validation error detected: Value 'TOMORROW' at 'shippingOption' failed to satisfy constraint: Member must satisfy enum value set`},
		{"ModelRequired", `{"clusters": [{"JobType": "LOCAL_USE", "AddressId": "ADID00000000-0000-0000-0000-000000000000", "ShippingOption": "SECOND_DAY"}]}`,
			`clusters[0]: 1 validation error detected: Value null at 'snowballType' failed to satisfy constraint: Member must not be null`},
		{"ModelPattern", `{"jobs": [{"AddressId": "home", ` + seedImport + `}]}`, `Value 'home' at 'addressId' failed to satisfy constraint`},
		{"ModelPricing", `{"longTermPricing": [{"SnowballType": "EDGE"}]}`,
			`longTermPricing[0]: 1 validation error detected: Value null at 'longTermPricingType'`},

		// States.
		{"JobState", `{"jobs": [{"state": "Shipped", ` + seedImport + `}]}`, `jobs[0].state: "Shipped" is not a job state; the job states are New, `},
		{"JobStateOfKind", `{"jobs": [{"state": "Listing", ` + seedImport + `}]}`,
			`jobs[0].state: "Listing" is not a state of an IMPORT job; its states are New, PreparingAppliance,`},
		{"NodeState", `{"jobs": [{"state": "InProgress", "ClusterId": "CID00000000-0000-0000-0000-000000000000"}]}`,
			`jobs[0].state: "InProgress" is not a state of a cluster node`},
		{"ClusterState", `{"clusters": [{"state": "Running", "AddressId": "ADID00000000-0000-0000-0000-000000000000", ` + seedCluster + `}]}`, `clusters[0].state: "Running" is not a cluster state`},

		// The catalogues.
		{"PickupTwice", `{"pickupLocations": [{"AddressId": "ADID00000000-0000-0000-0000-000000000001", ` + seedAddress + `},
			{"AddressId": "ADID00000000-0000-0000-0000-000000000001", ` + seedAddress + `}]}`,
			`pickupLocations[1].AddressId: ADID00000000-0000-0000-0000-000000000001 is the AddressId of pickupLocations[0] already`},
		{"ImageWithoutAmi", `{"compatibleImages": [{"Name": "x"}]}`, `compatibleImages[0].AmiId: required`},
		{"VersionName", `{"serviceVersions": [{"ServiceName": "K8S", "Version": "1.29"}]}`, `serviceVersions[0].ServiceName: "K8S" is not a service name`},
		{"VersionWithoutVersion", `{"serviceVersions": [{"ServiceName": "KUBERNETES"}]}`, `serviceVersions[0].Version: required`},
		{"VersionOnItself", `{"serviceVersions": [{"ServiceName": "KUBERNETES", "Version": "1.29",
			"DependentServices": [{"ServiceName": "KUBERNETES", "ServiceVersion": {"Version": "1.28"}}]}]}`,
			`serviceVersions[0].DependentServices[0].ServiceName: a version of KUBERNETES cannot depend on KUBERNETES`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSeed([]byte(tc.doc))
			if snowball.ErrorCode(err) != snowball.Validation || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseSeed error = %v\nwant a ValidationException with %q", err, tc.want)
			}
		})
	}
}

// TestSeedAtomic: a seed that fails where only the store can tell fails
// whole, naming the entry, and leaves the store as it was.
func TestSeedAtomic(t *testing.T) {
	a := `"accountId": "` + seedAlice + `"`
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"Rule", `{"jobs": [{` + a + `, "AddressId": "ref:home", ` + seedImport + `},
			{` + a + `, "AddressId": "ref:home", "JobType": "EXPORT", "SnowballType": "SNC1_HDD", "ShippingOption": "NEXT_DAY"}]}`,
			`jobs[1]: One or more inputs were invalid. Confirm that the SnowballType value SNC1_HDD supports your JobType value EXPORT.`},
		{"Address", `{"addresses": [{` + a + `, "Street1": "1 Main St", "Country": "US"}]}`,
			`addresses[0]: The address is not valid: City is required.`},
		{"UnknownID", `{"jobs": [{` + a + `, "AddressId": "ADID0badf00d-0000-4000-8000-000000000000", ` + seedImport + `}]}`,
			`jobs[0]: The specified address ID ADID0badf00d-0000-4000-8000-000000000000 does not exist.`},
		{"Quorum", `{"clusters": [{` + a + `, "state": "Pending", "AddressId": "ref:home", ` + seedCluster + `}]}`,
			`clusters[0].state: The cluster CID`},
		{"ClusterFull", `{"clusters": [{` + a + `, "ref": "c", "AddressId": "ref:home", "InitialClusterSize": 3, ` + seedCluster + `}],
			"jobs": [{` + a + `, "ClusterId": "ref:c"}]}`,
			`jobs[0]: Job creation failed. Currently, this cluster supports 3 nodes.`},
		{"StateBehind", `{"clusters": [{` + a + `, "ref": "c", "state": "Complete", "AddressId": "ref:home", ` + seedCluster + `}],
			"jobs": [{` + a + `, "ClusterId": "ref:c", "state": "WithCustomer"}, {` + a + `, "ClusterId": "ref:c"}, {` + a + `, "ClusterId": "ref:c"},
			{` + a + `, "ClusterId": "ref:c"}, {` + a + `, "ClusterId": "ref:c"}]}`,
			`jobs[0].state: The job JID`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, store := mustSeedService(t, Config{})
			// Something to keep, and a catalogue of the failing seed.
			mustSeed(t, s, `{"addresses": [{"ref": "kept", `+a+`, `+seedAddress+`}]}`)
			before := recordCounts(t, store)
			doc := tc.doc
			if !strings.Contains(doc, `"addresses"`) {
				doc = strings.Replace(doc, "{", `{"addresses": [{"ref": "home", `+a+`, `+seedAddress+`}], `, 1)
			}
			doc = strings.Replace(doc, "{", `{"compatibleImages": [{"AmiId": "ami-1"}], `, 1)
			_, err := s.Seed(t.Context(), mustParseSeed(t, doc))
			if snowball.ErrorCode(err) != snowball.Validation || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Seed error = %v\nwant a ValidationException with %q", err, tc.want)
			}
			if diff := cmp.Diff(before, recordCounts(t, store)); diff != "" {
				t.Errorf("records after the failed seed (-before +after):\n%s", diff)
			}
			images, err := s.ListCompatibleImages(as(t, seedAlice), &model.ListCompatibleImagesRequest{})
			if err != nil || len(images.CompatibleImages) != 0 {
				t.Errorf("ListCompatibleImages after the failed seed = %+v, %v; want none", images, err)
			}
		})
	}
}

func TestSeedIfEmpty(t *testing.T) {
	s, store := mustSeedService(t, Config{})
	seed := mustParseSeed(t, `{"addresses": [{"ref": "home", `+seedAddress+`}],
		"jobs": [{"AddressId": "ref:home", "state": "PreparingShipment", `+seedImport+`}],
		"compatibleImages": [{"AmiId": "ami-1"}]}`)
	res, err := s.SeedIfEmpty(t.Context(), seed)
	if err != nil || res.Skipped || len(res.Jobs) != 1 {
		t.Fatalf("SeedIfEmpty of an empty store = %+v, %v; want the seed applied", res, err)
	}
	first := recordCounts(t, store)

	// A restart: the records are there, so nothing is applied, not even
	// the catalogues, which an operator may have changed since.
	mustSeed(t, s, `{"compatibleImages": [{"AmiId": "ami-2"}]}`)
	res, err = s.SeedIfEmpty(t.Context(), seed)
	if err != nil || !res.Skipped || len(res.Jobs) != 0 {
		t.Fatalf("SeedIfEmpty of a seeded store = %+v, %v; want it skipped", res, err)
	}
	if diff := cmp.Diff(first, recordCounts(t, store)); diff != "" {
		t.Errorf("records after the second SeedIfEmpty (-first +now):\n%s", diff)
	}
	images, _ := s.ListCompatibleImages(as(t, snowball.DefaultAccount), &model.ListCompatibleImagesRequest{})
	if len(images.CompatibleImages) != 1 || *images.CompatibleImages[0].AmiId != "ami-2" {
		t.Errorf("compatible images = %+v, want the operator's, ami-2", images.CompatibleImages)
	}

	// After a reset the store is empty, and the seed is applied again.
	if _, err := s.Reset(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	if res, err = s.SeedIfEmpty(t.Context(), seed); err != nil || res.Skipped {
		t.Fatalf("SeedIfEmpty after a reset = %+v, %v", res, err)
	}
}

func TestReset(t *testing.T) {
	s, store := mustSeedService(t, Config{NotifyWebhook: true})
	doc := func(account string) string {
		a := `"accountId": "` + account + `"`
		return `{"addresses": [{"ref": "home", ` + a + `, ` + seedAddress + `}],
			"longTermPricing": [{` + a + `, "LongTermPricingType": "OneMonth", "SnowballType": "EDGE"}],
			"clusters": [{` + a + `, "AddressId": "ref:home", "InitialClusterSize": 3, ` + seedCluster + `}],
			"jobs": [{` + a + `, "AddressId": "ref:home", "state": "WithCustomer", "Notification": {"NotifyAll": true}, ` + seedImport + `}]}`
	}
	alice := mustSeed(t, s, doc(seedAlice))
	bob := mustSeed(t, s, doc(seedBob))
	mustSeed(t, s, `{"compatibleImages": [{"AmiId": "ami-1"}]}`)
	// A sealed manifest of each.
	for _, r := range []struct {
		account string
		res     *SeedResult
	}{{seedAlice, alice}, {seedBob, bob}} {
		if _, err := s.Download(t.Context(), ManifestBucket, r.res.Jobs[0]+"_manifest.bin"); err != nil {
			t.Fatal(err)
		}
	}
	all := recordCounts(t, store)

	if _, err := s.Reset(t.Context(), "12345"); snowball.ErrorCode(err) != snowball.Validation {
		t.Errorf("Reset of account 12345: %v, want ValidationException", err)
	}
	got, err := s.Reset(t.Context(), seedAlice)
	if err != nil {
		t.Fatal(err)
	}
	// Per account: 1 address, 1 pricing, 1 cluster with 3 nodes and a job;
	// 1 + 3 creation events and 5 of the job; its 5 messages; 1 manifest.
	want := snowball.RecordCounts{Addresses: 1, Jobs: 4, Clusters: 1, LongTermPricing: 1, Events: 1 + 3 + 5, Messages: 5, SealedManifests: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Reset of Alice (-want +got):\n%s", diff)
	}
	if _, err := s.DescribeJob(as(t, seedAlice), &model.DescribeJobRequest{JobId: &alice.Jobs[0]}); snowball.ErrorCode(err) != snowball.InvalidResource {
		t.Errorf("DescribeJob of Alice's job after her reset: %v, want InvalidResourceException", err)
	}
	if md := mustDescribe(t, s, seedBob, bob.Jobs[0]).JobMetadata; *md.JobState != model.JobStateWithCustomer {
		t.Errorf("Bob's job after Alice's reset is %s", *md.JobState)
	}
	left := recordCounts(t, store)
	if diff := cmp.Diff(all, snowball.RecordCounts{
		Addresses: left.Addresses + 1, Jobs: left.Jobs + 4, Clusters: left.Clusters + 1, LongTermPricing: left.LongTermPricing + 1,
		Events: left.Events + 9, Messages: left.Messages + 5, SealedManifests: left.SealedManifests + 1,
	}); diff != "" {
		t.Errorf("records before Alice's reset and after, plus hers (-before +after):\n%s", diff)
	}

	got, err = s.Reset(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Reset of all, Bob's left (-want +got):\n%s", diff)
	}
	if n := recordCounts(t, store); n != (snowball.RecordCounts{}) {
		t.Errorf("records after a reset of all: %+v", n)
	}
	// The catalogues stay.
	if images, err := s.ListCompatibleImages(as(t, seedBob), &model.ListCompatibleImagesRequest{}); err != nil || len(images.CompatibleImages) != 1 {
		t.Errorf("ListCompatibleImages after the reset = %+v, %v; want the seeded image", images, err)
	}
}

// TestSeedExample loads examples/seed.json, the seed the README shows.
func TestSeedExample(t *testing.T) {
	b, err := os.ReadFile("../../examples/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := ParseSeed(b)
	if err != nil {
		t.Fatalf("examples/seed.json: %v", err)
	}
	s, _ := mustSeedService(t, Config{})
	res, err := s.Seed(t.Context(), seed)
	if err != nil {
		t.Fatalf("examples/seed.json: %v", err)
	}
	acct := snowball.DefaultAccount
	imp := mustDescribe(t, s, acct, res.IDs["import"]).JobMetadata
	if *imp.JobState != model.JobStateWithCustomer || imp.SnowballId == nil {
		t.Errorf("import job is %s with SnowballId %v, want WithCustomer with a device", *imp.JobState, imp.SnowballId)
	}
	exp := mustDescribe(t, s, acct, res.IDs["export"])
	if *exp.JobMetadata.JobState != model.JobStatePending || len(exp.SubJobMetadata) != 1 || *exp.SubJobMetadata[0].JobState != model.JobStateInProgress {
		t.Errorf("export job = %s with parts %+v, want Pending with its part InProgress", *exp.JobMetadata.JobState, exp.SubJobMetadata)
	}
	state, nodes := mustCluster(t, s, acct, res.IDs["edge-cluster"])
	if state != model.ClusterStatePending || len(nodes) != 3 {
		t.Errorf("cluster is %s with %d nodes, want Pending with 3", state, len(nodes))
	}
	pickups, _ := s.ListPickupLocations(as(t, acct), &model.ListPickupLocationsRequest{})
	images, _ := s.ListCompatibleImages(as(t, acct), &model.ListCompatibleImagesRequest{})
	if len(pickups.Addresses) != 1 || len(images.CompatibleImages) != 1 || *pickups.Addresses[0].AddressId != res.IDs["depot"] {
		t.Errorf("catalogues: %d pickup locations, %d images; want 1 of each", len(pickups.Addresses), len(images.CompatibleImages))
	}
	if !slices.Equal(res.Addresses, []string{res.IDs["hq"], res.IDs["dc"]}) {
		t.Errorf("addresses %v, want hq's and dc's", res.Addresses)
	}
}
