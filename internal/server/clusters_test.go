package server_test

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/snowball"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

// clusterInput is a valid empty EDGE LOCAL_USE cluster to addressID.
func clusterInput(addressID string) *snowball.CreateClusterInput {
	return &snowball.CreateClusterInput{
		JobType:        aws.String(snowball.JobTypeLocalUse),
		SnowballType:   aws.String(snowball.TypeEdge),
		AddressId:      aws.String(addressID),
		ShippingOption: aws.String(snowball.ShippingOptionSecondDay),
		Description:    aws.String("MyCluster"),
		RoleARN:        aws.String(testRoleARN),
		KmsKeyARN:      aws.String(testKmsKeyARN),
		Notification:   &snowball.Notification{JobStatesToNotify: aws.StringSlice([]string{}), NotifyAll: aws.Bool(false)},
		Resources: &snowball.JobResource{S3Resources: []*snowball.S3Resource{
			{BucketArn: aws.String(testBucketARN), KeyRange: &snowball.KeyRange{}},
		}},
	}
}

func mustCreateCluster(tb testing.TB, c *snowball.Snowball, in *snowball.CreateClusterInput) *snowball.CreateClusterOutput {
	tb.Helper()
	out, err := c.CreateCluster(in)
	if err != nil {
		tb.Fatalf("CreateCluster: %v", err)
	}
	return out
}

// mustClusterJobs lists every node job of a cluster.
func mustClusterJobs(tb testing.TB, c *snowball.Snowball, clusterID string) []*snowball.JobListEntry {
	tb.Helper()
	var out []*snowball.JobListEntry
	err := c.ListClusterJobsPages(&snowball.ListClusterJobsInput{ClusterId: aws.String(clusterID)},
		func(p *snowball.ListClusterJobsOutput, last bool) bool {
			out = append(out, p.JobListEntries...)
			return true
		})
	if err != nil {
		tb.Fatalf("ListClusterJobs: %v", err)
	}
	return out
}

func jobIDs(entries []*snowball.JobListEntry) []string {
	var ids []string
	for _, e := range entries {
		ids = append(ids, aws.StringValue(e.JobId))
	}
	return ids
}

func TestCreateCluster(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	t.Run("OKInitialClusterSize5", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(5)
		out := mustCreateCluster(t, c, in)
		id := aws.StringValue(out.ClusterId)
		if !reClusterID.MatchString(id) {
			t.Errorf("ClusterId = %q, want CID + UUIDv4", id)
		}
		if len(out.JobListEntries) != 5 {
			t.Fatalf("%d JobListEntries, want 5", len(out.JobListEntries))
		}
		for i, e := range out.JobListEntries {
			if aws.StringValue(e.JobState) != snowball.JobStateNew || aws.StringValue(e.JobType) != snowball.JobTypeLocalUse ||
				aws.BoolValue(e.IsMaster) || aws.StringValue(e.SnowballType) != snowball.TypeEdge {
				t.Errorf("node %d = %v, want a New LOCAL_USE EDGE job", i+1, e)
			}
		}
		if diff := cmp.Diff(jobIDs(out.JobListEntries), jobIDs(mustClusterJobs(t, c, id))); diff != "" {
			t.Errorf("ListClusterJobs vs CreateCluster entries (-create +list):\n%s", diff)
		}
		if got := clusterState(t, c, id); got != snowball.ClusterStateAwaitingQuorum {
			t.Errorf("ClusterState = %s, want AwaitingQuorum", got)
		}
	})

	t.Run("OKEmptyClusterQuorum5", func(t *testing.T) {
		out := mustCreateCluster(t, c, clusterInput(addr))
		if len(out.JobListEntries) != 0 {
			t.Errorf("an empty cluster came with %d jobs", len(out.JobListEntries))
		}
		id := aws.StringValue(out.ClusterId)
		for i := range 5 {
			if _, err := c.CreateJob(&snowball.CreateJobInput{ClusterId: aws.String(id)}); err != nil {
				t.Fatalf("node %d: %v", i+1, err)
			}
		}
		_, err := c.CreateJob(&snowball.CreateJobInput{ClusterId: aws.String(id)})
		wantErr[*snowball.ClusterLimitExceededException](t, err)
	})

	for _, tc := range []struct {
		name string
		edit func(*snowball.CreateClusterInput)
	}{
		{"ErrInvalidInputCombinationImport", func(in *snowball.CreateClusterInput) { in.JobType = aws.String(snowball.JobTypeImport) }},
		{"ErrInvalidInputCombinationExport", func(in *snowball.CreateClusterInput) { in.JobType = aws.String(snowball.JobTypeExport) }},
		{"ErrInvalidInputCombinationStandard", func(in *snowball.CreateClusterInput) { in.SnowballType = aws.String(snowball.TypeStandard) }},
		{"ErrInvalidInputCombinationSnowcone", func(in *snowball.CreateClusterInput) { in.SnowballType = aws.String(snowball.TypeSnc1Ssd) }},
		{"ErrInvalidInputCombinationSize2", func(in *snowball.CreateClusterInput) { in.InitialClusterSize = aws.Int64(2) }},
		{"ErrInvalidInputCombinationSize1", func(in *snowball.CreateClusterInput) { in.InitialClusterSize = aws.Int64(1) }},
		{"ErrInvalidInputCombinationCapacity", func(in *snowball.CreateClusterInput) {
			in.SnowballCapacityPreference = aws.String(snowball.CapacityT42)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := clusterInput(addr)
			tc.edit(in)
			_, err := c.CreateCluster(in)
			wantErr[*snowball.InvalidInputCombinationException](t, err)
		})
	}
	s3Cluster := func(size, serviceSize, faultTolerance int64, force bool) *snowball.CreateClusterInput {
		in := clusterInput(addr)
		in.SnowballType, in.InitialClusterSize, in.ForceCreateJobs = aws.String(snowball.TypeEdgeC), aws.Int64(size), aws.Bool(force)
		in.OnDeviceServiceConfiguration = &snowball.OnDeviceServiceConfiguration{S3OnDeviceService: &snowball.S3OnDeviceServiceConfiguration{
			StorageLimit: aws.Float64(40), StorageUnit: aws.String(snowball.StorageUnitTb), ServiceSize: aws.Int64(serviceSize), FaultTolerance: aws.Int64(faultTolerance),
		}}
		return in
	}
	for _, tc := range []struct {
		name string
		in   *snowball.CreateClusterInput
		ok   bool
	}{
		{"OKS3ServiceSizeMatches", s3Cluster(3, 3, 1, false), true},
		{"OKS3ServiceSizeForced", s3Cluster(3, 5, 1, true), true},
		{"OKS3FaultTolerance2Of5", s3Cluster(5, 5, 2, false), true},
		{"ErrInvalidInputCombinationS3ServiceSize", s3Cluster(3, 5, 1, false), false},
		{"ErrInvalidInputCombinationS3FaultTolerance", s3Cluster(3, 3, 2, false), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateCluster(tc.in)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr[*snowball.InvalidInputCombinationException](t, err)
		})
	}
	t.Run("ErrValidationInitialClusterSize17", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(17)
		_, err := c.CreateCluster(in)
		wantCode(t, err, "ValidationException")
	})
	t.Run("ErrInvalidResourceAddress", func(t *testing.T) {
		_, err := c.CreateCluster(clusterInput(unknownID("ADID")))
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidResourceForwardingAddress", func(t *testing.T) {
		in := clusterInput(addr)
		in.ForwardingAddressId = aws.String(unknownID("ADID"))
		_, err := c.CreateCluster(in)
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidResourceOtherAccountsAddress", func(t *testing.T) {
		_, err := s.Bob().CreateCluster(clusterInput(addr))
		wantResource(t, err, "ADDRESS")
	})
}

// TestClusterNodeJob checks CreateJob with a ClusterId: the node inherits
// the cluster, and a full or started cluster takes no more nodes.
func TestClusterNodeJob(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	t.Run("OKInheritsCluster", func(t *testing.T) {
		in := clusterInput(addr)
		in.SnowballType = aws.String(snowball.TypeEdgeC)
		in.SnowballCapacityPreference = aws.String(snowball.CapacityT42)
		in.RemoteManagement = aws.String(snowball.RemoteManagementInstalledAutostart)
		in.ShippingOption = aws.String(snowball.ShippingOptionExpress)
		in.ForwardingAddressId = aws.String(mustCreateAddress(t, c))
		cluster := aws.StringValue(mustCreateCluster(t, c, in).ClusterId)
		// Members other than ClusterId and Description are ignored: the cluster's win.
		id := mustCreateJob(t, c, &snowball.CreateJobInput{
			ClusterId: aws.String(cluster), JobType: aws.String(snowball.JobTypeImport),
			ShippingOption: aws.String(snowball.ShippingOptionNextDay),
		})
		got := mustDescribeJob(t, c, id).JobMetadata
		want := &snowball.JobMetadata{
			JobId: aws.String(id), JobState: aws.String(snowball.JobStateNew), CreationDate: aws.Time(frostytest.Start),
			ClusterId: aws.String(cluster), JobType: in.JobType, SnowballType: in.SnowballType,
			SnowballCapacityPreference: in.SnowballCapacityPreference, RemoteManagement: in.RemoteManagement,
			AddressId: in.AddressId, ForwardingAddressId: in.ForwardingAddressId, Description: in.Description,
			KmsKeyARN: in.KmsKeyARN, RoleARN: in.RoleARN, Notification: in.Notification, Resources: in.Resources,
			ShippingDetails: &snowball.ShippingDetails{ShippingOption: in.ShippingOption},
		}
		if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
			t.Errorf("node JobMetadata (-want +got):\n%s", diff)
		}
		named := mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: aws.String(cluster), Description: aws.String("node-002")})
		if got := aws.StringValue(mustDescribeJob(t, c, named).JobMetadata.Description); got != "node-002" {
			t.Errorf("node Description = %q, want node-002", got)
		}
	})

	t.Run("ErrClusterLimitExceededFull", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(3)
		cluster := mustCreateCluster(t, c, in).ClusterId
		_, err := c.CreateJob(&snowball.CreateJobInput{ClusterId: cluster})
		wantErr[*snowball.ClusterLimitExceededException](t, err)
	})
	t.Run("OKCancelledNodeFreesItsPlace", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(3)
		out := mustCreateCluster(t, c, in)
		if _, err := c.CancelJob(&snowball.CancelJobInput{JobId: out.JobListEntries[0].JobId}); err != nil {
			t.Fatal(err)
		}
		mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: out.ClusterId})
		if got := len(mustClusterJobs(t, c, aws.StringValue(out.ClusterId))); got != 4 {
			t.Errorf("ListClusterJobs has %d jobs, want 4 (cancelled ones stay listed)", got)
		}
	})
	t.Run("ErrClusterLimitExceededCancelled", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		if _, err := c.CancelCluster(&snowball.CancelClusterInput{ClusterId: cluster}); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreateJob(&snowball.CreateJobInput{ClusterId: cluster})
		wantErr[*snowball.ClusterLimitExceededException](t, err)
	})
	t.Run("ErrClusterLimitExceededPending", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(3)
		out := mustCreateCluster(t, c, in)
		s.Advance(t, aws.StringValue(out.JobListEntries[0].JobId), snowball.JobStatePreparingAppliance)
		if got := clusterState(t, c, aws.StringValue(out.ClusterId)); got != snowball.ClusterStatePending {
			t.Fatalf("ClusterState = %s, want Pending", got)
		}
		// A node still New can be cancelled, which frees a place; but a
		// Pending cluster takes no new nodes.
		if _, err := c.CancelJob(&snowball.CancelJobInput{JobId: out.JobListEntries[2].JobId}); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreateJob(&snowball.CreateJobInput{ClusterId: out.ClusterId})
		wantErr[*snowball.ClusterLimitExceededException](t, err)
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		_, err := s.Bob().CreateJob(&snowball.CreateJobInput{ClusterId: cluster})
		wantResource(t, err, "CLUSTER")
	})
}

func TestDescribeCluster(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	in := clusterInput(mustCreateAddress(t, c))
	in.ForwardingAddressId = aws.String(mustCreateAddress(t, c))
	id := aws.StringValue(mustCreateCluster(t, c, in).ClusterId)

	t.Run("OK", func(t *testing.T) {
		got, err := c.DescribeCluster(&snowball.DescribeClusterInput{ClusterId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		want := &snowball.DescribeClusterOutput{ClusterMetadata: &snowball.ClusterMetadata{
			ClusterId: aws.String(id), ClusterState: aws.String(snowball.ClusterStateAwaitingQuorum),
			CreationDate: aws.Time(frostytest.Start), Description: in.Description, KmsKeyARN: in.KmsKeyARN,
			RoleARN: in.RoleARN, JobType: in.JobType, SnowballType: in.SnowballType, Resources: in.Resources,
			AddressId: in.AddressId, ForwardingAddressId: in.ForwardingAddressId, ShippingOption: in.ShippingOption,
			Notification: in.Notification,
		}}
		if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
			t.Errorf("DescribeCluster (-want +got):\n%s", diff)
		}
	})
	t.Run("ErrInvalidResourceUnknown", func(t *testing.T) {
		_, err := c.DescribeCluster(&snowball.DescribeClusterInput{ClusterId: aws.String(unknownID("CID"))})
		wantResource(t, err, "CLUSTER")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		_, err := s.Bob().DescribeCluster(&snowball.DescribeClusterInput{ClusterId: aws.String(id)})
		wantResource(t, err, "CLUSTER")
	})
}

func TestListClusters(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	out, err := c.ListClusters(&snowball.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.ClusterListEntries == nil || len(out.ClusterListEntries) != 0 {
		t.Errorf("empty ListClusters = %v, want an empty list", out)
	}

	var want []*snowball.ClusterListEntry
	for i := range 3 {
		in := clusterInput(addr)
		in.Description = aws.String("cluster-" + string(rune('a'+i)))
		id := mustCreateCluster(t, c, in).ClusterId
		want = append(want, &snowball.ClusterListEntry{
			ClusterId: id, ClusterState: aws.String(snowball.ClusterStateAwaitingQuorum),
			CreationDate: aws.Time(frostytest.Start), Description: in.Description,
		})
	}
	if _, err := c.CancelCluster(&snowball.CancelClusterInput{ClusterId: want[1].ClusterId}); err != nil {
		t.Fatal(err)
	}
	want[1].ClusterState = aws.String(snowball.ClusterStateCancelled)

	var got []*snowball.ClusterListEntry
	pages := 0
	err = c.ListClustersPages(&snowball.ListClustersInput{MaxResults: aws.Int64(2)}, func(p *snowball.ListClustersOutput, last bool) bool {
		pages++
		got = append(got, p.ClusterListEntries...)
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
		t.Errorf("ListClusters (-want +got):\n%s", diff)
	}
	if pages != 2 {
		t.Errorf("%d pages of 2, want 2", pages)
	}
	t.Run("ErrInvalidNextToken", func(t *testing.T) {
		_, err := c.ListClusters(&snowball.ListClustersInput{NextToken: aws.String("bogus")})
		wantErr[*snowball.InvalidNextTokenException](t, err)
	})
	t.Run("OKOtherAccountSeesNone", func(t *testing.T) {
		out, err := s.Bob().ListClusters(&snowball.ListClustersInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ClusterListEntries) != 0 {
			t.Errorf("Bob sees %d of Alice's clusters", len(out.ClusterListEntries))
		}
	})
}

func TestListClusterJobs(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	cluster := aws.StringValue(mustCreateCluster(t, c, clusterInput(addr)).ClusterId)
	var want []string
	for i := range 5 {
		if i == 2 {
			mustCreateJob(t, c, importJob(addr)) // not a node: never listed
		}
		want = append(want, mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: aws.String(cluster)}))
	}

	t.Run("OK", func(t *testing.T) {
		out, err := c.ListClusterJobs(&snowball.ListClusterJobsInput{ClusterId: aws.String(cluster)})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, jobIDs(out.JobListEntries)); diff != "" {
			t.Errorf("nodes in creation order (-want +got):\n%s", diff)
		}
		if out.NextToken != nil {
			t.Errorf("NextToken %q on the only page", *out.NextToken)
		}
		exact, err := c.ListClusterJobs(&snowball.ListClusterJobsInput{ClusterId: aws.String(cluster), MaxResults: aws.Int64(5)})
		if err != nil {
			t.Fatal(err)
		}
		if len(exact.JobListEntries) != 5 || exact.NextToken != nil {
			t.Errorf("MaxResults 5 of 5: %d entries, NextToken %v; want 5 and none", len(exact.JobListEntries), exact.NextToken)
		}
	})
	t.Run("OKPagination", func(t *testing.T) {
		var got []string
		pages := 0
		err := c.ListClusterJobsPages(&snowball.ListClusterJobsInput{ClusterId: aws.String(cluster), MaxResults: aws.Int64(2)},
			func(p *snowball.ListClusterJobsOutput, last bool) bool {
				pages++
				got = append(got, jobIDs(p.JobListEntries)...)
				return true
			})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("paged nodes (-want +got):\n%s", diff)
		}
		if pages != 3 {
			t.Errorf("%d pages, want 3", pages)
		}
	})
	t.Run("ErrInvalidNextTokenOtherCluster", func(t *testing.T) {
		first, err := c.ListClusterJobs(&snowball.ListClusterJobsInput{ClusterId: aws.String(cluster), MaxResults: aws.Int64(1)})
		if err != nil {
			t.Fatal(err)
		}
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(3)
		other := mustCreateCluster(t, c, in).ClusterId
		_, err = c.ListClusterJobs(&snowball.ListClusterJobsInput{ClusterId: other, NextToken: first.NextToken})
		wantErr[*snowball.InvalidNextTokenException](t, err)
	})
	t.Run("ErrInvalidResourceUnknown", func(t *testing.T) {
		_, err := c.ListClusterJobs(&snowball.ListClusterJobsInput{ClusterId: aws.String(unknownID("CID"))})
		wantResource(t, err, "CLUSTER")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		_, err := s.Bob().ListClusterJobs(&snowball.ListClusterJobsInput{ClusterId: aws.String(cluster)})
		wantResource(t, err, "CLUSTER")
	})
}

func TestUpdateCluster(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	t.Run("OKPropagatesToNewNodes", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(3)
		out := mustCreateCluster(t, c, in)
		cluster := out.ClusterId
		addr2 := mustCreateAddress(t, c)
		notification := &snowball.Notification{NotifyAll: aws.Bool(true), JobStatesToNotify: aws.StringSlice([]string{})}
		if _, err := c.UpdateCluster(&snowball.UpdateClusterInput{
			ClusterId: cluster, Description: aws.String("updated-cluster-name"), AddressId: aws.String(addr2),
			ShippingOption: aws.String(snowball.ShippingOptionNextDay), RoleARN: aws.String("arn:aws:iam::111122223333:role/other"),
			Notification: notification,
		}); err != nil {
			t.Fatal(err)
		}
		md, err := c.DescribeCluster(&snowball.DescribeClusterInput{ClusterId: cluster})
		if err != nil {
			t.Fatal(err)
		}
		cm := md.ClusterMetadata
		if aws.StringValue(cm.Description) != "updated-cluster-name" || aws.StringValue(cm.AddressId) != addr2 ||
			aws.StringValue(cm.ShippingOption) != snowball.ShippingOptionNextDay {
			t.Errorf("cluster after update = %v", cm)
		}
		for _, e := range out.JobListEntries {
			jm := mustDescribeJob(t, c, aws.StringValue(e.JobId)).JobMetadata
			got := &snowball.JobMetadata{AddressId: jm.AddressId, ShippingDetails: jm.ShippingDetails, RoleARN: jm.RoleARN, Notification: jm.Notification}
			want := &snowball.JobMetadata{
				AddressId: aws.String(addr2), ShippingDetails: &snowball.ShippingDetails{ShippingOption: aws.String(snowball.ShippingOptionNextDay)},
				RoleARN: aws.String("arn:aws:iam::111122223333:role/other"), Notification: notification,
			}
			if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
				t.Errorf("node %s after UpdateCluster (-want +got):\n%s", aws.StringValue(e.JobId), diff)
			}
		}
	})
	t.Run("ErrInvalidJobStatePending", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(3)
		out := mustCreateCluster(t, c, in)
		s.Advance(t, aws.StringValue(out.JobListEntries[0].JobId), snowball.JobStatePreparingAppliance)
		_, err := c.UpdateCluster(&snowball.UpdateClusterInput{ClusterId: out.ClusterId, Description: aws.String("late")})
		wantErr[*snowball.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidJobStateCancelled", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		if _, err := c.CancelCluster(&snowball.CancelClusterInput{ClusterId: cluster}); err != nil {
			t.Fatal(err)
		}
		_, err := c.UpdateCluster(&snowball.UpdateClusterInput{ClusterId: cluster, Description: aws.String("late")})
		wantErr[*snowball.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidResourceAddress", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		_, err := c.UpdateCluster(&snowball.UpdateClusterInput{ClusterId: cluster, AddressId: aws.String(unknownID("ADID"))})
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidInputCombination", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		_, err := c.UpdateCluster(&snowball.UpdateClusterInput{ClusterId: cluster, OnDeviceServiceConfiguration: &snowball.OnDeviceServiceConfiguration{
			TGWOnDeviceService: &snowball.TGWOnDeviceServiceConfiguration{StorageLimit: aws.Int64(80)},
		}})
		wantErr[*snowball.InvalidInputCombinationException](t, err)
	})
	t.Run("ErrInvalidResourceCluster", func(t *testing.T) {
		_, err := c.UpdateCluster(&snowball.UpdateClusterInput{ClusterId: aws.String(unknownID("CID")), Description: aws.String("x")})
		wantResource(t, err, "CLUSTER")
	})
}

func TestCancelCluster(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	newCluster := func() *snowball.CreateClusterOutput {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(3)
		return mustCreateCluster(t, c, in)
	}

	t.Run("OKCascades", func(t *testing.T) {
		out := newCluster()
		if _, err := c.CancelCluster(&snowball.CancelClusterInput{ClusterId: out.ClusterId}); err != nil {
			t.Fatal(err)
		}
		if got := clusterState(t, c, aws.StringValue(out.ClusterId)); got != snowball.ClusterStateCancelled {
			t.Errorf("ClusterState = %s, want Cancelled", got)
		}
		for _, e := range mustClusterJobs(t, c, aws.StringValue(out.ClusterId)) {
			if got := aws.StringValue(e.JobState); got != snowball.JobStateCancelled {
				t.Errorf("node %s is %s, want Cancelled", aws.StringValue(e.JobId), got)
			}
		}
	})
	t.Run("ErrInvalidJobStateCancelled", func(t *testing.T) {
		out := newCluster()
		if _, err := c.CancelCluster(&snowball.CancelClusterInput{ClusterId: out.ClusterId}); err != nil {
			t.Fatal(err)
		}
		_, err := c.CancelCluster(&snowball.CancelClusterInput{ClusterId: out.ClusterId})
		wantErr[*snowball.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidJobStatePending", func(t *testing.T) {
		out := newCluster()
		s.Advance(t, aws.StringValue(out.JobListEntries[0].JobId), snowball.JobStatePreparingAppliance)
		_, err := c.CancelCluster(&snowball.CancelClusterInput{ClusterId: out.ClusterId})
		wantErr[*snowball.InvalidJobStateException](t, err)
		for _, e := range mustClusterJobs(t, c, aws.StringValue(out.ClusterId)) {
			if aws.StringValue(e.JobState) == snowball.JobStateCancelled {
				t.Errorf("a refused CancelCluster cancelled node %s", aws.StringValue(e.JobId))
			}
		}
	})
	t.Run("ErrInvalidResource", func(t *testing.T) {
		_, err := c.CancelCluster(&snowball.CancelClusterInput{ClusterId: aws.String(unknownID("CID"))})
		wantResource(t, err, "CLUSTER")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		out := newCluster()
		_, err := s.Bob().CancelCluster(&snowball.CancelClusterInput{ClusterId: out.ClusterId})
		wantResource(t, err, "CLUSTER")
		if got := clusterState(t, c, aws.StringValue(out.ClusterId)); got != snowball.ClusterStateAwaitingQuorum {
			t.Errorf("Bob's refused cancel left the cluster %s", got)
		}
	})
}

// TestClusterLifecycle drives a cluster through the operator API:
// AwaitingQuorum → Pending → InUse → Complete, following its nodes.
func TestClusterLifecycle(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	t.Run("ErrNoQuorum", func(t *testing.T) {
		cluster := aws.StringValue(mustCreateCluster(t, c, clusterInput(addr)).ClusterId)
		var nodes []string
		for range 4 {
			nodes = append(nodes, mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: aws.String(cluster)}))
		}
		if status, body := tryAdvance(t, s, nodes[0], snowball.JobStatePreparingAppliance); status != http.StatusBadRequest {
			t.Errorf("advancing a node of a 4-of-5 cluster: HTTP %d %s, want 400", status, body)
		}
		if status, body := advanceCluster(t, s, cluster, snowball.ClusterStatePending); status != http.StatusBadRequest {
			t.Errorf("advancing a 4-of-5 cluster: HTTP %d %s, want 400", status, body)
		}
		wantJobState(t, c, nodes[0], snowball.JobStateNew)
		if got := clusterState(t, c, cluster); got != snowball.ClusterStateAwaitingQuorum {
			t.Errorf("ClusterState = %s, want AwaitingQuorum", got)
		}
		// The fifth node makes the quorum.
		mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: aws.String(cluster)})
		s.Advance(t, nodes[0], snowball.JobStatePreparingAppliance)
		if got := clusterState(t, c, cluster); got != snowball.ClusterStatePending {
			t.Errorf("ClusterState = %s, want Pending", got)
		}
	})

	t.Run("OK", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(3)
		out := mustCreateCluster(t, c, in)
		cluster := aws.StringValue(out.ClusterId)
		nodes := jobIDs(out.JobListEntries)

		s.Advance(t, nodes[0], snowball.JobStatePreparingAppliance)
		if got := clusterState(t, c, cluster); got != snowball.ClusterStatePending {
			t.Errorf("after a node left New: ClusterState = %s, want Pending", got)
		}
		s.Advance(t, nodes[0], snowball.JobStateWithCustomer)
		if got := clusterState(t, c, cluster); got != snowball.ClusterStateInUse {
			t.Errorf("after a node reached WithCustomer: ClusterState = %s, want InUse", got)
		}
		s.Advance(t, nodes[0], snowball.JobStateComplete)
		s.Advance(t, nodes[1], snowball.JobStateComplete)
		if got := clusterState(t, c, cluster); got != snowball.ClusterStateInUse {
			t.Errorf("with a node not Complete: ClusterState = %s, want InUse", got)
		}
		s.Advance(t, nodes[2], snowball.JobStateComplete)
		if got := clusterState(t, c, cluster); got != snowball.ClusterStateComplete {
			t.Errorf("with every node Complete: ClusterState = %s, want Complete", got)
		}
	})

	t.Run("OKOperatorMovesClusterToPending", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int64(3)
		out := mustCreateCluster(t, c, in)
		cluster := aws.StringValue(out.ClusterId)
		status, body := advanceCluster(t, s, cluster, snowball.ClusterStatePending)
		if status != http.StatusOK {
			t.Fatalf("advance cluster: HTTP %d %s", status, body)
		}
		if got := clusterState(t, c, cluster); got != snowball.ClusterStatePending {
			t.Errorf("ClusterState = %s, want Pending", got)
		}
		// The nodes may stay New for a while (EX DescribeCluster).
		for _, e := range mustClusterJobs(t, c, cluster) {
			if got := aws.StringValue(e.JobState); got != snowball.JobStateNew {
				t.Errorf("node %s is %s, want New", aws.StringValue(e.JobId), got)
			}
		}
	})
}
