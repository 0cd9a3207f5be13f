// Package faults makes API calls fail on purpose, as the operator orders,
// so that a client's error handling and retries meet the real wire: a
// fault names an operation and answers its calls with an error the model
// lets that operation raise (or a generic throttle or server error), after
// a delay if asked, for some or all of them.
//
// The rules live here; the faults are kept in the store, so that every
// replica over one database shares them and a fault's count is used up
// exactly once across them all. internal/awsjson asks Check on every call.
package faults

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	randv2 "math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Generic are the errors any operation can be made to fail with besides
// those the model lists for it: AWS's throttle and server errors, which
// every SDK retries.
var Generic = []string{snowball.Throttling, snowball.InternalFailure, snowball.ServiceUnavailable}

// DefaultMessages are the messages of the errors a fault sends when it
// names none: what AWS says, without the names of resources a fault does
// not know.
var DefaultMessages = map[string]string{
	snowball.Throttling:         "Rate exceeded",
	snowball.InternalFailure:    "We encountered an internal error. Please try again.",
	snowball.ServiceUnavailable: "The service is unavailable. Please try again later.",

	snowball.ClusterLimitExceeded:             "Job creation failed. Currently, clusters support five nodes. If you have fewer than five nodes for your cluster and you have more nodes to create for this cluster, try again and create jobs until your cluster has exactly five nodes.",
	snowball.Conflict:                         "A return shipping label request is already in progress for this job.",
	snowball.Ec2RequestFailed:                 "Your user lacks the necessary Amazon EC2 permissions to perform the attempted action.",
	snowball.InvalidAddress:                   "The address provided was invalid. Check the address with your region's carrier, and try again.",
	snowball.InvalidInputCombination:          "Job or cluster creation failed. One or more inputs were invalid. Confirm that the SnowballType value supports your JobType, and try again.",
	snowball.InvalidJobState:                  "The action can't be performed because the job's current state doesn't allow that action to be performed.",
	snowball.InvalidNextToken:                 "The NextToken string was altered unexpectedly, and the operation has stopped. Run the operation without changing the NextToken string, and try again.",
	snowball.InvalidResource:                  "The specified resource can't be found. Check the information you provided in your last request, and try again.",
	snowball.KMSRequestFailed:                 "The provided AWS Key Management Service key lacks the permissions to perform the specified CreateJob or UpdateJob action.",
	snowball.ReturnShippingLabelAlreadyExists: "A valid return shipping label already exists for this job. Use DescribeReturnShippingLabel to get its URL.",
	snowball.UnsupportedAddress:               "The address is either outside the serviceable area for your region, or an error occurred. Check the address with your region's carrier and try again.",
}

// MaxMessage bounds a fault's message, in characters.
const MaxMessage = 1024

// Spec is a fault as the operator asks for it. Every field but Operation
// may be left out: a nil Count is no limit, a nil Probability is 1, an
// empty Message is the error's DefaultMessages entry, an empty AccountID
// is every account.
type Spec struct {
	Operation   string
	Error       string
	Message     string
	Count       *int
	Probability *float64
	// Delay is a Go duration that may also count days ("2s", "1.5s", "1d").
	Delay     string
	AccountID string
}

// Fault returns the fault s asks for, its defaults filled in, without ID
// or CreatedAt. A field that is wrong is a ValidationException naming the
// field and what it may be.
func (s Spec) Fault() (*snowball.Fault, error) {
	op := operation(s.Operation)
	switch {
	case s.Operation == "":
		return nil, invalid("operation is required: one of %s", strings.Join(operationNames(), ", "))
	case op == nil:
		return nil, invalid("operation %q is not a Snowball operation; the operations are %s", model.Truncate(s.Operation), strings.Join(operationNames(), ", "))
	}
	f := &snowball.Fault{Operation: op.Name, Code: s.Error, Message: s.Message, AccountID: s.AccountID, Probability: 1}
	if allowed := append(slices.Clone(op.Errors), Generic...); s.Error != "" && !slices.Contains(allowed, s.Error) {
		return nil, invalid("error %q is not one %s can raise; it can raise %s", model.Truncate(s.Error), op.Name, strings.Join(allowed, ", "))
	}
	if s.Error == "" && s.Message != "" {
		return nil, invalid("message is the error's message: give an error too")
	}
	if n := utf8.RuneCountInString(s.Message); n > MaxMessage {
		return nil, invalid("message has %d characters; at most %d", n, MaxMessage)
	}
	if s.Error != "" && s.Message == "" {
		f.Message = DefaultMessages[s.Error]
	}
	if s.Count != nil {
		if *s.Count < 1 {
			return nil, invalid("count is %d; it must be at least 1 (leave it out for no limit)", *s.Count)
		}
		f.Count = *s.Count
	}
	if s.Probability != nil {
		if p := *s.Probability; !(p > 0 && p <= 1) {
			return nil, invalid("probability is %v; it must be more than 0 and at most 1", p)
		}
		f.Probability = *s.Probability
	}
	if s.Delay != "" {
		d, err := snowball.ParseDuration(s.Delay)
		if err != nil || d < 0 {
			return nil, invalid("delay %q is not a duration of 0 or more, such as \"2s\", \"1.5s\", \"500ms\" or \"1d\"", model.Truncate(s.Delay))
		}
		f.Delay = d
	}
	if s.AccountID != "" && !isAccountID(s.AccountID) {
		return nil, invalid("accountId %q is not an account ID of 12 digits", model.Truncate(s.AccountID))
	}
	if f.Code == "" && f.Delay == 0 {
		return nil, invalid("a fault needs an error, a delay, or both")
	}
	return f, nil
}

func invalid(format string, args ...any) *snowball.Error {
	return snowball.Errorf(snowball.Validation, format, args...)
}

func operation(name string) *model.Operation {
	for i := range model.Operations {
		if model.Operations[i].Name == name {
			return &model.Operations[i]
		}
	}
	return nil
}

func operationNames() []string {
	names := make([]string, len(model.Operations))
	for i, op := range model.Operations {
		names[i] = op.Name
	}
	return names
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// DefaultTTL is how long an Injector trusts the faults it has read.
const DefaultTTL = time.Second

// Injector keeps the operator's faults and decides which calls they hit.
// It is safe for concurrent use. Set its fields, if at all, before use.
//
// Check runs on every API call, so it reads the faults from a cache: Add,
// Delete and Clear empty it at once, and it is read again from the store
// when it is TTL old, which is how a replica learns of a fault added
// through another. Counting a hit always goes to the store, so a fault's
// count holds across replicas and a fault deleted through another replica
// hits nothing more. With no faults, Check costs three atomic loads and a
// map lookup: a timer marks the cache stale, since reading the clock on
// every call would cost more than all the rest.
type Injector struct {
	// Rand draws a number in [0, 1) for each call that a fault with a
	// Probability below 1 might hit; it must be safe for concurrent use.
	Rand func() float64
	// TTL is how long the cache of faults is trusted.
	TTL time.Duration
	// AfterFunc calls f in its own goroutine once d has passed (real
	// time): time.AfterFunc, but for tests.
	AfterFunc func(d time.Duration, f func())

	store snowball.Store
	clock snowball.Clock

	gen   atomic.Uint64 // raised by every change made through this Injector
	cache atomic.Pointer[cache]
	mu    sync.Mutex // one reload at a time
}

// cache is the live faults as read at one time, by operation.
type cache struct {
	gen   uint64
	stale atomic.Bool // TTL has passed
	byOp  map[string][]*entry
}

// fresh reports whether c can be trusted: it is TTL old at most and no
// change was made through this Injector since it was read.
func (in *Injector) fresh(c *cache) bool {
	return c != nil && !c.stale.Load() && c.gen == in.gen.Load()
}

type entry struct {
	fault *snowball.Fault
	// hits counts the hits known here: those read and those counted since;
	// other replicas may have counted more.
	hits atomic.Int64
	// spent is set once hits reaches the fault's count, or the store
	// refuses a hit because the fault is spent or gone: a fault is never
	// unspent.
	spent atomic.Bool
}

// New returns an Injector over store; faults record their CreatedAt on
// clock.
func New(store snowball.Store, clock snowball.Clock) *Injector {
	return &Injector{
		Rand: randv2.Float64, TTL: DefaultTTL,
		AfterFunc: func(d time.Duration, f func()) { time.AfterFunc(d, f) },
		store:     store, clock: clock,
	}
}

// Add validates s (see Spec.Fault) and stores the fault. It returns
// ValidationException for a wrong field.
func (in *Injector) Add(ctx context.Context, s Spec) (*snowball.Fault, error) {
	f, err := s.Fault()
	if err != nil {
		return nil, err
	}
	f.ID, f.CreatedAt = newID(), in.clock.Now()
	err = in.store.Update(ctx, func(tx snowball.Tx) error { return tx.InsertFault(ctx, f) })
	in.gen.Add(1)
	if err != nil {
		return nil, fmt.Errorf("add fault: %w", err)
	}
	return f, nil
}

// List returns every fault, spent ones too, in creation order, with their
// hits as the store counts them.
func (in *Injector) List(ctx context.Context) ([]*snowball.Fault, error) {
	var fs []*snowball.Fault
	err := in.store.View(ctx, func(tx snowball.Tx) (err error) {
		fs, err = tx.Faults(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list faults: %w", err)
	}
	return fs, nil
}

// Delete removes the fault id. It returns NotFound if there is none.
func (in *Injector) Delete(ctx context.Context, id string) error {
	err := in.store.Update(ctx, func(tx snowball.Tx) error { return tx.DeleteFault(ctx, id) })
	in.gen.Add(1)
	if err != nil && !snowball.IsNotFound(err) {
		return fmt.Errorf("delete fault %s: %w", id, err)
	}
	return err
}

// Clear removes every fault.
func (in *Injector) Clear(ctx context.Context) error {
	err := in.store.Update(ctx, func(tx snowball.Tx) error { return tx.DeleteFaults(ctx) })
	in.gen.Add(1)
	if err != nil {
		return fmt.Errorf("clear faults: %w", err)
	}
	return nil
}

// Check returns the fault that hits this call of operation by account, or
// nil for none, and counts the hit. The faults that match the call are
// tried in creation order: each hits with its Probability (a call it
// misses does not use up its count) while it has a count left, and the
// first that hits decides. The caller waits the fault's Delay, then
// answers with its error, if it has one, or runs the call.
func (in *Injector) Check(ctx context.Context, operation, account string) (*snowball.Fault, error) {
	c, err := in.faults(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range c.byOp[operation] {
		f := e.fault
		if e.spent.Load() || f.AccountID != "" && f.AccountID != account {
			continue
		}
		if f.Probability < 1 && in.Rand() >= f.Probability {
			continue
		}
		var hit bool
		err := in.store.Update(ctx, func(tx snowball.Tx) (err error) {
			hit, err = tx.HitFault(ctx, f.ID)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("hit fault %s: %w", f.ID, err)
		}
		if !hit {
			e.spent.Store(true)
			continue
		}
		if f.Count > 0 && e.hits.Add(1) >= int64(f.Count) {
			e.spent.Store(true)
		}
		hitFault := *f
		hitFault.Hits = 0 // not known here; List has it
		return &hitFault, nil
	}
	return nil, nil
}

// faults returns the cache, reading the faults again if it is stale.
func (in *Injector) faults(ctx context.Context) (*cache, error) {
	if c := in.cache.Load(); in.fresh(c) {
		return c, nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if c := in.cache.Load(); in.fresh(c) {
		return c, nil
	}
	gen := in.gen.Load()
	fs, err := in.List(ctx)
	if err != nil {
		return nil, err
	}
	// A change made while the faults were read raised gen: this cache is
	// then stale at once, and the next call reads them again.
	c := &cache{gen: gen, byOp: map[string][]*entry{}}
	for _, f := range fs {
		if !f.Spent() {
			e := &entry{fault: f}
			e.hits.Store(int64(f.Hits))
			c.byOp[f.Operation] = append(c.byOp[f.Operation], e)
		}
	}
	in.cache.Store(c)
	in.AfterFunc(in.TTL, func() { c.stale.Store(true) })
	return c, nil
}

// newID returns a new fault ID: "fault-" and 16 hex digits.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return "fault-" + hex.EncodeToString(b[:])
}
