package storetest

import (
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// base is the time the records are made at. It has nanoseconds on purpose:
// a store must keep a time.Time to the microsecond at least.
var base = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// ist is a zone other than UTC: a time.Time must come back as the same
// instant whatever its location.
var ist = time.FixedZone("IST", 5*3600+1800)

// stamp returns a model.Timestamp for t, cut to whole milliseconds: the
// precision of a Timestamp's wire form, and so of a store that keeps it as
// such.
func stamp(t time.Time) *model.Timestamp { return model.NewTimestamp(t.Truncate(time.Millisecond)) }

// NewAddress returns an address with every field set, so that a round trip
// through a store shows any field it drops.
func NewAddress(id string, o snowball.Owner) *snowball.Address {
	return &snowball.Address{
		ID:        id,
		Owner:     o,
		CreatedAt: base,
		Address: model.Address{
			AddressId:            model.Ptr(id),
			City:                 model.Ptr("Seattle"),
			Company:              model.Ptr("Frosty Test Co"),
			Country:              model.Ptr("US"),
			IsRestricted:         model.Ptr(true),
			Landmark:             model.Ptr("Next to the big \"S\" <sign> & the café"),
			Name:                 model.Ptr("Jane Doe"),
			PhoneNumber:          model.Ptr("+1 206 555 0100"),
			PostalCode:           model.Ptr("98101"),
			PrefectureOrDistrict: model.Ptr("King"),
			StateOrProvince:      model.Ptr("WA"),
			Street1:              model.Ptr("1 Main St"),
			Street2:              model.Ptr("Suite 2"),
			Street3:              model.Ptr("Floor 3"),
			Type:                 model.Ptr(model.AddressTypeCustPickup),
		},
	}
}

// NewJob returns a job with every field set, nested ones included. It is a
// cluster node, an export part and a master all at once, which no real job
// is; tests of the filters set ClusterID, MasterID and State themselves.
func NewJob(id string, o snowball.Owner) *snowball.Job {
	return &snowball.Job{
		ID:             id,
		Owner:          o,
		CreatedAt:      base,
		State:          model.JobStateWithCustomer,
		StateEnteredAt: base.Add(90 * time.Minute).In(ist),
		DueAt:          base.Add(36 * time.Hour).In(ist),
		Metadata: model.JobMetadata{
			AddressId:    model.Ptr("ADID00000000-0000-0000-0000-000000000001"),
			ClusterId:    model.Ptr("CID00000000-0000-0000-0000-000000000001"),
			CreationDate: stamp(base),
			DataTransferProgress: &model.DataTransfer{
				BytesTransferred:   model.Ptr[int64](1 << 40),
				ObjectsTransferred: model.Ptr[int64](12345),
				TotalBytes:         model.Ptr[int64](1<<41 + 1),
				TotalObjects:       model.Ptr[int64](67890),
			},
			Description: model.Ptr("job " + id + ": ünïcode, \"quotes\", <html> & \u2028"),
			DeviceConfiguration: &model.DeviceConfiguration{
				SnowconeDeviceConfiguration: &model.SnowconeDeviceConfiguration{
					WirelessConnection: &model.WirelessConnection{IsWifiEnabled: model.Ptr(true)},
				},
			},
			ForwardingAddressId: model.Ptr("ADID00000000-0000-0000-0000-000000000002"),
			ImpactLevel:         model.Ptr(model.ImpactLevelIl4),
			JobId:               model.Ptr(id),
			JobLogInfo: &model.JobLogs{
				JobCompletionReportURI: model.Ptr("https://example.com/report"),
				JobFailureLogURI:       model.Ptr("https://example.com/failure"),
				JobSuccessLogURI:       model.Ptr("https://example.com/success"),
			},
			JobState:          model.Ptr(model.JobStateWithCustomer),
			JobType:           model.Ptr(model.JobTypeImport),
			KmsKeyARN:         model.Ptr("arn:aws:kms:us-west-2:111111111111:key/abc"),
			LongTermPricingId: model.Ptr("LTPID00000000-0000-0000-0000-000000000001"),
			Notification: &model.Notification{
				DevicePickupSnsTopicARN: model.Ptr("arn:aws:sns:us-west-2:111111111111:pickup"),
				JobStatesToNotify:       []model.JobState{model.JobStateNew, model.JobStateComplete},
				NotifyAll:               model.Ptr(true),
				SnsTopicARN:             model.Ptr("arn:aws:sns:us-west-2:111111111111:jobs"),
			},
			OnDeviceServiceConfiguration: onDeviceServices(),
			PickupDetails: &model.PickupDetails{
				DevicePickupId:               model.Ptr("PID1"),
				Email:                        model.Ptr("jane@example.com"),
				IdentificationExpirationDate: stamp(base.AddDate(3, 0, 0)),
				IdentificationIssuingOrg:     model.Ptr("WA DOL"),
				IdentificationNumber:         model.Ptr("WDL123"),
				Name:                         model.Ptr("Jane Doe"),
				PhoneNumber:                  model.Ptr("+1 206 555 0100"),
			},
			RemoteManagement: model.Ptr(model.RemoteManagementInstalledAutostart),
			Resources: &model.JobResource{
				Ec2AmiResources: []model.Ec2AmiResource{{AmiId: model.Ptr("ami-12345678"), SnowballAmiId: model.Ptr("s.ami-1")}},
				LambdaResources: []model.LambdaResource{{
					EventTriggers: []model.EventTriggerDefinition{{EventResourceARN: model.Ptr("arn:aws:s3:::bucket")}},
					LambdaArn:     model.Ptr("arn:aws:lambda:us-west-2:111111111111:function:f"),
				}},
				S3Resources: []model.S3Resource{
					{
						BucketArn: model.Ptr("arn:aws:s3:::bucket"),
						KeyRange:  &model.KeyRange{BeginMarker: model.Ptr("a"), EndMarker: model.Ptr("m")},
						TargetOnDeviceServices: []model.TargetOnDeviceService{{
							ServiceName:    model.Ptr(model.DeviceServiceNameS3OnDeviceService),
							TransferOption: model.Ptr(model.TransferOptionImport),
						}},
					},
					{BucketArn: model.Ptr("arn:aws:s3:::other")},
				},
			},
			RoleARN: model.Ptr("arn:aws:iam::111111111111:role/snowball"),
			ShippingDetails: &model.ShippingDetails{
				InboundShipment:  &model.Shipment{Status: model.Ptr("In transit"), TrackingNumber: model.Ptr("1Z2")},
				OutboundShipment: &model.Shipment{Status: model.Ptr("Delivered"), TrackingNumber: model.Ptr("1Z1")},
				ShippingOption:   model.Ptr(model.ShippingOptionSecondDay),
			},
			SnowballCapacityPreference: model.Ptr(model.SnowballCapacityT100),
			SnowballId:                 model.Ptr("SB1"),
			SnowballType:               model.Ptr(model.SnowballTypeEdge),
			TaxDocuments:               &model.TaxDocuments{IND: &model.INDTaxDocuments{GSTIN: model.Ptr("22AAAAA0000A1Z5")}},
		},
		IsMaster:     true,
		MasterID:     "JID-master-of-" + id,
		ClusterID:    "CID-cluster-of-" + id,
		PartIndex:    3,
		UnlockCode:   "12345-abcde-12345-ABCDE-12345",
		DeviceKeyID:  "AKIAFROSTY",
		DeviceSecret: "secret/with+chars=",
		SnowballID:   "SB1",
		Outbound:     &snowball.Shipment{TrackingNumber: "1Z1", Status: "Delivered"},
		Inbound:      &snowball.Shipment{TrackingNumber: "1Z2", Status: "In transit"},
		ReturnLabel: &snowball.ReturnLabel{
			Status:         model.ShippingLabelStatusSucceeded,
			ShippingOption: model.ShippingOptionNextDay,
			CreatedAt:      base.Add(2 * time.Hour),
			ExpiresAt:      base.Add(2*time.Hour + 14*24*time.Hour),
		},
	}
}

func onDeviceServices() *model.OnDeviceServiceConfiguration {
	return &model.OnDeviceServiceConfiguration{
		EKSOnDeviceService: &model.EKSOnDeviceServiceConfiguration{
			EKSAnywhereVersion: model.Ptr("1.0"),
			KubernetesVersion:  model.Ptr("1.27"),
		},
		NFSOnDeviceService: &model.NFSOnDeviceServiceConfiguration{
			StorageLimit: model.Ptr[int64](10),
			StorageUnit:  model.Ptr(model.StorageUnitTb),
		},
		S3OnDeviceService: &model.S3OnDeviceServiceConfiguration{
			FaultTolerance: model.Ptr[int64](1),
			ServiceSize:    model.Ptr[int64](3),
			StorageLimit:   model.Ptr(2.5),
			StorageUnit:    model.Ptr(model.StorageUnitTb),
		},
		TGWOnDeviceService: &model.TGWOnDeviceServiceConfiguration{
			StorageLimit: model.Ptr[int64](4),
			StorageUnit:  model.Ptr(model.StorageUnitTb),
		},
	}
}

// NewCluster returns a cluster with every field set.
func NewCluster(id string, o snowball.Owner) *snowball.Cluster {
	return &snowball.Cluster{
		ID:             id,
		Owner:          o,
		CreatedAt:      base,
		State:          model.ClusterStateAwaitingQuorum,
		StateEnteredAt: base.Add(time.Second).In(ist),
		DueAt:          base.Add(time.Hour).In(ist),
		Metadata: model.ClusterMetadata{
			AddressId:           model.Ptr("ADID00000000-0000-0000-0000-000000000001"),
			ClusterId:           model.Ptr(id),
			ClusterState:        model.Ptr(model.ClusterStateAwaitingQuorum),
			CreationDate:        stamp(base),
			Description:         model.Ptr("cluster " + id),
			ForwardingAddressId: model.Ptr("ADID00000000-0000-0000-0000-000000000002"),
			JobType:             model.Ptr(model.JobTypeLocalUse),
			KmsKeyARN:           model.Ptr("arn:aws:kms:us-west-2:111111111111:key/abc"),
			Notification: &model.Notification{
				DevicePickupSnsTopicARN: model.Ptr("arn:aws:sns:us-west-2:111111111111:pickup"),
				JobStatesToNotify:       []model.JobState{model.JobStateInProgress},
				NotifyAll:               model.Ptr(true),
				SnsTopicARN:             model.Ptr("arn:aws:sns:us-west-2:111111111111:jobs"),
			},
			OnDeviceServiceConfiguration: onDeviceServices(),
			Resources: &model.JobResource{
				Ec2AmiResources: []model.Ec2AmiResource{{AmiId: model.Ptr("ami-12345678"), SnowballAmiId: model.Ptr("s.ami-1")}},
				LambdaResources: []model.LambdaResource{{
					EventTriggers: []model.EventTriggerDefinition{{EventResourceARN: model.Ptr("arn:aws:s3:::bucket")}},
					LambdaArn:     model.Ptr("arn:aws:lambda:us-west-2:111111111111:function:f"),
				}},
				S3Resources: []model.S3Resource{{
					BucketArn: model.Ptr("arn:aws:s3:::bucket"),
					KeyRange:  &model.KeyRange{BeginMarker: model.Ptr("a"), EndMarker: model.Ptr("m")},
					TargetOnDeviceServices: []model.TargetOnDeviceService{{
						ServiceName:    model.Ptr(model.DeviceServiceNameNfsOnDeviceService),
						TransferOption: model.Ptr(model.TransferOptionLocalUse),
					}},
				}},
			},
			RoleARN:        model.Ptr("arn:aws:iam::111111111111:role/snowball"),
			ShippingOption: model.Ptr(model.ShippingOptionExpress),
			SnowballType:   model.Ptr(model.SnowballTypeEdgeC),
			TaxDocuments:   &model.TaxDocuments{IND: &model.INDTaxDocuments{GSTIN: model.Ptr("22AAAAA0000A1Z5")}},
		},
		Quorum:           5,
		Capacity:         model.SnowballCapacityT42,
		RemoteManagement: model.RemoteManagementInstalledOnly,
	}
}

// NewLongTermPricing returns a long-term pricing contract with every field set.
func NewLongTermPricing(id string, o snowball.Owner) *snowball.LongTermPricing {
	return &snowball.LongTermPricing{
		ID:             id,
		Owner:          o,
		Type:           model.LongTermPricingTypeOneYear,
		SnowballType:   model.SnowballTypeV35c,
		AutoRenew:      true,
		StartDate:      base,
		EndDate:        base.AddDate(1, 0, 0).In(ist),
		ReplacementJob: "JID-replacement",
		JobIDs:         []string{"JID-1", "JID-2"},
	}
}

// NewEvent returns a transition of resourceID, a job or a cluster, with
// every field set.
func NewEvent[S ~string](resourceID string, from, to S) *snowball.Event {
	return &snowball.Event{
		ResourceID: resourceID,
		At:         base.Add(time.Hour).In(ist),
		From:       string(from),
		To:         string(to),
		Cause:      snowball.CauseTimer,
	}
}

// The change functions alter every field of a record but its Seq, ID and
// Owner, partly through the pointers and slices it shares with whatever it
// was copied from, so that a store keeping a reference instead of a copy
// shows it. They also clear members, so that a Put that merged instead of
// replacing would show it too.

func changeAddress(a *snowball.Address) {
	a.CreatedAt = a.CreatedAt.Add(time.Minute)
	*a.Address.City = "Portland"
	a.Address.Street3 = nil
}

func changeJob(j *snowball.Job) {
	j.CreatedAt = j.CreatedAt.Add(time.Minute)
	j.State = model.JobStateInProgress
	j.StateEnteredAt = j.StateEnteredAt.Add(time.Hour)
	*j.Metadata.Description = "changed"
	j.Metadata.Notification.JobStatesToNotify[0] = model.JobStateInProgress
	j.Metadata.Resources.S3Resources[0].KeyRange.EndMarker = model.Ptr("z")
	j.Metadata.ShippingDetails = nil
	j.Metadata.CreationDate.Time = j.Metadata.CreationDate.Add(time.Second)
	j.IsMaster = !j.IsMaster
	j.MasterID += "-changed"
	j.ClusterID += "-changed"
	j.PartIndex++
	j.UnlockCode += "-changed"
	j.DeviceKeyID += "-changed"
	j.DeviceSecret += "-changed"
	j.SnowballID += "-changed"
	j.Outbound.Status = "Returned"
	j.Inbound = nil
	j.ReturnLabel.ExpiresAt = j.ReturnLabel.ExpiresAt.Add(time.Hour)
	j.DueAt = j.DueAt.Add(time.Hour)
}

func changeCluster(c *snowball.Cluster) {
	c.CreatedAt = c.CreatedAt.Add(time.Minute)
	c.State = model.ClusterStatePending
	c.StateEnteredAt = c.StateEnteredAt.Add(time.Hour)
	*c.Metadata.Description = "changed"
	c.Metadata.Notification.JobStatesToNotify[0] = model.JobStateCancelled
	c.Metadata.TaxDocuments = nil
	c.Quorum++
	c.Capacity = model.SnowballCapacityT98
	c.RemoteManagement = model.RemoteManagementNotInstalled
	c.DueAt = time.Time{}
}

func changeLongTermPricing(l *snowball.LongTermPricing) {
	l.Type = model.LongTermPricingTypeThreeYear
	l.SnowballType = model.SnowballTypeV35s
	l.AutoRenew = !l.AutoRenew
	l.StartDate = l.StartDate.Add(time.Hour)
	l.EndDate = l.EndDate.AddDate(2, 0, 0)
	l.ReplacementJob += "-changed"
	l.JobIDs[0] = "JID-changed"
}
