package service

import (
	"context"
	"fmt"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Cluster sizes (BEHAVIOR.md §2.2): InitialClusterSize 3–16 creates that
// many nodes at once; without it the legacy rule of five nodes applies.
const (
	MinClusterSize    = 3
	MaxClusterSize    = 16
	LegacyClusterSize = 5
)

// CreateCluster creates a LOCAL_USE cluster and, with InitialClusterSize,
// its node jobs.
// Errors: InvalidResourceException, InvalidInputCombinationException.
func (s *Service) CreateCluster(ctx context.Context, in *model.CreateClusterRequest) (*model.CreateClusterResult, error) {
	out := &model.CreateClusterResult{}
	err := s.update(ctx, "create cluster", func(tx snowball.Tx, owner snowball.Owner) error {
		c, nodes, err := s.createCluster(ctx, tx, owner, in, snowball.CauseCustomer)
		if err != nil {
			return err
		}
		out.ClusterId = &c.ID
		for _, n := range nodes {
			out.JobListEntries = append(out.JobListEntries, jobListEntry(snowball.EntryOf(n)))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// createCluster is CreateCluster in tx, on behalf of owner; cause is
// recorded as the cause of the cluster's creation. It returns the cluster
// and the node jobs it created.
func (s *Service) createCluster(ctx context.Context, tx snowball.Tx, owner snowball.Owner, in *model.CreateClusterRequest, cause snowball.Cause) (*snowball.Cluster, []*snowball.Job, error) {
	if err := s.checkAddress(ctx, tx, owner, in.AddressId); err != nil {
		return nil, nil, err
	}
	if err := s.checkAddress(ctx, tx, owner, in.ForwardingAddressId); err != nil {
		return nil, nil, err
	}
	var pricing []*snowball.LongTermPricing
	for _, id := range in.LongTermPricingIds {
		l, err := ownLongTermPricing(ctx, tx, owner, id)
		if err != nil {
			return nil, nil, err
		}
		pricing = append(pricing, l)
	}
	versions, err := s.versionsToCheck(ctx, tx, in.OnDeviceServiceConfiguration)
	if err != nil {
		return nil, nil, err
	}
	c, nodes, err := s.newCluster(owner, in, pricing, versions)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.InsertCluster(ctx, c); err != nil {
		return nil, nil, err
	}
	if err := tx.AppendEvent(ctx, &snowball.Event{ResourceID: c.ID, At: c.CreatedAt, To: string(c.State), Cause: cause}); err != nil {
		return nil, nil, err
	}
	for _, n := range nodes {
		if err := s.insertJob(ctx, tx, n, snowball.CauseSystem); err != nil {
			return nil, nil, err
		}
		if err := s.attachLongTermPricing(ctx, tx, n); err != nil {
			return nil, nil, err
		}
	}
	return c, nodes, nil
}

func (s *Service) newCluster(owner snowball.Owner, in *model.CreateClusterRequest, pricing []*snowball.LongTermPricing,
	versions []snowball.ServiceVersion) (*snowball.Cluster, []*snowball.Job, error) {
	st, jt := *in.SnowballType, *in.JobType
	if jt != model.JobTypeLocalUse {
		return nil, nil, invalidCombination("Currently, the only job type supported for clusters is LOCAL_USE.")
	}
	if !snowballTypes[st].cluster {
		return nil, nil, invalidCombination("SnowballType %s cannot form a cluster; use EDGE, EDGE_C, EDGE_CG or V3_5C.", st)
	}
	capacity := model.Deref(in.SnowballCapacityPreference)
	if capacity == "" {
		capacity = model.SnowballCapacityNoPreference
	}
	if err := checkCapacity(st, capacity); err != nil {
		return nil, nil, err
	}
	size := int(model.Deref(in.InitialClusterSize))
	if size != 0 && (size < MinClusterSize || size > MaxClusterSize) {
		return nil, nil, invalidCombination("InitialClusterSize must be between %d and %d; it was %d.", MinClusterSize, MaxClusterSize, size)
	}
	quorum := size
	if size == 0 {
		quorum = LegacyClusterSize
	}
	if err := checkResources(st, jt, in.Resources, in.OnDeviceServiceConfiguration, quorum, versions); err != nil {
		return nil, nil, err
	}
	if ods := in.OnDeviceServiceConfiguration; ods != nil && ods.S3OnDeviceService != nil && ods.S3OnDeviceService.ServiceSize != nil &&
		int(*ods.S3OnDeviceService.ServiceSize) != quorum && !model.Deref(in.ForceCreateJobs) {
		return nil, nil, invalidCombination("S3OnDeviceService ServiceSize %d does not match the cluster size %d; set ForceCreateJobs to create it anyway.",
			*ods.S3OnDeviceService.ServiceSize, quorum)
	}
	if len(pricing) > size {
		return nil, nil, invalidCombination("%d LongTermPricingIds were given for %d node jobs.", len(pricing), size)
	}
	for _, l := range pricing {
		if l.SnowballType != st {
			return nil, nil, invalidCombination("The long-term pricing %s is for SnowballType %s, not %s.", l.ID, l.SnowballType, st)
		}
	}
	id, err := newID(s.rand, "CID")
	if err != nil {
		return nil, nil, err
	}
	remote := model.Deref(in.RemoteManagement)
	if remote == "" {
		remote = model.RemoteManagementInstalledOnly
	}
	now := s.now()
	c := &snowball.Cluster{
		ID: id, Owner: owner, CreatedAt: now, State: model.ClusterStateAwaitingQuorum, StateEnteredAt: now,
		Quorum: quorum, Capacity: capacity, RemoteManagement: remote,
		Metadata: model.ClusterMetadata{
			ClusterId: &id, CreationDate: model.NewTimestamp(now),
			Description: in.Description, KmsKeyARN: in.KmsKeyARN, RoleARN: in.RoleARN, JobType: &jt, SnowballType: &st,
			Resources: in.Resources, AddressId: in.AddressId, ShippingOption: in.ShippingOption,
			Notification: in.Notification, ForwardingAddressId: in.ForwardingAddressId, TaxDocuments: in.TaxDocuments,
			OnDeviceServiceConfiguration: in.OnDeviceServiceConfiguration,
		},
	}
	var nodes []*snowball.Job
	for i := range size {
		desc := in.Description
		if desc != nil {
			desc = model.Ptr(fmt.Sprintf("%s-node-%03d", *desc, i+1))
		}
		var ltp *string
		if i < len(pricing) {
			ltp = &pricing[i].ID
		}
		n, err := s.newClusterNode(c, desc, ltp)
		if err != nil {
			return nil, nil, err
		}
		nodes = append(nodes, n)
	}
	return c, nodes, nil
}

// newClusterNode returns a node job that inherits every setting from c.
func (s *Service) newClusterNode(c *snowball.Cluster, description, longTermPricingID *string) (*snowball.Job, error) {
	cm := c.Metadata
	if description == nil {
		description = cm.Description
	}
	md := model.JobMetadata{
		JobType: cm.JobType, SnowballType: cm.SnowballType, Resources: cm.Resources,
		OnDeviceServiceConfiguration: cm.OnDeviceServiceConfiguration, AddressId: cm.AddressId, KmsKeyARN: cm.KmsKeyARN,
		RoleARN: cm.RoleARN, ShippingDetails: &model.ShippingDetails{ShippingOption: cm.ShippingOption},
		Notification: cm.Notification, ForwardingAddressId: cm.ForwardingAddressId, TaxDocuments: cm.TaxDocuments,
		RemoteManagement: model.Ptr(c.RemoteManagement), SnowballCapacityPreference: model.Ptr(c.Capacity),
		Description: description, LongTermPricingId: longTermPricingID,
	}
	j, err := s.newJob(c.Owner, md, false, model.JobStateNew)
	if err != nil {
		return nil, err
	}
	j.ClusterID = c.ID
	return j, nil
}

// newNodeJob is CreateJob with a ClusterId: only Description and
// LongTermPricingId are taken from the request, the rest from the cluster.
func (s *Service) newNodeJob(ctx context.Context, tx snowball.Tx, owner snowball.Owner, in *model.CreateJobRequest) (*snowball.Job, error) {
	c, err := ownCluster(ctx, tx, owner, *in.ClusterId)
	if err != nil {
		return nil, err
	}
	if in.LongTermPricingId != nil {
		l, err := ownLongTermPricing(ctx, tx, owner, *in.LongTermPricingId)
		if err != nil {
			return nil, err
		}
		if l.SnowballType != model.Deref(c.Metadata.SnowballType) {
			return nil, invalidCombination("The long-term pricing %s is for SnowballType %s, not %s.", l.ID, l.SnowballType, model.Deref(c.Metadata.SnowballType))
		}
	}
	if c.State != model.ClusterStateAwaitingQuorum {
		return nil, snowball.Errorf(snowball.ClusterLimitExceeded,
			"Job creation failed. The cluster %s is %s and takes no more node jobs.", c.ID, c.State)
	}
	nodes, err := liveNodes(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	if len(nodes) >= c.Quorum {
		return nil, snowball.Errorf(snowball.ClusterLimitExceeded,
			"Job creation failed. Currently, this cluster supports %d nodes. It already has %d node jobs; you can't create more.", c.Quorum, len(nodes))
	}
	return s.newClusterNode(c, in.Description, in.LongTermPricingId)
}

// DescribeCluster returns a cluster's metadata.
// Errors: InvalidResourceException.
func (s *Service) DescribeCluster(ctx context.Context, in *model.DescribeClusterRequest) (*model.DescribeClusterResult, error) {
	var out *model.DescribeClusterResult
	err := s.view(ctx, "describe cluster", func(tx snowball.Tx, owner snowball.Owner) error {
		c, err := ownCluster(ctx, tx, owner, *in.ClusterId)
		if err != nil {
			return err
		}
		md := c.Metadata
		md.ClusterState = model.Ptr(c.State)
		out = &model.DescribeClusterResult{ClusterMetadata: &md}
		return nil
	})
	return out, err
}

// ListClusters lists the owner's clusters in creation order.
// Errors: InvalidNextTokenException.
func (s *Service) ListClusters(ctx context.Context, in *model.ListClustersRequest) (*model.ListClustersResult, error) {
	out := &model.ListClustersResult{ClusterListEntries: []model.ClusterListEntry{}}
	err := s.view(ctx, "list clusters", func(tx snowball.Tx, owner snowball.Owner) error {
		items, next, err := listPage(s, "ListClusters", owner, "", in.NextToken, in.MaxResults,
			func(c *snowball.Cluster) int64 { return c.Seq },
			func(p snowball.Page) ([]*snowball.Cluster, error) { return tx.Clusters(ctx, owner, p) })
		for _, c := range items {
			out.ClusterListEntries = append(out.ClusterListEntries, model.ClusterListEntry{
				ClusterId: &c.ID, ClusterState: model.Ptr(c.State), CreationDate: c.Metadata.CreationDate, Description: c.Metadata.Description,
			})
		}
		out.NextToken = next
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListClusterJobs lists a cluster's node jobs in creation order, cancelled
// ones included.
// Errors: InvalidResourceException, InvalidNextTokenException.
func (s *Service) ListClusterJobs(ctx context.Context, in *model.ListClusterJobsRequest) (*model.ListClusterJobsResult, error) {
	out := &model.ListClusterJobsResult{JobListEntries: []model.JobListEntry{}}
	err := s.view(ctx, "list cluster jobs", func(tx snowball.Tx, owner snowball.Owner) error {
		c, err := ownCluster(ctx, tx, owner, *in.ClusterId)
		if err != nil {
			return err
		}
		entries, next, err := listPage(s, "ListClusterJobs", owner, c.ID, in.NextToken, in.MaxResults, entrySeq,
			func(p snowball.Page) ([]*snowball.JobEntry, error) {
				return tx.JobEntries(ctx, snowball.JobFilter{ClusterID: c.ID}, p)
			})
		for _, e := range entries {
			out.JobListEntries = append(out.JobListEntries, jobListEntry(e))
		}
		out.NextToken = next
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateCluster changes a cluster's settings while it is AwaitingQuorum;
// the changes reach its node jobs that are still New.
// Errors: InvalidResourceException, InvalidJobStateException,
// InvalidInputCombinationException.
func (s *Service) UpdateCluster(ctx context.Context, in *model.UpdateClusterRequest) (*model.UpdateClusterResult, error) {
	err := s.update(ctx, "update cluster", func(tx snowball.Tx, owner snowball.Owner) error {
		c, err := ownCluster(ctx, tx, owner, *in.ClusterId)
		if err != nil {
			return err
		}
		if err := s.checkAddress(ctx, tx, owner, in.AddressId); err != nil {
			return err
		}
		if err := s.checkAddress(ctx, tx, owner, in.ForwardingAddressId); err != nil {
			return err
		}
		md := &c.Metadata
		if in.Resources != nil || in.OnDeviceServiceConfiguration != nil {
			resources, ods := md.Resources, md.OnDeviceServiceConfiguration
			setIf(&resources, in.Resources)
			setIf(&ods, in.OnDeviceServiceConfiguration)
			versions, err := s.versionsToCheck(ctx, tx, ods)
			if err != nil {
				return err
			}
			if err := checkResources(*md.SnowballType, *md.JobType, resources, ods, c.Quorum, versions); err != nil {
				return err
			}
		}
		if c.State != model.ClusterStateAwaitingQuorum {
			return snowball.Errorf(snowball.InvalidJobState,
				"The cluster %s is in state %s; UpdateCluster is only allowed when the cluster is in AwaitingQuorum.", c.ID, c.State)
		}
		setIf(&md.RoleARN, in.RoleARN)
		setIf(&md.Description, in.Description)
		setIf(&md.Resources, in.Resources)
		setIf(&md.OnDeviceServiceConfiguration, in.OnDeviceServiceConfiguration)
		setIf(&md.AddressId, in.AddressId)
		setIf(&md.ShippingOption, in.ShippingOption)
		setIf(&md.Notification, in.Notification)
		setIf(&md.ForwardingAddressId, in.ForwardingAddressId)
		if err := tx.PutCluster(ctx, c); err != nil {
			return err
		}
		nodes, err := allJobs(ctx, tx, snowball.JobFilter{ClusterID: c.ID})
		if err != nil {
			return err
		}
		for _, n := range nodes {
			if n.State != model.JobStateNew {
				continue
			}
			// A node keeps its own Description.
			applyJobUpdate(&n.Metadata, &model.UpdateJobRequest{
				RoleARN: in.RoleARN, Resources: in.Resources, OnDeviceServiceConfiguration: in.OnDeviceServiceConfiguration,
				AddressId: in.AddressId, Notification: in.Notification, ForwardingAddressId: in.ForwardingAddressId,
				ShippingOption: in.ShippingOption,
			})
			if err := tx.PutJob(ctx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateClusterResult{}, nil
}

// CancelCluster cancels a cluster that is still AwaitingQuorum, and its
// node jobs with it.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) CancelCluster(ctx context.Context, in *model.CancelClusterRequest) (*model.CancelClusterResult, error) {
	err := s.update(ctx, "cancel cluster", func(tx snowball.Tx, owner snowball.Owner) error {
		c, err := ownCluster(ctx, tx, owner, *in.ClusterId)
		if err != nil {
			return err
		}
		return s.cancelCluster(ctx, s.move(tx, snowball.CauseCustomer), c)
	})
	if err != nil {
		return nil, err
	}
	return &model.CancelClusterResult{}, nil
}

// cancelCluster is CancelCluster of c, as move m.
func (s *Service) cancelCluster(ctx context.Context, m move, c *snowball.Cluster) error {
	if c.State != model.ClusterStateAwaitingQuorum {
		return snowball.Errorf(snowball.InvalidJobState,
			"The cluster %s is in state %s; CancelCluster is only allowed when the cluster is in AwaitingQuorum.", c.ID, c.State)
	}
	if err := s.setClusterState(ctx, m, c, model.ClusterStateCancelled); err != nil {
		return err
	}
	nodes, err := allJobs(ctx, m.tx, snowball.JobFilter{ClusterID: c.ID, NotFinal: true})
	if err != nil {
		return err
	}
	for _, n := range nodes {
		if err := s.setJobState(ctx, m.system(), n, model.JobStateCancelled); err != nil {
			return err
		}
	}
	return nil
}
