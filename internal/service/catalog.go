package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// eksReleases maps each EKS Anywhere release Frosty knows to the Kubernetes
// versions it supports (BEHAVIOR.md §7.5; illustrative, the real catalogue
// is not published).
var eksReleases = []struct {
	version  string
	k8sFirst int // minor versions of Kubernetes 1.x, inclusive
	k8sLast  int
}{
	{"0.14.6", 21, 25},
	{"0.15.4", 22, 26},
	{"0.16.5", 23, 27},
	{"0.17.6", 23, 28},
	{"0.18.7", 24, 28},
}

// builtinServiceVersions is the ListServiceVersions catalogue served while
// the store holds none: the EKS Anywhere releases above, each with the
// Kubernetes versions it supports, and those Kubernetes versions.
func builtinServiceVersions() []snowball.ServiceVersion {
	var out []snowball.ServiceVersion
	for _, r := range eksReleases {
		v := snowball.ServiceVersion{ServiceName: model.ServiceNameEksAnywhere, Version: r.version}
		for minor := r.k8sFirst; minor <= r.k8sLast; minor++ {
			v.DependentServices = append(v.DependentServices, model.DependentService{
				ServiceName:    model.Ptr(model.ServiceNameKubernetes),
				ServiceVersion: &model.ServiceVersion{Version: model.Ptr(fmt.Sprintf("1.%d", minor))},
			})
		}
		out = append(out, v)
	}
	for minor := 21; minor <= 28; minor++ {
		out = append(out, snowball.ServiceVersion{ServiceName: model.ServiceNameKubernetes, Version: fmt.Sprintf("1.%d", minor)})
	}
	return out
}

// lists reports whether v names version of service among the versions it
// works with.
func lists(v snowball.ServiceVersion, service model.ServiceName, version string) bool {
	for _, d := range v.DependentServices {
		if model.Deref(d.ServiceName) == service && d.ServiceVersion != nil && model.Deref(d.ServiceVersion.Version) == version {
			return true
		}
	}
	return false
}

// compatible reports whether v works with version of service: either of
// their catalogue entries lists the other.
func compatible(catalogue []snowball.ServiceVersion, v snowball.ServiceVersion, service model.ServiceName, version string) bool {
	if lists(v, service, version) {
		return true
	}
	for _, o := range catalogue {
		if o.ServiceName == service && o.Version == version && lists(o, v.ServiceName, v.Version) {
			return true
		}
	}
	return false
}

// supports reports whether version of service works with otherVersion of
// other in catalogue; a version the catalogue does not know works with
// nothing.
func supports(catalogue []snowball.ServiceVersion, service model.ServiceName, version string, other model.ServiceName, otherVersion string) bool {
	for _, v := range catalogue {
		if v.ServiceName == service && v.Version == version {
			return compatible(catalogue, v, other, otherVersion)
		}
	}
	return false
}

// versionsToCheck returns the catalogue that the versions of ods's
// EKSOnDeviceService must be compatible in: the one ListServiceVersions
// serves, read only when there are versions to check.
func (s *Service) versionsToCheck(ctx context.Context, tx snowball.Tx, ods *model.OnDeviceServiceConfiguration) ([]snowball.ServiceVersion, error) {
	if ods == nil || ods.EKSOnDeviceService == nil {
		return nil, nil
	}
	return s.serviceVersionCatalogue(ctx, tx)
}

// serviceVersions returns the versions of name in catalogue compatible
// with every dependent service given.
func serviceVersions(catalogue []snowball.ServiceVersion, name model.ServiceName, deps []model.DependentService) ([]string, error) {
	for _, d := range deps {
		if model.Deref(d.ServiceName) == name {
			return nil, snowball.Errorf(snowball.InvalidResource, "A dependent service cannot be %s itself.", name)
		}
	}
	var out []string
	for _, v := range catalogue {
		if v.ServiceName != name {
			continue
		}
		ok := true
		for _, d := range deps {
			if d.ServiceVersion != nil && d.ServiceVersion.Version != nil &&
				!compatible(catalogue, v, model.Deref(d.ServiceName), *d.ServiceVersion.Version) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, v.Version)
		}
	}
	return out, nil
}

// ListServiceVersions lists the versions of an on-device service, narrowed
// to those compatible with the dependent services given.
// Errors: InvalidNextTokenException, InvalidResourceException (a dependent
// service naming the service itself).
func (s *Service) ListServiceVersions(ctx context.Context, in *model.ListServiceVersionsRequest) (*model.ListServiceVersionsResult, error) {
	owner, err := ownerFrom(ctx)
	if err != nil {
		return nil, err
	}
	name := model.Deref(in.ServiceName)
	var catalogue []snowball.ServiceVersion
	err = s.view(ctx, "list service versions", func(tx snowball.Tx, _ snowball.Owner) (err error) {
		catalogue, err = s.serviceVersionCatalogue(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	versions, err := serviceVersions(catalogue, name, in.DependentServices)
	if err != nil {
		return nil, err
	}
	scope := string(name)
	for _, d := range in.DependentServices {
		if d.ServiceVersion != nil {
			scope += "," + string(model.Deref(d.ServiceName)) + "=" + model.Deref(d.ServiceVersion.Version)
		}
	}
	items, next, err := slicePage(s, "ListServiceVersions", owner, scope, in.NextToken, in.MaxResults, versions)
	if err != nil {
		return nil, err
	}
	out := &model.ListServiceVersionsResult{ServiceName: &name, ServiceVersions: []model.ServiceVersion{}, NextToken: next, DependentServices: in.DependentServices}
	for _, v := range items {
		out.ServiceVersions = append(out.ServiceVersions, model.ServiceVersion{Version: model.Ptr(v)})
	}
	return out, nil
}

// ListCompatibleImages lists the EC2-compatible AMIs of the catalogue.
// Errors: InvalidNextTokenException.
func (s *Service) ListCompatibleImages(ctx context.Context, in *model.ListCompatibleImagesRequest) (*model.ListCompatibleImagesResult, error) {
	var out *model.ListCompatibleImagesResult
	err := s.view(ctx, "list compatible images", func(tx snowball.Tx, owner snowball.Owner) error {
		images, err := s.compatibleImages(ctx, tx)
		if err != nil {
			return err
		}
		items, next, err := slicePage(s, "ListCompatibleImages", owner, "", in.NextToken, in.MaxResults, images)
		out = &model.ListCompatibleImagesResult{CompatibleImages: items, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListPickupLocations lists the pickup locations of the catalogue.
// Errors: InvalidNextTokenException.
func (s *Service) ListPickupLocations(ctx context.Context, in *model.ListPickupLocationsRequest) (*model.ListPickupLocationsResult, error) {
	var out *model.ListPickupLocationsResult
	err := s.view(ctx, "list pickup locations", func(tx snowball.Tx, owner snowball.Owner) error {
		locations, err := s.pickupLocations(ctx, tx)
		if err != nil {
			return err
		}
		items, next, err := slicePage(s, "ListPickupLocations", owner, "", in.NextToken, in.MaxResults, locations)
		out = &model.ListPickupLocationsResult{Addresses: items, NextToken: next}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// The catalogues as served: the store's, which a seed replaces, or while
// the store holds none, the configured (or built-in) one. Reading them in
// every call keeps every replica over one store serving the same.

func (s *Service) pickupLocations(ctx context.Context, tx snowball.Tx) ([]model.Address, error) {
	l, err := tx.PickupLocations(ctx)
	if err != nil || len(l) > 0 {
		return l, err
	}
	return s.cfg.PickupLocations, nil
}

func (s *Service) compatibleImages(ctx context.Context, tx snowball.Tx) ([]model.CompatibleImage, error) {
	l, err := tx.CompatibleImages(ctx)
	if err != nil || len(l) > 0 {
		return l, err
	}
	return s.cfg.CompatibleImages, nil
}

func (s *Service) serviceVersionCatalogue(ctx context.Context, tx snowball.Tx) ([]snowball.ServiceVersion, error) {
	l, err := tx.ServiceVersions(ctx)
	if err != nil || len(l) > 0 {
		return l, err
	}
	return builtinServiceVersions(), nil
}

// GetSnowballUsage reports the device limit and how many of the owner's
// devices are out: device-bearing jobs between PreparingAppliance and WithAWS.
func (s *Service) GetSnowballUsage(ctx context.Context, in *model.GetSnowballUsageRequest) (*model.GetSnowballUsageResult, error) {
	var inUse int64
	err := s.view(ctx, "get snowball usage", func(tx snowball.Tx, owner snowball.Owner) error {
		jobs, err := allJobs(ctx, tx, snowball.JobFilter{Owner: &owner, NotFinal: true})
		for _, j := range jobs {
			if j.HasDevice() && slices.Contains(snowball.InUseStates, j.State) {
				inUse++
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.GetSnowballUsageResult{SnowballLimit: model.Ptr(int64(s.cfg.SnowballLimit)), SnowballsInUse: &inUse}, nil
}
