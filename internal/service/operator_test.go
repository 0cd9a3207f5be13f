package service

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// operatorFixture seeds two accounts' jobs and a cluster.
func operatorFixture(t *testing.T) (*Service, *SeedResult) {
	t.Helper()
	s, _ := mustSeedService(t, Config{NotifyWebhook: true, ExportParts: 2})
	a, b := `"accountId": "`+seedAlice+`"`, `"accountId": "`+seedBob+`"`
	res := mustSeed(t, s, `{
		"addresses": [{"ref": "home", `+a+`, `+seedAddress+`}, {"ref": "bhome", `+b+`, `+seedAddress+`}],
		"clusters": [{"ref": "cl", `+a+`, "AddressId": "ref:home", "InitialClusterSize": 3, `+seedCluster+`}],
		"jobs": [
			{"ref": "imp", `+a+`, "state": "WithCustomer", "AddressId": "ref:home", "Description": "tape backup", `+seedImport+`,
				"Notification": {"NotifyAll": true}},
			{"ref": "exp", `+a+`, "state": "Pending", "AddressId": "ref:home", `+seedExport+`},
			{"ref": "new", `+b+`, "AddressId": "ref:bhome", "Description": "Bob's", `+seedImport+`}
		]
	}`)
	return s, res
}

func TestFindJobsAcrossAccounts(t *testing.T) {
	s, res := operatorFixture(t)
	jobs, err := s.FindJobs(t.Context(), snowball.JobQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 3+2+3 { // the nodes, the jobs and the export's parts
		t.Errorf("FindJobs: %d jobs, want 8", len(jobs))
	}
	if jobs[0].Seq < jobs[len(jobs)-1].Seq {
		t.Errorf("FindJobs: not newest first")
	}
	jobs, err = s.FindJobs(t.Context(), snowball.JobQuery{Account: seedBob})
	if err != nil || len(jobs) != 1 || jobs[0].ID != res.IDs["new"] {
		t.Errorf("FindJobs(Bob) = %v, %v; want %s", jobs, err, res.IDs["new"])
	}
	jobs, err = s.FindJobs(t.Context(), snowball.JobQuery{Text: "TAPE"})
	if err != nil || len(jobs) != 1 || jobs[0].ID != res.IDs["imp"] {
		t.Errorf("FindJobs(TAPE) = %v, %v; want %s", jobs, err, res.IDs["imp"])
	}
	clusters, err := s.FindClusters(t.Context(), 0, 10)
	if err != nil || len(clusters) != 1 || clusters[0].ID != res.IDs["cl"] {
		t.Errorf("FindClusters = %v, %v", clusters, err)
	}
}

func TestViewJob(t *testing.T) {
	s, res := operatorFixture(t)
	v, err := s.ViewJob(t.Context(), res.IDs["imp"])
	if err != nil {
		t.Fatal(err)
	}
	if v.Job.State != model.JobStateWithCustomer || v.Metadata.ShippingDetails.OutboundShipment == nil {
		t.Errorf("ViewJob: state %s, shipping %+v", v.Job.State, v.Metadata.ShippingDetails)
	}
	var to []string
	for _, e := range v.Events {
		to = append(to, e.To)
	}
	want := []string{"New", "PreparingAppliance", "PreparingShipment", "InTransitToCustomer", "WithCustomer"}
	if diff := cmp.Diff(want, to); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if v.Address == nil || model.Deref(v.Address.City) != "Seattle" {
		t.Errorf("ViewJob: address %+v, want the job's", v.Address)
	}
	if len(v.Messages) != len(v.Events) {
		t.Errorf("%d messages for %d events, want one each (NotifyAll, webhook)", len(v.Messages), len(v.Events))
	}

	exp, err := s.ViewJob(t.Context(), res.IDs["exp"])
	if err != nil || len(exp.Parts) != 2 {
		t.Fatalf("ViewJob(export) = %+v, %v; want 2 parts", exp, err)
	}
	part, err := s.ViewJob(t.Context(), exp.Parts[0].ID)
	if err != nil || part.Master == nil || part.Master.ID != res.IDs["exp"] {
		t.Errorf("ViewJob(part): master %+v, %v", part.Master, err)
	}

	cv, err := s.ViewCluster(t.Context(), res.IDs["cl"])
	if err != nil || len(cv.Nodes) != 3 || cv.Live != 3 || cv.Cluster.Quorum != 3 {
		t.Fatalf("ViewCluster = %+v, %v", cv, err)
	}
	node, err := s.ViewJob(t.Context(), cv.Nodes[0].ID)
	if err != nil || node.Cluster == nil || node.Cluster.ID != res.IDs["cl"] {
		t.Errorf("ViewJob(node): cluster %+v, %v", node.Cluster, err)
	}

	if _, err := s.ViewJob(t.Context(), "JID-none"); snowball.ErrorCode(err) != snowball.InvalidResource {
		t.Errorf("ViewJob(unknown) = %v, want InvalidResourceException", err)
	}
	if _, err := s.ViewCluster(t.Context(), "CID-none"); snowball.ErrorCode(err) != snowball.InvalidResource {
		t.Errorf("ViewCluster(unknown) = %v, want InvalidResourceException", err)
	}
}

func TestOperatorActions(t *testing.T) {
	s, res := operatorFixture(t)
	ctx := t.Context()

	url, code, err := s.DeviceFiles(ctx, res.IDs["imp"])
	if err != nil || url == "" || code == "" {
		t.Errorf("DeviceFiles = %q, %q, %v", url, code, err)
	}
	if _, _, err := s.DeviceFiles(ctx, res.IDs["new"]); snowball.ErrorCode(err) != snowball.InvalidJobState {
		t.Errorf("DeviceFiles(New job) = %v, want InvalidJobStateException", err)
	}

	if err := s.MarkReturned(ctx, res.IDs["imp"]); err != nil {
		t.Fatalf("MarkReturned: %v", err)
	}
	v, _ := s.ViewJob(ctx, res.IDs["imp"])
	if v.Job.State != model.JobStateInTransitToAWS {
		t.Errorf("after MarkReturned: %s, want InTransitToAWS", v.Job.State)
	}
	if err := s.MarkReturned(ctx, res.IDs["new"]); snowball.ErrorCode(err) != snowball.InvalidJobState {
		t.Errorf("MarkReturned(New job) = %v, want InvalidJobStateException", err)
	}

	if err := s.OperatorCancelJob(ctx, res.IDs["new"]); err != nil {
		t.Fatalf("OperatorCancelJob: %v", err)
	}
	v, _ = s.ViewJob(ctx, res.IDs["new"])
	if last := v.Events[len(v.Events)-1]; v.Job.State != model.JobStateCancelled || last.Cause != snowball.CauseOperator {
		t.Errorf("after OperatorCancelJob: %s, last event %+v", v.Job.State, last)
	}
	if err := s.OperatorCancelJob(ctx, res.IDs["imp"]); snowball.ErrorCode(err) != snowball.InvalidJobState {
		t.Errorf("OperatorCancelJob(InTransitToAWS) = %v, want InvalidJobStateException", err)
	}
	if err := s.OperatorCancelJob(ctx, "JID-none"); snowball.ErrorCode(err) != snowball.InvalidResource {
		t.Errorf("OperatorCancelJob(unknown) = %v, want InvalidResourceException", err)
	}

	if err := s.OperatorCancelCluster(ctx, res.IDs["cl"]); err != nil {
		t.Fatalf("OperatorCancelCluster: %v", err)
	}
	cv, _ := s.ViewCluster(ctx, res.IDs["cl"])
	if cv.Cluster.State != model.ClusterStateCancelled || cv.Live != 0 {
		t.Errorf("after OperatorCancelCluster: %s with %d live nodes", cv.Cluster.State, cv.Live)
	}
	if err := s.OperatorCancelCluster(ctx, res.IDs["cl"]); snowball.ErrorCode(err) != snowball.InvalidJobState {
		t.Errorf("OperatorCancelCluster twice = %v, want InvalidJobStateException", err)
	}
}
