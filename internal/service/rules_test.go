package service

import (
	"slices"
	"testing"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// TestDeviceTable walks the whole SnowballType × capacity × job type matrix
// against BEHAVIOR.md §4.4.
func TestDeviceTable(t *testing.T) {
	wantCapacity := map[model.SnowballType][]model.SnowballCapacity{
		"STANDARD": {"T50", "T80"}, "EDGE": {"T100", "T98"}, "EDGE_C": {"T42"}, "EDGE_CG": {"T42"},
		"EDGE_S": {"T98"}, "SNC1_HDD": {"T8"}, "SNC1_SSD": {"T14"}, "V3_5C": {"T32"}, "V3_5S": {"T240"}, "RACK_5U_C": {"T13"},
	}
	wantJobTypes := map[model.SnowballType]string{
		"STANDARD": "IE", "EDGE": "IEL", "EDGE_C": "IEL", "EDGE_CG": "IEL", "EDGE_S": "IE",
		"SNC1_HDD": "IL", "SNC1_SSD": "IL", "V3_5C": "IEL", "V3_5S": "IEL", "RACK_5U_C": "L",
	}
	letter := map[model.JobType]string{"IMPORT": "I", "EXPORT": "E", "LOCAL_USE": "L"}
	for _, st := range model.SnowballType("").Values() {
		if _, ok := snowballTypes[st]; !ok {
			t.Errorf("SnowballType %s is missing from the device table", st)
		}
		for _, c := range model.SnowballCapacity("").Values() {
			want := c == model.SnowballCapacityNoPreference || slices.Contains(wantCapacity[st], c)
			if got := checkCapacity(st, c) == nil; got != want {
				t.Errorf("capacity %s on %s: accepted %v, want %v", c, st, got, want)
			}
		}
		for _, jt := range model.JobType("").Values() {
			want := slices.Contains([]byte(wantJobTypes[st]), letter[jt][0])
			err := checkJobType(st, jt)
			if got := err == nil; got != want {
				t.Errorf("job type %s on %s: accepted %v, want %v", jt, st, got, want)
			}
			if err != nil && snowball.ErrorCode(err) != snowball.InvalidInputCombination {
				t.Errorf("job type %s on %s: error %v, want InvalidInputCombinationException", jt, st, err)
			}
		}
	}
}

func TestCheckResources(t *testing.T) {
	s3 := &model.JobResource{S3Resources: []model.S3Resource{{BucketArn: model.Ptr("arn:aws:s3:::b")}}}
	amis := func(n int) *model.JobResource {
		r := &model.JobResource{}
		for range n {
			r.Ec2AmiResources = append(r.Ec2AmiResources, model.Ec2AmiResource{AmiId: model.Ptr("ami-12345678")})
		}
		return r
	}
	tests := []struct {
		name    string
		st      model.SnowballType
		jt      model.JobType
		r       *model.JobResource
		ods     *model.OnDeviceServiceConfiguration
		cluster int
		ok      bool
	}{
		{"OKImport", "EDGE", "IMPORT", s3, nil, 0, true},
		{"ErrImportWithoutBuckets", "EDGE", "IMPORT", nil, nil, 0, false},
		{"OKImportOverNFS", "EDGE", "IMPORT", nil, &model.OnDeviceServiceConfiguration{NFSOnDeviceService: &model.NFSOnDeviceServiceConfiguration{}}, 0, true},
		{"OKLocalUseWithoutBuckets", "EDGE", "LOCAL_USE", nil, nil, 0, true},
		{"OKTenAMIs", "EDGE", "LOCAL_USE", amis(10), nil, 0, true},
		{"ErrElevenAMIs", "EDGE", "LOCAL_USE", amis(11), nil, 0, false},
		{"ErrAMIsOnStandard", "STANDARD", "IMPORT", &model.JobResource{S3Resources: s3.S3Resources, Ec2AmiResources: amis(1).Ec2AmiResources}, nil, 0, false},
		{"ErrExportKeyRangeBackwards", "EDGE", "EXPORT", &model.JobResource{S3Resources: []model.S3Resource{{BucketArn: model.Ptr("arn:aws:s3:::b"), KeyRange: &model.KeyRange{BeginMarker: model.Ptr("b"), EndMarker: model.Ptr("a")}}}}, nil, 0, false},
		{"OKExportKeyRangeEqual", "EDGE", "EXPORT", &model.JobResource{S3Resources: []model.S3Resource{{BucketArn: model.Ptr("arn:aws:s3:::b"), KeyRange: &model.KeyRange{BeginMarker: model.Ptr("a"), EndMarker: model.Ptr("a")}}}}, nil, 0, true},
		{"ErrTransferOptionMismatch", "EDGE", "IMPORT", &model.JobResource{S3Resources: []model.S3Resource{{BucketArn: model.Ptr("arn:aws:s3:::b"), TargetOnDeviceServices: []model.TargetOnDeviceService{{TransferOption: model.Ptr(model.TransferOptionExport)}}}}}, nil, 0, false},
		{"OKTapeGateway", "EDGE_S", "IMPORT", nil, &model.OnDeviceServiceConfiguration{TGWOnDeviceService: &model.TGWOnDeviceServiceConfiguration{StorageLimit: model.Ptr(int64(80))}}, 0, true},
		{"ErrTapeGatewayLimit", "EDGE_S", "IMPORT", nil, &model.OnDeviceServiceConfiguration{TGWOnDeviceService: &model.TGWOnDeviceServiceConfiguration{StorageLimit: model.Ptr(int64(40))}}, 0, false},
		{"ErrTapeGatewayOnEdge", "EDGE", "IMPORT", nil, &model.OnDeviceServiceConfiguration{TGWOnDeviceService: &model.TGWOnDeviceServiceConfiguration{}}, 0, false},
		{"OKEKS", "EDGE_C", "LOCAL_USE", nil, &model.OnDeviceServiceConfiguration{EKSOnDeviceService: &model.EKSOnDeviceServiceConfiguration{EKSAnywhereVersion: model.Ptr("0.16.5"), KubernetesVersion: model.Ptr("1.27")}}, 0, true},
		{"ErrEKSVersions", "EDGE_C", "LOCAL_USE", nil, &model.OnDeviceServiceConfiguration{EKSOnDeviceService: &model.EKSOnDeviceServiceConfiguration{EKSAnywhereVersion: model.Ptr("0.14.6"), KubernetesVersion: model.Ptr("1.28")}}, 0, false},
		{"ErrS3OnEdge", "EDGE", "LOCAL_USE", nil, &model.OnDeviceServiceConfiguration{S3OnDeviceService: &model.S3OnDeviceServiceConfiguration{StorageLimit: model.Ptr(10.0)}}, 0, false},
		{"ErrServiceSizeOutsideCluster", "EDGE_C", "LOCAL_USE", nil, &model.OnDeviceServiceConfiguration{S3OnDeviceService: &model.S3OnDeviceServiceConfiguration{ServiceSize: model.Ptr(int64(3))}}, 0, false},
		{"OKFaultTolerance", "EDGE_C", "LOCAL_USE", nil, &model.OnDeviceServiceConfiguration{S3OnDeviceService: &model.S3OnDeviceServiceConfiguration{ServiceSize: model.Ptr(int64(5)), FaultTolerance: model.Ptr(int64(2))}}, 5, true},
		{"ErrFaultToleranceSmallCluster", "EDGE_C", "LOCAL_USE", nil, &model.OnDeviceServiceConfiguration{S3OnDeviceService: &model.S3OnDeviceServiceConfiguration{ServiceSize: model.Ptr(int64(3)), FaultTolerance: model.Ptr(int64(2))}}, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkResources(tt.st, tt.jt, tt.r, tt.ods, tt.cluster, builtinServiceVersions())
			if (err == nil) != tt.ok {
				t.Fatalf("checkResources = %v, want ok %v", err, tt.ok)
			}
			if err != nil && snowball.ErrorCode(err) != snowball.InvalidInputCombination {
				t.Errorf("error code %s, want InvalidInputCombinationException", snowball.ErrorCode(err))
			}
		})
	}
}

func TestPageTokens(t *testing.T) {
	alice, bob := snowball.OwnerFor("1", "us-west-2"), snowball.OwnerFor("2", "us-west-2")
	signer := tokenSigner{key: []byte("k")}
	tok := signer.encode(cursor{Op: "ListJobs", Owner: alice.String(), After: 42})
	if after, err := signer.decode(&tok, "ListJobs", alice, ""); err != nil || after != 42 {
		t.Fatalf("decode = %d, %v; want 42", after, err)
	}
	other := tokenSigner{key: []byte("other key")}
	tampered := []byte(tok)
	tampered[3] ^= 1
	for name, tc := range map[string]struct {
		signer tokenSigner
		token  string
		op     string
		owner  snowball.Owner
		scope  string
	}{
		"ErrOtherOperation": {signer, tok, "ListClusters", alice, ""},
		"ErrOtherOwner":     {signer, tok, "ListJobs", bob, ""},
		"ErrOtherScope":     {signer, tok, "ListJobs", alice, "CID"},
		"ErrOtherKey":       {other, tok, "ListJobs", alice, ""},
		"ErrTampered":       {signer, string(tampered), "ListJobs", alice, ""},
		"ErrGarbage":        {signer, "not a token", "ListJobs", alice, ""},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := tc.signer.decode(&tc.token, tc.op, tc.owner, tc.scope); snowball.ErrorCode(err) != snowball.InvalidNextToken {
				t.Errorf("decode = %v, want InvalidNextTokenException", err)
			}
		})
	}
}

func TestNewID(t *testing.T) {
	for _, prefix := range []string{"JID", "CID", "ADID", "LTPID", "DPID"} {
		id, err := newID(randReader{}, prefix)
		if err != nil {
			t.Fatal(err)
		}
		var v model.Violations
		switch prefix {
		case "JID":
			v = model.Validate(&model.DescribeJobRequest{JobId: &id})
		case "CID":
			v = model.Validate(&model.DescribeClusterRequest{ClusterId: &id})
		case "ADID":
			v = model.Validate(&model.DescribeAddressRequest{AddressId: &id})
		case "LTPID":
			v = model.Validate(&model.UpdateLongTermPricingRequest{LongTermPricingId: &id})
		case "DPID":
			v = model.Validate(&model.CreateJobRequest{PickupDetails: &model.PickupDetails{DevicePickupId: &id}})
		}
		if v != nil {
			t.Errorf("%s does not satisfy the model: %v", id, v)
		}
	}
}

// randReader yields 0xff bytes, the edge that must still give valid hex.
type randReader struct{}

func (randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xff
	}
	return len(p), nil
}
