package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/snowball"
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

func k8sMinor(v string) (int, bool) {
	rest, ok := strings.CutPrefix(v, "1.")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

func eksCompatible(eksVersion, k8sVersion string) bool {
	minor, ok := k8sMinor(k8sVersion)
	if !ok {
		return false
	}
	for _, r := range eksReleases {
		if r.version == eksVersion {
			return minor >= r.k8sFirst && minor <= r.k8sLast
		}
	}
	return false
}

// serviceVersions returns the versions of name compatible with every
// dependent service given.
func serviceVersions(name model.ServiceName, deps []model.DependentService) ([]string, error) {
	var want []string // versions of the other service that must be supported
	for _, d := range deps {
		if model.Deref(d.ServiceName) == name {
			return nil, snowball.Errorf(snowball.InvalidResource, "A dependent service cannot be %s itself.", name)
		}
		if d.ServiceVersion != nil && d.ServiceVersion.Version != nil {
			want = append(want, *d.ServiceVersion.Version)
		}
	}
	var out []string
	switch name {
	case model.ServiceNameEksAnywhere:
		for _, r := range eksReleases {
			if allOf(want, func(k string) bool { return eksCompatible(r.version, k) }) {
				out = append(out, r.version)
			}
		}
	case model.ServiceNameKubernetes:
		for minor := 21; minor <= 28; minor++ {
			k := fmt.Sprintf("1.%d", minor)
			if allOf(want, func(e string) bool { return eksCompatible(e, k) }) {
				out = append(out, k)
			}
		}
	}
	return out, nil
}

func allOf(list []string, f func(string) bool) bool {
	for _, v := range list {
		if !f(v) {
			return false
		}
	}
	return true
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
	versions, err := serviceVersions(name, in.DependentServices)
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

// ListCompatibleImages lists the configured EC2-compatible AMIs.
// Errors: InvalidNextTokenException.
func (s *Service) ListCompatibleImages(ctx context.Context, in *model.ListCompatibleImagesRequest) (*model.ListCompatibleImagesResult, error) {
	owner, err := ownerFrom(ctx)
	if err != nil {
		return nil, err
	}
	items, next, err := slicePage(s, "ListCompatibleImages", owner, "", in.NextToken, in.MaxResults, s.cfg.CompatibleImages)
	if err != nil {
		return nil, err
	}
	return &model.ListCompatibleImagesResult{CompatibleImages: items, NextToken: next}, nil
}

// ListPickupLocations lists the configured pickup locations.
// Errors: InvalidNextTokenException.
func (s *Service) ListPickupLocations(ctx context.Context, in *model.ListPickupLocationsRequest) (*model.ListPickupLocationsResult, error) {
	owner, err := ownerFrom(ctx)
	if err != nil {
		return nil, err
	}
	items, next, err := slicePage(s, "ListPickupLocations", owner, "", in.NextToken, in.MaxResults, s.cfg.PickupLocations)
	if err != nil {
		return nil, err
	}
	return &model.ListPickupLocationsResult{Addresses: items, NextToken: next}, nil
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
