package service

import (
	"context"
	"slices"
	"time"

	"github.com/frostyhq/frosty/internal/manifest"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// newJob returns a job record in its first state with a fresh ID and, when
// a device ships for it, the unlock code and device credentials its
// manifest will carry.
func (s *Service) newJob(owner snowball.Owner, md model.JobMetadata, isMaster bool, state model.JobState) (*snowball.Job, error) {
	return s.newJobAt(s.now(), owner, md, isMaster, state)
}

// newJobAt is newJob for a job created at time now.
func (s *Service) newJobAt(now time.Time, owner snowball.Owner, md model.JobMetadata, isMaster bool, state model.JobState) (*snowball.Job, error) {
	id, err := newID(s.rand, "JID")
	if err != nil {
		return nil, err
	}
	md.JobId = &id
	md.CreationDate = model.NewTimestamp(now)
	md.JobState = nil
	j := &snowball.Job{ID: id, Owner: owner, CreatedAt: now, State: state, StateEnteredAt: now, Metadata: md, IsMaster: isMaster}
	if j.HasDevice() {
		if j.UnlockCode, err = manifest.NewUnlockCode(s.rand); err != nil {
			return nil, err
		}
		if j.DeviceKeyID, err = randomString(s.rand, upperAlnum, 20); err != nil {
			return nil, err
		}
		if j.DeviceSecret, err = randomString(s.rand, secretLetter, 40); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// insertJob stores a new job and records its creation as an event.
func (s *Service) insertJob(ctx context.Context, tx snowball.Tx, j *snowball.Job, cause snowball.Cause) error {
	if err := tx.InsertJob(ctx, j); err != nil {
		return err
	}
	e := &snowball.Event{ResourceID: j.ID, At: j.CreatedAt, To: string(j.State), Cause: cause}
	if err := tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	return s.notify(ctx, tx, j, e)
}

// CreateJob creates a standalone job, an export job (its master; the parts
// follow once the listing is done) or, with ClusterId, a cluster node that
// inherits everything but its description from the cluster.
// Errors: InvalidResourceException, InvalidInputCombinationException,
// ClusterLimitExceededException.
func (s *Service) CreateJob(ctx context.Context, in *model.CreateJobRequest) (*model.CreateJobResult, error) {
	var id string
	err := s.update(ctx, "create job", func(tx snowball.Tx, owner snowball.Owner) error {
		j, err := s.createJob(ctx, tx, owner, in, snowball.CauseCustomer)
		if err == nil {
			id = j.ID
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.CreateJobResult{JobId: &id}, nil
}

// createJob is CreateJob in tx, on behalf of owner; cause is recorded as
// the cause of the job's creation.
func (s *Service) createJob(ctx context.Context, tx snowball.Tx, owner snowball.Owner, in *model.CreateJobRequest, cause snowball.Cause) (*snowball.Job, error) {
	var j *snowball.Job
	var err error
	if in.ClusterId != nil {
		j, err = s.newNodeJob(ctx, tx, owner, in)
	} else {
		j, err = s.newStandaloneJob(ctx, tx, owner, in)
	}
	if err != nil {
		return nil, err
	}
	if err := s.insertJob(ctx, tx, j, cause); err != nil {
		return nil, err
	}
	return j, s.attachLongTermPricing(ctx, tx, j)
}

func (s *Service) newStandaloneJob(ctx context.Context, tx snowball.Tx, owner snowball.Owner, in *model.CreateJobRequest) (*snowball.Job, error) {
	// Referenced resources first, then the cross-field rules (BEHAVIOR.md §4.1).
	if err := s.checkAddress(ctx, tx, owner, in.AddressId); err != nil {
		return nil, err
	}
	if err := s.checkAddress(ctx, tx, owner, in.ForwardingAddressId); err != nil {
		return nil, err
	}
	var ltp *snowball.LongTermPricing
	if in.LongTermPricingId != nil {
		var err error
		if ltp, err = ownLongTermPricing(ctx, tx, owner, *in.LongTermPricingId); err != nil {
			return nil, err
		}
	}
	switch {
	case in.JobType == nil:
		return nil, invalidCombination("JobType is required when ClusterId is not given.")
	case in.AddressId == nil:
		return nil, invalidCombination("AddressId is required when ClusterId is not given.")
	case in.ShippingOption == nil:
		return nil, invalidCombination("ShippingOption is required when ClusterId is not given.")
	}
	jt := *in.JobType
	st := model.Deref(in.SnowballType)
	if st == "" {
		st = model.SnowballTypeEdge
	}
	capacity := model.Deref(in.SnowballCapacityPreference)
	if capacity == "" {
		capacity = model.SnowballCapacityNoPreference
	}
	if err := checkJobType(st, jt); err != nil {
		return nil, err
	}
	if err := checkCapacity(st, capacity); err != nil {
		return nil, err
	}
	if in.DeviceConfiguration != nil && st != model.SnowballTypeSnc1Hdd && st != model.SnowballTypeSnc1Ssd {
		return nil, invalidCombination("DeviceConfiguration applies only to Snowcone (SNC1_HDD, SNC1_SSD) devices.")
	}
	if ltp != nil && ltp.SnowballType != st {
		return nil, invalidCombination("The long-term pricing %s is for SnowballType %s, not %s.", ltp.ID, ltp.SnowballType, st)
	}
	versions, err := s.versionsToCheck(ctx, tx, in.OnDeviceServiceConfiguration)
	if err != nil {
		return nil, err
	}
	if err := checkResources(st, jt, in.Resources, in.OnDeviceServiceConfiguration, 0, versions); err != nil {
		return nil, err
	}
	remote := model.Deref(in.RemoteManagement)
	if remote == "" {
		remote = model.RemoteManagementInstalledOnly
		if st == model.SnowballTypeStandard {
			remote = model.RemoteManagementNotInstalled
		}
	}
	pickup, err := s.pickupDetails(in.PickupDetails)
	if err != nil {
		return nil, err
	}
	md := model.JobMetadata{
		JobType:                      &jt,
		SnowballType:                 &st,
		SnowballCapacityPreference:   &capacity,
		RemoteManagement:             &remote,
		Resources:                    in.Resources,
		OnDeviceServiceConfiguration: in.OnDeviceServiceConfiguration,
		Description:                  in.Description,
		AddressId:                    in.AddressId,
		ForwardingAddressId:          in.ForwardingAddressId,
		KmsKeyARN:                    in.KmsKeyARN,
		RoleARN:                      in.RoleARN,
		ShippingDetails:              &model.ShippingDetails{ShippingOption: in.ShippingOption},
		Notification:                 in.Notification,
		TaxDocuments:                 in.TaxDocuments,
		DeviceConfiguration:          in.DeviceConfiguration,
		LongTermPricingId:            in.LongTermPricingId,
		ImpactLevel:                  in.ImpactLevel,
		PickupDetails:                pickup,
	}
	return s.newJob(owner, md, jt == model.JobTypeExport, model.JobStateNew)
}

// pickupDetails echoes the request's PickupDetails, with a DevicePickupId
// generated when the client gave none.
func (s *Service) pickupDetails(p *model.PickupDetails) (*model.PickupDetails, error) {
	if p == nil || p.DevicePickupId != nil {
		return p, nil
	}
	id, err := newID(s.rand, "DPID")
	if err != nil {
		return nil, err
	}
	out := *p
	out.DevicePickupId = &id
	return &out, nil
}

func (s *Service) attachLongTermPricing(ctx context.Context, tx snowball.Tx, j *snowball.Job) error {
	if j.Metadata.LongTermPricingId == nil {
		return nil
	}
	l, err := tx.LongTermPricing(ctx, *j.Metadata.LongTermPricingId)
	if err != nil {
		return err
	}
	l.JobIDs = append(l.JobIDs, j.ID)
	return tx.PutLongTermPricing(ctx, l)
}

// DescribeJob returns a job's metadata and, for an export master, its parts'.
// Errors: InvalidResourceException.
func (s *Service) DescribeJob(ctx context.Context, in *model.DescribeJobRequest) (*model.DescribeJobResult, error) {
	out := &model.DescribeJobResult{}
	err := s.view(ctx, "describe job", func(tx snowball.Tx, owner snowball.Owner) error {
		j, err := ownJob(ctx, tx, owner, *in.JobId)
		if err != nil {
			return err
		}
		if out.JobMetadata, err = s.jobMetadata(j); err != nil {
			return err
		}
		if !j.IsMaster {
			return nil
		}
		parts, err := allJobs(ctx, tx, snowball.JobFilter{MasterID: j.ID})
		if err != nil {
			return err
		}
		out.SubJobMetadata = []model.JobMetadata{}
		for _, p := range parts {
			md, err := s.jobMetadata(p)
			if err != nil {
				return err
			}
			out.SubJobMetadata = append(out.SubJobMetadata, *md)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// jobMetadata is j as DescribeJob shows it: its settings plus what follows
// from its state.
func (s *Service) jobMetadata(j *snowball.Job) (*model.JobMetadata, error) {
	md := j.Metadata
	md.JobState = model.Ptr(j.State)
	sd := model.ShippingDetails{}
	if md.ShippingDetails != nil {
		sd.ShippingOption = md.ShippingDetails.ShippingOption
	}
	if j.Outbound != nil {
		sd.OutboundShipment = &model.Shipment{TrackingNumber: &j.Outbound.TrackingNumber, Status: &j.Outbound.Status}
	}
	if j.Inbound != nil {
		sd.InboundShipment = &model.Shipment{TrackingNumber: &j.Inbound.TrackingNumber, Status: &j.Inbound.Status}
	}
	md.ShippingDetails = &sd
	if j.SnowballID != "" {
		md.SnowballId = &j.SnowballID
	}
	if j.ClusterID != "" {
		md.ClusterId = &j.ClusterID
	}
	if j.State == model.JobStateInProgress {
		md.DataTransferProgress = s.dataTransfer(j)
	}
	if hasJobLogs(j) {
		logs, err := s.jobLogs(j)
		if err != nil {
			return nil, err
		}
		md.JobLogInfo = logs
	}
	return &md, nil
}

// Synthetic totals of a job's data transfer (BEHAVIOR.md §1.7).
const (
	TransferTotalBytes   = int64(1 << 40)
	TransferTotalObjects = int64(100000)
)

// dataTransfer is the progress shown while a job is InProgress: in the
// timed lifecycle it grows from 0 to the totals over the state's dwell
// time; in the manual one nothing is listed or moved, so all of it is 0.
func (s *Service) dataTransfer(j *snowball.Job) *model.DataTransfer {
	t := s.cfg.Timed
	if t == nil {
		zero := int64(0)
		return &model.DataTransfer{BytesTransferred: &zero, ObjectsTransferred: &zero, TotalBytes: &zero, TotalObjects: &zero}
	}
	fraction := 1.0
	if d, ok := t.Profile.DwellFor(j); ok && d > 0 {
		fraction = min(1, max(0, float64(s.now().Sub(j.StateEnteredAt))/float64(t.Scaled(d))))
	}
	return &model.DataTransfer{
		BytesTransferred:   model.Ptr(int64(fraction * float64(TransferTotalBytes))),
		ObjectsTransferred: model.Ptr(int64(fraction * float64(TransferTotalObjects))),
		TotalBytes:         model.Ptr(TransferTotalBytes),
		TotalObjects:       model.Ptr(TransferTotalObjects),
	}
}

// hasJobLogs says when a job report exists (BEHAVIOR.md §1.8): at the end
// of an import, and from delivery on for an export part.
func hasJobLogs(j *snowball.Job) bool {
	switch j.Kind() {
	case snowball.KindImport:
		return j.State == model.JobStateComplete
	case snowball.KindExportPart:
		path := snowball.JobPath(snowball.KindExportPart)
		return slices.Index(path, j.State) >= slices.Index(path, model.JobStateInTransitToCustomer)
	}
	return false
}

func jobListEntry(e *snowball.JobEntry) model.JobListEntry {
	out := model.JobListEntry{JobId: &e.ID, JobState: model.Ptr(e.State), IsMaster: model.Ptr(e.IsMaster)}
	if e.JobType != "" {
		out.JobType = &e.JobType
	}
	if e.SnowballType != "" {
		out.SnowballType = &e.SnowballType
	}
	if !e.CreationDate.IsZero() {
		out.CreationDate = model.NewTimestamp(e.CreationDate)
	}
	if e.Description != "" {
		out.Description = &e.Description
	}
	return out
}

// ListJobs lists the owner's jobs in creation order: standalone jobs,
// export masters and parts, cluster nodes, finished or not.
// Errors: InvalidNextTokenException.
func (s *Service) ListJobs(ctx context.Context, in *model.ListJobsRequest) (*model.ListJobsResult, error) {
	out := &model.ListJobsResult{JobListEntries: []model.JobListEntry{}}
	err := s.view(ctx, "list jobs", func(tx snowball.Tx, owner snowball.Owner) error {
		entries, next, err := listPage(s, "ListJobs", owner, "", in.NextToken, in.MaxResults, entrySeq,
			func(p snowball.Page) ([]*snowball.JobEntry, error) {
				return tx.JobEntries(ctx, snowball.JobFilter{Owner: &owner}, p)
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

func entrySeq(e *snowball.JobEntry) int64 { return e.Seq }

// UpdateJob changes a job's settings while it is New (an export master also
// while Listing). A member given replaces the stored one whole.
// Errors: InvalidResourceException, InvalidJobStateException,
// InvalidInputCombinationException.
func (s *Service) UpdateJob(ctx context.Context, in *model.UpdateJobRequest) (*model.UpdateJobResult, error) {
	err := s.update(ctx, "update job", func(tx snowball.Tx, owner snowball.Owner) error {
		j, err := ownJob(ctx, tx, owner, *in.JobId)
		if err != nil {
			return err
		}
		if err := s.checkAddress(ctx, tx, owner, in.AddressId); err != nil {
			return err
		}
		if err := s.checkAddress(ctx, tx, owner, in.ForwardingAddressId); err != nil {
			return err
		}
		md := &j.Metadata
		st, jt := model.Deref(md.SnowballType), model.Deref(md.JobType)
		if in.SnowballCapacityPreference != nil {
			if err := checkCapacity(st, *in.SnowballCapacityPreference); err != nil {
				return err
			}
		}
		resources, ods := md.Resources, md.OnDeviceServiceConfiguration
		if in.Resources != nil {
			resources = in.Resources
		}
		if in.OnDeviceServiceConfiguration != nil {
			ods = in.OnDeviceServiceConfiguration
		}
		if in.Resources != nil || in.OnDeviceServiceConfiguration != nil {
			clusterSize := 0
			if j.ClusterID != "" {
				clusterSize = 1
			}
			versions, err := s.versionsToCheck(ctx, tx, ods)
			if err != nil {
				return err
			}
			if err := checkResources(st, jt, resources, ods, clusterSize, versions); err != nil {
				return err
			}
		}
		if j.State != model.JobStateNew && !(j.IsMaster && j.State == model.JobStateListing) {
			allowed := "New"
			if j.IsMaster {
				allowed = "New or Listing"
			}
			return invalidState(j, "UpdateJob", allowed)
		}
		u := *in
		if u.PickupDetails, err = s.pickupDetails(in.PickupDetails); err != nil {
			return err
		}
		applyJobUpdate(md, &u)
		return tx.PutJob(ctx, j)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateJobResult{}, nil
}

// applyJobUpdate replaces each setting of md that u gives, whole: UpdateJob
// does, and so does UpdateCluster for its nodes that are still New.
func applyJobUpdate(md *model.JobMetadata, u *model.UpdateJobRequest) {
	setIf(&md.RoleARN, u.RoleARN)
	setIf(&md.Notification, u.Notification)
	setIf(&md.Resources, u.Resources)
	setIf(&md.OnDeviceServiceConfiguration, u.OnDeviceServiceConfiguration)
	setIf(&md.AddressId, u.AddressId)
	setIf(&md.Description, u.Description)
	setIf(&md.SnowballCapacityPreference, u.SnowballCapacityPreference)
	setIf(&md.ForwardingAddressId, u.ForwardingAddressId)
	setIf(&md.PickupDetails, u.PickupDetails)
	if u.ShippingOption != nil {
		md.ShippingDetails = &model.ShippingDetails{ShippingOption: u.ShippingOption}
	}
}

// setIf replaces *dst with v when v is set.
func setIf[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

// CancelJob cancels a job that has not started to be prepared. Cancelling
// an export master cancels its parts too.
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) CancelJob(ctx context.Context, in *model.CancelJobRequest) (*model.CancelJobResult, error) {
	err := s.update(ctx, "cancel job", func(tx snowball.Tx, owner snowball.Owner) error {
		j, err := ownJob(ctx, tx, owner, *in.JobId)
		if err != nil {
			return err
		}
		return s.cancelJob(ctx, s.move(tx, snowball.CauseCustomer), j)
	})
	if err != nil {
		return nil, err
	}
	return &model.CancelJobResult{}, nil
}

// cancelJob is CancelJob of j, as move m.
func (s *Service) cancelJob(ctx context.Context, m move, j *snowball.Job) error {
	if !snowball.CanCancelJob(j.Kind(), j.State) {
		return invalidState(j, "CancelJob", "New")
	}
	var parts []*snowball.Job
	if j.IsMaster {
		var err error
		if parts, err = allJobs(ctx, m.tx, snowball.JobFilter{MasterID: j.ID, NotFinal: true}); err != nil {
			return err
		}
		for _, p := range parts {
			if !snowball.CanCancelJob(p.Kind(), p.State) {
				return snowball.Errorf(snowball.InvalidJobState,
					"The job %s cannot be cancelled: its part %s is already %s.", j.ID, p.ID, p.State)
			}
		}
	}
	for _, job := range append([]*snowball.Job{j}, parts...) {
		if err := s.setJobState(ctx, m, job, model.JobStateCancelled); err != nil {
			return err
		}
	}
	if j.ClusterID != "" {
		return s.settleCluster(ctx, m.system(), j.ClusterID)
	}
	return nil
}

// UpdateJobShipmentState is the customer telling AWS a device arrived
// (RECEIVED) or was sent back (RETURNED).
// Errors: InvalidResourceException, InvalidJobStateException.
func (s *Service) UpdateJobShipmentState(ctx context.Context, in *model.UpdateJobShipmentStateRequest) (*model.UpdateJobShipmentStateResult, error) {
	err := s.update(ctx, "update job shipment state", func(tx snowball.Tx, owner snowball.Owner) error {
		j, err := ownJob(ctx, tx, owner, *in.JobId)
		if err != nil {
			return err
		}
		var from, to model.JobState
		switch *in.ShipmentState {
		case model.ShipmentStateReceived:
			from, to = model.JobStateInTransitToCustomer, model.JobStateWithCustomer
		case model.ShipmentStateReturned:
			from, to = model.JobStateWithCustomer, model.JobStateInTransitToAWS
		}
		switch {
		case !j.HasDevice():
			return snowball.Errorf(snowball.InvalidJobState, "The job %s is an export job's main job and has no device; update its parts instead.", j.ID)
		case j.State == to:
			return nil // the customer said it twice; nothing changes
		case j.State != from:
			return invalidState(j, "UpdateJobShipmentState "+string(*in.ShipmentState), string(from))
		}
		return s.advance(ctx, s.move(tx, snowball.CauseCustomer), j, to)
	})
	if err != nil {
		return nil, err
	}
	return &model.UpdateJobShipmentStateResult{}, nil
}

// credentialsExpired reports whether j's device credentials, and so its
// manifest and unlock code, have expired.
func credentialsExpired(j *snowball.Job, now time.Time) bool {
	return !now.Before(j.CreatedAt.Add(manifest.CredentialLifetime))
}
