package server_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/snowball"
	"github.com/aws/aws-sdk-go-v2/service/snowball/types"
	"github.com/google/go-cmp/cmp"

	"github.com/frostyhq/frosty/internal/frostytest"
	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/service"
)

func TestGetSnowballUsage(t *testing.T) {
	usage := func(t *testing.T, c *snowball.Client) (limit, inUse int64) {
		t.Helper()
		out, err := c.GetSnowballUsage(t.Context(), &snowball.GetSnowballUsageInput{})
		if err != nil {
			t.Fatal(err)
		}
		return int64(aws.ToInt32(out.SnowballLimit)), int64(aws.ToInt32(out.SnowballsInUse))
	}

	t.Run("OKDefault", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		if limit, inUse := usage(t, s.Alice()); limit != 1 || inUse != 0 {
			t.Errorf("SnowballLimit, SnowballsInUse = %d, %d, want 1, 0", limit, inUse)
		}
	})
	t.Run("OKConfiguredLimit", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{Config: service.Config{SnowballLimit: 7}})
		if limit, _ := usage(t, s.Alice()); limit != 7 {
			t.Errorf("SnowballLimit = %d, want 7", limit)
		}
	})
	t.Run("OKCountsDevicesOut", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		c := s.Alice()
		addr := mustCreateAddress(t, c)
		counted := 0
		for _, tc := range []struct {
			state types.JobState
			count bool
		}{
			{types.JobStateNew, false},
			{types.JobStatePreparingAppliance, true},
			{types.JobStatePreparingShipment, true},
			{types.JobStateInTransitToCustomer, true},
			{types.JobStateWithCustomer, true},
			{types.JobStateInTransitToAws, true},
			{types.JobStateWithAwsSortingFacility, true},
			{types.JobStateWithAws, true},
			{types.JobStateInProgress, true},
			{types.JobStateComplete, false},
		} {
			id := mustCreateJob(t, c, importJob(addr))
			if tc.state != types.JobStateNew {
				s.Advance(t, id, string(tc.state))
			}
			if tc.count {
				counted++
			}
			if _, inUse := usage(t, c); inUse != int64(counted) {
				t.Errorf("with a job %s: SnowballsInUse = %d, want %d", tc.state, inUse, counted)
			}
		}
		cancelled := mustCreateJob(t, c, importJob(addr))
		if _, err := c.CancelJob(t.Context(), &snowball.CancelJobInput{JobId: aws.String(cancelled)}); err != nil {
			t.Fatal(err)
		}

		// An export master has no device; its part does.
		master := mustCreateJob(t, c, exportJob(addr))
		s.Advance(t, master, string(types.JobStatePending))
		if _, inUse := usage(t, c); inUse != int64(counted) {
			t.Errorf("with an export master Pending: SnowballsInUse = %d, want %d", inUse, counted)
		}
		part := aws.ToString(mustDescribeJob(t, c, master).SubJobMetadata[0].JobId)
		s.Advance(t, part, string(types.JobStateInProgress))
		counted++

		// Cluster nodes count one by one.
		in := clusterInput(addr)
		in.InitialClusterSize = aws.Int32(3)
		out := mustCreateCluster(t, c, in)
		s.Advance(t, aws.ToString(out.JobListEntries[0].JobId), string(types.JobStatePreparingAppliance))
		s.Advance(t, aws.ToString(out.JobListEntries[1].JobId), string(types.JobStateWithCustomer))
		counted += 2

		if limit, inUse := usage(t, c); inUse != int64(counted) || limit != 1 {
			t.Errorf("SnowballLimit, SnowballsInUse = %d, %d, want 1, %d (the limit is not enforced)", limit, inUse, counted)
		}
		if _, inUse := usage(t, s.Bob()); inUse != 0 {
			t.Errorf("Bob's SnowballsInUse = %d, want 0", inUse)
		}
	})
}

var testImages = []model.CompatibleImage{
	{AmiId: model.Ptr("ami-0123abcd"), Name: model.Ptr("Amazon Linux 2")},
	{AmiId: model.Ptr("ami-0123abce"), Name: model.Ptr("Ubuntu 20.04")},
	{AmiId: model.Ptr("ami-0123abcdef0123456"), Name: model.Ptr("Ubuntu 22.04")},
}

func testPickupLocations() []model.Address {
	return []model.Address{
		{
			AddressId: model.Ptr("ADID1234ab12-3eec-4eb3-9be6-9374c10eb51b"), Name: model.Ptr("My Name"), Company: model.Ptr("My Company"),
			Street1: model.Ptr("123 Main Street"), City: model.Ptr("Seattle"), StateOrProvince: model.Ptr("WA"),
			Country: model.Ptr("US"), PostalCode: model.Ptr("98101"), PhoneNumber: model.Ptr("425-555-5555"),
			Type: model.Ptr(model.AddressTypeCustPickup),
		},
		{
			AddressId: model.Ptr("ADID5643ec50-3eec-4eb3-9be6-9374c10eb51b"), Name: model.Ptr("Depot"),
			Street1: model.Ptr("1 Dock Road"), City: model.Ptr("Tacoma"), StateOrProvince: model.Ptr("WA"),
			Country: model.Ptr("US"), PostalCode: model.Ptr("98402"), Type: model.Ptr(model.AddressTypeCustPickup),
		},
	}
}

func TestListCompatibleImages(t *testing.T) {
	t.Run("OKEmpty", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		got := mustRaw(t, s, "ListCompatibleImages", "{}")
		if diff := cmp.Diff(map[string]any{"CompatibleImages": []any{}}, got); diff != "" {
			t.Errorf("raw ListCompatibleImages (-want +got):\n%s", diff)
		}
	})

	s := frostytest.MustStart(t, frostytest.Options{Config: service.Config{CompatibleImages: testImages}})
	c := s.Alice()
	t.Run("OKPaged", func(t *testing.T) {
		var got []types.CompatibleImage
		pages := 0
		err := eachPage(t.Context(), snowball.NewListCompatibleImagesPaginator(c, &snowball.ListCompatibleImagesInput{MaxResults: aws.Int32(2)}),
			func(p *snowball.ListCompatibleImagesOutput, last bool) {
				pages++
				got = append(got, p.CompatibleImages...)
			})
		if err != nil {
			t.Fatal(err)
		}
		var want []types.CompatibleImage
		for _, im := range testImages {
			want = append(want, types.CompatibleImage{AmiId: im.AmiId, Name: im.Name})
		}
		if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
			t.Errorf("images (-want +got):\n%s", diff)
		}
		if pages != 2 {
			t.Errorf("%d pages, want 2", pages)
		}
	})
	t.Run("ErrInvalidNextToken", func(t *testing.T) {
		_, err := c.ListCompatibleImages(t.Context(), &snowball.ListCompatibleImagesInput{NextToken: aws.String("bogus")})
		wantErr[*types.InvalidNextTokenException](t, err)
	})
}

func TestListPickupLocations(t *testing.T) {
	t.Run("OKEmpty", func(t *testing.T) {
		s := frostytest.MustStart(t, frostytest.Options{})
		got := mustRaw(t, s, "ListPickupLocations", "{}")
		if diff := cmp.Diff(map[string]any{"Addresses": []any{}}, got); diff != "" {
			t.Errorf("raw ListPickupLocations (-want +got):\n%s", diff)
		}
	})

	locations := testPickupLocations()
	s := frostytest.MustStart(t, frostytest.Options{Config: service.Config{PickupLocations: locations}})
	c := s.Alice()
	sdkAddress := func(a model.Address) *types.Address {
		return &types.Address{
			AddressId: a.AddressId, Name: a.Name, Company: a.Company, Street1: a.Street1, City: a.City,
			StateOrProvince: a.StateOrProvince, Country: a.Country, PostalCode: a.PostalCode, PhoneNumber: a.PhoneNumber,
			Type: types.AddressType(*a.Type),
		}
	}

	t.Run("OKPaged", func(t *testing.T) {
		var got []types.Address
		for token := (*string)(nil); ; {
			out, err := c.ListPickupLocations(t.Context(), &snowball.ListPickupLocationsInput{MaxResults: aws.Int32(1), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, out.Addresses...)
			if token = out.NextToken; token == nil {
				break
			}
			if len(got) > len(locations) {
				t.Fatal("pagination does not end")
			}
		}
		want := []types.Address{*sdkAddress(locations[0]), *sdkAddress(locations[1])}
		if diff := cmp.Diff(want, got, sdkOpts); diff != "" {
			t.Errorf("pickup locations (-want +got):\n%s", diff)
		}
	})
	t.Run("OKDescribeAddress", func(t *testing.T) {
		for _, cl := range []*snowball.Client{c, s.Bob()} {
			out, err := cl.DescribeAddress(t.Context(), &snowball.DescribeAddressInput{AddressId: locations[1].AddressId})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sdkAddress(locations[1]), out.Address, sdkOpts); diff != "" {
				t.Errorf("DescribeAddress of a pickup location (-want +got):\n%s", diff)
			}
		}
	})
	t.Run("OKCreateJob", func(t *testing.T) {
		id := mustCreateJob(t, c, importJob(aws.ToString(locations[0].AddressId)))
		if got := aws.ToString(mustDescribeJob(t, c, id).JobMetadata.AddressId); got != *locations[0].AddressId {
			t.Errorf("AddressId = %s, want the pickup location %s", got, *locations[0].AddressId)
		}
	})
	t.Run("ErrInvalidNextToken", func(t *testing.T) {
		_, err := c.ListPickupLocations(t.Context(), &snowball.ListPickupLocationsInput{NextToken: aws.String("bogus")})
		// The model gives ListPickupLocations no InvalidNextTokenException,
		// so aws-sdk-go-v2 has no type for it here: only its code.
		wantCode(t, err, "InvalidNextTokenException")
	})
}

func TestListServiceVersions(t *testing.T) {
	s := frostytest.MustStart(t, frostytest.Options{})
	c := s.Alice()
	dep := func(name types.ServiceName, version string) []types.DependentService {
		return []types.DependentService{{ServiceName: name, ServiceVersion: &types.ServiceVersion{Version: aws.String(version)}}}
	}
	list := func(t *testing.T, in *snowball.ListServiceVersionsInput) []string {
		t.Helper()
		var got []string
		req := *in
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			p, err := c.ListServiceVersions(t.Context(), &req)
			if err != nil {
				t.Fatal(err)
			}
			if p.ServiceName != in.ServiceName {
				t.Errorf("ServiceName = %v, want the request's %s", p.ServiceName, in.ServiceName)
			}
			if diff := cmp.Diff(in.DependentServices, p.DependentServices, sdkOpts); diff != "" {
				t.Errorf("DependentServices not echoed (-want +got):\n%s", diff)
			}
			if p.ServiceVersions == nil {
				t.Error("ServiceVersions absent")
			}
			for _, v := range p.ServiceVersions {
				got = append(got, aws.ToString(v.Version))
			}
			if req.NextToken = p.NextToken; req.NextToken == nil {
				break
			}
		}
		return got
	}

	for _, tc := range []struct {
		name string
		in   *snowball.ListServiceVersionsInput
		want []string
	}{
		{"OKKubernetes", &snowball.ListServiceVersionsInput{ServiceName: types.ServiceNameKubernetes},
			[]string{"1.21", "1.22", "1.23", "1.24", "1.25", "1.26", "1.27", "1.28"}},
		{"OKEksAnywhere", &snowball.ListServiceVersionsInput{ServiceName: types.ServiceNameEksAnywhere},
			[]string{"0.14.6", "0.15.4", "0.16.5", "0.17.6", "0.18.7"}},
		{"OKEksAnywhereForKubernetes127", &snowball.ListServiceVersionsInput{
			ServiceName: types.ServiceNameEksAnywhere, DependentServices: dep(types.ServiceNameKubernetes, "1.27"),
		}, []string{"0.16.5", "0.17.6", "0.18.7"}}, // BEHAVIOR §7.5: 0.18.7 supports 1.24–1.28
		{"OKEksAnywhereForKubernetes128", &snowball.ListServiceVersionsInput{
			ServiceName: types.ServiceNameEksAnywhere, DependentServices: dep(types.ServiceNameKubernetes, "1.28"),
		}, []string{"0.17.6", "0.18.7"}},
		{"OKEksAnywhereForKubernetes121", &snowball.ListServiceVersionsInput{
			ServiceName: types.ServiceNameEksAnywhere, DependentServices: dep(types.ServiceNameKubernetes, "1.21"),
		}, []string{"0.14.6"}},
		{"OKKubernetesForEksAnywhere0146", &snowball.ListServiceVersionsInput{
			ServiceName: types.ServiceNameKubernetes, DependentServices: dep(types.ServiceNameEksAnywhere, "0.14.6"),
		}, []string{"1.21", "1.22", "1.23", "1.24", "1.25"}},
		{"OKNoneCompatible", &snowball.ListServiceVersionsInput{
			ServiceName: types.ServiceNameEksAnywhere, DependentServices: dep(types.ServiceNameKubernetes, "1.99"),
		}, nil},
		{"OKPaged", &snowball.ListServiceVersionsInput{ServiceName: types.ServiceNameEksAnywhere, MaxResults: aws.Int32(2)},
			[]string{"0.14.6", "0.15.4", "0.16.5", "0.17.6", "0.18.7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, list(t, tc.in)); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("OKEmptyListPresent", func(t *testing.T) {
		got := mustRaw(t, s, "ListServiceVersions", `{"ServiceName":"EKS_ANYWHERE","DependentServices":[{"ServiceName":"KUBERNETES","ServiceVersion":{"Version":"1.99"}}]}`)
		if v, ok := got["ServiceVersions"]; !ok || len(v.([]any)) != 0 {
			t.Errorf("raw result %v, want ServiceVersions: []", got)
		}
	})
	t.Run("ErrInvalidResourceSelfDependent", func(t *testing.T) {
		_, err := c.ListServiceVersions(t.Context(), &snowball.ListServiceVersionsInput{
			ServiceName: types.ServiceNameKubernetes, DependentServices: dep(types.ServiceNameKubernetes, "1.27"),
		})
		wantErr[*types.InvalidResourceException](t, err)
	})
	t.Run("ErrInvalidNextToken", func(t *testing.T) {
		_, err := c.ListServiceVersions(t.Context(), &snowball.ListServiceVersionsInput{
			ServiceName: types.ServiceNameKubernetes, NextToken: aws.String("bogus"),
		})
		wantErr[*types.InvalidNextTokenException](t, err)
	})
	t.Run("ErrInvalidNextTokenOtherService", func(t *testing.T) {
		first, err := c.ListServiceVersions(t.Context(), &snowball.ListServiceVersionsInput{
			ServiceName: types.ServiceNameKubernetes, MaxResults: aws.Int32(1),
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListServiceVersions(t.Context(), &snowball.ListServiceVersionsInput{
			ServiceName: types.ServiceNameEksAnywhere, NextToken: first.NextToken,
		})
		wantErr[*types.InvalidNextTokenException](t, err)
	})
}
