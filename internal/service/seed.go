package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Seed is a seed document: records to create, each given as the request
// that would create it through the Snowball API, and catalogues to
// replace. Entries refer to one another by ref: a member that takes an ID
// may be "ref:NAME" instead, NAME being the ref of an entry elsewhere in
// the document. A seed is checked whole before any of it is applied, and
// then applied in one store transaction (see Service.Seed).
type Seed struct {
	Addresses       []SeedAddress         `json:"addresses,omitzero"`
	Jobs            []SeedJob             `json:"jobs,omitzero"`
	Clusters        []SeedCluster         `json:"clusters,omitzero"`
	LongTermPricing []SeedLongTermPricing `json:"longTermPricing,omitzero"`

	// The catalogues. One given, even empty, replaces the one in the store
	// whole; an empty one in the store means the configured (or built-in)
	// default is served. One not given is left as it is.
	PickupLocations  []SeedPickupLocation      `json:"pickupLocations,omitzero"`
	CompatibleImages []model.CompatibleImage   `json:"compatibleImages,omitzero"`
	ServiceVersions  []snowball.ServiceVersion `json:"serviceVersions,omitzero"`
}

// SeedEntry is what every seeded record carries besides its request: whose
// it is and the name later entries refer to it by.
type SeedEntry struct {
	// AccountID owns the record; DefaultAccount if empty.
	AccountID string `json:"accountId,omitzero"`
	// Region is the region it is created in; DefaultSeedRegion if empty.
	Region string `json:"region,omitzero"`
	// Ref names the entry, so that other entries can give "ref:" + Ref
	// where an ID goes, and the answer can say which ID it was given.
	Ref string `json:"ref,omitzero"`
}

// SeedAddress is an address as CreateAddress takes it.
type SeedAddress struct {
	SeedEntry
	model.Address
}

// SeedLongTermPricing is a contract as CreateLongTermPricing takes it.
type SeedLongTermPricing struct {
	SeedEntry
	model.CreateLongTermPricingRequest
}

// SeedCluster is a cluster as CreateCluster takes it, and the state to
// bring it to once created (AwaitingQuorum if empty).
type SeedCluster struct {
	SeedEntry
	State model.ClusterState `json:"state,omitzero"`
	model.CreateClusterRequest
}

// SeedJob is a job as CreateJob takes it, and the state to bring it to
// once created (New if empty).
type SeedJob struct {
	SeedEntry
	State model.JobState `json:"state,omitzero"`
	model.CreateJobRequest
}

// SeedPickupLocation is a pickup location: an address of no account, with
// its AddressId given or generated.
type SeedPickupLocation struct {
	Ref string `json:"ref,omitzero"`
	model.Address
}

// SeedResult is what a seed created.
type SeedResult struct {
	// IDs maps each ref to the ID its entry was given.
	IDs map[string]string `json:"ids"`
	// The IDs of every entry, in the document's order.
	Addresses       []string `json:"addresses"`
	Jobs            []string `json:"jobs"`
	Clusters        []string `json:"clusters"`
	LongTermPricing []string `json:"longTermPricing"`
	PickupLocations []string `json:"pickupLocations"`
	// Skipped is set when SeedIfEmpty found records in the store and so
	// applied nothing.
	Skipped bool `json:"skipped,omitzero"`
}

// DefaultSeedRegion is the region of a seeded record that names none.
const DefaultSeedRegion = "us-west-2"

// Seed applies seed: it replaces the catalogues it gives, creates its
// addresses, long-term pricing, clusters and jobs, in that order, through
// the same code as the Create operations, and then brings each cluster and
// then each job to its state through the operator's path, with every side
// effect of every state on the way (device IDs, tracking numbers, events,
// notifications, export parts). It is all one transaction: if any entry
// fails, nothing is applied. Each call creates new records.
// Errors: ValidationException, whose message begins with the path of the
// entry or field at fault (jobs[2].state: …).
func (s *Service) Seed(ctx context.Context, seed *Seed) (*SeedResult, error) {
	return s.seed(ctx, seed, false)
}

// SeedIfEmpty is Seed for a seed given at every start: it applies seed
// only while the store holds no address, job, cluster or long-term pricing
// of any account, in the same transaction that looks, so that neither a
// restart nor a second replica applies it twice. Otherwise it applies
// nothing, catalogues included (which the store keeps anyway), and says so
// in SeedResult.Skipped.
func (s *Service) SeedIfEmpty(ctx context.Context, seed *Seed) (*SeedResult, error) {
	return s.seed(ctx, seed, true)
}

func (s *Service) seed(ctx context.Context, seed *Seed, ifEmpty bool) (*SeedResult, error) {
	refs, err := seed.check()
	if err != nil {
		return nil, err
	}
	var res *SeedResult
	err = s.write(ctx, func(tx snowball.Tx) error {
		// Afresh each time: the store may run fn again.
		res = &SeedResult{IDs: map[string]string{}, Addresses: []string{}, Jobs: []string{}, Clusters: []string{},
			LongTermPricing: []string{}, PickupLocations: []string{}}
		if ifEmpty {
			n, err := tx.CountRecords(ctx, "")
			if err != nil {
				return err
			}
			if n.Addresses+n.Jobs+n.Clusters+n.LongTermPricing > 0 {
				res.Skipped = true
				return nil
			}
		}
		a := &seeding{s: s, tx: tx, m: s.move(tx, snowball.CauseOperator), refs: refs, res: res}
		if err := a.catalogues(ctx, seed); err != nil {
			return err
		}
		return a.records(ctx, seed)
	})
	if err != nil {
		return nil, wrap("seed", err)
	}
	return res, nil
}

// Validate checks seed whole, as Seed does before applying any of it:
// accounts, regions, refs and states, each request against the model, the
// catalogues' entries. What only the store can tell (an ID that is not a
// ref, a rule between a request and what it refers to) is found when the
// seed is applied.
// Errors: ValidationException naming the entry or field.
func (seed *Seed) Validate() error {
	_, err := seed.check()
	return err
}

// seedError is the ValidationException for the entry or field at path.
func seedError(path, format string, args ...any) error {
	return snowball.Errorf(snowball.Validation, "%s: %s", path, fmt.Sprintf(format, args...))
}

// at puts path in front of the message of the refusal err; any other error
// (a failure of the store) is returned as it is.
func at(path string, err error) error {
	var e *snowball.Error
	if err == nil || !errors.As(err, &e) || e.Code == snowball.InternalFailure {
		return err
	}
	return snowball.Errorf(snowball.Validation, "%s: %s", path, e.Message)
}

// The kinds of entries a ref can name.
type refKind string

const (
	refAddress         refKind = "an address"
	refPickupLocation  refKind = "a pickup location"
	refCluster         refKind = "a cluster"
	refJob             refKind = "a job"
	refLongTermPricing refKind = "a long-term pricing"
)

// refPrefix marks a member's value as a ref.
const refPrefix = "ref:"

var (
	refName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	accountID = regexp.MustCompile(`^[0-9]{12}$`)
	region    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
)

// seedRef is an entry a ref names.
type seedRef struct {
	kind  refKind
	path  string // addresses[0]
	owner snowball.Owner
	// account and region as the entry gave them, for messages.
	account, region string
}

// seedRefs are the refs of a seed, by name.
type seedRefs map[string]seedRef

// refField is a member of a request that takes an ID, and so a ref.
type refField struct {
	name  string  // the member, as in the document: AddressId, LongTermPricingIds[1]
	kinds refKind // what it takes: refAddress also takes a pickup location
	value string
	set   func(string) // changes the copy of the request the field is of
}

// appendRefField appends the field at p, a member that takes an ID, when
// it is given.
func appendRefField(fs []refField, name string, kind refKind, p **string) []refField {
	if *p == nil {
		return fs
	}
	return append(fs, refField{name: name, kinds: kind, value: **p, set: func(v string) { *p = &v }})
}

// jobRefFields returns the fields of in, a copy the caller owns, that take IDs.
func jobRefFields(in *model.CreateJobRequest) []refField {
	var fs []refField
	add := func(name string, kind refKind, p **string) { fs = appendRefField(fs, name, kind, p) }
	add("AddressId", refAddress, &in.AddressId)
	add("ForwardingAddressId", refAddress, &in.ForwardingAddressId)
	add("ClusterId", refCluster, &in.ClusterId)
	add("LongTermPricingId", refLongTermPricing, &in.LongTermPricingId)
	return fs
}

// clusterRefFields returns the fields of in, a copy the caller owns, that
// take IDs; it gives in a LongTermPricingIds of its own.
func clusterRefFields(in *model.CreateClusterRequest) []refField {
	var fs []refField
	add := func(name string, kind refKind, p **string) { fs = appendRefField(fs, name, kind, p) }
	add("AddressId", refAddress, &in.AddressId)
	add("ForwardingAddressId", refAddress, &in.ForwardingAddressId)
	in.LongTermPricingIds = slices.Clone(in.LongTermPricingIds)
	for i, id := range in.LongTermPricingIds {
		fs = append(fs, refField{name: fmt.Sprintf("LongTermPricingIds[%d]", i), kinds: refLongTermPricing, value: id,
			set: func(v string) { in.LongTermPricingIds[i] = v }})
	}
	return fs
}

// placeholders are IDs of the model's forms that stand for refs while a
// request is checked against the model, before the real IDs exist.
var placeholders = map[refKind]string{
	refAddress:         "ADID00000000-0000-0000-0000-000000000000",
	refCluster:         "CID00000000-0000-0000-0000-000000000000",
	refLongTermPricing: "LTPID00000000-0000-0000-0000-000000000000",
}

// owner returns the owner an entry names, or why it names none.
func (e SeedEntry) owner(path string) (snowball.Owner, error) {
	account, reg := e.AccountID, e.Region
	if account == "" {
		account = snowball.DefaultAccount
	}
	if reg == "" {
		reg = DefaultSeedRegion
	}
	if !accountID.MatchString(account) {
		return snowball.Owner{}, seedError(path+".accountId", "%q is not an account ID of 12 digits", model.Truncate(account))
	}
	if !region.MatchString(reg) {
		return snowball.Owner{}, seedError(path+".region", "%q is not a region such as us-west-2", model.Truncate(reg))
	}
	return snowball.OwnerFor(account, reg), nil
}

func (e SeedEntry) accountAndRegion() (string, string) {
	account, reg := e.AccountID, e.Region
	if account == "" {
		account = snowball.DefaultAccount
	}
	if reg == "" {
		reg = DefaultSeedRegion
	}
	return account, reg
}

// add registers the ref of the entry at path, if it has one.
func (r seedRefs) add(name, path string, kind refKind, e SeedEntry, owner snowball.Owner) error {
	if name == "" {
		return nil
	}
	if !refName.MatchString(name) {
		return seedError(path+".ref", "%q is not a ref: use letters, digits, '_', '.' and '-', at most 64, starting with a letter or digit", model.Truncate(name))
	}
	if other, ok := r[name]; ok {
		return seedError(path+".ref", "%q is the ref of %s already", name, other.path)
	}
	account, reg := e.accountAndRegion()
	r[name] = seedRef{kind: kind, path: path, owner: owner, account: account, region: reg}
	return nil
}

// check checks a field that takes an ID, of the entry at path owned by
// owner: when it is a ref, it must name an entry of the kind the field
// takes, of the same owner (a pickup location has none).
func (r seedRefs) check(path string, f refField, e SeedEntry, owner snowball.Owner) error {
	name, ok := strings.CutPrefix(f.value, refPrefix)
	if !ok {
		return nil
	}
	path += "." + f.name
	t, ok := r[name]
	switch {
	case !ok:
		return seedError(path, "unknown ref %q", model.Truncate(name))
	case t.kind == refPickupLocation && f.kinds == refAddress:
		return nil
	case t.kind != f.kinds:
		return seedError(path, "ref %q names %s (%s), not %s", name, t.kind, t.path, f.kinds)
	case t.owner != owner:
		account, reg := e.accountAndRegion()
		return seedError(path, "ref %q names %s of account %s in %s (%s), but this entry is of account %s in %s",
			name, t.kind, t.account, t.region, t.path, account, reg)
	}
	return nil
}

// checkRequest checks the fields of a request that take IDs, and then the
// request against the model with placeholders for its refs.
func (r seedRefs) checkRequest(path string, e SeedEntry, owner snowball.Owner, in model.Input, fields []refField) error {
	for _, f := range fields {
		if err := r.check(path, f, e, owner); err != nil {
			return err
		}
	}
	for _, f := range fields {
		if strings.HasPrefix(f.value, refPrefix) {
			f.set(placeholders[f.kinds])
		}
	}
	if v := model.Validate(in); v != nil {
		return seedError(path, "%s", v.Error())
	}
	return nil
}

// entries returns the SeedEntry of each of list's entries.
func entries[E any](list []E, entry func(E) SeedEntry) []SeedEntry {
	out := make([]SeedEntry, len(list))
	for i, e := range list {
		out[i] = entry(e)
	}
	return out
}

// addAll adds the refs of the entries of list, named list[i] in errors.
func (r seedRefs) addAll(list string, kind refKind, es []SeedEntry) error {
	for i, e := range es {
		path := fmt.Sprintf("%s[%d]", list, i)
		owner, err := e.owner(path)
		if err != nil {
			return err
		}
		if err := r.add(e.Ref, path, kind, e, owner); err != nil {
			return err
		}
	}
	return nil
}

// check checks seed whole and returns its refs.
func (seed *Seed) check() (seedRefs, error) {
	refs := seedRefs{}
	// The refs first, so that an entry may name one that comes after it.
	if err := refs.addAll("addresses", refAddress, entries(seed.Addresses, func(e SeedAddress) SeedEntry { return e.SeedEntry })); err != nil {
		return nil, err
	}
	for i, e := range seed.PickupLocations {
		if err := refs.add(e.Ref, fmt.Sprintf("pickupLocations[%d]", i), refPickupLocation, SeedEntry{}, snowball.Owner{}); err != nil {
			return nil, err
		}
	}
	if err := refs.addAll("longTermPricing", refLongTermPricing, entries(seed.LongTermPricing, func(e SeedLongTermPricing) SeedEntry { return e.SeedEntry })); err != nil {
		return nil, err
	}
	if err := refs.addAll("clusters", refCluster, entries(seed.Clusters, func(e SeedCluster) SeedEntry { return e.SeedEntry })); err != nil {
		return nil, err
	}
	if err := refs.addAll("jobs", refJob, entries(seed.Jobs, func(e SeedJob) SeedEntry { return e.SeedEntry })); err != nil {
		return nil, err
	}

	if err := seed.checkCatalogues(); err != nil {
		return nil, err
	}
	for i, e := range seed.Addresses {
		if v := model.Validate(&e.Address); v != nil {
			return nil, seedError(fmt.Sprintf("addresses[%d]", i), "%s", v.Error())
		}
	}
	for i, e := range seed.LongTermPricing {
		if v := model.Validate(&e.CreateLongTermPricingRequest); v != nil {
			return nil, seedError(fmt.Sprintf("longTermPricing[%d]", i), "%s", v.Error())
		}
	}
	for i, e := range seed.Clusters {
		path := fmt.Sprintf("clusters[%d]", i)
		owner, _ := e.owner(path)
		in := e.CreateClusterRequest
		if err := refs.checkRequest(path, e.SeedEntry, owner, &in, clusterRefFields(&in)); err != nil {
			return nil, err
		}
		if e.State != "" && !slices.Contains(e.State.Values(), e.State) {
			return nil, seedError(path+".state", "%q is not a cluster state; the cluster states are %s",
				model.Truncate(string(e.State)), joinValues(e.State.Values()))
		}
	}
	for i, e := range seed.Jobs {
		path := fmt.Sprintf("jobs[%d]", i)
		owner, _ := e.owner(path)
		in := e.CreateJobRequest
		if err := refs.checkRequest(path, e.SeedEntry, owner, &in, jobRefFields(&in)); err != nil {
			return nil, err
		}
		if err := checkSeedJobState(path+".state", &e.CreateJobRequest, e.State); err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// checkSeedJobState checks that to is a state a job created by in can be
// brought to.
func checkSeedJobState(path string, in *model.CreateJobRequest, to model.JobState) error {
	if to == "" {
		return nil
	}
	if !slices.Contains(to.Values(), to) {
		return seedError(path, "%q is not a job state; the job states are %s", model.Truncate(string(to)), joinValues(to.Values()))
	}
	var what string
	var states []model.JobState
	switch jt := model.Deref(in.JobType); {
	case in.ClusterId != nil:
		what, states = "a cluster node", snowball.JobPath(snowball.KindLocalUse)
	case jt == model.JobTypeLocalUse:
		what, states = "a LOCAL_USE job", snowball.JobPath(snowball.KindLocalUse)
	case jt == model.JobTypeImport:
		what, states = "an IMPORT job", snowball.JobPath(snowball.KindImport)
	case jt == model.JobTypeExport:
		// The master's states, then its parts'.
		what = "an EXPORT job"
		for _, st := range append(snowball.JobPath(snowball.KindExportMaster), snowball.JobPath(snowball.KindExportPart)...) {
			if !slices.Contains(states, st) && st != model.JobStateComplete {
				states = append(states, st)
			}
		}
		states = append(states, model.JobStateComplete)
	default:
		return nil // CreateJob refuses it, and says why
	}
	states = append(states, model.JobStateCancelled)
	if !slices.Contains(states, to) {
		return seedError(path, "%q is not a state of %s; its states are %s", to, what, joinValues(states))
	}
	return nil
}

// checkCatalogues checks the catalogues' entries.
func (seed *Seed) checkCatalogues() error {
	seen := map[string]string{}
	for i, e := range seed.PickupLocations {
		path := fmt.Sprintf("pickupLocations[%d]", i)
		if v := model.Validate(&e.Address); v != nil {
			return seedError(path, "%s", v.Error())
		}
		if id := model.Deref(e.AddressId); id != "" {
			if other, ok := seen[id]; ok {
				return seedError(path+".AddressId", "%s is the AddressId of %s already", id, other)
			}
			seen[id] = path
		}
	}
	seen = map[string]string{}
	for i, e := range seed.CompatibleImages {
		path := fmt.Sprintf("compatibleImages[%d]", i)
		if v := model.Validate(&e); v != nil {
			return seedError(path, "%s", v.Error())
		}
		id := model.Deref(e.AmiId)
		if id == "" {
			return seedError(path+".AmiId", "required")
		}
		if other, ok := seen[id]; ok {
			return seedError(path+".AmiId", "%q is the AmiId of %s already", model.Truncate(id), other)
		}
		seen[id] = path
	}
	seen = map[string]string{}
	for i, v := range seed.ServiceVersions {
		path := fmt.Sprintf("serviceVersions[%d]", i)
		if err := checkVersion(path, "", v.ServiceName, v.Version); err != nil {
			return err
		}
		key := string(v.ServiceName) + " " + v.Version
		if other, ok := seen[key]; ok {
			return seedError(path, "%s %s is given by %s already", v.ServiceName, model.Truncate(v.Version), other)
		}
		seen[key] = path
		for j, d := range v.DependentServices {
			dpath := fmt.Sprintf("%s.DependentServices[%d]", path, j)
			name := model.Deref(d.ServiceName)
			if d.ServiceVersion == nil {
				return seedError(dpath+".ServiceVersion", "required")
			}
			if err := checkVersion(dpath, "ServiceVersion.", name, model.Deref(d.ServiceVersion.Version)); err != nil {
				return err
			}
			if name == v.ServiceName {
				return seedError(dpath+".ServiceName", "a version of %s cannot depend on %s", v.ServiceName, name)
			}
		}
	}
	return nil
}

// checkVersion checks a service name and version of the catalogue, the
// name against the model's enum; versionAt is the path from the entry to
// its Version.
func checkVersion(path, versionAt string, name model.ServiceName, version string) error {
	if name == "" {
		return seedError(path+".ServiceName", "required")
	}
	if !slices.Contains(name.Values(), name) {
		return seedError(path+".ServiceName", "%q is not a service name; the service names are %s", model.Truncate(string(name)), joinValues(name.Values()))
	}
	if strings.TrimSpace(version) == "" {
		return seedError(path+"."+versionAt+"Version", "required")
	}
	if v := model.Validate(&model.ServiceVersion{Version: &version}); v != nil {
		return seedError(path+"."+versionAt+"Version", "%s", v.Error())
	}
	return nil
}

// seeding is a seed being applied in one transaction.
type seeding struct {
	s    *Service
	tx   snowball.Tx
	m    move
	refs seedRefs
	res  *SeedResult
}

// created records the ID an entry was given.
func (a *seeding) created(ref, id string, list *[]string) {
	if ref != "" {
		a.res.IDs[ref] = id
	}
	*list = append(*list, id)
}

// resolve replaces the refs among fields with the IDs they name.
func (a *seeding) resolve(fields []refField) {
	for _, f := range fields {
		if name, ok := strings.CutPrefix(f.value, refPrefix); ok {
			f.set(a.res.IDs[name])
		}
	}
}

// catalogues replaces the catalogues seed gives.
func (a *seeding) catalogues(ctx context.Context, seed *Seed) error {
	if seed.PickupLocations != nil {
		var l []model.Address
		for i, e := range seed.PickupLocations {
			addr := e.Address
			if addr.Type == nil {
				addr.Type = model.Ptr(model.AddressTypeCustPickup)
			}
			// An address of no account, under the rules of CreateAddress.
			rec, err := a.s.newAddress(snowball.Owner{}, addr)
			if err != nil {
				return at(fmt.Sprintf("pickupLocations[%d]", i), err)
			}
			if e.AddressId != nil {
				rec.Address.AddressId = e.AddressId
			}
			l = append(l, rec.Address)
			a.created(e.Ref, *rec.Address.AddressId, &a.res.PickupLocations)
		}
		if err := a.tx.PutPickupLocations(ctx, l); err != nil {
			return err
		}
	}
	if seed.CompatibleImages != nil {
		if err := a.tx.PutCompatibleImages(ctx, seed.CompatibleImages); err != nil {
			return err
		}
	}
	if seed.ServiceVersions != nil {
		if err := a.tx.PutServiceVersions(ctx, seed.ServiceVersions); err != nil {
			return err
		}
	}
	return nil
}

// records creates seed's records and brings them to their states.
func (a *seeding) records(ctx context.Context, seed *Seed) error {
	s, tx := a.s, a.tx
	for i, e := range seed.Addresses {
		path := fmt.Sprintf("addresses[%d]", i)
		owner, _ := e.owner(path)
		rec, err := s.newAddress(owner, e.Address)
		if err != nil {
			return at(path, err)
		}
		if err := tx.InsertAddress(ctx, rec); err != nil {
			return err
		}
		a.created(e.Ref, rec.ID, &a.res.Addresses)
	}
	for i, e := range seed.LongTermPricing {
		owner, _ := e.owner("")
		l, err := s.newLongTermPricing(owner, &e.CreateLongTermPricingRequest)
		if err != nil {
			return at(fmt.Sprintf("longTermPricing[%d]", i), err)
		}
		if err := tx.InsertLongTermPricing(ctx, l); err != nil {
			return err
		}
		a.created(e.Ref, l.ID, &a.res.LongTermPricing)
	}
	for i, e := range seed.Clusters {
		owner, _ := e.owner("")
		in := e.CreateClusterRequest
		a.resolve(clusterRefFields(&in))
		c, _, err := s.createCluster(ctx, tx, owner, &in, snowball.CauseOperator)
		if err != nil {
			return at(fmt.Sprintf("clusters[%d]", i), err)
		}
		a.created(e.Ref, c.ID, &a.res.Clusters)
	}
	for i, e := range seed.Jobs {
		owner, _ := e.owner("")
		in := e.CreateJobRequest
		a.resolve(jobRefFields(&in))
		j, err := s.createJob(ctx, tx, owner, &in, snowball.CauseOperator)
		if err != nil {
			return at(fmt.Sprintf("jobs[%d]", i), err)
		}
		a.created(e.Ref, j.ID, &a.res.Jobs)
	}
	// Clusters first, with all their nodes; a node job's own state can
	// then only take it further.
	for i, e := range seed.Clusters {
		if err := a.bringCluster(ctx, a.res.Clusters[i], e.State); err != nil {
			return at(fmt.Sprintf("clusters[%d].state", i), err)
		}
	}
	for i, e := range seed.Jobs {
		if err := a.bringJob(ctx, a.res.Jobs[i], e.State); err != nil {
			return at(fmt.Sprintf("jobs[%d].state", i), err)
		}
	}
	return nil
}

// bringJob brings the job id to state to along the operator's path (as
// AdvanceJob does), or cancels it as CancelJob does. For an export job, to
// is a state of its master, or of its parts: then the master goes to
// Pending, which creates the parts, and its first part goes on to to; or,
// for Complete, every part, one after the other.
func (a *seeding) bringJob(ctx context.Context, id string, to model.JobState) error {
	j, err := a.tx.Job(ctx, id)
	if err != nil {
		return err
	}
	switch {
	case to == "" || to == j.State:
		return nil
	case to == model.JobStateCancelled:
		return a.s.cancelJob(ctx, a.m, j)
	case !j.IsMaster || (to != model.JobStateComplete && slices.Contains(snowball.JobPath(snowball.KindExportMaster), to)):
		return a.s.advance(ctx, a.m, j, to)
	}
	if j.State != model.JobStatePending {
		if err := a.s.advance(ctx, a.m, j, model.JobStatePending); err != nil {
			return err
		}
	}
	parts, err := allJobs(ctx, a.tx, snowball.JobFilter{MasterID: j.ID})
	if err != nil {
		return err
	}
	if to != model.JobStateComplete {
		parts = parts[:min(1, len(parts))]
	}
	for _, p := range parts {
		// Read again: the move of the part before may have released it.
		if p, err = a.tx.Job(ctx, p.ID); err != nil {
			return err
		}
		if p.State == to || (to == model.JobStateComplete && snowball.IsFinal(p.State)) {
			continue
		}
		if err := a.s.advance(ctx, a.m, p, to); err != nil {
			return err
		}
	}
	return nil
}

// bringCluster brings the cluster id to state to: Pending as the
// operator's AdvanceCluster does, Cancelled as CancelCluster does, and
// InUse or Complete by bringing each of its live nodes to WithCustomer or
// Complete.
func (a *seeding) bringCluster(ctx context.Context, id string, to model.ClusterState) error {
	c, err := a.tx.Cluster(ctx, id)
	if err != nil {
		return err
	}
	switch to {
	case "", c.State:
		return nil
	case model.ClusterStateCancelled:
		return a.s.cancelCluster(ctx, a.m, c)
	case model.ClusterStatePending:
		if err := a.s.releaseCluster(ctx, a.m, id); err != nil {
			return err
		}
	case model.ClusterStateInUse, model.ClusterStateComplete:
		target := model.JobStateWithCustomer
		if to == model.ClusterStateComplete {
			target = model.JobStateComplete
		}
		path := snowball.JobPath(snowball.KindLocalUse)
		nodes, err := liveNodes(ctx, a.tx, id)
		if err != nil {
			return err
		}
		for _, n := range nodes {
			if slices.Index(path, n.State) >= slices.Index(path, target) {
				continue
			}
			if err := a.s.advance(ctx, a.m, n, target); err != nil {
				return err
			}
		}
	}
	if c, err = a.tx.Cluster(ctx, id); err != nil {
		return err
	}
	if c.State != to {
		return snowball.Errorf(snowball.InvalidJobState, "The cluster %s is %s and cannot be brought to %s.", c.ID, c.State, to)
	}
	return nil
}
