package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/snowball"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/service"
)

func TestCreateJob(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	for _, tc := range []struct {
		name string
		in   *snowball.CreateJobInput
	}{
		{"OKImport", importJob(addr)},
		{"OKExport", exportJob(addr)},
		{"OKLocalUse", localUseJob(addr)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := mustCreateJob(t, c, tc.in)
			if !reJobID.MatchString(id) {
				t.Fatalf("JobId = %q, want JID + UUIDv4", id)
			}
			md := mustDescribeJob(t, c, id).JobMetadata
			if got, want := aws.StringValue(md.JobType), aws.StringValue(tc.in.JobType); got != want {
				t.Errorf("JobType = %s, want %s", got, want)
			}
			if got := aws.StringValue(md.JobState); got != snowball.JobStateNew {
				t.Errorf("JobState = %s, want New", got)
			}
		})
	}

	t.Run("OKDefaults", func(t *testing.T) {
		for _, tc := range []struct {
			name                        string
			snowballType                *string
			wantType, wantCap, wantMgmt string
		}{
			{"NoType", nil, snowball.TypeEdge, snowball.CapacityNoPreference, snowball.RemoteManagementInstalledOnly},
			{"EdgeC", aws.String(snowball.TypeEdgeC), snowball.TypeEdgeC, snowball.CapacityNoPreference, snowball.RemoteManagementInstalledOnly},
			{"Standard", aws.String(snowball.TypeStandard), snowball.TypeStandard, snowball.CapacityNoPreference, snowball.RemoteManagementNotInstalled},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := importJob(addr)
				in.SnowballType = tc.snowballType
				md := mustDescribeJob(t, c, mustCreateJob(t, c, in)).JobMetadata
				got := [3]string{aws.StringValue(md.SnowballType), aws.StringValue(md.SnowballCapacityPreference), aws.StringValue(md.RemoteManagement)}
				want := [3]string{tc.wantType, tc.wantCap, tc.wantMgmt}
				if got != want {
					t.Errorf("SnowballType, SnowballCapacityPreference, RemoteManagement = %v, want %v", got, want)
				}
			})
		}
	})

	t.Run("OKRepeatCreatesNewJob", func(t *testing.T) {
		a, b := mustCreateJob(t, c, importJob(addr)), mustCreateJob(t, c, importJob(addr))
		if a == b {
			t.Errorf("two CreateJob calls returned %s", a)
		}
	})

	for _, tc := range []struct {
		name  string
		edit  func(*snowball.CreateJobInput)
		rtype string
	}{
		{"ErrInvalidResourceAddressId", func(in *snowball.CreateJobInput) { in.AddressId = aws.String(unknownID("ADID")) }, "ADDRESS"},
		{"ErrInvalidResourceForwardingAddressId", func(in *snowball.CreateJobInput) { in.ForwardingAddressId = aws.String(unknownID("ADID")) }, "ADDRESS"},
		{"ErrInvalidResourceLongTermPricingId", func(in *snowball.CreateJobInput) { in.LongTermPricingId = aws.String(unknownID("LTPID")) }, "LONG_TERM_PRICING"},
		{"ErrInvalidResourceClusterId", func(in *snowball.CreateJobInput) { in.ClusterId = aws.String(unknownID("CID")) }, "CLUSTER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := importJob(addr)
			tc.edit(in)
			_, err := c.CreateJob(in)
			wantResource(t, err, tc.rtype)
		})
	}

	amis := func(n int) []*snowball.Ec2AmiResource {
		var out []*snowball.Ec2AmiResource
		for range n {
			out = append(out, &snowball.Ec2AmiResource{AmiId: aws.String("ami-0123abcd")})
		}
		return out
	}
	edgeCLTP, err := c.CreateLongTermPricing(&snowball.CreateLongTermPricingInput{
		LongTermPricingType: aws.String(snowball.LongTermPricingTypeOneYear), SnowballType: aws.String(snowball.TypeEdgeC),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*snowball.CreateJobInput)
	}{
		{"ErrInvalidInputCombinationNoJobType", func(in *snowball.CreateJobInput) { in.JobType = nil }},
		{"ErrInvalidInputCombinationNoAddressId", func(in *snowball.CreateJobInput) { in.AddressId = nil }},
		{"ErrInvalidInputCombinationNoShippingOption", func(in *snowball.CreateJobInput) { in.ShippingOption = nil }},
		// SnowballType × capacity (BEHAVIOR §4.4).
		{"ErrInvalidInputCombinationStandardT100", typeCap(snowball.TypeStandard, snowball.CapacityT100)},
		{"ErrInvalidInputCombinationEdgeT80", typeCap(snowball.TypeEdge, snowball.CapacityT80)},
		{"ErrInvalidInputCombinationEdgeCT100", typeCap(snowball.TypeEdgeC, snowball.CapacityT100)},
		{"ErrInvalidInputCombinationSnc1HddT14", typeCap(snowball.TypeSnc1Hdd, snowball.CapacityT14)},
		{"ErrInvalidInputCombinationEdgeST42", typeCap(snowball.TypeEdgeS, snowball.CapacityT42)},
		{"ErrInvalidInputCombinationV35cT42", typeCap(snowball.TypeV35c, snowball.CapacityT42)},
		// SnowballType × JobType.
		{"ErrInvalidInputCombinationStandardLocalUse", typeJob(snowball.TypeStandard, snowball.JobTypeLocalUse)},
		{"ErrInvalidInputCombinationEdgeSLocalUse", typeJob(snowball.TypeEdgeS, snowball.JobTypeLocalUse)},
		{"ErrInvalidInputCombinationSnc1HddExport", typeJob(snowball.TypeSnc1Hdd, snowball.JobTypeExport)},
		{"ErrInvalidInputCombinationSnc1SsdExport", typeJob(snowball.TypeSnc1Ssd, snowball.JobTypeExport)},
		{"ErrInvalidInputCombinationRack5uCImport", typeJob(snowball.TypeRack5uC, snowball.JobTypeImport)},
		{"ErrInvalidInputCombinationDeviceConfigurationOnEdge", func(in *snowball.CreateJobInput) {
			in.DeviceConfiguration = &snowball.DeviceConfiguration{SnowconeDeviceConfiguration: &snowball.SnowconeDeviceConfiguration{
				WirelessConnection: &snowball.WirelessConnection{IsWifiEnabled: aws.Bool(true)},
			}}
		}},
		{"ErrInvalidInputCombinationImportWithoutS3Resources", func(in *snowball.CreateJobInput) { in.Resources = nil }},
		{"ErrInvalidInputCombinationExportWithoutS3Resources", func(in *snowball.CreateJobInput) {
			in.JobType = aws.String(snowball.JobTypeExport)
			in.Resources = &snowball.JobResource{}
		}},
		{"ErrInvalidInputCombinationElevenAMIs", func(in *snowball.CreateJobInput) { in.Resources.Ec2AmiResources = amis(11) }},
		{"ErrInvalidInputCombinationLongTermPricingType", func(in *snowball.CreateJobInput) { in.LongTermPricingId = edgeCLTP.LongTermPricingId }},
		{"ErrInvalidInputCombinationAMIsOnStandard", func(in *snowball.CreateJobInput) {
			in.SnowballType = aws.String(snowball.TypeStandard)
			in.Resources.Ec2AmiResources = amis(1)
		}},
		{"ErrInvalidInputCombinationAMIsOnEdgeS", func(in *snowball.CreateJobInput) {
			in.SnowballType = aws.String(snowball.TypeEdgeS)
			in.Resources.Ec2AmiResources = amis(1)
		}},
		{"ErrInvalidInputCombinationExportKeyRangeReversed", func(in *snowball.CreateJobInput) {
			in.JobType = aws.String(snowball.JobTypeExport)
			in.Resources.S3Resources[0].KeyRange = &snowball.KeyRange{BeginMarker: aws.String("b"), EndMarker: aws.String("a")}
		}},
		{"ErrInvalidInputCombinationTransferOption", func(in *snowball.CreateJobInput) {
			in.Resources.S3Resources[0].TargetOnDeviceServices = []*snowball.TargetOnDeviceService{{
				ServiceName: aws.String(snowball.DeviceServiceNameNfsOnDeviceService), TransferOption: aws.String(snowball.TransferOptionExport),
			}}
		}},
		{"ErrInvalidInputCombinationNFSOnStandard", func(in *snowball.CreateJobInput) {
			in.SnowballType = aws.String(snowball.TypeStandard)
			in.OnDeviceServiceConfiguration = &snowball.OnDeviceServiceConfiguration{NFSOnDeviceService: &snowball.NFSOnDeviceServiceConfiguration{StorageLimit: aws.Int64(1)}}
		}},
		{"ErrInvalidInputCombinationTGWOnEdge", func(in *snowball.CreateJobInput) {
			in.OnDeviceServiceConfiguration = &snowball.OnDeviceServiceConfiguration{TGWOnDeviceService: &snowball.TGWOnDeviceServiceConfiguration{StorageLimit: aws.Int64(80)}}
		}},
		{"ErrInvalidInputCombinationTGWStorageLimit", func(in *snowball.CreateJobInput) {
			in.SnowballType = aws.String(snowball.TypeEdgeS)
			in.OnDeviceServiceConfiguration = &snowball.OnDeviceServiceConfiguration{TGWOnDeviceService: &snowball.TGWOnDeviceServiceConfiguration{StorageLimit: aws.Int64(40)}}
		}},
		{"ErrInvalidInputCombinationEKSOnImport", func(in *snowball.CreateJobInput) {
			in.SnowballType = aws.String(snowball.TypeEdgeC)
			in.OnDeviceServiceConfiguration = eks("1.27", "0.16.5")
		}},
		{"ErrInvalidInputCombinationEKSVersions", func(in *snowball.CreateJobInput) {
			in.JobType, in.SnowballType, in.Resources = aws.String(snowball.JobTypeLocalUse), aws.String(snowball.TypeEdgeC), nil
			in.OnDeviceServiceConfiguration = eks("1.21", "0.18.7")
		}},
		{"ErrInvalidInputCombinationS3ServiceSizeStandalone", func(in *snowball.CreateJobInput) {
			in.JobType, in.SnowballType, in.Resources = aws.String(snowball.JobTypeLocalUse), aws.String(snowball.TypeEdgeC), nil
			in.OnDeviceServiceConfiguration = &snowball.OnDeviceServiceConfiguration{S3OnDeviceService: &snowball.S3OnDeviceServiceConfiguration{
				StorageLimit: aws.Float64(10), ServiceSize: aws.Int64(3),
			}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := importJob(addr)
			tc.edit(in)
			_, err := c.CreateJob(in)
			wantErr[*snowball.InvalidInputCombinationException](t, err)
		})
	}

	t.Run("OKEKSOnLocalUse", func(t *testing.T) {
		in := localUseJob(addr)
		in.SnowballType = aws.String(snowball.TypeEdgeC)
		in.OnDeviceServiceConfiguration = eks("1.27", "0.16.5")
		mustCreateJob(t, c, in)
	})
	t.Run("OKTGWOnEdgeS", func(t *testing.T) {
		in := importJob(addr)
		in.SnowballType, in.Resources = aws.String(snowball.TypeEdgeS), nil
		in.OnDeviceServiceConfiguration = &snowball.OnDeviceServiceConfiguration{TGWOnDeviceService: &snowball.TGWOnDeviceServiceConfiguration{
			StorageLimit: aws.Int64(80), StorageUnit: aws.String(snowball.StorageUnitTb),
		}}
		mustCreateJob(t, c, in)
	})
	t.Run("OKEmptyKeyRangeEveryType", func(t *testing.T) {
		for _, in := range []*snowball.CreateJobInput{importJob(addr), exportJob(addr), localUseJob(addr)} {
			in.Resources = &snowball.JobResource{S3Resources: []*snowball.S3Resource{{BucketArn: aws.String(testBucketARN), KeyRange: &snowball.KeyRange{}}}}
			mustCreateJob(t, c, in)
		}
	})
	t.Run("OKEqualMarkers", func(t *testing.T) {
		in := exportJob(addr)
		in.Resources.S3Resources[0].KeyRange = &snowball.KeyRange{BeginMarker: aws.String("a"), EndMarker: aws.String("a")}
		mustCreateJob(t, c, in)
	})
	t.Run("OKImportKeyRangeIgnored", func(t *testing.T) {
		in := importJob(addr)
		in.Resources.S3Resources[0].KeyRange = &snowball.KeyRange{BeginMarker: aws.String("b"), EndMarker: aws.String("a")}
		md := mustDescribeJob(t, c, mustCreateJob(t, c, in)).JobMetadata
		if diff := cmp.Diff(in.Resources, md.Resources, sdkOpts); diff != "" {
			t.Errorf("Resources not echoed (-want +got):\n%s", diff)
		}
	})
	t.Run("OKImportNFSWithoutS3", func(t *testing.T) {
		in := importJob(addr)
		in.Resources = nil
		in.OnDeviceServiceConfiguration = &snowball.OnDeviceServiceConfiguration{NFSOnDeviceService: &snowball.NFSOnDeviceServiceConfiguration{
			StorageLimit: aws.Int64(10), StorageUnit: aws.String(snowball.StorageUnitTb),
		}}
		mustCreateJob(t, c, in)
	})
	// BEHAVIOR §4.1: referenced resources are checked before cross-field rules.
	t.Run("ErrInvalidResourceBeforeInvalidInputCombination", func(t *testing.T) {
		in := importJob(unknownID("ADID"))
		in.SnowballType, in.SnowballCapacityPreference = aws.String(snowball.TypeStandard), aws.String(snowball.CapacityT100)
		_, err := c.CreateJob(in)
		wantResource(t, err, "ADDRESS")
	})

	t.Run("OKTenAMIs", func(t *testing.T) {
		in := importJob(addr)
		in.Resources.Ec2AmiResources = amis(10)
		mustCreateJob(t, c, in)
	})
	t.Run("OKDeviceConfigurationOnSnowcone", func(t *testing.T) {
		in := importJob(addr)
		in.SnowballType = aws.String(snowball.TypeSnc1Ssd)
		in.DeviceConfiguration = &snowball.DeviceConfiguration{SnowconeDeviceConfiguration: &snowball.SnowconeDeviceConfiguration{
			WirelessConnection: &snowball.WirelessConnection{IsWifiEnabled: aws.Bool(true)},
		}}
		md := mustDescribeJob(t, c, mustCreateJob(t, c, in)).JobMetadata
		if md.DeviceConfiguration == nil || !aws.BoolValue(md.DeviceConfiguration.SnowconeDeviceConfiguration.WirelessConnection.IsWifiEnabled) {
			t.Errorf("DeviceConfiguration = %v, want it echoed", md.DeviceConfiguration)
		}
	})
}

func eks(k8s, eksa string) *snowball.OnDeviceServiceConfiguration {
	return &snowball.OnDeviceServiceConfiguration{EKSOnDeviceService: &snowball.EKSOnDeviceServiceConfiguration{
		KubernetesVersion: aws.String(k8s), EKSAnywhereVersion: aws.String(eksa),
	}}
}

func typeCap(st, capacity string) func(*snowball.CreateJobInput) {
	return func(in *snowball.CreateJobInput) {
		in.SnowballType, in.SnowballCapacityPreference = aws.String(st), aws.String(capacity)
	}
}

func typeJob(st, jt string) func(*snowball.CreateJobInput) {
	return func(in *snowball.CreateJobInput) {
		in.SnowballType, in.JobType = aws.String(st), aws.String(jt)
	}
}

// fullJob is an IMPORT job that sets every CreateJob member a standalone
// job can carry.
func fullJob(addr, fwd, ltp string) *snowball.CreateJobInput {
	return &snowball.CreateJobInput{
		JobType:             aws.String(snowball.JobTypeImport),
		SnowballType:        aws.String(snowball.TypeEdge),
		AddressId:           aws.String(addr),
		ForwardingAddressId: aws.String(fwd),
		Description:         aws.String("Important Photos 2016-08-11"),
		KmsKeyARN:           aws.String(testKmsKeyARN),
		RoleARN:             aws.String(testRoleARN),
		Notification: &snowball.Notification{
			SnsTopicARN:             aws.String("arn:aws:sns:us-west-2:111122223333:frosty"),
			DevicePickupSnsTopicARN: aws.String("arn:aws:sns:us-west-2:111122223333:pickup"),
			JobStatesToNotify:       aws.StringSlice([]string{snowball.JobStateNew, snowball.JobStateComplete}),
			NotifyAll:               aws.Bool(false),
		},
		Resources: &snowball.JobResource{
			S3Resources: []*snowball.S3Resource{{
				BucketArn: aws.String(testBucketARN),
				KeyRange:  &snowball.KeyRange{BeginMarker: aws.String("Aar"), EndMarker: aws.String("Aasvogel")},
				TargetOnDeviceServices: []*snowball.TargetOnDeviceService{{
					ServiceName: aws.String(snowball.DeviceServiceNameNfsOnDeviceService), TransferOption: aws.String(snowball.TransferOptionImport),
				}},
			}},
			LambdaResources: []*snowball.LambdaResource{{
				LambdaArn:     aws.String("arn:aws:lambda:us-west-2:111122223333:function:frosty"),
				EventTriggers: []*snowball.EventTriggerDefinition{{EventResourceARN: aws.String("arn:aws:s3:::frosty-bucket")}},
			}},
			Ec2AmiResources: []*snowball.Ec2AmiResource{{AmiId: aws.String("ami-0123abcd"), SnowballAmiId: aws.String("s.ami-0123abcd")}},
		},
		OnDeviceServiceConfiguration: &snowball.OnDeviceServiceConfiguration{
			NFSOnDeviceService: &snowball.NFSOnDeviceServiceConfiguration{StorageLimit: aws.Int64(10), StorageUnit: aws.String(snowball.StorageUnitTb)},
		},
		ShippingOption:             aws.String(snowball.ShippingOptionNextDay),
		SnowballCapacityPreference: aws.String(snowball.CapacityT100),
		TaxDocuments:               &snowball.TaxDocuments{IND: &snowball.INDTaxDocuments{GSTIN: aws.String("27AAPFU0939F1ZV")}},
		RemoteManagement:           aws.String(snowball.RemoteManagementInstalledAutostart),
		ImpactLevel:                aws.String(snowball.ImpactLevelIl2),
		LongTermPricingId:          aws.String(ltp),
		PickupDetails: &snowball.PickupDetails{
			Name:                         aws.String("Frosty Tester"),
			PhoneNumber:                  aws.String("+1 206-555-0100"),
			Email:                        aws.String("ops@example.com"),
			IdentificationNumber:         aws.String("D1234567"),
			IdentificationExpirationDate: aws.Time(time.Date(2030, 5, 6, 0, 0, 0, 0, time.UTC)),
			IdentificationIssuingOrg:     aws.String("WA DOL"),
			DevicePickupId:               aws.String("DPID0badf00d-0000-4000-8000-000000000001"),
		},
	}
}

func TestDescribeJob(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr, fwd := mustCreateAddress(t, c), mustCreateAddress(t, c)

	t.Run("OKEveryFieldEchoed", func(t *testing.T) {
		ltp, err := c.CreateLongTermPricing(&snowball.CreateLongTermPricingInput{
			LongTermPricingType: aws.String(snowball.LongTermPricingTypeOneYear), SnowballType: aws.String(snowball.TypeEdge),
		})
		if err != nil {
			t.Fatal(err)
		}
		in := fullJob(addr, fwd, aws.StringValue(ltp.LongTermPricingId))
		id := mustCreateJob(t, c, in)
		got := mustDescribeJob(t, c, id)
		want := &snowball.DescribeJobOutput{JobMetadata: &snowball.JobMetadata{
			JobId:                        aws.String(id),
			JobState:                     aws.String(snowball.JobStateNew),
			CreationDate:                 aws.Time(frostytest.Start),
			JobType:                      in.JobType,
			SnowballType:                 in.SnowballType,
			AddressId:                    in.AddressId,
			ForwardingAddressId:          in.ForwardingAddressId,
			Description:                  in.Description,
			KmsKeyARN:                    in.KmsKeyARN,
			RoleARN:                      in.RoleARN,
			Notification:                 in.Notification,
			Resources:                    in.Resources,
			OnDeviceServiceConfiguration: in.OnDeviceServiceConfiguration,
			ShippingDetails:              &snowball.ShippingDetails{ShippingOption: in.ShippingOption},
			SnowballCapacityPreference:   in.SnowballCapacityPreference,
			TaxDocuments:                 in.TaxDocuments,
			RemoteManagement:             in.RemoteManagement,
			ImpactLevel:                  in.ImpactLevel,
			LongTermPricingId:            in.LongTermPricingId,
			PickupDetails:                in.PickupDetails,
		}}
		if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
			t.Errorf("DescribeJob mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("OKPickupIdGenerated", func(t *testing.T) {
		in := importJob(addr)
		in.PickupDetails = &snowball.PickupDetails{Name: aws.String("Frosty Tester")}
		md := mustDescribeJob(t, c, mustCreateJob(t, c, in)).JobMetadata
		if id := aws.StringValue(md.PickupDetails.DevicePickupId); !strings.HasPrefix(id, "DPID") || len(id) != 40 {
			t.Errorf("DevicePickupId = %q, want a generated DPID + UUID", id)
		}
	})

	t.Run("OKStateDerivedFields", func(t *testing.T) {
		id := mustCreateImportJob(t, c)
		md := mustDescribeJob(t, c, id).JobMetadata
		if md.SnowballId != nil || md.DataTransferProgress != nil || md.JobLogInfo != nil ||
			md.ShippingDetails.OutboundShipment != nil || md.ShippingDetails.InboundShipment != nil || md.ClusterId != nil {
			t.Fatalf("a New job shows state-derived fields: %v", md)
		}

		s.Advance(t, id, snowball.JobStatePreparingAppliance)
		md = mustDescribeJob(t, c, id).JobMetadata
		snowballID := aws.StringValue(md.SnowballId)
		if snowballID == "" {
			t.Fatal("no SnowballId in PreparingAppliance")
		}
		if md.ShippingDetails.OutboundShipment != nil {
			t.Errorf("OutboundShipment in PreparingAppliance: %v", md.ShippingDetails.OutboundShipment)
		}

		var tracking string
		for _, st := range []struct{ state, status string }{
			{snowball.JobStatePreparingShipment, service.ShipmentLabelCreated},
			{snowball.JobStateInTransitToCustomer, service.ShipmentInTransit},
			{snowball.JobStateWithCustomer, service.ShipmentDelivered},
		} {
			s.Advance(t, id, st.state)
			md = mustDescribeJob(t, c, id).JobMetadata
			out := md.ShippingDetails.OutboundShipment
			if out == nil {
				t.Fatalf("no OutboundShipment in %s", st.state)
			}
			tn := aws.StringValue(out.TrackingNumber)
			if !reTrackingNumber.MatchString(tn) {
				t.Errorf("%s: TrackingNumber = %q, want 1Z + 16 [0-9A-Z]", st.state, tn)
			}
			if tracking == "" {
				tracking = tn
			} else if tn != tracking {
				t.Errorf("%s: TrackingNumber changed from %s to %s", st.state, tracking, tn)
			}
			if got := aws.StringValue(out.Status); got != st.status {
				t.Errorf("%s: OutboundShipment.Status = %q, want %q", st.state, got, st.status)
			}
			if got := aws.StringValue(md.SnowballId); got != snowballID {
				t.Errorf("%s: SnowballId = %q, want %q", st.state, got, snowballID)
			}
			if md.ShippingDetails.InboundShipment != nil {
				t.Errorf("%s: InboundShipment before the return: %v", st.state, md.ShippingDetails.InboundShipment)
			}
		}

		if _, err := c.UpdateJobShipmentState(&snowball.UpdateJobShipmentStateInput{
			JobId: aws.String(id), ShipmentState: aws.String(snowball.ShipmentStateReturned),
		}); err != nil {
			t.Fatal(err)
		}
		md = mustDescribeJob(t, c, id).JobMetadata
		in := md.ShippingDetails.InboundShipment
		if in == nil || !reTrackingNumber.MatchString(aws.StringValue(in.TrackingNumber)) || aws.StringValue(in.Status) != service.ShipmentInTransit {
			t.Fatalf("after RETURNED InboundShipment = %v, want a 1Z tracking number In transit", in)
		}
		if aws.StringValue(in.TrackingNumber) == tracking {
			t.Errorf("inbound and outbound share tracking number %s", tracking)
		}

		s.Advance(t, id, snowball.JobStateWithAwssortingFacility)
		md = mustDescribeJob(t, c, id).JobMetadata
		if got := aws.StringValue(md.ShippingDetails.InboundShipment.Status); got != service.ShipmentDelivered {
			t.Errorf("WithAWSSortingFacility: InboundShipment.Status = %q, want %q", got, service.ShipmentDelivered)
		}

		s.Advance(t, id, snowball.JobStateWithAws)
		if md = mustDescribeJob(t, c, id).JobMetadata; md.DataTransferProgress != nil {
			t.Errorf("DataTransferProgress in WithAWS: %v", md.DataTransferProgress)
		}
		s.Advance(t, id, snowball.JobStateInProgress)
		md = mustDescribeJob(t, c, id).JobMetadata
		zero := aws.Int64(0)
		wantProgress := &snowball.DataTransfer{BytesTransferred: zero, ObjectsTransferred: zero, TotalBytes: zero, TotalObjects: zero}
		if diff := cmp.Diff(wantProgress, md.DataTransferProgress, sdkOpts); diff != "" {
			t.Errorf("InProgress DataTransferProgress (-want +got):\n%s", diff)
		}
		if md.JobLogInfo != nil {
			t.Errorf("JobLogInfo of an import in InProgress: %v", md.JobLogInfo)
		}

		s.Advance(t, id, snowball.JobStateComplete)
		md = mustDescribeJob(t, c, id).JobMetadata
		if md.DataTransferProgress != nil {
			t.Errorf("DataTransferProgress in Complete: %v", md.DataTransferProgress)
		}
		logs := md.JobLogInfo
		if logs == nil {
			t.Fatal("no JobLogInfo for a Complete import")
		}
		for _, l := range []struct {
			name, uri, suffix, prefix string
		}{
			{"JobCompletionReportURI", aws.StringValue(logs.JobCompletionReportURI), "_job_report.pdf", "%PDF"},
			{"JobSuccessLogURI", aws.StringValue(logs.JobSuccessLogURI), "_success_log.csv", "Timestamp,"},
			{"JobFailureLogURI", aws.StringValue(logs.JobFailureLogURI), "_failure_log.csv", "Timestamp,"},
		} {
			checkPresignedURL(t, l.uri, "3600")
			if !strings.Contains(l.uri, id+l.suffix+"?") {
				t.Errorf("%s = %s, want the key %s%s", l.name, l.uri, id, l.suffix)
			}
			status, body := frostytest.Get(t, l.uri)
			if status != http.StatusOK || !strings.HasPrefix(string(body), l.prefix) {
				t.Errorf("GET %s: HTTP %d %.40q, want 200 starting %q", l.name, status, body, l.prefix)
			}
		}
	})

	t.Run("OKNoJobLogsForLocalUse", func(t *testing.T) {
		id := mustCreateJob(t, c, localUseJob(addr))
		s.Advance(t, id, snowball.JobStateComplete)
		if md := mustDescribeJob(t, c, id).JobMetadata; md.JobLogInfo != nil || md.DataTransferProgress != nil {
			t.Errorf("a Complete LOCAL_USE job shows JobLogInfo %v / DataTransferProgress %v", md.JobLogInfo, md.DataTransferProgress)
		}
	})

	t.Run("ErrInvalidResource", func(t *testing.T) {
		_, err := c.DescribeJob(&snowball.DescribeJobInput{JobId: aws.String(unknownID("JID"))})
		wantResource(t, err, "JOB")
	})
}

func TestListJobs(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	t.Run("OKEmpty", func(t *testing.T) {
		out, err := c.ListJobs(&snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if out.JobListEntries == nil || len(out.JobListEntries) != 0 || out.NextToken != nil {
			t.Errorf("got %v, want an empty JobListEntries and no NextToken", out)
		}
	})

	var ids []string
	for i := range 101 {
		in := importJob(addr)
		if i%2 == 1 {
			in = localUseJob(addr)
		}
		ids = append(ids, mustCreateJob(t, c, in))
	}

	t.Run("OK", func(t *testing.T) {
		in := importJob(addr)
		in.Description = aws.String("listed")
		s := frostytest.MustStart(t, frostytest.Options{})
		c := s.Alice()
		in.AddressId = aws.String(mustCreateAddress(t, c))
		id := mustCreateJob(t, c, in)
		out, err := c.ListJobs(&snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		want := &snowball.ListJobsOutput{JobListEntries: []*snowball.JobListEntry{{
			JobId: aws.String(id), JobState: aws.String(snowball.JobStateNew), IsMaster: aws.Bool(false),
			JobType: aws.String(snowball.JobTypeImport), SnowballType: aws.String(snowball.TypeEdge),
			CreationDate: aws.Time(frostytest.Start), Description: aws.String("listed"),
		}}}
		if diff := cmp.Diff(want, out, sdkOpts); diff != "" {
			t.Errorf("ListJobs (-want +got):\n%s", diff)
		}
	})

	t.Run("OKDefaultPageSize100", func(t *testing.T) {
		for _, max := range []*int64{nil, aws.Int64(0)} {
			out, err := c.ListJobs(&snowball.ListJobsInput{MaxResults: max})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.JobListEntries) != 100 || out.NextToken == nil {
				t.Fatalf("MaxResults %v: %d entries, NextToken %v; want 100 and a token", aws.Int64Value(max), len(out.JobListEntries), out.NextToken)
			}
			last, err := c.ListJobs(&snowball.ListJobsInput{NextToken: out.NextToken})
			if err != nil {
				t.Fatal(err)
			}
			if len(last.JobListEntries) != 1 || aws.StringValue(last.JobListEntries[0].JobId) != ids[100] || last.NextToken != nil {
				t.Errorf("last page = %v, want only %s and no NextToken", last, ids[100])
			}
		}
	})

	for _, max := range []int64{1, 7, 100} {
		t.Run("OKMaxResults"+strconv.FormatInt(max, 10), func(t *testing.T) {
			var got []string
			err := c.ListJobsPages(&snowball.ListJobsInput{MaxResults: aws.Int64(max)}, func(p *snowball.ListJobsOutput, last bool) bool {
				if int64(len(p.JobListEntries)) > max {
					t.Errorf("page of %d entries, MaxResults %d", len(p.JobListEntries), max)
				}
				if p.NextToken != nil && aws.StringValue(p.NextToken) == "" {
					t.Error(`NextToken ""`)
				}
				for _, e := range p.JobListEntries {
					got = append(got, aws.StringValue(e.JobId))
				}
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ids, got); diff != "" {
				t.Errorf("jobs in creation order (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("OKConcurrentCreation", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		c := s.Alice()
		addr := mustCreateAddress(t, c)
		var want []string
		for range 4 {
			want = append(want, mustCreateJob(t, c, importJob(addr)))
		}
		var got []string
		err := c.ListJobsPages(&snowball.ListJobsInput{MaxResults: aws.Int64(2)}, func(p *snowball.ListJobsOutput, last bool) bool {
			for _, e := range p.JobListEntries {
				got = append(got, aws.StringValue(e.JobId))
			}
			if !last {
				// A job created between pages comes after every listed one.
				want = append(want, mustCreateJob(t, c, importJob(addr)))
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("jobs listed while creating (-want +got):\n%s", diff)
		}
	})

	t.Run("ErrValidationMaxResults101", func(t *testing.T) {
		_, err := c.ListJobs(&snowball.ListJobsInput{MaxResults: aws.Int64(101)})
		wantCode(t, err, "ValidationException")
	})

	first, err := c.ListJobs(&snowball.ListJobsInput{MaxResults: aws.Int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	token := aws.StringValue(first.NextToken)
	for _, tc := range []struct {
		name  string
		token string
	}{
		{"ErrInvalidNextTokenForged", "eyJvIjoiTGlzdEpvYnMiLCJ3IjoiMTExMTIyMjIzMzMzL2F3cyIsImEiOjF9.AAAAAAAAAAAAAAAAAAAAAA"},
		{"ErrInvalidNextTokenGarbage", "not a token"},
		{"ErrInvalidNextTokenAlteredFirstChar", flipChar(token, 0)},
		{"ErrInvalidNextTokenAlteredMiddleChar", flipChar(token, len(token)/2)},
		{"ErrInvalidNextTokenAlteredLastChar", flipChar(token, len(token)-1)},
		{"ErrInvalidNextTokenTruncated", token[:len(token)-4]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ListJobs(&snowball.ListJobsInput{NextToken: aws.String(tc.token)})
			wantErr[*snowball.InvalidNextTokenException](t, err)
		})
	}
	t.Run("ErrInvalidNextTokenOtherAccount", func(t *testing.T) {
		mustCreateImportJob(t, s.Bob())
		_, err := s.Bob().ListJobs(&snowball.ListJobsInput{NextToken: aws.String(token)})
		wantErr[*snowball.InvalidNextTokenException](t, err)
	})
}

// flipChar changes the byte at i of a token to another character of the
// base64url alphabet.
func flipChar(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestUpdateJob(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	t.Run("OK", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		addr2, fwd := mustCreateAddress(t, c), mustCreateAddress(t, c)
		notification := &snowball.Notification{NotifyAll: aws.Bool(true), JobStatesToNotify: aws.StringSlice([]string{})}
		resources := &snowball.JobResource{S3Resources: []*snowball.S3Resource{{BucketArn: aws.String("arn:aws:s3:::other-bucket"), KeyRange: &snowball.KeyRange{}}}}
		_, err := c.UpdateJob(&snowball.UpdateJobInput{
			JobId:                      aws.String(id),
			AddressId:                  aws.String(addr2),
			ForwardingAddressId:        aws.String(fwd),
			Description:                aws.String("updated-job-name"),
			ShippingOption:             aws.String(snowball.ShippingOptionNextDay),
			SnowballCapacityPreference: aws.String(snowball.CapacityT100),
			RoleARN:                    aws.String("arn:aws:iam::111122223333:role/other"),
			Notification:               notification,
			Resources:                  resources,
		})
		if err != nil {
			t.Fatal(err)
		}
		md := mustDescribeJob(t, c, id).JobMetadata
		got := &snowball.JobMetadata{
			AddressId: md.AddressId, ForwardingAddressId: md.ForwardingAddressId, Description: md.Description,
			ShippingDetails: md.ShippingDetails, SnowballCapacityPreference: md.SnowballCapacityPreference,
			RoleARN: md.RoleARN, Notification: md.Notification, Resources: md.Resources, KmsKeyARN: md.KmsKeyARN,
		}
		want := &snowball.JobMetadata{
			AddressId: aws.String(addr2), ForwardingAddressId: aws.String(fwd), Description: aws.String("updated-job-name"),
			ShippingDetails:            &snowball.ShippingDetails{ShippingOption: aws.String(snowball.ShippingOptionNextDay)},
			SnowballCapacityPreference: aws.String(snowball.CapacityT100),
			RoleARN:                    aws.String("arn:aws:iam::111122223333:role/other"),
			Notification:               notification, Resources: resources,
			KmsKeyARN: aws.String(testKmsKeyARN), // absent from the update: unchanged
		}
		if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
			t.Errorf("after UpdateJob (-want +got):\n%s", diff)
		}
	})

	t.Run("ErrInvalidJobStateAfterPreparingAppliance", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, snowball.JobStatePreparingAppliance)
		_, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(id), Description: aws.String("late")})
		wantErr[*snowball.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidJobStateCancelled", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		if _, err := c.CancelJob(&snowball.CancelJobInput{JobId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(id), Description: aws.String("late")})
		wantErr[*snowball.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidResourceJob", func(t *testing.T) {
		_, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(unknownID("JID")), Description: aws.String("x")})
		wantResource(t, err, "JOB")
	})
	t.Run("ErrInvalidResourceAddress", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		_, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(id), AddressId: aws.String(unknownID("ADID"))})
		wantResource(t, err, "ADDRESS")
	})
	t.Run("OKExportMasterListing", func(t *testing.T) {
		master := mustCreateJob(t, c, exportJob(addr))
		s.Advance(t, master, snowball.JobStateListing)
		if _, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(master), Description: aws.String("listing")}); err != nil {
			t.Errorf("UpdateJob of a Listing export master: %v", err)
		}
		s.Advance(t, master, snowball.JobStatePending)
		_, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(master), Description: aws.String("pending")})
		wantErr[*snowball.InvalidJobStateException](t, err)
	})
	// BEHAVIOR §4.1: resources, then cross-field rules, then state.
	t.Run("ErrInvalidResourceBeforeInvalidJobState", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, snowball.JobStatePreparingAppliance)
		_, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(id), AddressId: aws.String(unknownID("ADID"))})
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidInputCombinationBeforeInvalidJobState", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, snowball.JobStatePreparingAppliance)
		_, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(id), SnowballCapacityPreference: aws.String(snowball.CapacityT80)})
		wantErr[*snowball.InvalidInputCombinationException](t, err)
	})
	t.Run("ErrInvalidInputCombinationResources", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		_, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(id), Resources: &snowball.JobResource{}})
		wantErr[*snowball.InvalidInputCombinationException](t, err)
	})
	t.Run("ErrInvalidInputCombinationCapacity", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr)) // EDGE
		_, err := c.UpdateJob(&snowball.UpdateJobInput{JobId: aws.String(id), SnowballCapacityPreference: aws.String(snowball.CapacityT80)})
		wantErr[*snowball.InvalidInputCombinationException](t, err)
		if got := aws.StringValue(mustDescribeJob(t, c, id).JobMetadata.SnowballCapacityPreference); got != snowball.CapacityNoPreference {
			t.Errorf("a refused update changed the capacity to %s", got)
		}
	})
}

func TestCancelJob(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	cancel := func(id string) error {
		_, err := c.CancelJob(&snowball.CancelJobInput{JobId: aws.String(id)})
		return err
	}

	t.Run("OK", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		if err := cancel(id); err != nil {
			t.Fatal(err)
		}
		wantJobState(t, c, id, snowball.JobStateCancelled)
		// A cancelled job stays listed.
		out, err := c.ListJobs(&snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range out.JobListEntries {
			found = found || (aws.StringValue(e.JobId) == id && aws.StringValue(e.JobState) == snowball.JobStateCancelled)
		}
		if !found {
			t.Errorf("cancelled job %s not listed as Cancelled", id)
		}
	})
	t.Run("ErrInvalidJobStateSecondCancel", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		if err := cancel(id); err != nil {
			t.Fatal(err)
		}
		wantErr[*snowball.InvalidJobStateException](t, cancel(id))
	})
	t.Run("ErrInvalidJobStatePreparingAppliance", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, snowball.JobStatePreparingAppliance)
		wantErr[*snowball.InvalidJobStateException](t, cancel(id))
		wantJobState(t, c, id, snowball.JobStatePreparingAppliance)
	})
	t.Run("ErrInvalidResource", func(t *testing.T) {
		wantResource(t, cancel(unknownID("JID")), "JOB")
	})
	t.Run("OKExportMasterCancelsParts", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{Config: service.Config{ExportParts: 2}})
		c := s.Alice()
		master := mustCreateJob(t, c, exportJob(mustCreateAddress(t, c)))
		s.Advance(t, master, snowball.JobStatePending)
		parts := mustDescribeJob(t, c, master).SubJobMetadata
		if len(parts) != 2 {
			t.Fatalf("%d parts, want 2", len(parts))
		}
		if _, err := c.CancelJob(&snowball.CancelJobInput{JobId: aws.String(master)}); err != nil {
			t.Fatal(err)
		}
		wantJobState(t, c, master, snowball.JobStateCancelled)
		for _, p := range parts {
			wantJobState(t, c, aws.StringValue(p.JobId), snowball.JobStateCancelled)
		}
	})
	t.Run("OKExportPartCancelsOnlyItself", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{Config: service.Config{ExportParts: 2}})
		c := s.Alice()
		master := mustCreateJob(t, c, exportJob(mustCreateAddress(t, c)))
		s.Advance(t, master, snowball.JobStatePending)
		parts := mustDescribeJob(t, c, master).SubJobMetadata
		if _, err := c.CancelJob(&snowball.CancelJobInput{JobId: parts[1].JobId}); err != nil {
			t.Fatal(err)
		}
		wantJobState(t, c, aws.StringValue(parts[1].JobId), snowball.JobStateCancelled)
		wantJobState(t, c, aws.StringValue(parts[0].JobId), snowball.JobStateNew)
		wantJobState(t, c, master, snowball.JobStatePending)
	})
	t.Run("ErrInvalidJobStateExportPartStarted", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		c := s.Alice()
		master := mustCreateJob(t, c, exportJob(mustCreateAddress(t, c)))
		s.Advance(t, master, snowball.JobStatePending)
		part := aws.StringValue(mustDescribeJob(t, c, master).SubJobMetadata[0].JobId)
		s.Advance(t, part, snowball.JobStatePreparingAppliance)
		_, err := c.CancelJob(&snowball.CancelJobInput{JobId: aws.String(master)})
		wantErr[*snowball.InvalidJobStateException](t, err)
		wantJobState(t, c, master, snowball.JobStatePending)
	})
}

func TestUpdateJobShipmentState(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	ship := func(id, state string) error {
		_, err := c.UpdateJobShipmentState(&snowball.UpdateJobShipmentStateInput{JobId: aws.String(id), ShipmentState: aws.String(state)})
		return err
	}

	t.Run("OKReceived", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, snowball.JobStateInTransitToCustomer)
		if err := ship(id, snowball.ShipmentStateReceived); err != nil {
			t.Fatal(err)
		}
		wantJobState(t, c, id, snowball.JobStateWithCustomer)
		if err := ship(id, snowball.ShipmentStateReceived); err != nil {
			t.Errorf("repeated RECEIVED: %v, want a no-op", err)
		}
		wantJobState(t, c, id, snowball.JobStateWithCustomer)
	})
	t.Run("OKReturned", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, snowball.JobStateWithCustomer)
		if err := ship(id, snowball.ShipmentStateReturned); err != nil {
			t.Fatal(err)
		}
		md := mustDescribeJob(t, c, id).JobMetadata
		if got := aws.StringValue(md.JobState); got != snowball.JobStateInTransitToAws {
			t.Errorf("JobState = %s, want InTransitToAWS", got)
		}
		in := md.ShippingDetails.InboundShipment
		if in == nil {
			t.Fatal("no InboundShipment after RETURNED")
		}
		if err := ship(id, snowball.ShipmentStateReturned); err != nil {
			t.Errorf("repeated RETURNED: %v, want a no-op", err)
		}
		md = mustDescribeJob(t, c, id).JobMetadata
		if got := aws.StringValue(md.JobState); got != snowball.JobStateInTransitToAws {
			t.Errorf("after repeat JobState = %s, want InTransitToAWS", got)
		}
		if got := aws.StringValue(md.ShippingDetails.InboundShipment.TrackingNumber); got != aws.StringValue(in.TrackingNumber) {
			t.Errorf("repeated RETURNED changed the tracking number %s to %s", aws.StringValue(in.TrackingNumber), got)
		}
	})

	for _, tc := range []struct {
		name, state, shipment string
	}{
		{"ErrInvalidJobStateReceivedInNew", snowball.JobStateNew, snowball.ShipmentStateReceived},
		{"ErrInvalidJobStateReturnedInNew", snowball.JobStateNew, snowball.ShipmentStateReturned},
		{"ErrInvalidJobStateReceivedInPreparingShipment", snowball.JobStatePreparingShipment, snowball.ShipmentStateReceived},
		{"ErrInvalidJobStateReturnedInTransitToCustomer", snowball.JobStateInTransitToCustomer, snowball.ShipmentStateReturned},
		{"ErrInvalidJobStateReceivedInTransitToAWS", snowball.JobStateInTransitToAws, snowball.ShipmentStateReceived},
		{"ErrInvalidJobStateReturnedInWithAWS", snowball.JobStateWithAws, snowball.ShipmentStateReturned},
		{"ErrInvalidJobStateReceivedInComplete", snowball.JobStateComplete, snowball.ShipmentStateReceived},
		{"ErrInvalidJobStateReturnedCancelled", snowball.JobStateCancelled, snowball.ShipmentStateReturned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := mustCreateJob(t, c, importJob(addr))
			switch tc.state {
			case snowball.JobStateNew:
			case snowball.JobStateCancelled:
				if _, err := c.CancelJob(&snowball.CancelJobInput{JobId: aws.String(id)}); err != nil {
					t.Fatal(err)
				}
			default:
				s.Advance(t, id, tc.state)
			}
			wantErr[*snowball.InvalidJobStateException](t, ship(id, tc.shipment))
			wantJobState(t, c, id, tc.state)
		})
	}
	t.Run("ErrInvalidJobStateExportMaster", func(t *testing.T) {
		master := mustCreateJob(t, c, exportJob(addr))
		s.Advance(t, master, snowball.JobStatePending)
		wantErr[*snowball.InvalidJobStateException](t, ship(master, snowball.ShipmentStateReceived))
	})
	t.Run("ErrInvalidResource", func(t *testing.T) {
		wantResource(t, ship(unknownID("JID"), snowball.ShipmentStateReceived), "JOB")
	})
}

// TestExportJob follows an export job with two parts: the master is
// listed, split into parts, and completes when they all have.
func TestExportJob(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{Config: service.Config{ExportParts: 2}})
	c := s.Alice()
	master := mustCreateJob(t, c, exportJob(mustCreateAddress(t, c)))

	entry := func(id string) *snowball.JobListEntry {
		t.Helper()
		out, err := c.ListJobs(&snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.JobListEntries {
			if aws.StringValue(e.JobId) == id {
				return e
			}
		}
		t.Fatalf("job %s not in ListJobs", id)
		return nil
	}
	if !aws.BoolValue(entry(master).IsMaster) {
		t.Errorf("ListJobs shows the export master with IsMaster false")
	}
	if got := mustDescribeJob(t, c, master).SubJobMetadata; len(got) != 0 {
		t.Errorf("SubJobMetadata before the listing: %v", got)
	}
	for _, op := range []struct {
		name string
		call func() error
	}{
		{"GetJobManifest", func() error {
			_, err := c.GetJobManifest(&snowball.GetJobManifestInput{JobId: aws.String(master)})
			return err
		}},
		{"GetJobUnlockCode", func() error {
			_, err := c.GetJobUnlockCode(&snowball.GetJobUnlockCodeInput{JobId: aws.String(master)})
			return err
		}},
	} {
		if err := op.call(); err == nil {
			t.Errorf("%s on an export master succeeded", op.name)
		} else {
			wantErr[*snowball.InvalidJobStateException](t, err)
		}
	}

	s.Advance(t, master, snowball.JobStatePending)
	out := mustDescribeJob(t, c, master)
	if len(out.SubJobMetadata) != 2 {
		t.Fatalf("SubJobMetadata has %d parts, want 2", len(out.SubJobMetadata))
	}
	part1, part2 := aws.StringValue(out.SubJobMetadata[0].JobId), aws.StringValue(out.SubJobMetadata[1].JobId)
	for i, p := range out.SubJobMetadata {
		if aws.StringValue(p.JobType) != snowball.JobTypeExport || aws.StringValue(p.AddressId) != aws.StringValue(out.JobMetadata.AddressId) {
			t.Errorf("part %d does not copy the master: %v", i+1, p)
		}
		if e := entry(aws.StringValue(p.JobId)); aws.BoolValue(e.IsMaster) || e.IsMaster == nil {
			t.Errorf("part %d listed with IsMaster %v, want false", i+1, e.IsMaster)
		}
		if md := mustDescribeJob(t, c, aws.StringValue(p.JobId)); md.SubJobMetadata != nil {
			t.Errorf("DescribeJob of part %d has SubJobMetadata", i+1)
		}
	}
	wantJobState(t, c, part1, snowball.JobStateNew)
	wantJobState(t, c, part2, snowball.JobStatePending)

	s.Advance(t, part1, snowball.JobStateInProgress)
	if md := mustDescribeJob(t, c, part1).JobMetadata; md.DataTransferProgress == nil {
		t.Error("no DataTransferProgress for an export part InProgress")
	}
	s.Advance(t, part1, snowball.JobStateWithCustomer)
	if md := mustDescribeJob(t, c, part1).JobMetadata; md.JobLogInfo == nil {
		t.Error("no JobLogInfo for a delivered export part (BEHAVIOR §1.8)")
	}
	wantJobState(t, c, part2, snowball.JobStatePending)
	s.Advance(t, part1, snowball.JobStateInTransitToAws)
	// BEHAVIOR §1.2: the next part goes straight to PreparingAppliance once
	// the previous one is in transit to AWS.
	wantJobState(t, c, part2, snowball.JobStatePreparingAppliance)

	s.Advance(t, part1, snowball.JobStateComplete)
	wantJobState(t, c, master, snowball.JobStatePending)

	status, body := tryAdvance(t, s, master, snowball.JobStateComplete)
	if status != http.StatusBadRequest {
		t.Errorf("operator advancing the master to Complete: HTTP %d %s, want 400", status, body)
	}

	s.Advance(t, part2, snowball.JobStateComplete)
	wantJobState(t, c, master, snowball.JobStateComplete)
}
