package service

import (
	"slices"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// device describes what a SnowballType can do (BEHAVIOR.md §4.4).
type device struct {
	capacities []model.SnowballCapacity // NoPreference is always accepted too
	jobTypes   []model.JobType
	cluster    bool
	nfs        bool // NFSOnDeviceService
	ec2        bool // Ec2AmiResources
	s3Compat   bool // S3OnDeviceService
	eks        bool // EKSOnDeviceService
}

var (
	allJobTypes   = []model.JobType{model.JobTypeImport, model.JobTypeExport, model.JobTypeLocalUse}
	importExport  = []model.JobType{model.JobTypeImport, model.JobTypeExport}
	importLocal   = []model.JobType{model.JobTypeImport, model.JobTypeLocalUse}
	onlyLocalUse  = []model.JobType{model.JobTypeLocalUse}
	computeEdge   = device{capacities: []model.SnowballCapacity{model.SnowballCapacityT42}, jobTypes: allJobTypes, cluster: true, nfs: true, ec2: true, s3Compat: true, eks: true}
	snowballTypes = map[model.SnowballType]device{
		model.SnowballTypeStandard: {capacities: []model.SnowballCapacity{model.SnowballCapacityT50, model.SnowballCapacityT80}, jobTypes: importExport},
		model.SnowballTypeEdge:     {capacities: []model.SnowballCapacity{model.SnowballCapacityT100, model.SnowballCapacityT98}, jobTypes: allJobTypes, cluster: true, nfs: true, ec2: true},
		model.SnowballTypeEdgeC:    computeEdge,
		model.SnowballTypeEdgeCg:   computeEdge,
		model.SnowballTypeEdgeS:    {capacities: []model.SnowballCapacity{model.SnowballCapacityT98}, jobTypes: importExport, nfs: true},
		model.SnowballTypeSnc1Hdd:  {capacities: []model.SnowballCapacity{model.SnowballCapacityT8}, jobTypes: importLocal, nfs: true},
		model.SnowballTypeSnc1Ssd:  {capacities: []model.SnowballCapacity{model.SnowballCapacityT14}, jobTypes: importLocal, nfs: true, ec2: true},
		model.SnowballTypeV35c:     {capacities: []model.SnowballCapacity{model.SnowballCapacityT32}, jobTypes: allJobTypes, cluster: true, nfs: true, ec2: true, s3Compat: true, eks: true},
		model.SnowballTypeV35s:     {capacities: []model.SnowballCapacity{model.SnowballCapacityT240}, jobTypes: allJobTypes, nfs: true, ec2: true, s3Compat: true},
		model.SnowballTypeRack5uC:  {capacities: []model.SnowballCapacity{model.SnowballCapacityT13}, jobTypes: onlyLocalUse, ec2: true},
	}
)

// maxAMIs is how many AMIs one device can hold.
const maxAMIs = 10

func checkCapacity(t model.SnowballType, c model.SnowballCapacity) error {
	if c == model.SnowballCapacityNoPreference || slices.Contains(snowballTypes[t].capacities, c) {
		return nil
	}
	return invalidCombination("The SnowballCapacityPreference %s is not available for SnowballType %s; valid values are %v and NoPreference.", c, t, snowballTypes[t].capacities)
}

func checkJobType(t model.SnowballType, jt model.JobType) error {
	if slices.Contains(snowballTypes[t].jobTypes, jt) {
		return nil
	}
	return invalidCombination("One or more inputs were invalid. Confirm that the SnowballType value %s supports your JobType value %s.", t, jt)
}

// checkResources applies the rules on Resources and
// OnDeviceServiceConfiguration that depend on the device and job type
// (BEHAVIOR.md §3, §4.3, §4.5). clusterSize is 0 outside a cluster.
// versions is the ListServiceVersions catalogue an EKSOnDeviceService's
// versions must be compatible in (see Service.versionsToCheck).
func checkResources(t model.SnowballType, jt model.JobType, r *model.JobResource, ods *model.OnDeviceServiceConfiguration, clusterSize int,
	versions []snowball.ServiceVersion) error {
	d := snowballTypes[t]
	var s3 []model.S3Resource
	var amis []model.Ec2AmiResource
	if r != nil {
		s3, amis = r.S3Resources, r.Ec2AmiResources
	}
	if ods == nil {
		ods = &model.OnDeviceServiceConfiguration{}
	}
	if (jt == model.JobTypeImport || jt == model.JobTypeExport) && len(s3) == 0 && ods.NFSOnDeviceService == nil && ods.TGWOnDeviceService == nil {
		return invalidCombination("An %s job needs at least one S3Resources entry (or an NFS or tape gateway on-device service).", jt)
	}
	for _, res := range s3 {
		for _, target := range res.TargetOnDeviceServices {
			if target.TransferOption != nil && string(*target.TransferOption) != string(jt) {
				return invalidCombination("TargetOnDeviceServices TransferOption %s does not match JobType %s.", *target.TransferOption, jt)
			}
		}
		if jt == model.JobTypeExport && res.KeyRange != nil && res.KeyRange.BeginMarker != nil && res.KeyRange.EndMarker != nil &&
			*res.KeyRange.BeginMarker > *res.KeyRange.EndMarker {
			return invalidCombination("KeyRange BeginMarker %q sorts after EndMarker %q.", *res.KeyRange.BeginMarker, *res.KeyRange.EndMarker)
		}
	}
	if len(amis) > 0 && !d.ec2 {
		return invalidCombination("SnowballType %s does not support Ec2AmiResources.", t)
	}
	if len(amis) > maxAMIs {
		return invalidCombination("A device can store at most %d AMIs; %d were given.", maxAMIs, len(amis))
	}
	if ods.NFSOnDeviceService != nil && !d.nfs {
		return invalidCombination("SnowballType %s does not support NFSOnDeviceService.", t)
	}
	if tgw := ods.TGWOnDeviceService; tgw != nil {
		if t != model.SnowballTypeEdgeS || jt != model.JobTypeImport {
			return invalidCombination("TGWOnDeviceService is only supported on IMPORT jobs with SnowballType EDGE_S.")
		}
		if tgw.StorageLimit != nil && *tgw.StorageLimit != 80 {
			return invalidCombination("TGWOnDeviceService StorageLimit must be 80.")
		}
	}
	if eks := ods.EKSOnDeviceService; eks != nil {
		if !d.eks || jt != model.JobTypeLocalUse {
			return invalidCombination("EKSOnDeviceService is only supported on LOCAL_USE jobs with SnowballType EDGE_C, EDGE_CG or V3_5C.")
		}
		if !supports(versions, model.ServiceNameEksAnywhere, model.Deref(eks.EKSAnywhereVersion), model.ServiceNameKubernetes, model.Deref(eks.KubernetesVersion)) {
			return invalidCombination("EKS Anywhere %s does not support Kubernetes %s; see ListServiceVersions.",
				model.Deref(eks.EKSAnywhereVersion), model.Deref(eks.KubernetesVersion))
		}
	}
	if s3c := ods.S3OnDeviceService; s3c != nil {
		if !d.s3Compat || jt != model.JobTypeLocalUse {
			return invalidCombination("S3OnDeviceService is only supported on LOCAL_USE jobs with SnowballType EDGE_C, EDGE_CG, V3_5C or V3_5S.")
		}
		if s3c.StorageLimit != nil && *s3c.StorageLimit <= 0 {
			return invalidCombination("S3OnDeviceService StorageLimit must be greater than 0.")
		}
		if s3c.ServiceSize != nil && clusterSize == 0 {
			return invalidCombination("S3OnDeviceService ServiceSize applies only to clusters.")
		}
		if size, ft := model.Deref(s3c.ServiceSize), model.Deref(s3c.FaultTolerance); size > 0 && ft > 0 {
			if (size <= 4 && ft != 1) || (size >= 5 && ft > 2) {
				return invalidCombination("S3OnDeviceService FaultTolerance %d is not supported for ServiceSize %d.", ft, size)
			}
		}
	}
	return nil
}
