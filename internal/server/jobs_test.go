package server_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
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
			if got, want := md.JobType, tc.in.JobType; got != want {
				t.Errorf("JobType = %s, want %s", got, want)
			}
			if got := md.JobState; got != types.JobStateNew {
				t.Errorf("JobState = %s, want New", got)
			}
		})
	}

	t.Run("OKDefaults", func(t *testing.T) {
		for _, tc := range []struct {
			name         string
			snowballType types.SnowballType
			wantType     types.SnowballType
			wantCap      types.SnowballCapacity
			wantMgmt     types.RemoteManagement
		}{
			{"NoType", "", types.SnowballTypeEdge, types.SnowballCapacityNoPreference, types.RemoteManagementInstalledOnly},
			{"EdgeC", types.SnowballTypeEdgeC, types.SnowballTypeEdgeC, types.SnowballCapacityNoPreference, types.RemoteManagementInstalledOnly},
			{"Standard", types.SnowballTypeStandard, types.SnowballTypeStandard, types.SnowballCapacityNoPreference, types.RemoteManagementNotInstalled},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := importJob(addr)
				in.SnowballType = tc.snowballType
				md := mustDescribeJob(t, c, mustCreateJob(t, c, in)).JobMetadata
				got := [3]string{string(md.SnowballType), string(md.SnowballCapacityPreference), string(md.RemoteManagement)}
				want := [3]string{string(tc.wantType), string(tc.wantCap), string(tc.wantMgmt)}
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
			_, err := c.CreateJob(t.Context(), in)
			wantResource(t, err, tc.rtype)
		})
	}

	amis := func(n int) []types.Ec2AmiResource {
		var out []types.Ec2AmiResource
		for range n {
			out = append(out, types.Ec2AmiResource{AmiId: aws.String("ami-0123abcd")})
		}
		return out
	}
	edgeCLTP, err := c.CreateLongTermPricing(t.Context(), &snowball.CreateLongTermPricingInput{
		LongTermPricingType: types.LongTermPricingTypeOneYear, SnowballType: types.SnowballTypeEdgeC,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(*snowball.CreateJobInput)
	}{
		{"ErrInvalidInputCombinationNoJobType", func(in *snowball.CreateJobInput) { in.JobType = "" }},
		{"ErrInvalidInputCombinationNoAddressId", func(in *snowball.CreateJobInput) { in.AddressId = nil }},
		{"ErrInvalidInputCombinationNoShippingOption", func(in *snowball.CreateJobInput) { in.ShippingOption = "" }},
		// SnowballType × capacity (BEHAVIOR §4.4).
		{"ErrInvalidInputCombinationStandardT100", typeCap(types.SnowballTypeStandard, types.SnowballCapacityT100)},
		{"ErrInvalidInputCombinationEdgeT80", typeCap(types.SnowballTypeEdge, types.SnowballCapacityT80)},
		{"ErrInvalidInputCombinationEdgeCT100", typeCap(types.SnowballTypeEdgeC, types.SnowballCapacityT100)},
		{"ErrInvalidInputCombinationSnc1HddT14", typeCap(types.SnowballTypeSnc1Hdd, types.SnowballCapacityT14)},
		{"ErrInvalidInputCombinationEdgeST42", typeCap(types.SnowballTypeEdgeS, types.SnowballCapacityT42)},
		{"ErrInvalidInputCombinationV35cT42", typeCap(types.SnowballTypeV35c, types.SnowballCapacityT42)},
		// SnowballType × JobType.
		{"ErrInvalidInputCombinationStandardLocalUse", typeJob(types.SnowballTypeStandard, types.JobTypeLocalUse)},
		{"ErrInvalidInputCombinationEdgeSLocalUse", typeJob(types.SnowballTypeEdgeS, types.JobTypeLocalUse)},
		{"ErrInvalidInputCombinationSnc1HddExport", typeJob(types.SnowballTypeSnc1Hdd, types.JobTypeExport)},
		{"ErrInvalidInputCombinationSnc1SsdExport", typeJob(types.SnowballTypeSnc1Ssd, types.JobTypeExport)},
		{"ErrInvalidInputCombinationRack5uCImport", typeJob(types.SnowballTypeRack5uC, types.JobTypeImport)},
		{"ErrInvalidInputCombinationDeviceConfigurationOnEdge", func(in *snowball.CreateJobInput) {
			in.DeviceConfiguration = &types.DeviceConfiguration{SnowconeDeviceConfiguration: &types.SnowconeDeviceConfiguration{
				WirelessConnection: &types.WirelessConnection{IsWifiEnabled: true},
			}}
		}},
		{"ErrInvalidInputCombinationImportWithoutS3Resources", func(in *snowball.CreateJobInput) { in.Resources = nil }},
		{"ErrInvalidInputCombinationExportWithoutS3Resources", func(in *snowball.CreateJobInput) {
			in.JobType = types.JobTypeExport
			in.Resources = &types.JobResource{}
		}},
		{"ErrInvalidInputCombinationElevenAMIs", func(in *snowball.CreateJobInput) { in.Resources.Ec2AmiResources = amis(11) }},
		{"ErrInvalidInputCombinationLongTermPricingType", func(in *snowball.CreateJobInput) { in.LongTermPricingId = edgeCLTP.LongTermPricingId }},
		{"ErrInvalidInputCombinationAMIsOnStandard", func(in *snowball.CreateJobInput) {
			in.SnowballType = types.SnowballTypeStandard
			in.Resources.Ec2AmiResources = amis(1)
		}},
		{"ErrInvalidInputCombinationAMIsOnEdgeS", func(in *snowball.CreateJobInput) {
			in.SnowballType = types.SnowballTypeEdgeS
			in.Resources.Ec2AmiResources = amis(1)
		}},
		{"ErrInvalidInputCombinationExportKeyRangeReversed", func(in *snowball.CreateJobInput) {
			in.JobType = types.JobTypeExport
			in.Resources.S3Resources[0].KeyRange = &types.KeyRange{BeginMarker: aws.String("b"), EndMarker: aws.String("a")}
		}},
		{"ErrInvalidInputCombinationTransferOption", func(in *snowball.CreateJobInput) {
			in.Resources.S3Resources[0].TargetOnDeviceServices = []types.TargetOnDeviceService{{
				ServiceName: types.DeviceServiceNameNfsOnDeviceService, TransferOption: types.TransferOptionExport,
			}}
		}},
		{"ErrInvalidInputCombinationNFSOnStandard", func(in *snowball.CreateJobInput) {
			in.SnowballType = types.SnowballTypeStandard
			in.OnDeviceServiceConfiguration = &types.OnDeviceServiceConfiguration{NFSOnDeviceService: &types.NFSOnDeviceServiceConfiguration{StorageLimit: 1}}
		}},
		{"ErrInvalidInputCombinationTGWOnEdge", func(in *snowball.CreateJobInput) {
			in.OnDeviceServiceConfiguration = &types.OnDeviceServiceConfiguration{TGWOnDeviceService: &types.TGWOnDeviceServiceConfiguration{StorageLimit: 80}}
		}},
		{"ErrInvalidInputCombinationTGWStorageLimit", func(in *snowball.CreateJobInput) {
			in.SnowballType = types.SnowballTypeEdgeS
			in.OnDeviceServiceConfiguration = &types.OnDeviceServiceConfiguration{TGWOnDeviceService: &types.TGWOnDeviceServiceConfiguration{StorageLimit: 40}}
		}},
		{"ErrInvalidInputCombinationEKSOnImport", func(in *snowball.CreateJobInput) {
			in.SnowballType = types.SnowballTypeEdgeC
			in.OnDeviceServiceConfiguration = eks("1.27", "0.16.5")
		}},
		{"ErrInvalidInputCombinationEKSVersions", func(in *snowball.CreateJobInput) {
			in.JobType, in.SnowballType, in.Resources = types.JobTypeLocalUse, types.SnowballTypeEdgeC, nil
			in.OnDeviceServiceConfiguration = eks("1.21", "0.18.7")
		}},
		{"ErrInvalidInputCombinationS3ServiceSizeStandalone", func(in *snowball.CreateJobInput) {
			in.JobType, in.SnowballType, in.Resources = types.JobTypeLocalUse, types.SnowballTypeEdgeC, nil
			in.OnDeviceServiceConfiguration = &types.OnDeviceServiceConfiguration{S3OnDeviceService: &types.S3OnDeviceServiceConfiguration{
				StorageLimit: aws.Float64(10), ServiceSize: aws.Int32(3),
			}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := importJob(addr)
			tc.edit(in)
			_, err := c.CreateJob(t.Context(), in)
			wantErr[*types.InvalidInputCombinationException](t, err)
		})
	}

	t.Run("OKEKSOnLocalUse", func(t *testing.T) {
		in := localUseJob(addr)
		in.SnowballType = types.SnowballTypeEdgeC
		in.OnDeviceServiceConfiguration = eks("1.27", "0.16.5")
		mustCreateJob(t, c, in)
	})
	t.Run("OKTGWOnEdgeS", func(t *testing.T) {
		in := importJob(addr)
		in.SnowballType, in.Resources = types.SnowballTypeEdgeS, nil
		in.OnDeviceServiceConfiguration = &types.OnDeviceServiceConfiguration{TGWOnDeviceService: &types.TGWOnDeviceServiceConfiguration{
			StorageLimit: 80, StorageUnit: types.StorageUnitTb,
		}}
		mustCreateJob(t, c, in)
	})
	t.Run("OKEmptyKeyRangeEveryType", func(t *testing.T) {
		for _, in := range []*snowball.CreateJobInput{importJob(addr), exportJob(addr), localUseJob(addr)} {
			in.Resources = &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String(testBucketARN), KeyRange: &types.KeyRange{}}}}
			mustCreateJob(t, c, in)
		}
	})
	t.Run("OKEqualMarkers", func(t *testing.T) {
		in := exportJob(addr)
		in.Resources.S3Resources[0].KeyRange = &types.KeyRange{BeginMarker: aws.String("a"), EndMarker: aws.String("a")}
		mustCreateJob(t, c, in)
	})
	t.Run("OKImportKeyRangeIgnored", func(t *testing.T) {
		in := importJob(addr)
		in.Resources.S3Resources[0].KeyRange = &types.KeyRange{BeginMarker: aws.String("b"), EndMarker: aws.String("a")}
		md := mustDescribeJob(t, c, mustCreateJob(t, c, in)).JobMetadata
		if diff := cmp.Diff(in.Resources, md.Resources, sdkOpts); diff != "" {
			t.Errorf("Resources not echoed (-want +got):\n%s", diff)
		}
	})
	t.Run("OKImportNFSWithoutS3", func(t *testing.T) {
		in := importJob(addr)
		in.Resources = nil
		in.OnDeviceServiceConfiguration = &types.OnDeviceServiceConfiguration{NFSOnDeviceService: &types.NFSOnDeviceServiceConfiguration{
			StorageLimit: 10, StorageUnit: types.StorageUnitTb,
		}}
		mustCreateJob(t, c, in)
	})
	// BEHAVIOR §4.1: referenced resources are checked before cross-field rules.
	t.Run("ErrInvalidResourceBeforeInvalidInputCombination", func(t *testing.T) {
		in := importJob(unknownID("ADID"))
		in.SnowballType, in.SnowballCapacityPreference = types.SnowballTypeStandard, types.SnowballCapacityT100
		_, err := c.CreateJob(t.Context(), in)
		wantResource(t, err, "ADDRESS")
	})

	t.Run("OKTenAMIs", func(t *testing.T) {
		in := importJob(addr)
		in.Resources.Ec2AmiResources = amis(10)
		mustCreateJob(t, c, in)
	})
	t.Run("OKDeviceConfigurationOnSnowcone", func(t *testing.T) {
		in := importJob(addr)
		in.SnowballType = types.SnowballTypeSnc1Ssd
		in.DeviceConfiguration = &types.DeviceConfiguration{SnowconeDeviceConfiguration: &types.SnowconeDeviceConfiguration{
			WirelessConnection: &types.WirelessConnection{IsWifiEnabled: true},
		}}
		md := mustDescribeJob(t, c, mustCreateJob(t, c, in)).JobMetadata
		if md.DeviceConfiguration == nil || !md.DeviceConfiguration.SnowconeDeviceConfiguration.WirelessConnection.IsWifiEnabled {
			t.Errorf("DeviceConfiguration = %v, want it echoed", md.DeviceConfiguration)
		}
	})
}

func eks(k8s, eksa string) *types.OnDeviceServiceConfiguration {
	return &types.OnDeviceServiceConfiguration{EKSOnDeviceService: &types.EKSOnDeviceServiceConfiguration{
		KubernetesVersion: aws.String(k8s), EKSAnywhereVersion: aws.String(eksa),
	}}
}

func typeCap(st types.SnowballType, capacity types.SnowballCapacity) func(*snowball.CreateJobInput) {
	return func(in *snowball.CreateJobInput) {
		in.SnowballType, in.SnowballCapacityPreference = st, capacity
	}
}

func typeJob(st types.SnowballType, jt types.JobType) func(*snowball.CreateJobInput) {
	return func(in *snowball.CreateJobInput) {
		in.SnowballType, in.JobType = st, jt
	}
}

// fullJob is an IMPORT job that sets every CreateJob member a standalone
// job can carry.
func fullJob(addr, fwd, ltp string) *snowball.CreateJobInput {
	return &snowball.CreateJobInput{
		JobType:             types.JobTypeImport,
		SnowballType:        types.SnowballTypeEdge,
		AddressId:           aws.String(addr),
		ForwardingAddressId: aws.String(fwd),
		Description:         aws.String("Important Photos 2016-08-11"),
		KmsKeyARN:           aws.String(testKmsKeyARN),
		RoleARN:             aws.String(testRoleARN),
		Notification: &types.Notification{
			SnsTopicARN:             aws.String("arn:aws:sns:us-west-2:111122223333:frosty"),
			DevicePickupSnsTopicARN: aws.String("arn:aws:sns:us-west-2:111122223333:pickup"),
			JobStatesToNotify:       []types.JobState{types.JobStateNew, types.JobStateComplete},
			NotifyAll:               false,
		},
		Resources: &types.JobResource{
			S3Resources: []types.S3Resource{{
				BucketArn: aws.String(testBucketARN),
				KeyRange:  &types.KeyRange{BeginMarker: aws.String("Aar"), EndMarker: aws.String("Aasvogel")},
				TargetOnDeviceServices: []types.TargetOnDeviceService{{
					ServiceName: types.DeviceServiceNameNfsOnDeviceService, TransferOption: types.TransferOptionImport,
				}},
			}},
			LambdaResources: []types.LambdaResource{{
				LambdaArn:     aws.String("arn:aws:lambda:us-west-2:111122223333:function:frosty"),
				EventTriggers: []types.EventTriggerDefinition{{EventResourceARN: aws.String("arn:aws:s3:::frosty-bucket")}},
			}},
			Ec2AmiResources: []types.Ec2AmiResource{{AmiId: aws.String("ami-0123abcd"), SnowballAmiId: aws.String("s.ami-0123abcd")}},
		},
		OnDeviceServiceConfiguration: &types.OnDeviceServiceConfiguration{
			NFSOnDeviceService: &types.NFSOnDeviceServiceConfiguration{StorageLimit: 10, StorageUnit: types.StorageUnitTb},
		},
		ShippingOption:             types.ShippingOptionNextDay,
		SnowballCapacityPreference: types.SnowballCapacityT100,
		TaxDocuments:               &types.TaxDocuments{IND: &types.INDTaxDocuments{GSTIN: aws.String("27AAPFU0939F1ZV")}},
		RemoteManagement:           types.RemoteManagementInstalledAutostart,
		ImpactLevel:                types.ImpactLevelIl2,
		LongTermPricingId:          aws.String(ltp),
		PickupDetails: &types.PickupDetails{
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
		ltp, err := c.CreateLongTermPricing(t.Context(), &snowball.CreateLongTermPricingInput{
			LongTermPricingType: types.LongTermPricingTypeOneYear, SnowballType: types.SnowballTypeEdge,
		})
		if err != nil {
			t.Fatal(err)
		}
		in := fullJob(addr, fwd, aws.ToString(ltp.LongTermPricingId))
		id := mustCreateJob(t, c, in)
		got := mustDescribeJob(t, c, id)
		want := &snowball.DescribeJobOutput{JobMetadata: &types.JobMetadata{
			JobId:                        aws.String(id),
			JobState:                     types.JobStateNew,
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
			ShippingDetails:              &types.ShippingDetails{ShippingOption: in.ShippingOption},
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
		in.PickupDetails = &types.PickupDetails{Name: aws.String("Frosty Tester")}
		md := mustDescribeJob(t, c, mustCreateJob(t, c, in)).JobMetadata
		if id := aws.ToString(md.PickupDetails.DevicePickupId); !strings.HasPrefix(id, "DPID") || len(id) != 40 {
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

		s.Advance(t, id, string(types.JobStatePreparingAppliance))
		md = mustDescribeJob(t, c, id).JobMetadata
		snowballID := aws.ToString(md.SnowballId)
		if snowballID == "" {
			t.Fatal("no SnowballId in PreparingAppliance")
		}
		if md.ShippingDetails.OutboundShipment != nil {
			t.Errorf("OutboundShipment in PreparingAppliance: %v", md.ShippingDetails.OutboundShipment)
		}

		var tracking string
		for _, st := range []struct {
			state  types.JobState
			status string
		}{
			{types.JobStatePreparingShipment, service.ShipmentLabelCreated},
			{types.JobStateInTransitToCustomer, service.ShipmentInTransit},
			{types.JobStateWithCustomer, service.ShipmentDelivered},
		} {
			s.Advance(t, id, string(st.state))
			md = mustDescribeJob(t, c, id).JobMetadata
			out := md.ShippingDetails.OutboundShipment
			if out == nil {
				t.Fatalf("no OutboundShipment in %s", st.state)
			}
			tn := aws.ToString(out.TrackingNumber)
			if !reTrackingNumber.MatchString(tn) {
				t.Errorf("%s: TrackingNumber = %q, want 1Z + 16 [0-9A-Z]", st.state, tn)
			}
			if tracking == "" {
				tracking = tn
			} else if tn != tracking {
				t.Errorf("%s: TrackingNumber changed from %s to %s", st.state, tracking, tn)
			}
			if got := aws.ToString(out.Status); got != st.status {
				t.Errorf("%s: OutboundShipment.Status = %q, want %q", st.state, got, st.status)
			}
			if got := aws.ToString(md.SnowballId); got != snowballID {
				t.Errorf("%s: SnowballId = %q, want %q", st.state, got, snowballID)
			}
			if md.ShippingDetails.InboundShipment != nil {
				t.Errorf("%s: InboundShipment before the return: %v", st.state, md.ShippingDetails.InboundShipment)
			}
		}

		if _, err := c.UpdateJobShipmentState(t.Context(), &snowball.UpdateJobShipmentStateInput{
			JobId: aws.String(id), ShipmentState: types.ShipmentStateReturned,
		}); err != nil {
			t.Fatal(err)
		}
		md = mustDescribeJob(t, c, id).JobMetadata
		in := md.ShippingDetails.InboundShipment
		if in == nil || !reTrackingNumber.MatchString(aws.ToString(in.TrackingNumber)) || aws.ToString(in.Status) != service.ShipmentInTransit {
			t.Fatalf("after RETURNED InboundShipment = %v, want a 1Z tracking number In transit", in)
		}
		if aws.ToString(in.TrackingNumber) == tracking {
			t.Errorf("inbound and outbound share tracking number %s", tracking)
		}

		s.Advance(t, id, string(types.JobStateWithAwsSortingFacility))
		md = mustDescribeJob(t, c, id).JobMetadata
		if got := aws.ToString(md.ShippingDetails.InboundShipment.Status); got != service.ShipmentDelivered {
			t.Errorf("WithAWSSortingFacility: InboundShipment.Status = %q, want %q", got, service.ShipmentDelivered)
		}

		s.Advance(t, id, string(types.JobStateWithAws))
		if md = mustDescribeJob(t, c, id).JobMetadata; md.DataTransferProgress != nil {
			t.Errorf("DataTransferProgress in WithAWS: %v", md.DataTransferProgress)
		}
		s.Advance(t, id, string(types.JobStateInProgress))
		md = mustDescribeJob(t, c, id).JobMetadata
		if diff := cmp.Diff(&types.DataTransfer{}, md.DataTransferProgress, sdkOpts); diff != "" {
			t.Errorf("InProgress DataTransferProgress (-want +got):\n%s", diff)
		}
		// aws-sdk-go-v2 reads an absent count as 0: the zeros must be sent.
		raw := mustRaw(t, s, "DescribeJob", `{"JobId":"`+id+`"}`)["JobMetadata"].(map[string]any)["DataTransferProgress"]
		zero := json.Number("0")
		wantRaw := map[string]any{"BytesTransferred": zero, "ObjectsTransferred": zero, "TotalBytes": zero, "TotalObjects": zero}
		if diff := cmp.Diff(wantRaw, raw); diff != "" {
			t.Errorf("InProgress DataTransferProgress on the wire (-want +got):\n%s", diff)
		}
		if md.JobLogInfo != nil {
			t.Errorf("JobLogInfo of an import in InProgress: %v", md.JobLogInfo)
		}

		s.Advance(t, id, string(types.JobStateComplete))
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
			{"JobCompletionReportURI", aws.ToString(logs.JobCompletionReportURI), "_job_report.pdf", "%PDF"},
			{"JobSuccessLogURI", aws.ToString(logs.JobSuccessLogURI), "_success_log.csv", "Timestamp,"},
			{"JobFailureLogURI", aws.ToString(logs.JobFailureLogURI), "_failure_log.csv", "Timestamp,"},
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
		s.Advance(t, id, string(types.JobStateComplete))
		if md := mustDescribeJob(t, c, id).JobMetadata; md.JobLogInfo != nil || md.DataTransferProgress != nil {
			t.Errorf("a Complete LOCAL_USE job shows JobLogInfo %v / DataTransferProgress %v", md.JobLogInfo, md.DataTransferProgress)
		}
	})

	t.Run("ErrInvalidResource", func(t *testing.T) {
		_, err := c.DescribeJob(t.Context(), &snowball.DescribeJobInput{JobId: aws.String(unknownID("JID"))})
		wantResource(t, err, "JOB")
	})
}

func TestListJobs(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)

	t.Run("OKEmpty", func(t *testing.T) {
		out, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{})
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
		out, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		want := &snowball.ListJobsOutput{JobListEntries: []types.JobListEntry{{
			JobId: aws.String(id), JobState: types.JobStateNew, IsMaster: false,
			JobType: types.JobTypeImport, SnowballType: types.SnowballTypeEdge,
			CreationDate: aws.Time(frostytest.Start), Description: aws.String("listed"),
		}}}
		if diff := cmp.Diff(want, out, sdkOpts); diff != "" {
			t.Errorf("ListJobs (-want +got):\n%s", diff)
		}
	})

	t.Run("OKDefaultPageSize100", func(t *testing.T) {
		for _, max := range []*int32{nil, aws.Int32(0)} {
			out, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{MaxResults: max})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.JobListEntries) != 100 || out.NextToken == nil {
				t.Fatalf("MaxResults %v: %d entries, NextToken %v; want 100 and a token", aws.ToInt32(max), len(out.JobListEntries), out.NextToken)
			}
			last, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{NextToken: out.NextToken})
			if err != nil {
				t.Fatal(err)
			}
			if len(last.JobListEntries) != 1 || aws.ToString(last.JobListEntries[0].JobId) != ids[100] || last.NextToken != nil {
				t.Errorf("last page = %v, want only %s and no NextToken", last, ids[100])
			}
		}
	})

	for _, max := range []int32{1, 7, 100} {
		t.Run("OKMaxResults"+strconv.Itoa(int(max)), func(t *testing.T) {
			var got []string
			err := eachPage(t.Context(), snowball.NewListJobsPaginator(c, &snowball.ListJobsInput{MaxResults: aws.Int32(max)}), func(p *snowball.ListJobsOutput, last bool) {
				if len(p.JobListEntries) > int(max) {
					t.Errorf("page of %d entries, MaxResults %d", len(p.JobListEntries), max)
				}
				if p.NextToken != nil && aws.ToString(p.NextToken) == "" {
					t.Error(`NextToken ""`)
				}
				for _, e := range p.JobListEntries {
					got = append(got, aws.ToString(e.JobId))
				}
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
		err := eachPage(t.Context(), snowball.NewListJobsPaginator(c, &snowball.ListJobsInput{MaxResults: aws.Int32(2)}), func(p *snowball.ListJobsOutput, last bool) {
			for _, e := range p.JobListEntries {
				got = append(got, aws.ToString(e.JobId))
			}
			if !last {
				// A job created between pages comes after every listed one.
				want = append(want, mustCreateJob(t, c, importJob(addr)))
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("jobs listed while creating (-want +got):\n%s", diff)
		}
	})

	t.Run("ErrValidationMaxResults101", func(t *testing.T) {
		_, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{MaxResults: aws.Int32(101)})
		wantCode(t, err, "ValidationException")
	})

	first, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	token := aws.ToString(first.NextToken)
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
			_, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{NextToken: aws.String(tc.token)})
			wantErr[*types.InvalidNextTokenException](t, err)
		})
	}
	t.Run("ErrInvalidNextTokenOtherAccount", func(t *testing.T) {
		mustCreateImportJob(t, s.Bob())
		_, err := s.Bob().ListJobs(t.Context(), &snowball.ListJobsInput{NextToken: aws.String(token)})
		wantErr[*types.InvalidNextTokenException](t, err)
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
		notification := &types.Notification{NotifyAll: true, JobStatesToNotify: []types.JobState{}}
		resources := &types.JobResource{S3Resources: []types.S3Resource{{BucketArn: aws.String("arn:aws:s3:::other-bucket"), KeyRange: &types.KeyRange{}}}}
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{
			JobId:                      aws.String(id),
			AddressId:                  aws.String(addr2),
			ForwardingAddressId:        aws.String(fwd),
			Description:                aws.String("updated-job-name"),
			ShippingOption:             types.ShippingOptionNextDay,
			SnowballCapacityPreference: types.SnowballCapacityT100,
			RoleARN:                    aws.String("arn:aws:iam::111122223333:role/other"),
			Notification:               notification,
			Resources:                  resources,
		})
		if err != nil {
			t.Fatal(err)
		}
		md := mustDescribeJob(t, c, id).JobMetadata
		got := &types.JobMetadata{
			AddressId: md.AddressId, ForwardingAddressId: md.ForwardingAddressId, Description: md.Description,
			ShippingDetails: md.ShippingDetails, SnowballCapacityPreference: md.SnowballCapacityPreference,
			RoleARN: md.RoleARN, Notification: md.Notification, Resources: md.Resources, KmsKeyARN: md.KmsKeyARN,
		}
		want := &types.JobMetadata{
			AddressId: aws.String(addr2), ForwardingAddressId: aws.String(fwd), Description: aws.String("updated-job-name"),
			ShippingDetails:            &types.ShippingDetails{ShippingOption: types.ShippingOptionNextDay},
			SnowballCapacityPreference: types.SnowballCapacityT100,
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
		s.Advance(t, id, string(types.JobStatePreparingAppliance))
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(id), Description: aws.String("late")})
		wantErr[*types.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidJobStateCancelled", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		if _, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(id), Description: aws.String("late")})
		wantErr[*types.InvalidJobStateException](t, err)
	})
	t.Run("ErrInvalidResourceJob", func(t *testing.T) {
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(unknownID("JID")), Description: aws.String("x")})
		wantResource(t, err, "JOB")
	})
	t.Run("ErrInvalidResourceAddress", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(id), AddressId: aws.String(unknownID("ADID"))})
		wantResource(t, err, "ADDRESS")
	})
	t.Run("OKExportMasterListing", func(t *testing.T) {
		master := mustCreateJob(t, c, exportJob(addr))
		s.Advance(t, master, string(types.JobStateListing))
		if _, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(master), Description: aws.String("listing")}); err != nil {
			t.Errorf("UpdateJob of a Listing export master: %v", err)
		}
		s.Advance(t, master, string(types.JobStatePending))
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(master), Description: aws.String("pending")})
		wantErr[*types.InvalidJobStateException](t, err)
	})
	// BEHAVIOR §4.1: resources, then cross-field rules, then state.
	t.Run("ErrInvalidResourceBeforeInvalidJobState", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, string(types.JobStatePreparingAppliance))
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(id), AddressId: aws.String(unknownID("ADID"))})
		wantResource(t, err, "ADDRESS")
	})
	t.Run("ErrInvalidInputCombinationBeforeInvalidJobState", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, string(types.JobStatePreparingAppliance))
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(id), SnowballCapacityPreference: types.SnowballCapacityT80})
		wantErr[*types.InvalidInputCombinationException](t, err)
	})
	t.Run("ErrInvalidInputCombinationResources", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(id), Resources: &types.JobResource{}})
		wantErr[*types.InvalidInputCombinationException](t, err)
	})
	t.Run("ErrInvalidInputCombinationCapacity", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr)) // EDGE
		_, err := c.UpdateJob(t.Context(), &snowball.UpdateJobInput{JobId: aws.String(id), SnowballCapacityPreference: types.SnowballCapacityT80})
		wantErr[*types.InvalidInputCombinationException](t, err)
		if got := mustDescribeJob(t, c, id).JobMetadata.SnowballCapacityPreference; got != types.SnowballCapacityNoPreference {
			t.Errorf("a refused update changed the capacity to %s", got)
		}
	})
}

func TestCancelJob(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	cancel := func(id string) error {
		_, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: aws.String(id)})
		return err
	}

	t.Run("OK", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		if err := cancel(id); err != nil {
			t.Fatal(err)
		}
		wantJobState(t, c, id, types.JobStateCancelled)
		// A cancelled job stays listed.
		out, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range out.JobListEntries {
			found = found || (aws.ToString(e.JobId) == id && e.JobState == types.JobStateCancelled)
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
		wantErr[*types.InvalidJobStateException](t, cancel(id))
	})
	t.Run("ErrInvalidJobStatePreparingAppliance", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, string(types.JobStatePreparingAppliance))
		wantErr[*types.InvalidJobStateException](t, cancel(id))
		wantJobState(t, c, id, types.JobStatePreparingAppliance)
	})
	t.Run("ErrInvalidResource", func(t *testing.T) {
		wantResource(t, cancel(unknownID("JID")), "JOB")
	})
	t.Run("OKExportMasterCancelsParts", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{Config: service.Config{ExportParts: 2}})
		c := s.Alice()
		master := mustCreateJob(t, c, exportJob(mustCreateAddress(t, c)))
		s.Advance(t, master, string(types.JobStatePending))
		parts := mustDescribeJob(t, c, master).SubJobMetadata
		if len(parts) != 2 {
			t.Fatalf("%d parts, want 2", len(parts))
		}
		if _, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: aws.String(master)}); err != nil {
			t.Fatal(err)
		}
		wantJobState(t, c, master, types.JobStateCancelled)
		for _, p := range parts {
			wantJobState(t, c, aws.ToString(p.JobId), types.JobStateCancelled)
		}
	})
	t.Run("OKExportPartCancelsOnlyItself", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{Config: service.Config{ExportParts: 2}})
		c := s.Alice()
		master := mustCreateJob(t, c, exportJob(mustCreateAddress(t, c)))
		s.Advance(t, master, string(types.JobStatePending))
		parts := mustDescribeJob(t, c, master).SubJobMetadata
		if _, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: parts[1].JobId}); err != nil {
			t.Fatal(err)
		}
		wantJobState(t, c, aws.ToString(parts[1].JobId), types.JobStateCancelled)
		wantJobState(t, c, aws.ToString(parts[0].JobId), types.JobStateNew)
		wantJobState(t, c, master, types.JobStatePending)
	})
	t.Run("ErrInvalidJobStateExportPartStarted", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		c := s.Alice()
		master := mustCreateJob(t, c, exportJob(mustCreateAddress(t, c)))
		s.Advance(t, master, string(types.JobStatePending))
		part := aws.ToString(mustDescribeJob(t, c, master).SubJobMetadata[0].JobId)
		s.Advance(t, part, string(types.JobStatePreparingAppliance))
		_, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: aws.String(master)})
		wantErr[*types.InvalidJobStateException](t, err)
		wantJobState(t, c, master, types.JobStatePending)
	})
}

func TestUpdateJobShipmentState(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	addr := mustCreateAddress(t, c)
	ship := func(id string, state types.ShipmentState) error {
		_, err := c.UpdateJobShipmentState(t.Context(), &snowball.UpdateJobShipmentStateInput{JobId: aws.String(id), ShipmentState: state})
		return err
	}

	t.Run("OKReceived", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, string(types.JobStateInTransitToCustomer))
		if err := ship(id, types.ShipmentStateReceived); err != nil {
			t.Fatal(err)
		}
		wantJobState(t, c, id, types.JobStateWithCustomer)
		if err := ship(id, types.ShipmentStateReceived); err != nil {
			t.Errorf("repeated RECEIVED: %v, want a no-op", err)
		}
		wantJobState(t, c, id, types.JobStateWithCustomer)
	})
	t.Run("OKReturned", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(addr))
		s.Advance(t, id, string(types.JobStateWithCustomer))
		if err := ship(id, types.ShipmentStateReturned); err != nil {
			t.Fatal(err)
		}
		md := mustDescribeJob(t, c, id).JobMetadata
		if got := md.JobState; got != types.JobStateInTransitToAws {
			t.Errorf("JobState = %s, want InTransitToAWS", got)
		}
		in := md.ShippingDetails.InboundShipment
		if in == nil {
			t.Fatal("no InboundShipment after RETURNED")
		}
		if err := ship(id, types.ShipmentStateReturned); err != nil {
			t.Errorf("repeated RETURNED: %v, want a no-op", err)
		}
		md = mustDescribeJob(t, c, id).JobMetadata
		if got := md.JobState; got != types.JobStateInTransitToAws {
			t.Errorf("after repeat JobState = %s, want InTransitToAWS", got)
		}
		if got := aws.ToString(md.ShippingDetails.InboundShipment.TrackingNumber); got != aws.ToString(in.TrackingNumber) {
			t.Errorf("repeated RETURNED changed the tracking number %s to %s", aws.ToString(in.TrackingNumber), got)
		}
	})

	for _, tc := range []struct {
		name     string
		state    types.JobState
		shipment types.ShipmentState
	}{
		{"ErrInvalidJobStateReceivedInNew", types.JobStateNew, types.ShipmentStateReceived},
		{"ErrInvalidJobStateReturnedInNew", types.JobStateNew, types.ShipmentStateReturned},
		{"ErrInvalidJobStateReceivedInPreparingShipment", types.JobStatePreparingShipment, types.ShipmentStateReceived},
		{"ErrInvalidJobStateReturnedInTransitToCustomer", types.JobStateInTransitToCustomer, types.ShipmentStateReturned},
		{"ErrInvalidJobStateReceivedInTransitToAWS", types.JobStateInTransitToAws, types.ShipmentStateReceived},
		{"ErrInvalidJobStateReturnedInWithAWS", types.JobStateWithAws, types.ShipmentStateReturned},
		{"ErrInvalidJobStateReceivedInComplete", types.JobStateComplete, types.ShipmentStateReceived},
		{"ErrInvalidJobStateReturnedCancelled", types.JobStateCancelled, types.ShipmentStateReturned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := mustCreateJob(t, c, importJob(addr))
			switch tc.state {
			case types.JobStateNew:
			case types.JobStateCancelled:
				if _, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: aws.String(id)}); err != nil {
					t.Fatal(err)
				}
			default:
				s.Advance(t, id, string(tc.state))
			}
			wantErr[*types.InvalidJobStateException](t, ship(id, tc.shipment))
			wantJobState(t, c, id, tc.state)
		})
	}
	t.Run("ErrInvalidJobStateExportMaster", func(t *testing.T) {
		master := mustCreateJob(t, c, exportJob(addr))
		s.Advance(t, master, string(types.JobStatePending))
		wantErr[*types.InvalidJobStateException](t, ship(master, types.ShipmentStateReceived))
	})
	t.Run("ErrInvalidResource", func(t *testing.T) {
		wantResource(t, ship(unknownID("JID"), types.ShipmentStateReceived), "JOB")
	})
}

// TestExportJob follows an export job with two parts: the master is
// listed, split into parts, and completes when they all have.
func TestExportJob(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{Config: service.Config{ExportParts: 2}})
	c := s.Alice()
	master := mustCreateJob(t, c, exportJob(mustCreateAddress(t, c)))

	entry := func(id string) *types.JobListEntry {
		t.Helper()
		out, err := c.ListJobs(t.Context(), &snowball.ListJobsInput{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.JobListEntries {
			if aws.ToString(e.JobId) == id {
				return &e
			}
		}
		t.Fatalf("job %s not in ListJobs", id)
		return nil
	}
	// rawEntry is entry as JSON: aws-sdk-go-v2 cannot tell a false IsMaster
	// from none.
	rawEntry := func(id string) map[string]any {
		t.Helper()
		for _, e := range mustRaw(t, s, "ListJobs", "{}")["JobListEntries"].([]any) {
			if e := e.(map[string]any); e["JobId"] == id {
				return e
			}
		}
		t.Fatalf("job %s not in ListJobs", id)
		return nil
	}
	if !entry(master).IsMaster {
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
			_, err := c.GetJobManifest(t.Context(), &snowball.GetJobManifestInput{JobId: aws.String(master)})
			return err
		}},
		{"GetJobUnlockCode", func() error {
			_, err := c.GetJobUnlockCode(t.Context(), &snowball.GetJobUnlockCodeInput{JobId: aws.String(master)})
			return err
		}},
	} {
		if err := op.call(); err == nil {
			t.Errorf("%s on an export master succeeded", op.name)
		} else {
			wantErr[*types.InvalidJobStateException](t, err)
		}
	}

	s.Advance(t, master, string(types.JobStatePending))
	out := mustDescribeJob(t, c, master)
	if len(out.SubJobMetadata) != 2 {
		t.Fatalf("SubJobMetadata has %d parts, want 2", len(out.SubJobMetadata))
	}
	part1, part2 := aws.ToString(out.SubJobMetadata[0].JobId), aws.ToString(out.SubJobMetadata[1].JobId)
	for i, p := range out.SubJobMetadata {
		if p.JobType != types.JobTypeExport || aws.ToString(p.AddressId) != aws.ToString(out.JobMetadata.AddressId) {
			t.Errorf("part %d does not copy the master: %v", i+1, p)
		}
		if e := entry(aws.ToString(p.JobId)); e.IsMaster {
			t.Errorf("part %d listed with IsMaster %v, want false", i+1, e.IsMaster)
		}
		if v, ok := rawEntry(aws.ToString(p.JobId))["IsMaster"]; !ok || v != false {
			t.Errorf("part %d listed with IsMaster %v (present %v), want false", i+1, v, ok)
		}
		if md := mustDescribeJob(t, c, aws.ToString(p.JobId)); md.SubJobMetadata != nil {
			t.Errorf("DescribeJob of part %d has SubJobMetadata", i+1)
		}
	}
	wantJobState(t, c, part1, types.JobStateNew)
	wantJobState(t, c, part2, types.JobStatePending)

	s.Advance(t, part1, string(types.JobStateInProgress))
	if md := mustDescribeJob(t, c, part1).JobMetadata; md.DataTransferProgress == nil {
		t.Error("no DataTransferProgress for an export part InProgress")
	}
	s.Advance(t, part1, string(types.JobStateWithCustomer))
	if md := mustDescribeJob(t, c, part1).JobMetadata; md.JobLogInfo == nil {
		t.Error("no JobLogInfo for a delivered export part (BEHAVIOR §1.8)")
	}
	wantJobState(t, c, part2, types.JobStatePending)
	s.Advance(t, part1, string(types.JobStateInTransitToAws))
	// BEHAVIOR §1.2: the next part goes straight to PreparingAppliance once
	// the previous one is in transit to AWS.
	wantJobState(t, c, part2, types.JobStatePreparingAppliance)

	s.Advance(t, part1, string(types.JobStateComplete))
	wantJobState(t, c, master, types.JobStatePending)

	status, body := tryAdvance(t, s, master, types.JobStateComplete)
	if status != http.StatusBadRequest {
		t.Errorf("operator advancing the master to Complete: HTTP %d %s, want 400", status, body)
	}

	s.Advance(t, part2, string(types.JobStateComplete))
	wantJobState(t, c, master, types.JobStateComplete)
}
