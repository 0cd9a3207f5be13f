package server_test

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
)

// clusterInput is a valid empty EDGE LOCAL_USE cluster to addressID.
func clusterInput(addressID string) *snowball.CreateClusterInput {
	return &snowball.CreateClusterInput{
		JobType:        types.JobTypeLocalUse,
		SnowballType:   types.SnowballTypeEdge,
		AddressId:      aws.String(addressID),
		ShippingOption: types.ShippingOptionSecondDay,
		Description:    aws.String("MyCluster"),
		RoleARN:        aws.String(testRoleARN),
		KmsKeyARN:      aws.String(testKmsKeyARN),
		Notification:   &types.Notification{JobStatesToNotify: []types.JobState{}},
		Resources: &types.JobResource{S3Resources: []types.S3Resource{
			{BucketArn: aws.String(testBucketARN), KeyRange: &types.KeyRange{}},
		}},
	}
}

func mustCreateCluster(tb testing.TB, c *snowball.Client, in *snowball.CreateClusterInput) *snowball.CreateClusterOutput {
	tb.Helper()
	out, err := c.CreateCluster(tb.Context(), in)
	if err != nil {
		tb.Fatalf("CreateCluster: %v", err)
	}
	return out
}

// mustClusterJobs lists every node job of a cluster.
func mustClusterJobs(tb testing.TB, c *snowball.Client, clusterID string) []types.JobListEntry {
	tb.Helper()
	var out []types.JobListEntry
	err := eachPage(tb.Context(), snowball.NewListClusterJobsPaginator(c, &snowball.ListClusterJobsInput{ClusterId: aws.String(clusterID)}),
		func(p *snowball.ListClusterJobsOutput, last bool) {
			out = append(out, p.JobListEntries...)
		})
	if err != nil {
		tb.Fatalf("ListClusterJobs: %v", err)
	}
	return out
}

func jobIDs(entries []types.JobListEntry) []string {
	var ids []string
	for _, e := range entries {
		ids = append(ids, aws.ToString(e.JobId))
	}
	return ids
}

func TestCreateCluster(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	t.Run("OKInitialClusterSize5", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(5)
		out := mustCreateCluster(t, c, in)
		id := aws.ToString(out.ClusterId)
		if !reClusterID.MatchString(id) {
			t.Errorf("ClusterId = %q, want CID + UUIDv4", id)
		}
		if len(out.JobListEntries) != 5 {
			t.Fatalf("%d JobListEntries, want 5", len(out.JobListEntries))
		}
		for i, e := range out.JobListEntries {
			if e.JobState != types.JobStateNew || e.JobType != types.JobTypeLocalUse ||
				e.IsMaster || e.SnowballType != types.SnowballTypeEdge {
				t.Errorf("node %d = %v, want a New LOCAL_USE EDGE job", i+1, e)
			}
		}
		if diff := cmp.Diff(jobIDs(out.JobListEntries), jobIDs(mustClusterJobs(t, c, id))); diff != "" {
			t.Errorf("ListClusterJobs vs CreateCluster entries (-create +list):\n%s", diff)
		}
		if got := clusterState(t, c, id); got != types.ClusterStateAwaitingQuorum {
			t.Errorf("ClusterState = %s, want AwaitingQuorum", got)
		}
	})

	t.Run("OKEmptyClusterQuorum5", func(t *testing.T) {
		out := mustCreateCluster(t, c, clusterInput(addr))
		if len(out.JobListEntries) != 0 {
			t.Errorf("an empty cluster came with %d jobs", len(out.JobListEntries))
		}
		id := aws.ToString(out.ClusterId)
		for i := range 5 {
			if _, err := c.CreateJob(t.Context(), &snowball.CreateJobInput{ClusterId: aws.String(id)}); err != nil {
				t.Fatalf("node %d: %v", i+1, err)
			}
		}
		_, err := c.CreateJob(t.Context(), &snowball.CreateJobInput{ClusterId: aws.String(id)})
		wantErr[*types.ClusterLimitExceededException](t, err)
	})

	for _, tc := range []struct {
		name string
		edit func(*snowball.CreateClusterInput)
	}{
		{"ErrInvalidInputCombinationImport", func(in *snowball.CreateClusterInput) { in.JobType = types.JobTypeImport }},
		{"ErrInvalidInputCombinationExport", func(in *snowball.CreateClusterInput) { in.JobType = types.JobTypeExport }},
		{"ErrInvalidInputCombinationStandard", func(in *snowball.CreateClusterInput) { in.SnowballType = types.SnowballTypeStandard }},
		{"ErrInvalidInputCombinationSnowcone", func(in *snowball.CreateClusterInput) { in.SnowballType = types.SnowballTypeSnc1Ssd }},
		{"ErrInvalidInputCombinationSize2", func(in *snowball.CreateClusterInput) { in.InitialClusterSize = aws.Int32(2) }},
		{"ErrInvalidInputCombinationSize1", func(in *snowball.CreateClusterInput) { in.InitialClusterSize = aws.Int32(1) }},
		{"ErrInvalidInputCombinationCapacity", func(in *snowball.CreateClusterInput) {
			in.SnowballCapacityPreference = types.SnowballCapacityT42
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := clusterInput(addr)
			tc.edit(in)
			_, err := c.CreateCluster(t.Context(), in)
			wantErr[*types.InvalidInputCombinationException](t, err)
		})
	}
	s3Cluster := func(size, serviceSize, faultTolerance int32, force bool) *snowball.CreateClusterInput {
		in := clusterInput(addr)
		in.SnowballType, in.InitialClusterSize, in.ForceCreateJobs = types.SnowballTypeEdgeC, aws.Int32(size), force
		in.OnDeviceServiceConfiguration = &types.OnDeviceServiceConfiguration{S3OnDeviceService: &types.S3OnDeviceServiceConfiguration{
			StorageLimit: aws.Float64(40), StorageUnit: types.StorageUnitTb, ServiceSize: aws.Int32(serviceSize), FaultTolerance: aws.Int32(faultTolerance),
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
			_, err := c.CreateCluster(t.Context(), tc.in)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr[*types.InvalidInputCombinationException](t, err)
		})
	}
	t.Run("ErrValidationInitialClusterSize17", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(17)
		_, err := c.CreateCluster(t.Context(), in)
		wantCode(t, err, "ValidationException")
	})
	t.Run("ErrInvalidResourceAddress", func(t *testing.T) {
		_, err := c.CreateCluster(t.Context(), clusterInput(unknownID("ADID")))
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidResourceForwardingAddress", func(t *testing.T) {
		in := clusterInput(addr)
		in.ForwardingAddressId = aws.String(unknownID("ADID"))
		_, err := c.CreateCluster(t.Context(), in)
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidResourceOtherAccountsAddress", func(t *testing.T) {
		_, err := s.Bob().CreateCluster(t.Context(), clusterInput(addr))
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
		in.SnowballType = types.SnowballTypeEdgeC
		in.SnowballCapacityPreference = types.SnowballCapacityT42
		in.RemoteManagement = types.RemoteManagementInstalledAutostart
		in.ShippingOption = types.ShippingOptionExpress
		in.ForwardingAddressId = aws.String(mustCreateAddress(t, c))
		cluster := aws.ToString(mustCreateCluster(t, c, in).ClusterId)
		// Members other than ClusterId and Description are ignored: the cluster's win.
		id := mustCreateJob(t, c, &snowball.CreateJobInput{
			ClusterId: aws.String(cluster), JobType: types.JobTypeImport,
			ShippingOption: types.ShippingOptionNextDay,
		})
		got := mustDescribeJob(t, c, id).JobMetadata
		want := &types.JobMetadata{
			JobId: aws.String(id), JobState: types.JobStateNew, CreationDate: aws.Time(frostytest.Start),
			ClusterId: aws.String(cluster), JobType: in.JobType, SnowballType: in.SnowballType,
			SnowballCapacityPreference: in.SnowballCapacityPreference, RemoteManagement: in.RemoteManagement,
			AddressId: in.AddressId, ForwardingAddressId: in.ForwardingAddressId, Description: in.Description,
			KmsKeyARN: in.KmsKeyARN, RoleARN: in.RoleARN, Notification: in.Notification, Resources: in.Resources,
			ShippingDetails: &types.ShippingDetails{ShippingOption: in.ShippingOption},
		}
		if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
			t.Errorf("node JobMetadata (-want +got):\n%s", diff)
		}
		named := mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: aws.String(cluster), Description: aws.String("node-002")})
		if got := aws.ToString(mustDescribeJob(t, c, named).JobMetadata.Description); got != "node-002" {
			t.Errorf("node Description = %q, want node-002", got)
		}
	})

	t.Run("ErrClusterLimitExceededFull", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		cluster := mustCreateCluster(t, c, in).ClusterId
		_, err := c.CreateJob(t.Context(), &snowball.CreateJobInput{ClusterId: cluster})
		wantErr[*types.ClusterLimitExceededException](t, err)
	})
	t.Run("OKCancelledNodeFreesItsPlace", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		out := mustCreateCluster(t, c, in)
		if _, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: out.JobListEntries[0].JobId}); err != nil {
			t.Fatal(err)
		}
		mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: out.ClusterId})
		if got := len(mustClusterJobs(t, c, aws.ToString(out.ClusterId))); got != 4 {
			t.Errorf("ListClusterJobs has %d jobs, want 4 (cancelled ones stay listed)", got)
		}
	})
	t.Run("ErrClusterLimitExceededCancelled", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		if _, err := c.CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: cluster}); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreateJob(t.Context(), &snowball.CreateJobInput{ClusterId: cluster})
		wantErr[*types.ClusterLimitExceededException](t, err)
	})
	t.Run("ErrClusterLimitExceededPending", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		out := mustCreateCluster(t, c, in)
		s.Advance(t, aws.ToString(out.JobListEntries[0].JobId), string(types.JobStatePreparingAppliance))
		if got := clusterState(t, c, aws.ToString(out.ClusterId)); got != types.ClusterStatePending {
			t.Fatalf("ClusterState = %s, want Pending", got)
		}
		// A node still New can be cancelled, which frees a place; but a
		// Pending cluster takes no new nodes.
		if _, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: out.JobListEntries[2].JobId}); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreateJob(t.Context(), &snowball.CreateJobInput{ClusterId: out.ClusterId})
		wantErr[*types.ClusterLimitExceededException](t, err)
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		_, err := s.Bob().CreateJob(t.Context(), &snowball.CreateJobInput{ClusterId: cluster})
		wantResource(t, err, "CLUSTER")
	})
}

func TestDescribeCluster(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	in := clusterInput(mustCreateAddress(t, c))
	in.ForwardingAddressId = aws.String(mustCreateAddress(t, c))
	id := aws.ToString(mustCreateCluster(t, c, in).ClusterId)

	t.Run("OK", func(t *testing.T) {
		got, err := c.DescribeCluster(t.Context(), &snowball.DescribeClusterInput{ClusterId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		want := &snowball.DescribeClusterOutput{ClusterMetadata: &types.ClusterMetadata{
			ClusterId: aws.String(id), ClusterState: types.ClusterStateAwaitingQuorum,
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
		_, err := c.DescribeCluster(t.Context(), &snowball.DescribeClusterInput{ClusterId: aws.String(unknownID("CID"))})
		wantResource(t, err, "CLUSTER")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		_, err := s.Bob().DescribeCluster(t.Context(), &snowball.DescribeClusterInput{ClusterId: aws.String(id)})
		wantResource(t, err, "CLUSTER")
	})
}

func TestListClusters(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	out, err := c.ListClusters(t.Context(), &snowball.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if out.ClusterListEntries == nil || len(out.ClusterListEntries) != 0 {
		t.Errorf("empty ListClusters = %v, want an empty list", out)
	}

	var want []types.ClusterListEntry
	for i := range 3 {
		in := clusterInput(addr)
		in.Description = aws.String("cluster-" + string(rune('a'+i)))
		id := mustCreateCluster(t, c, in).ClusterId
		want = append(want, types.ClusterListEntry{
			ClusterId: id, ClusterState: types.ClusterStateAwaitingQuorum,
			CreationDate: aws.Time(frostytest.Start), Description: in.Description,
		})
	}
	if _, err := c.CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: want[1].ClusterId}); err != nil {
		t.Fatal(err)
	}
	want[1].ClusterState = types.ClusterStateCancelled

	var got []types.ClusterListEntry
	pages := 0
	err = eachPage(t.Context(), snowball.NewListClustersPaginator(c, &snowball.ListClustersInput{MaxResults: aws.Int32(2)}), func(p *snowball.ListClustersOutput, last bool) {
		pages++
		got = append(got, p.ClusterListEntries...)
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
		_, err := c.ListClusters(t.Context(), &snowball.ListClustersInput{NextToken: aws.String("bogus")})
		wantErr[*types.InvalidNextTokenException](t, err)
	})
	t.Run("OKOtherAccountSeesNone", func(t *testing.T) {
		out, err := s.Bob().ListClusters(t.Context(), &snowball.ListClustersInput{})
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
	cluster := aws.ToString(mustCreateCluster(t, c, clusterInput(addr)).ClusterId)
	var want []string
	for i := range 5 {
		if i == 2 {
			mustCreateJob(t, c, importJob(addr)) // not a node: never listed
		}
		want = append(want, mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: aws.String(cluster)}))
	}

	t.Run("OK", func(t *testing.T) {
		out, err := c.ListClusterJobs(t.Context(), &snowball.ListClusterJobsInput{ClusterId: aws.String(cluster)})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, jobIDs(out.JobListEntries)); diff != "" {
			t.Errorf("nodes in creation order (-want +got):\n%s", diff)
		}
		if out.NextToken != nil {
			t.Errorf("NextToken %q on the only page", *out.NextToken)
		}
		exact, err := c.ListClusterJobs(t.Context(), &snowball.ListClusterJobsInput{ClusterId: aws.String(cluster), MaxResults: aws.Int32(5)})
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
		err := eachPage(t.Context(), snowball.NewListClusterJobsPaginator(c, &snowball.ListClusterJobsInput{ClusterId: aws.String(cluster), MaxResults: aws.Int32(2)}),
			func(p *snowball.ListClusterJobsOutput, last bool) {
				pages++
				got = append(got, jobIDs(p.JobListEntries)...)
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
		first, err := c.ListClusterJobs(t.Context(), &snowball.ListClusterJobsInput{ClusterId: aws.String(cluster), MaxResults: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		other := mustCreateCluster(t, c, in).ClusterId
		_, err = c.ListClusterJobs(t.Context(), &snowball.ListClusterJobsInput{ClusterId: other, NextToken: first.NextToken})
		wantErr[*types.InvalidNextTokenException](t, err)
	})
	t.Run("ErrInvalidResourceUnknown", func(t *testing.T) {
		_, err := c.ListClusterJobs(t.Context(), &snowball.ListClusterJobsInput{ClusterId: aws.String(unknownID("CID"))})
		wantResource(t, err, "CLUSTER")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		_, err := s.Bob().ListClusterJobs(t.Context(), &snowball.ListClusterJobsInput{ClusterId: aws.String(cluster)})
		wantResource(t, err, "CLUSTER")
	})
}

func TestUpdateCluster(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	t.Run("OKPropagatesToNewNodes", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		out := mustCreateCluster(t, c, in)
		cluster := out.ClusterId
		addr2 := mustCreateAddress(t, c)
		notification := &types.Notification{NotifyAll: true, JobStatesToNotify: []types.JobState{}}
		if _, err := c.UpdateCluster(t.Context(), &snowball.UpdateClusterInput{
			ClusterId: cluster, Description: aws.String("updated-cluster-name"), AddressId: aws.String(addr2),
			ShippingOption: types.ShippingOptionNextDay, RoleARN: aws.String("arn:aws:iam::111122223333:role/other"),
			Notification: notification,
		}); err != nil {
			t.Fatal(err)
		}
		md, err := c.DescribeCluster(t.Context(), &snowball.DescribeClusterInput{ClusterId: cluster})
		if err != nil {
			t.Fatal(err)
		}
		cm := md.ClusterMetadata
		if aws.ToString(cm.Description) != "updated-cluster-name" || aws.ToString(cm.AddressId) != addr2 ||
			cm.ShippingOption != types.ShippingOptionNextDay {
			t.Errorf("cluster after update = %v", cm)
		}
		for _, e := range out.JobListEntries {
			jm := mustDescribeJob(t, c, aws.ToString(e.JobId)).JobMetadata
			got := &types.JobMetadata{AddressId: jm.AddressId, ShippingDetails: jm.ShippingDetails, RoleARN: jm.RoleARN, Notification: jm.Notification}
			want := &types.JobMetadata{
				AddressId: aws.String(addr2), ShippingDetails: &types.ShippingDetails{ShippingOption: types.ShippingOptionNextDay},
				RoleARN: aws.String("arn:aws:iam::111122223333:role/other"), Notification: notification,
			}
			if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
				t.Errorf("node %s after UpdateCluster (-want +got):\n%s", aws.ToString(e.JobId), diff)
			}
		}
	})
	t.Run("ErrInvalidJobStatePending", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		out := mustCreateCluster(t, c, in)
		s.Advance(t, aws.ToString(out.JobListEntries[0].JobId), string(types.JobStatePreparingAppliance))
		_, err := c.UpdateCluster(t.Context(), &snowball.UpdateClusterInput{ClusterId: out.ClusterId, Description: aws.String("late")})
		wantErr[*types.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidJobStateCancelled", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		if _, err := c.CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: cluster}); err != nil {
			t.Fatal(err)
		}
		_, err := c.UpdateCluster(t.Context(), &snowball.UpdateClusterInput{ClusterId: cluster, Description: aws.String("late")})
		wantErr[*types.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidResourceAddress", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		_, err := c.UpdateCluster(t.Context(), &snowball.UpdateClusterInput{ClusterId: cluster, AddressId: aws.String(unknownID("ADID"))})
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidInputCombination", func(t *testing.T) {
		cluster := mustCreateCluster(t, c, clusterInput(addr)).ClusterId
		_, err := c.UpdateCluster(t.Context(), &snowball.UpdateClusterInput{ClusterId: cluster, OnDeviceServiceConfiguration: &types.OnDeviceServiceConfiguration{
			TGWOnDeviceService: &types.TGWOnDeviceServiceConfiguration{StorageLimit: 80},
		}})
		wantErr[*types.InvalidInputCombinationException](t, err)
	})
	t.Run("ErrInvalidResourceCluster", func(t *testing.T) {
		_, err := c.UpdateCluster(t.Context(), &snowball.UpdateClusterInput{ClusterId: aws.String(unknownID("CID")), Description: aws.String("x")})
		wantResource(t, err, "CLUSTER")
	})
}

func TestCancelCluster(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	newCluster := func() *snowball.CreateClusterOutput {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		return mustCreateCluster(t, c, in)
	}

	t.Run("OKCascades", func(t *testing.T) {
		out := newCluster()
		if _, err := c.CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: out.ClusterId}); err != nil {
			t.Fatal(err)
		}
		if got := clusterState(t, c, aws.ToString(out.ClusterId)); got != types.ClusterStateCancelled {
			t.Errorf("ClusterState = %s, want Cancelled", got)
		}
		for _, e := range mustClusterJobs(t, c, aws.ToString(out.ClusterId)) {
			if got := e.JobState; got != types.JobStateCancelled {
				t.Errorf("node %s is %s, want Cancelled", aws.ToString(e.JobId), got)
			}
		}
	})
	t.Run("ErrInvalidJobStateCancelled", func(t *testing.T) {
		out := newCluster()
		if _, err := c.CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: out.ClusterId}); err != nil {
			t.Fatal(err)
		}
		_, err := c.CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: out.ClusterId})
		wantErr[*types.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidJobStatePending", func(t *testing.T) {
		out := newCluster()
		s.Advance(t, aws.ToString(out.JobListEntries[0].JobId), string(types.JobStatePreparingAppliance))
		_, err := c.CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: out.ClusterId})
		wantErr[*types.InvalidJobStateException](t, err)
		for _, e := range mustClusterJobs(t, c, aws.ToString(out.ClusterId)) {
			if e.JobState == types.JobStateCancelled {
				t.Errorf("a refused CancelCluster cancelled node %s", aws.ToString(e.JobId))
			}
		}
	})
	t.Run("ErrInvalidResource", func(t *testing.T) {
		_, err := c.CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: aws.String(unknownID("CID"))})
		wantResource(t, err, "CLUSTER")
	})
	t.Run("ErrInvalidResourceOtherAccount", func(t *testing.T) {
		out := newCluster()
		_, err := s.Bob().CancelCluster(t.Context(), &snowball.CancelClusterInput{ClusterId: out.ClusterId})
		wantResource(t, err, "CLUSTER")
		if got := clusterState(t, c, aws.ToString(out.ClusterId)); got != types.ClusterStateAwaitingQuorum {
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
		cluster := aws.ToString(mustCreateCluster(t, c, clusterInput(addr)).ClusterId)
		var nodes []string
		for range 4 {
			nodes = append(nodes, mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: aws.String(cluster)}))
		}
		if status, body := tryAdvance(t, s, nodes[0], types.JobStatePreparingAppliance); status != http.StatusBadRequest {
			t.Errorf("advancing a node of a 4-of-5 cluster: HTTP %d %s, want 400", status, body)
		}
		if status, body := advanceCluster(t, s, cluster, types.ClusterStatePending); status != http.StatusBadRequest {
			t.Errorf("advancing a 4-of-5 cluster: HTTP %d %s, want 400", status, body)
		}
		wantJobState(t, c, nodes[0], types.JobStateNew)
		if got := clusterState(t, c, cluster); got != types.ClusterStateAwaitingQuorum {
			t.Errorf("ClusterState = %s, want AwaitingQuorum", got)
		}
		// The fifth node makes the quorum.
		mustCreateJob(t, c, &snowball.CreateJobInput{ClusterId: aws.String(cluster)})
		s.Advance(t, nodes[0], string(types.JobStatePreparingAppliance))
		if got := clusterState(t, c, cluster); got != types.ClusterStatePending {
			t.Errorf("ClusterState = %s, want Pending", got)
		}
	})

	t.Run("OK", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		out := mustCreateCluster(t, c, in)
		cluster := aws.ToString(out.ClusterId)
		nodes := jobIDs(out.JobListEntries)

		s.Advance(t, nodes[0], string(types.JobStatePreparingAppliance))
		if got := clusterState(t, c, cluster); got != types.ClusterStatePending {
			t.Errorf("after a node left New: ClusterState = %s, want Pending", got)
		}
		s.Advance(t, nodes[0], string(types.JobStateWithCustomer))
		if got := clusterState(t, c, cluster); got != types.ClusterStateInUse {
			t.Errorf("after a node reached WithCustomer: ClusterState = %s, want InUse", got)
		}
		s.Advance(t, nodes[0], string(types.JobStateComplete))
		s.Advance(t, nodes[1], string(types.JobStateComplete))
		if got := clusterState(t, c, cluster); got != types.ClusterStateInUse {
			t.Errorf("with a node not Complete: ClusterState = %s, want InUse", got)
		}
		s.Advance(t, nodes[2], string(types.JobStateComplete))
		if got := clusterState(t, c, cluster); got != types.ClusterStateComplete {
			t.Errorf("with every node Complete: ClusterState = %s, want Complete", got)
		}
	})

	t.Run("OKOperatorMovesClusterToPending", func(t *testing.T) {
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		out := mustCreateCluster(t, c, in)
		cluster := aws.ToString(out.ClusterId)
		status, body := advanceCluster(t, s, cluster, types.ClusterStatePending)
		if status != http.StatusOK {
			t.Fatalf("advance cluster: HTTP %d %s", status, body)
		}
		if got := clusterState(t, c, cluster); got != types.ClusterStatePending {
			t.Errorf("ClusterState = %s, want Pending", got)
		}
		// The nodes may stay New for a while (EX DescribeCluster).
		for _, e := range mustClusterJobs(t, c, cluster) {
			if got := e.JobState; got != types.JobStateNew {
				t.Errorf("node %s is %s, want New", aws.ToString(e.JobId), got)
			}
		}
	})
}
