// Package service implements the 27 Snowball operations as plain Go
// methods over a snowball.Store: cross-field rules, state checks, IDs,
// pagination and the job and cluster transitions with their side effects.
// It knows nothing of HTTP or SQL.
package service

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Presigner turns an object of Frosty's own download namespace into a
// presigned URL that the server will honour until it expires; region is
// the job's, for the URL's credential scope.
type Presigner interface {
	Presign(region, bucket, key string, expires time.Duration) (string, error)
}

// Config holds the settings the real service leaves to AWS.
type Config struct {
	// SnowballLimit is what GetSnowballUsage reports as the account's limit.
	SnowballLimit int
	// ExportParts is how many job parts an export job is split into.
	ExportParts int
	// PickupLocations are the addresses ListPickupLocations offers; their
	// AddressIds are accepted wherever an AddressId is. They and
	// CompatibleImages are the catalogues served while the store holds
	// none: a seed's catalogue, kept in the store, replaces them.
	PickupLocations []model.Address
	// CompatibleImages is what ListCompatibleImages returns.
	CompatibleImages []model.CompatibleImage
	// Timed is set when the timed lifecycle runs: its pace drives data
	// transfer progress and return labels. Nil (manual lifecycle) means
	// progress stays at 0 and a label is ready when next described.
	Timed *Timing
	// OnMessage, if set, is called after a committed change that queued a
	// notification in the outbox, so that the dispatcher, and only it, can
	// look: the other changes give it nothing to do.
	OnMessage func()
	// OnDue, if set, is called after a committed change that gave a job or
	// cluster a due time, with the earliest it gave, so that a scheduler
	// waiting for a later one can look again; changes that make nothing
	// due wake nobody.
	OnDue func(time.Time)
	// OnEvent, if set, is called with each transition once it has committed.
	OnEvent func(*snowball.Event)
	// NotifyWebhook and NotifySNS say where a job's notifications go: a
	// message for each is queued in the outbox when a job enters a state
	// its Notification asks for (SNS only when it names a topic).
	NotifyWebhook, NotifySNS bool
	// MaxConcurrentSeals bounds how many manifests are sealed at once,
	// across all jobs; zero means DefaultMaxConcurrentSeals(). A seal takes
	// 32 MiB and a CPU for a while (scrypt); a job's manifest is sealed on
	// its first download only, and further downloads wait their turn.
	MaxConcurrentSeals int
	// OnSeal, if set, is called after each manifest seal with how long
	// it took (scrypt and the encryption).
	OnSeal func(d time.Duration)
	// OperatorClock, if set, is the clock the service runs on, and the
	// operator may move it (ChangeClock); its state is kept in the store.
	OperatorClock *snowball.OperatorClock
	// OnStoreError, if set, is called with each failure of the store
	// itself (a damaged file, a lost connection), not with the refusals of
	// the service's rules.
	OnStoreError func(error)
}

// Timing is the pace of the timed lifecycle: a profile of real-world dwell
// times and the factor by which Frosty runs faster.
type Timing struct {
	Profile snowball.Profile
	Scale   float64
}

// Scaled returns the emulated duration of real-world duration d.
func (t *Timing) Scaled(d time.Duration) time.Duration {
	if t.Scale <= 0 {
		return d
	}
	return time.Duration(float64(d) / t.Scale)
}

// Defaults for Config members left zero.
const (
	DefaultSnowballLimit = 1
	DefaultExportParts   = 1
)

// Service is the Snowball API over a Store.
type Service struct {
	store   snowball.Store
	clock   snowball.Clock
	presign Presigner
	tokens  tokenSigner
	cfg     Config
	// Rand is the source of IDs, unlock codes and device secrets.
	rand io.Reader
	// seal is sealManifest; tests wrap it to watch the seals.
	seal  func(*snowball.Job) ([]byte, error)
	seals sealer
	// dues is the timing due times are computed with: Config.Timed, or in
	// the manual lifecycle the one the store's were (see RecomputeDue).
	dues *Timing
}

// New returns a Service. tokenKey authenticates pagination tokens; it must
// be secret and stable across restarts so tokens survive them.
func New(store snowball.Store, clock snowball.Clock, presign Presigner, tokenKey []byte, cfg Config) *Service {
	if cfg.SnowballLimit == 0 {
		cfg.SnowballLimit = DefaultSnowballLimit
	}
	if cfg.ExportParts <= 0 {
		cfg.ExportParts = DefaultExportParts
	}
	if cfg.MaxConcurrentSeals <= 0 {
		cfg.MaxConcurrentSeals = DefaultMaxConcurrentSeals()
	}
	s := &Service{store: store, clock: clock, presign: presign, tokens: tokenSigner{key: tokenKey}, cfg: cfg, rand: rand.Reader,
		seals: newSealer(cfg.MaxConcurrentSeals), dues: cfg.Timed}
	s.seal = s.sealManifest
	return s
}

type ownerKey struct{}

// WithOwner returns a context for a request made by owner; every operation
// acts for the owner in its context.
func WithOwner(ctx context.Context, owner snowball.Owner) context.Context {
	return context.WithValue(ctx, ownerKey{}, owner)
}

func ownerFrom(ctx context.Context) (snowball.Owner, error) {
	o, ok := ctx.Value(ownerKey{}).(snowball.Owner)
	if !ok {
		return snowball.Owner{}, errors.New("service: no owner in context")
	}
	return o, nil
}

func (s *Service) now() time.Time { return s.clock.Now() }

// notFound is the InvalidResourceException for a missing or foreign record:
// another account's ID must look exactly like one that does not exist.
func notFound(resourceType, id string) error {
	kind := map[string]string{
		snowball.ResourceJob:             "job",
		snowball.ResourceCluster:         "cluster",
		snowball.ResourceAddress:         "address",
		snowball.ResourceLongTermPricing: "long-term pricing",
	}[resourceType]
	e := snowball.Errorf(snowball.InvalidResource, "The specified %s ID %s does not exist.", kind, model.Truncate(id))
	e.ResourceType = resourceType
	return e
}

// ownJob loads a job of owner, or InvalidResourceException.
func ownJob(ctx context.Context, tx snowball.Tx, owner snowball.Owner, id string) (*snowball.Job, error) {
	j, err := tx.Job(ctx, id)
	if snowball.IsNotFound(err) || (err == nil && j.Owner != owner) {
		return nil, notFound(snowball.ResourceJob, id)
	}
	return j, err
}

func ownCluster(ctx context.Context, tx snowball.Tx, owner snowball.Owner, id string) (*snowball.Cluster, error) {
	c, err := tx.Cluster(ctx, id)
	if snowball.IsNotFound(err) || (err == nil && c.Owner != owner) {
		return nil, notFound(snowball.ResourceCluster, id)
	}
	return c, err
}

func ownLongTermPricing(ctx context.Context, tx snowball.Tx, owner snowball.Owner, id string) (*snowball.LongTermPricing, error) {
	l, err := tx.LongTermPricing(ctx, id)
	if snowball.IsNotFound(err) || (err == nil && l.Owner != owner) {
		return nil, notFound(snowball.ResourceLongTermPricing, id)
	}
	return l, err
}

// checkAddress fails with InvalidResourceException unless id (when set) is
// one of owner's addresses or a pickup location.
func (s *Service) checkAddress(ctx context.Context, tx snowball.Tx, owner snowball.Owner, id *string) error {
	if id == nil {
		return nil
	}
	a, err := tx.Address(ctx, *id)
	if err == nil && a.Owner == owner {
		return nil
	}
	if err != nil && !snowball.IsNotFound(err) {
		return err
	}
	if _, ok, err := s.pickupLocation(ctx, tx, *id); ok || err != nil {
		return err
	}
	return notFound(snowball.ResourceAddress, *id)
}

// pickupLocation returns the pickup location with AddressId id, if the
// catalogue has one.
func (s *Service) pickupLocation(ctx context.Context, tx snowball.Tx, id string) (model.Address, bool, error) {
	locations, err := s.pickupLocations(ctx, tx)
	if err != nil {
		return model.Address{}, false, err
	}
	for _, a := range locations {
		if model.Deref(a.AddressId) == id {
			return a, true, nil
		}
	}
	return model.Address{}, false, nil
}

// allJobs returns every job matching f, across pages.
func allJobs(ctx context.Context, tx snowball.Tx, f snowball.JobFilter) ([]*snowball.Job, error) {
	var out []*snowball.Job
	p := snowball.Page{Limit: 500}
	for {
		page, err := tx.Jobs(ctx, f, p)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < p.Limit {
			return out, nil
		}
		p.After = page[len(page)-1].Seq
	}
}

func invalidCombination(format string, args ...any) error {
	return snowball.Errorf(snowball.InvalidInputCombination, format, args...)
}

func invalidState(j *snowball.Job, op, allowed string) error {
	return snowball.Errorf(snowball.InvalidJobState,
		"The job %s is in state %s; %s is only allowed when the job is in %s.", j.ID, j.State, op, allowed)
}

func wrap(op string, err error) error {
	var e *snowball.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}

// update runs fn in a write transaction on behalf of the caller in ctx;
// op names the operation in internal errors.
func (s *Service) update(ctx context.Context, op string, fn func(tx snowball.Tx, owner snowball.Owner) error) error {
	owner, err := ownerFrom(ctx)
	if err != nil {
		return err
	}
	return wrap(op, s.write(ctx, func(tx snowball.Tx) error { return fn(tx, owner) }))
}

// write runs fn in a write transaction, which keeps the due times of the
// jobs and clusters it stores. After it commits, every event fn recorded
// goes to OnEvent, in order, and OnDue and OnMessage are told.
func (s *Service) write(ctx context.Context, fn func(snowball.Tx) error) error {
	var rec *recordingTx
	err := s.store.Update(ctx, func(tx snowball.Tx) error {
		rec = &recordingTx{Tx: tx, svc: s} // afresh if the store runs fn again
		return fn(rec)
	})
	if err != nil {
		return s.storeError(err)
	}
	if s.cfg.OnEvent != nil {
		for _, e := range rec.events {
			s.cfg.OnEvent(e)
		}
	}
	if !rec.earliestDue.IsZero() && s.cfg.OnDue != nil {
		s.cfg.OnDue(rec.earliestDue)
	}
	if rec.messages > 0 && s.cfg.OnMessage != nil {
		s.cfg.OnMessage()
	}
	return nil
}

// recordingTx keeps the events appended in a transaction, to be announced
// only once it has committed, counts the messages it queued, and keeps the
// due times of what it stores (due.go).
type recordingTx struct {
	snowball.Tx
	svc         *Service
	events      []*snowball.Event
	messages    int
	earliestDue time.Time
}

func (r *recordingTx) InsertMessage(ctx context.Context, m *snowball.Message) error {
	if err := r.Tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	r.messages++
	return nil
}

func (r *recordingTx) AppendEvent(ctx context.Context, e *snowball.Event) error {
	if err := r.Tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	r.events = append(r.events, e)
	return nil
}

// view is update for reads.
func (s *Service) view(ctx context.Context, op string, fn func(tx snowball.Tx, owner snowball.Owner) error) error {
	owner, err := ownerFrom(ctx)
	if err != nil {
		return err
	}
	return wrap(op, s.storeError(s.store.View(ctx, func(tx snowball.Tx) error { return fn(tx, owner) })))
}

// storeError reports err to OnStoreError when it is the store's own
// failure: neither a refusal of the service's (an *snowball.Error) nor the
// end of the caller's context. It returns err.
func (s *Service) storeError(err error) error {
	var e *snowball.Error
	if err == nil || errors.As(err, &e) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if s.cfg.OnStoreError != nil {
		s.cfg.OnStoreError(err)
	}
	return err
}
