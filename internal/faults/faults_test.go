package faults

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
	"github.com/frostyhq/frosty/internal/sqlite"
)

const (
	alice = "111122223333"
	bob   = "444455556666"
)

func ptr[T any](v T) *T { return &v }

// MustOpenStore returns an empty store closed when tb ends.
func MustOpenStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(filepath.Join(tb.TempDir(), "frosty.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// fakeTime is the real time for an Injector's timers, moving only when
// told to.
type fakeTime struct {
	mu      sync.Mutex
	elapsed time.Duration
	timers  []fakeTimer
}

type fakeTimer struct {
	at time.Duration
	f  func()
}

func (t *fakeTime) AfterFunc(d time.Duration, f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.timers = append(t.timers, fakeTimer{t.elapsed + d, f})
}

// Advance moves the time on by d and runs the timers that fall due.
func (t *fakeTime) Advance(d time.Duration) {
	t.mu.Lock()
	t.elapsed += d
	var due []func()
	var left []fakeTimer
	for _, tm := range t.timers {
		if tm.at <= t.elapsed {
			due = append(due, tm.f)
		} else {
			left = append(left, tm)
		}
	}
	t.timers = left
	t.mu.Unlock()
	for _, f := range due {
		f()
	}
}

// fakeRand returns the numbers it holds in turn, then 0.999.
type fakeRand struct {
	mu    sync.Mutex
	draws []float64
	n     int // draws made
}

func (r *fakeRand) Float64() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if len(r.draws) == 0 {
		return 0.999
	}
	x := r.draws[0]
	r.draws = r.draws[1:]
	return x
}

// MustNew returns an Injector over store on a fake real time and a fake
// random source.
func MustNew(tb testing.TB, store snowball.Store) (*Injector, *fakeTime, *fakeRand) {
	tb.Helper()
	tm, r := &fakeTime{}, &fakeRand{}
	in := New(store, snowball.NewFakeClock(time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)))
	in.AfterFunc, in.Rand = tm.AfterFunc, r.Float64
	return in, tm, r
}

func mustAdd(tb testing.TB, in *Injector, s Spec) *snowball.Fault {
	tb.Helper()
	f, err := in.Add(tb.Context(), s)
	if err != nil {
		tb.Fatalf("Add(%+v): %v", s, err)
	}
	return f
}

// check returns the ID of the fault that hits a call, "" for none.
func check(tb testing.TB, in *Injector, op, account string) string {
	tb.Helper()
	f, err := in.Check(tb.Context(), op, account)
	if err != nil {
		tb.Fatalf("Check(%s, %s): %v", op, account, err)
	}
	if f == nil {
		return ""
	}
	return f.ID
}

func TestSpecFault(t *testing.T) {
	tests := []struct {
		name    string
		spec    Spec
		want    *snowball.Fault
		wantErr string // a part of the message; "" for success
	}{
		{"OKDefaults", Spec{Operation: "CreateJob", Error: "KMSRequestFailedException"},
			&snowball.Fault{Operation: "CreateJob", Code: "KMSRequestFailedException", Message: DefaultMessages["KMSRequestFailedException"], Probability: 1}, ""},
		{"OKEverything", Spec{Operation: "DescribeJob", Error: "InvalidResourceException", Message: "gone", Count: ptr(2), Probability: ptr(0.5), Delay: "1.5s", AccountID: alice},
			&snowball.Fault{Operation: "DescribeJob", Code: "InvalidResourceException", Message: "gone", Count: 2, Probability: 0.5, Delay: 1500 * time.Millisecond, AccountID: alice}, ""},
		{"OKDelayOnly", Spec{Operation: "ListJobs", Delay: "200ms"},
			&snowball.Fault{Operation: "ListJobs", Delay: 200 * time.Millisecond, Probability: 1}, ""},
		{"OKDays", Spec{Operation: "ListJobs", Delay: "1d"},
			&snowball.Fault{Operation: "ListJobs", Delay: 24 * time.Hour, Probability: 1}, ""},
		{"OKThrottling", Spec{Operation: "GetSnowballUsage", Error: "ThrottlingException"},
			&snowball.Fault{Operation: "GetSnowballUsage", Code: "ThrottlingException", Message: "Rate exceeded", Probability: 1}, ""},
		{"OKInternalFailure", Spec{Operation: "ListJobs", Error: "InternalFailure"},
			&snowball.Fault{Operation: "ListJobs", Code: "InternalFailure", Message: "We encountered an internal error. Please try again.", Probability: 1}, ""},
		{"OKServiceUnavailable", Spec{Operation: "ListJobs", Error: "ServiceUnavailableException"},
			&snowball.Fault{Operation: "ListJobs", Code: "ServiceUnavailableException", Message: DefaultMessages["ServiceUnavailableException"], Probability: 1}, ""},
		{"OKProbabilityOne", Spec{Operation: "ListJobs", Error: "InternalFailure", Probability: ptr(1.0)},
			&snowball.Fault{Operation: "ListJobs", Code: "InternalFailure", Message: DefaultMessages["InternalFailure"], Probability: 1}, ""},

		{"ErrOperationMissing", Spec{Error: "InternalFailure"}, nil, "operation is required: one of CancelCluster, "},
		{"ErrOperationUnknown", Spec{Operation: "DeleteJob", Error: "InternalFailure"}, nil, `operation "DeleteJob" is not a Snowball operation; the operations are CancelCluster,`},
		{"ErrOperationCase", Spec{Operation: "createjob", Error: "InternalFailure"}, nil, `operation "createjob" is not`},
		{"ErrErrorNotModeled", Spec{Operation: "CreateAddress", Error: "KMSRequestFailedException"}, nil,
			`error "KMSRequestFailedException" is not one CreateAddress can raise; it can raise InvalidAddressException, UnsupportedAddressException, ThrottlingException, InternalFailure, ServiceUnavailableException`},
		{"ErrErrorNoModeledErrors", Spec{Operation: "GetSnowballUsage", Error: "InvalidResourceException"}, nil,
			"it can raise ThrottlingException, InternalFailure, ServiceUnavailableException"},
		{"ErrErrorUnknown", Spec{Operation: "CreateJob", Error: "Boom"}, nil, `error "Boom" is not one CreateJob can raise`},
		{"ErrErrorValidation", Spec{Operation: "CreateJob", Error: "ValidationException"}, nil, `error "ValidationException" is not one`},
		{"ErrMessageWithoutError", Spec{Operation: "CreateJob", Message: "hi", Delay: "1s"}, nil, "message is the error's message"},
		{"ErrMessageTooLong", Spec{Operation: "CreateJob", Error: "InternalFailure", Message: strings.Repeat("é", MaxMessage+1)}, nil, "message has 1025 characters; at most 1024"},
		{"ErrCountZero", Spec{Operation: "CreateJob", Error: "InternalFailure", Count: ptr(0)}, nil, "count is 0; it must be at least 1"},
		{"ErrCountNegative", Spec{Operation: "CreateJob", Error: "InternalFailure", Count: ptr(-3)}, nil, "count is -3"},
		{"ErrProbabilityZero", Spec{Operation: "CreateJob", Error: "InternalFailure", Probability: ptr(0.0)}, nil, "probability is 0; it must be more than 0 and at most 1"},
		{"ErrProbabilityAboveOne", Spec{Operation: "CreateJob", Error: "InternalFailure", Probability: ptr(1.5)}, nil, "probability is 1.5"},
		{"ErrProbabilityNegative", Spec{Operation: "CreateJob", Error: "InternalFailure", Probability: ptr(-0.1)}, nil, "probability is -0.1"},
		{"ErrDelayNotDuration", Spec{Operation: "CreateJob", Delay: "soon"}, nil, `delay "soon" is not a duration`},
		{"ErrDelayNoUnit", Spec{Operation: "CreateJob", Delay: "2"}, nil, `delay "2" is not a duration`},
		{"ErrDelayNegative", Spec{Operation: "CreateJob", Delay: "-1s"}, nil, `delay "-1s" is not a duration of 0 or more`},
		{"ErrAccountShort", Spec{Operation: "CreateJob", Error: "InternalFailure", AccountID: "12345"}, nil, `accountId "12345" is not an account ID of 12 digits`},
		{"ErrAccountLetters", Spec{Operation: "CreateJob", Error: "InternalFailure", AccountID: "11112222333a"}, nil, `accountId "11112222333a"`},
		{"ErrNothingToDo", Spec{Operation: "CreateJob"}, nil, "a fault needs an error, a delay, or both"},
		{"ErrZeroDelayOnly", Spec{Operation: "CreateJob", Delay: "0s"}, nil, "a fault needs an error, a delay, or both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.spec.Fault()
			if tt.wantErr != "" {
				if snowball.ErrorCode(err) != snowball.Validation || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want a ValidationException containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fault (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEveryErrorHasAMessage: every error a fault can send has a default
// message.
func TestEveryErrorHasAMessage(t *testing.T) {
	for _, op := range model.Operations {
		for _, code := range append(op.Errors, Generic...) {
			if DefaultMessages[code] == "" {
				t.Errorf("%s can raise %s, which has no default message", op.Name, code)
			}
		}
	}
}

func TestAddListDelete(t *testing.T) {
	in, _, _ := MustNew(t, MustOpenStore(t))
	ctx := t.Context()
	a := mustAdd(t, in, Spec{Operation: "CreateJob", Error: "KMSRequestFailedException", Count: ptr(1)})
	b := mustAdd(t, in, Spec{Operation: "ListJobs", Delay: "1s"})
	c := mustAdd(t, in, Spec{Operation: "ListJobs", Error: "ThrottlingException"})
	for _, f := range []*snowball.Fault{a, b, c} {
		if !strings.HasPrefix(f.ID, "fault-") || len(f.ID) != len("fault-")+16 {
			t.Errorf("ID %q, want fault- and 16 hex digits", f.ID)
		}
		if !f.CreatedAt.Equal(time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)) {
			t.Errorf("CreatedAt = %v, want the clock's time", f.CreatedAt)
		}
	}
	list := func() []*snowball.Fault {
		t.Helper()
		fs, err := in.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	if diff := cmp.Diff([]*snowball.Fault{a, b, c}, list(), cmpopts.EquateApproxTime(time.Microsecond)); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if _, err := in.Add(ctx, Spec{Operation: "Nope"}); snowball.ErrorCode(err) != snowball.Validation {
		t.Errorf("Add of a bad spec: %v, want ValidationException", err)
	}
	if err := in.Delete(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := in.Delete(ctx, b.ID); !snowball.IsNotFound(err) {
		t.Errorf("Delete of a deleted fault: %v, want NotFound", err)
	}
	if got := len(list()); got != 2 {
		t.Errorf("after Delete, %d faults, want 2", got)
	}
	if err := in.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 0 {
		t.Errorf("after Clear, %d faults", len(got))
	}
}

func TestCheckMatching(t *testing.T) {
	in, _, _ := MustNew(t, MustOpenStore(t))
	if got := check(t, in, "CreateJob", alice); got != "" {
		t.Errorf("no faults: hit by %s", got)
	}
	forAlice := mustAdd(t, in, Spec{Operation: "CreateJob", Error: "KMSRequestFailedException", AccountID: alice})
	everyone := mustAdd(t, in, Spec{Operation: "CreateJob", Error: "InternalFailure"})
	mustAdd(t, in, Spec{Operation: "DescribeJob", Error: "InvalidResourceException", AccountID: bob})

	for _, tc := range []struct {
		name, op, account, want string
	}{
		{"AccountFirstInOrder", "CreateJob", alice, forAlice.ID},
		{"OtherAccountFallsThrough", "CreateJob", bob, everyone.ID},
		{"OtherOperation", "CancelJob", alice, ""},
		{"OtherAccountOnly", "DescribeJob", alice, ""},
		{"AccountOnly", "DescribeJob", bob, mustFaultID(t, in, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := check(t, in, tc.op, tc.account); got != tc.want {
				t.Errorf("Check(%s, %s) = %q, want %q", tc.op, tc.account, got, tc.want)
			}
		})
	}
	f, err := in.Check(t.Context(), "CreateJob", alice)
	if err != nil || f.Code != "KMSRequestFailedException" || f.Message != DefaultMessages[f.Code] {
		t.Errorf("Check = %+v, %v; want the KMS fault with its default message", f, err)
	}
}

// mustFaultID returns the ID of the i-th fault.
func mustFaultID(tb testing.TB, in *Injector, i int) string {
	tb.Helper()
	fs, err := in.List(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	return fs[i].ID
}

func TestCheckCount(t *testing.T) {
	in, _, _ := MustNew(t, MustOpenStore(t))
	limited := mustAdd(t, in, Spec{Operation: "ListJobs", Error: "ThrottlingException", Count: ptr(2)})
	var got []string
	for range 4 {
		got = append(got, check(t, in, "ListJobs", alice))
	}
	if diff := cmp.Diff([]string{limited.ID, limited.ID, "", ""}, got); diff != "" {
		t.Errorf("hits of a fault with count 2 (-want +got):\n%s", diff)
	}
	// A spent fault stays listed, with its hits, and lets the next match.
	after := mustAdd(t, in, Spec{Operation: "ListJobs", Error: "InternalFailure"})
	if got := check(t, in, "ListJobs", alice); got != after.ID {
		t.Errorf("after the first is spent: hit by %q, want %q", got, after.ID)
	}
	fs, _ := in.List(t.Context())
	if fs[0].Hits != 2 || !fs[0].Spent() || fs[1].Hits != 1 {
		t.Errorf("hits = %d (spent %v), %d; want 2 (spent), 1", fs[0].Hits, fs[0].Spent(), fs[1].Hits)
	}
}

func TestCheckProbability(t *testing.T) {
	in, _, r := MustNew(t, MustOpenStore(t))
	f := mustAdd(t, in, Spec{Operation: "ListJobs", Error: "ThrottlingException", Probability: ptr(0.25), Count: ptr(2)})
	r.draws = []float64{0.9, 0.25, 0.1, 0.5, 0.0, 0.0}
	var got []string
	for range 6 {
		got = append(got, check(t, in, "ListJobs", alice))
	}
	// 0.9 and 0.25 miss (a hit needs a draw below 0.25), 0.1 hits, 0.5
	// misses, 0.0 hits and spends the count; a spent fault draws no more.
	if diff := cmp.Diff([]string{"", "", f.ID, "", f.ID, ""}, got); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
	if r.n != 5 {
		t.Errorf("%d draws, want 5", r.n)
	}
	if fs, _ := in.List(t.Context()); fs[0].Hits != 2 {
		t.Errorf("Hits = %d, want 2: a miss uses up no count", fs[0].Hits)
	}

	// A fault with probability 1 never draws.
	r.n = 0
	mustAdd(t, in, Spec{Operation: "CancelJob", Error: "InternalFailure"})
	check(t, in, "CancelJob", alice)
	if r.n != 0 {
		t.Errorf("probability 1: %d draws", r.n)
	}
}

// TestCache checks what the cache promises: a change through the Injector
// is seen at once, and one through another (another replica) within TTL.
func TestCache(t *testing.T) {
	store := MustOpenStore(t)
	a, tm, _ := MustNew(t, store)
	b, _, _ := MustNew(t, store)
	b.AfterFunc = tm.AfterFunc

	if got := check(t, b, "ListJobs", alice); got != "" {
		t.Fatalf("no faults: hit by %s", got)
	}
	f := mustAdd(t, a, Spec{Operation: "ListJobs", Error: "ThrottlingException", Count: ptr(3)})
	if got := check(t, a, "ListJobs", alice); got != f.ID {
		t.Errorf("the Injector that added it: hit by %q, want %q at once", got, f.ID)
	}
	tm.Advance(DefaultTTL - time.Millisecond)
	if got := check(t, b, "ListJobs", alice); got != "" {
		t.Errorf("another Injector within its TTL: hit by %q, want none yet", got)
	}
	tm.Advance(time.Millisecond)
	if got := check(t, b, "ListJobs", alice); got != f.ID {
		t.Errorf("another Injector after its TTL: hit by %q, want %q", got, f.ID)
	}
	// The count is shared: one hit is left.
	if got := check(t, a, "ListJobs", alice); got != f.ID {
		t.Errorf("third hit: %q, want %q", got, f.ID)
	}
	if got := check(t, b, "ListJobs", alice); got != "" {
		t.Errorf("fourth hit of a fault of count 3: %q", got)
	}

	// A fault deleted through one Injector hits nothing more through the
	// other, even within its TTL: every hit asks the store.
	g := mustAdd(t, b, Spec{Operation: "CancelJob", Error: "InternalFailure"})
	tm.Advance(DefaultTTL)
	if got := check(t, a, "CancelJob", alice); got != g.ID {
		t.Fatalf("hit by %q, want %q", got, g.ID)
	}
	if err := b.Delete(t.Context(), g.ID); err != nil {
		t.Fatal(err)
	}
	if got := check(t, a, "CancelJob", alice); got != "" {
		t.Errorf("after another Injector deleted it: hit by %q", got)
	}
	if err := b.Clear(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := check(t, b, "ListJobs", alice); got != "" {
		t.Errorf("after Clear: hit by %q", got)
	}
}

// TestCheckStoreError: a store that cannot be read fails the call rather
// than letting it run without its faults.
func TestCheckStoreError(t *testing.T) {
	store := MustOpenStore(t)
	in, _, _ := MustNew(t, store)
	store.Close()
	if f, err := in.Check(t.Context(), "ListJobs", alice); err == nil || f != nil {
		t.Errorf("Check on a closed store = %v, %v; want an error", f, err)
	}
}

func TestCheckCanceledContext(t *testing.T) {
	in, tm, _ := MustNew(t, MustOpenStore(t))
	mustAdd(t, in, Spec{Operation: "ListJobs", Error: "InternalFailure"})
	tm.Advance(time.Hour)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if f, err := in.Check(ctx, "ListJobs", alice); err == nil || f != nil {
		t.Errorf("Check with a canceled context = %v, %v; want an error", f, err)
	}
	if fs, _ := in.List(t.Context()); fs[0].Hits != 0 {
		t.Errorf("Hits = %d after a canceled Check", fs[0].Hits)
	}
}

// BenchmarkCheckNoFaults is the cost every API call pays when there are no
// faults: the common case.
func BenchmarkCheckNoFaults(b *testing.B) {
	in := New(MustOpenStore(b), snowball.SystemClock{})
	ctx := b.Context()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if f, err := in.Check(ctx, "DescribeJob", alice); f != nil || err != nil {
				b.Fatal(f, err)
			}
		}
	})
}

// BenchmarkCheckOtherOperation is the cost when there are faults, but for
// other operations or accounts.
func BenchmarkCheckOtherOperation(b *testing.B) {
	in := New(MustOpenStore(b), snowball.SystemClock{})
	for _, op := range []string{"CreateJob", "ListJobs", "CancelJob"} {
		mustAdd(b, in, Spec{Operation: op, Error: "InternalFailure"})
	}
	mustAdd(b, in, Spec{Operation: "DescribeJob", Error: "InternalFailure", AccountID: bob})
	ctx := b.Context()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if f, err := in.Check(ctx, "DescribeJob", alice); f != nil || err != nil {
				b.Fatal(f, err)
			}
		}
	})
}
