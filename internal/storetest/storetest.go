// Package storetest is the conformance suite of snowball.Store. Every
// backend runs it, so that the service above, which keeps all the rules,
// sees one behaviour whichever store it is given.
//
// Times: a store must give back a time.Time as the same instant to the
// microsecond (what a Postgres timestamptz keeps); its location and
// monotonic reading may be lost. A model.Timestamp is compared the same way,
// but the records here hold whole milliseconds in them, the precision of a
// Timestamp's JSON form, so a store may keep it as that.
//
// Records: a store must copy what it is given and what it returns. Changing
// a record after Insert or Put, or one returned by a lookup, must not change
// what is stored.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// Owners. C shares A's account and D shares A's partition: neither may see
// A's records.
var (
	ownerA = snowball.Owner{Account: "111111111111", Partition: "us"}
	ownerB = snowball.Owner{Account: "222222222222", Partition: "us"}
	ownerC = snowball.Owner{Account: "111111111111", Partition: "eu-west-1"}
	ownerD = snowball.Owner{Account: "333333333333", Partition: "us"}
)

// all is a page large enough for every list in the suite.
var all = snowball.Page{Limit: 10000}

// equate compares records: see the package comment about times.
var equate = cmpopts.EquateApproxTime(time.Microsecond)

// A test runs against a fresh, empty store.
type test struct {
	name string
	fn   func(t *testing.T, s snowball.Store)
}

// Run runs the suite. open returns a fresh, empty store for one subtest and
// registers its cleanup with t. The subtests run in parallel, each on its
// own store.
func Run(t *testing.T, open func(t *testing.T) snowball.Store) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Addresses", addressKind.tests()},
		{"Jobs", append(jobKind.tests(), jobTests...)},
		{"Clusters", clusterKind.tests()},
		{"LongTermPricing", longTermPricingKind.tests()},
		{"Events", eventTests},
		{"Messages", messageTests},
		{"Find", findTests},
		{"Due", dueTests},
		{"MessageClaims", messageClaimTests},
		{"SealedManifests", manifestTests},
		{"Faults", faultTests},
		{"States", stateTests},
		{"Settings", settingTests},
		{"Reset", resetTests},
		{"Catalogues", catalogueTests},
		{"Store", storeTests},
		{"Tx", txTests},
		{"Concurrency", concurrencyTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, open(t))
				})
			}
		})
	}
}

// update runs fn in an Update and fails the test if it returns an error.
func update(t *testing.T, s snowball.Store, fn func(ctx context.Context, tx snowball.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.Update(ctx, func(tx snowball.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View and fails the test if it returns an error.
func view(t *testing.T, s snowball.Store, fn func(ctx context.Context, tx snowball.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.View(ctx, func(tx snowball.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// kind is what the suite needs to know of one record type to run the tests
// every type shares.
type kind[R any] struct {
	new    func(id string, o snowball.Owner) *R
	change func(*R)
	seq    func(*R) *int64
	id     func(*R) string
	insert func(snowball.Tx, context.Context, *R) error
	put    func(snowball.Tx, context.Context, *R) error // nil when there is no Put
	get    func(snowball.Tx, context.Context, string) (*R, error)
	list   func(tx snowball.Tx, ctx context.Context, o snowball.Owner, p snowball.Page) ([]*R, error)
}

var addressKind = kind[snowball.Address]{
	new:    NewAddress,
	change: changeAddress,
	seq:    func(a *snowball.Address) *int64 { return &a.Seq },
	id:     func(a *snowball.Address) string { return a.ID },
	insert: snowball.Tx.InsertAddress,
	get:    snowball.Tx.Address,
	list:   snowball.Tx.Addresses,
}

var jobKind = kind[snowball.Job]{
	new:    NewJob,
	change: changeJob,
	seq:    func(j *snowball.Job) *int64 { return &j.Seq },
	id:     func(j *snowball.Job) string { return j.ID },
	insert: snowball.Tx.InsertJob,
	put:    snowball.Tx.PutJob,
	get:    snowball.Tx.Job,
	list: func(tx snowball.Tx, ctx context.Context, o snowball.Owner, p snowball.Page) ([]*snowball.Job, error) {
		return tx.Jobs(ctx, snowball.JobFilter{Owner: &o}, p)
	},
}

var clusterKind = kind[snowball.Cluster]{
	new:    NewCluster,
	change: changeCluster,
	seq:    func(c *snowball.Cluster) *int64 { return &c.Seq },
	id:     func(c *snowball.Cluster) string { return c.ID },
	insert: snowball.Tx.InsertCluster,
	put:    snowball.Tx.PutCluster,
	get:    snowball.Tx.Cluster,
	list:   snowball.Tx.Clusters,
}

var longTermPricingKind = kind[snowball.LongTermPricing]{
	new:    NewLongTermPricing,
	change: changeLongTermPricing,
	seq:    func(l *snowball.LongTermPricing) *int64 { return &l.Seq },
	id:     func(l *snowball.LongTermPricing) string { return l.ID },
	insert: snowball.Tx.InsertLongTermPricing,
	put:    snowball.Tx.PutLongTermPricing,
	get:    snowball.Tx.LongTermPricing,
	list:   snowball.Tx.LongTermPricings,
}

// insertAll inserts rs in one Update.
func (k kind[R]) insertAll(t *testing.T, s snowball.Store, rs ...*R) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, r := range rs {
			if err := k.insert(tx, ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func (k kind[R]) mustGet(t *testing.T, s snowball.Store, id string) *R {
	t.Helper()
	var r *R
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		r, err = k.get(tx, ctx, id)
		return err
	})
	return r
}

func (k kind[R]) mustList(t *testing.T, s snowball.Store, o snowball.Owner, p snowball.Page) []*R {
	t.Helper()
	var rs []*R
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		rs, err = k.list(tx, ctx, o, p)
		return err
	})
	return rs
}

func (k kind[R]) ids(rs []*R) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = k.id(r)
	}
	return ids
}

// tests returns the tests every kind shares.
func (k kind[R]) tests() []test {
	ts := []test{
		{"InsertAssignsSeq", k.testInsertAssignsSeq},
		{"RoundTrip", k.testRoundTrip},
		{"Copies", k.testCopies},
		{"DuplicateID", k.testDuplicateID},
		{"NotFound", k.testNotFound},
		{"ListByOwner", k.testListByOwner},
		{"Paging", k.testPaging},
	}
	if k.put != nil {
		ts = append(ts, test{"Put", k.testPut}, test{"PutNotFound", k.testPutNotFound})
	}
	return ts
}

func (k kind[R]) testInsertAssignsSeq(t *testing.T, s snowball.Store) {
	a, b, c := k.new("a", ownerA), k.new("b", ownerB), k.new("c", ownerA)
	k.insertAll(t, s, a, b)
	k.insertAll(t, s, c)
	sa, sb, sc := *k.seq(a), *k.seq(b), *k.seq(c)
	if !(0 < sa && sa < sb && sb < sc) {
		t.Errorf("Seqs = %d, %d, %d; want positive and increasing", sa, sb, sc)
	}
}

func (k kind[R]) testRoundTrip(t *testing.T, s snowball.Store) {
	want := k.new("x", ownerA)
	k.insertAll(t, s, want)

	got := k.mustGet(t, s, "x")
	if diff := cmp.Diff(want, got, equate); diff != "" {
		t.Errorf("get after insert (-want +got):\n%s", diff)
	}
	list := k.mustList(t, s, ownerA, all)
	if diff := cmp.Diff([]*R{want}, list, equate); diff != "" {
		t.Errorf("list after insert (-want +got):\n%s", diff)
	}
}

func (k kind[R]) testCopies(t *testing.T, s snowball.Store) {
	inserted := k.new("x", ownerA)
	k.insertAll(t, s, inserted)
	want := k.new("x", ownerA)
	*k.seq(want) = *k.seq(inserted)

	k.change(inserted)
	if diff := cmp.Diff(want, k.mustGet(t, s, "x"), equate); diff != "" {
		t.Errorf("changing the inserted record changed the stored one (-want +got):\n%s", diff)
	}
	k.change(k.mustGet(t, s, "x"))
	k.change(k.mustList(t, s, ownerA, all)[0])
	if diff := cmp.Diff(want, k.mustGet(t, s, "x"), equate); diff != "" {
		t.Errorf("changing a returned record changed the stored one (-want +got):\n%s", diff)
	}
	if k.put == nil {
		return
	}
	put := k.mustGet(t, s, "x")
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return k.put(tx, ctx, put) })
	k.change(put)
	if diff := cmp.Diff(want, k.mustGet(t, s, "x"), equate); diff != "" {
		t.Errorf("changing the put record changed the stored one (-want +got):\n%s", diff)
	}
}

func (k kind[R]) testDuplicateID(t *testing.T, s snowball.Store) {
	want := k.new("x", ownerA)
	k.insertAll(t, s, want)

	err := s.Update(t.Context(), func(tx snowball.Tx) error {
		return k.insert(tx, t.Context(), k.new("x", ownerB))
	})
	if err == nil || snowball.IsNotFound(err) {
		t.Fatalf("inserting an existing ID: error = %v, want an error other than NotFound", err)
	}
	if diff := cmp.Diff(want, k.mustGet(t, s, "x"), equate); diff != "" {
		t.Errorf("the failed insert changed the stored record (-want +got):\n%s", diff)
	}
}

func (k kind[R]) testNotFound(t *testing.T, s snowball.Store) {
	check := func() {
		t.Helper()
		err := s.View(t.Context(), func(tx snowball.Tx) error {
			r, err := k.get(tx, t.Context(), "missing")
			if r != nil {
				t.Errorf("get of a missing ID returned %+v", r)
			}
			return err
		})
		if !snowball.IsNotFound(err) {
			t.Errorf("get of a missing ID: error = %v, want NotFound", err)
		}
	}
	check()
	k.insertAll(t, s, k.new("present", ownerA))
	check()
}

func (k kind[R]) testPut(t *testing.T, s snowball.Store) {
	a, b := k.new("a", ownerA), k.new("b", ownerA)
	k.insertAll(t, s, a, b)

	want := k.mustGet(t, s, "a")
	k.change(want)
	update(t, s, func(ctx context.Context, tx snowball.Tx) error { return k.put(tx, ctx, want) })
	if *k.seq(want) != *k.seq(a) {
		t.Errorf("Seq after Put = %d, want %d", *k.seq(want), *k.seq(a))
	}
	if diff := cmp.Diff(want, k.mustGet(t, s, "a"), equate); diff != "" {
		t.Errorf("get after Put (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]*R{want, b}, k.mustList(t, s, ownerA, all), equate); diff != "" {
		t.Errorf("list after Put (-want +got):\n%s", diff)
	}
}

func (k kind[R]) testPutNotFound(t *testing.T, s snowball.Store) {
	k.insertAll(t, s, k.new("present", ownerA))
	err := s.Update(t.Context(), func(tx snowball.Tx) error {
		return k.put(tx, t.Context(), k.new("missing", ownerA))
	})
	if !snowball.IsNotFound(err) {
		t.Errorf("Put of a missing ID: error = %v, want NotFound", err)
	}
	if got := k.ids(k.mustList(t, s, ownerA, all)); !cmp.Equal(got, []string{"present"}) {
		t.Errorf("after a failed Put, IDs = %q, want [present]", got)
	}
}

func (k kind[R]) testListByOwner(t *testing.T, s snowball.Store) {
	k.insertAll(t, s,
		k.new("a1", ownerA), k.new("b1", ownerB), k.new("a2", ownerA),
		k.new("c1", ownerC), k.new("a3", ownerA), k.new("d1", ownerD), k.new("b2", ownerB))
	for _, tc := range []struct {
		owner snowball.Owner
		want  []string
	}{
		{ownerA, []string{"a1", "a2", "a3"}},
		{ownerB, []string{"b1", "b2"}},
		{ownerC, []string{"c1"}},
		{ownerD, []string{"d1"}},
		{snowball.Owner{Account: "999999999999", Partition: "us"}, []string{}},
	} {
		got := k.mustList(t, s, tc.owner, all)
		if diff := cmp.Diff(tc.want, k.ids(got)); diff != "" {
			t.Errorf("list of %v (-want +got):\n%s", tc.owner, diff)
		}
		for i := 1; i < len(got); i++ {
			if *k.seq(got[i-1]) >= *k.seq(got[i]) {
				t.Errorf("list of %v: Seq %d before %d", tc.owner, *k.seq(got[i-1]), *k.seq(got[i]))
			}
		}
	}
}

func (k kind[R]) testPaging(t *testing.T, s snowball.Store) {
	// A's records are interleaved with B's, so their Seqs have gaps.
	var want []string
	for i := range 8 {
		id := fmt.Sprintf("a%d", i)
		k.insertAll(t, s, k.new(id, ownerA), k.new(fmt.Sprintf("b%d", i), ownerB))
		want = append(want, id)
	}
	for _, limit := range []int{1, 3, 8, 9} {
		var got []string
		var sizes []int
		after := int64(0)
		for range 20 {
			page := k.mustList(t, s, ownerA, snowball.Page{After: after, Limit: limit})
			if len(page) > limit {
				t.Fatalf("Limit %d: page of %d", limit, len(page))
			}
			sizes = append(sizes, len(page))
			if len(page) == 0 {
				break
			}
			got = append(got, k.ids(page)...)
			after = *k.seq(page[len(page)-1])
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Limit %d: pages of %v, IDs (-want +got):\n%s", limit, sizes, diff)
		}
	}

	// After need not be the Seq of a record of the owner.
	b3 := k.mustList(t, s, ownerB, all)[3]
	got := k.ids(k.mustList(t, s, ownerA, snowball.Page{After: *k.seq(b3), Limit: 2}))
	if diff := cmp.Diff([]string{"a4", "a5"}, got); diff != "" {
		t.Errorf("page after b3 (-want +got):\n%s", diff)
	}
}

// jobTests are the tests of the job filters and entries.
var jobTests = []test{
	{"Entries", testJobEntries},
	{"Filter", testJobFilter},
	{"FilterPaging", testJobFilterPaging},
	{"PutMovesBetweenFilters", testJobPutMovesBetweenFilters},
}

// newFilterJob returns a job with the fields the filters look at set.
func newFilterJob(id string, o snowball.Owner, state model.JobState, clusterID, masterID string) *snowball.Job {
	j := NewJob(id, o)
	j.State, j.ClusterID, j.MasterID = state, clusterID, masterID
	return j
}

func jobIDs(js []*snowball.Job) []string { return jobKind.ids(js) }

func testJobFilter(t *testing.T, s snowball.Store) {
	jobKind.insertAll(t, s,
		newFilterJob("node1", ownerA, model.JobStateWithCustomer, "c1", ""),
		newFilterJob("node2", ownerA, model.JobStateComplete, "c1", ""),
		newFilterJob("part1", ownerA, model.JobStateInProgress, "", "m1"),
		newFilterJob("part2", ownerA, model.JobStateCancelled, "", "m1"),
		newFilterJob("m1", ownerA, model.JobStateNew, "", ""),
		newFilterJob("other", ownerB, model.JobStatePending, "c1", "m1"),
		newFilterJob("node3", ownerA, model.JobStateCancelled, "c2", ""),
		newFilterJob("part3", ownerA, model.JobStateListing, "", "m2"),
	)
	a, b := ownerA, ownerB
	for _, tc := range []struct {
		name string
		f    snowball.JobFilter
		want []string
	}{
		{"None", snowball.JobFilter{}, []string{"node1", "node2", "part1", "part2", "m1", "other", "node3", "part3"}},
		{"Owner", snowball.JobFilter{Owner: &a}, []string{"node1", "node2", "part1", "part2", "m1", "node3", "part3"}},
		{"OtherOwner", snowball.JobFilter{Owner: &b}, []string{"other"}},
		{"Cluster", snowball.JobFilter{ClusterID: "c1"}, []string{"node1", "node2", "other"}},
		{"Master", snowball.JobFilter{MasterID: "m1"}, []string{"part1", "part2", "other"}},
		{"NotFinal", snowball.JobFilter{NotFinal: true}, []string{"node1", "part1", "m1", "other", "part3"}},
		{"OwnerCluster", snowball.JobFilter{Owner: &a, ClusterID: "c1"}, []string{"node1", "node2"}},
		{"OwnerMaster", snowball.JobFilter{Owner: &a, MasterID: "m1"}, []string{"part1", "part2"}},
		{"OwnerNotFinal", snowball.JobFilter{Owner: &a, NotFinal: true}, []string{"node1", "part1", "m1", "part3"}},
		{"ClusterNotFinal", snowball.JobFilter{ClusterID: "c1", NotFinal: true}, []string{"node1", "other"}},
		{"MasterNotFinal", snowball.JobFilter{MasterID: "m1", NotFinal: true}, []string{"part1", "other"}},
		{"ClusterMaster", snowball.JobFilter{ClusterID: "c1", MasterID: "m1"}, []string{"other"}},
		{"All", snowball.JobFilter{Owner: &b, ClusterID: "c1", MasterID: "m1", NotFinal: true}, []string{"other"}},
		{"NoMatch", snowball.JobFilter{Owner: &a, ClusterID: "c2", NotFinal: true}, []string{}},
		{"UnknownCluster", snowball.JobFilter{ClusterID: "nope"}, []string{}},
	} {
		got := mustJobs(t, s, tc.f, all)
		if diff := cmp.Diff(tc.want, jobIDs(got)); diff != "" {
			t.Errorf("%s: Jobs(%+v) (-want +got):\n%s", tc.name, tc.f, diff)
		}
	}
}

func testJobFilterPaging(t *testing.T, s snowball.Store) {
	var want []string
	for i := range 6 {
		live := fmt.Sprintf("live%d", i)
		jobKind.insertAll(t, s,
			newFilterJob(live, ownerA, model.JobStateNew, "c1", ""),
			newFilterJob(fmt.Sprintf("done%d", i), ownerA, model.JobStateComplete, "c1", ""))
		want = append(want, live)
	}
	f := snowball.JobFilter{Owner: &ownerA, ClusterID: "c1", NotFinal: true}
	var got []string
	after := int64(0)
	for range 10 {
		page := mustJobs(t, s, f, snowball.Page{After: after, Limit: 4})
		if len(page) == 0 {
			break
		}
		got = append(got, jobIDs(page)...)
		after = page[len(page)-1].Seq
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged NotFinal jobs of c1 (-want +got):\n%s", diff)
	}
}

func testJobPutMovesBetweenFilters(t *testing.T, s snowball.Store) {
	j := newFilterJob("j", ownerA, model.JobStateNew, "c1", "m1")
	jobKind.insertAll(t, s, j)
	// Read, then put with other parents, in one transaction: a store that
	// spares the indexes of columns a put leaves as read must see these
	// changed.
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		j, err := tx.Job(ctx, "j")
		if err != nil {
			return err
		}
		j.State, j.ClusterID, j.MasterID = model.JobStateComplete, "c2", "m2"
		return tx.PutJob(ctx, j)
	})

	for _, tc := range []struct {
		f    snowball.JobFilter
		want []string
	}{
		{snowball.JobFilter{NotFinal: true}, []string{}},
		{snowball.JobFilter{ClusterID: "c1"}, []string{}},
		{snowball.JobFilter{ClusterID: "c2"}, []string{"j"}},
		{snowball.JobFilter{MasterID: "m1"}, []string{}},
		{snowball.JobFilter{MasterID: "m2"}, []string{"j"}},
	} {
		got := mustJobs(t, s, tc.f, all)
		if diff := cmp.Diff(tc.want, jobIDs(got)); diff != "" {
			t.Errorf("Jobs(%+v) after Put (-want +got):\n%s", tc.f, diff)
		}
	}
}

// eventTests are the tests of the event log.
var eventTests = []test{
	{"AppendAssignsSeq", testEventAppendAssignsSeq},
	{"ByResource", testEventsByResource},
}

func appendEvents(t *testing.T, s snowball.Store, es ...*snowball.Event) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for _, e := range es {
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func mustEvents(t *testing.T, s snowball.Store, resourceID string) []*snowball.Event {
	t.Helper()
	var es []*snowball.Event
	view(t, s, func(ctx context.Context, tx snowball.Tx) (err error) {
		es, err = tx.Events(ctx, resourceID)
		return err
	})
	return es
}

func testEventAppendAssignsSeq(t *testing.T, s snowball.Store) {
	a := NewEvent("j1", model.JobStateNew, model.JobStatePreparingAppliance)
	b := NewEvent("j1", model.JobStatePreparingAppliance, model.JobStatePreparingShipment)
	c := NewEvent("j2", model.JobStateNew, model.JobStateCancelled)
	appendEvents(t, s, a, b)
	appendEvents(t, s, c)
	if !(0 < a.Seq && a.Seq < b.Seq && b.Seq < c.Seq) {
		t.Errorf("Seqs = %d, %d, %d; want positive and increasing", a.Seq, b.Seq, c.Seq)
	}
}

func testEventsByResource(t *testing.T, s snowball.Store) {
	e1 := NewEvent("j1", model.JobStateNew, model.JobStatePreparingAppliance)
	o1 := NewEvent("j2", model.JobStateNew, model.JobStateCancelled)
	e2 := NewEvent("j1", model.JobStatePreparingAppliance, model.JobStatePreparingShipment)
	e2.Cause = snowball.CauseOperator
	o2 := NewEvent("c1", model.ClusterStateAwaitingQuorum, model.ClusterStatePending)
	e3 := NewEvent("j1", model.JobStatePreparingShipment, model.JobStateCancelled)
	e3.Cause, e3.At = snowball.CauseCustomer, e3.At.Add(time.Nanosecond)
	appendEvents(t, s, e1, o1, e2)
	appendEvents(t, s, o2, e3)

	for _, tc := range []struct {
		resourceID string
		want       []*snowball.Event
	}{
		{"j1", []*snowball.Event{e1, e2, e3}},
		{"j2", []*snowball.Event{o1}},
		{"c1", []*snowball.Event{o2}},
		{"unknown", []*snowball.Event{}},
	} {
		got := mustEvents(t, s, tc.resourceID)
		if diff := cmp.Diff(tc.want, got, equate, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Events(%q) (-want +got):\n%s", tc.resourceID, diff)
		}
	}
}

// txTests are the tests of transactions.
var txTests = []test{
	{"ReadYourWrites", testReadYourWrites},
	{"RollbackOnError", testRollbackOnError},
	{"RollbackOnPanic", testRollbackOnPanic},
	{"ErrorPassesThrough", testErrorPassesThrough},
	{"ViewCannotWrite", testViewCannotWrite},
	{"CanceledContext", testCanceledContext},
	{"ViewsSurviveTheirFailures", testViewsSurviveTheirFailures},
}

func testReadYourWrites(t *testing.T, s snowball.Store) {
	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		j := NewJob("j", ownerA)
		if err := tx.InsertJob(ctx, j); err != nil {
			return err
		}
		got, err := tx.Job(ctx, "j")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(j, got, equate); diff != "" {
			t.Errorf("get in the inserting transaction (-want +got):\n%s", diff)
		}
		changeJob(got)
		if err := tx.PutJob(ctx, got); err != nil {
			return err
		}
		list, err := tx.Jobs(ctx, snowball.JobFilter{Owner: &ownerA}, all)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]*snowball.Job{got}, list, equate); diff != "" {
			t.Errorf("list in the putting transaction (-want +got):\n%s", diff)
		}
		return nil
	})
}

// writeEverything inserts a record of every kind, appends an event, stores
// a sealed manifest and changes the job "existing", as a transaction that
// must be undone. It tries every write even when one fails, so that in a
// View each is shown to fail.
func writeEverything(ctx context.Context, tx snowball.Tx) error {
	j, err := tx.Job(ctx, "existing")
	if err != nil {
		return err
	}
	changeJob(j)
	for _, err := range []error{
		tx.PutJob(ctx, j),
		tx.InsertAddress(ctx, NewAddress("new", ownerA)),
		tx.InsertJob(ctx, NewJob("new", ownerA)),
		tx.InsertCluster(ctx, NewCluster("new", ownerA)),
		tx.InsertLongTermPricing(ctx, NewLongTermPricing("new", ownerA)),
		tx.AppendEvent(ctx, NewEvent("existing", model.JobStateNew, model.JobStateCancelled)),
		tx.InsertSealedManifest(ctx, "existing", []byte("sealed")),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkUndone fails the test unless the store holds only the job
// "existing", as want.
func checkUndone(t *testing.T, s snowball.Store, want *snowball.Job) {
	t.Helper()
	if diff := cmp.Diff(want, jobKind.mustGet(t, s, "existing"), equate); diff != "" {
		t.Errorf("the Put was not undone (-want +got):\n%s", diff)
	}
	view(t, s, func(ctx context.Context, tx snowball.Tx) error {
		for kind, get := range map[string]func() error{
			"address":           func() error { _, err := tx.Address(ctx, "new"); return err },
			"job":               func() error { _, err := tx.Job(ctx, "new"); return err },
			"cluster":           func() error { _, err := tx.Cluster(ctx, "new"); return err },
			"long-term pricing": func() error { _, err := tx.LongTermPricing(ctx, "new"); return err },
			"sealed manifest":   func() error { _, err := tx.SealedManifest(ctx, "existing"); return err },
		} {
			if err := get(); !snowball.IsNotFound(err) {
				t.Errorf("the inserted %s was not undone: get error = %v, want NotFound", kind, err)
			}
		}
		es, err := tx.Events(ctx, "existing")
		if len(es) != 0 {
			t.Errorf("the appended event was not undone: Events = %+v", es)
		}
		return err
	})
}

func testRollbackOnError(t *testing.T, s snowball.Store) {
	want := NewJob("existing", ownerA)
	jobKind.insertAll(t, s, want)

	errBoom := errors.New("boom")
	err := s.Update(t.Context(), func(tx snowball.Tx) error {
		if err := writeEverything(t.Context(), tx); err != nil {
			t.Errorf("writeEverything: %v", err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Errorf("Update error = %v, want %v", err, errBoom)
	}
	checkUndone(t, s, want)
}

func testRollbackOnPanic(t *testing.T, s snowball.Store) {
	want := NewJob("existing", ownerA)
	jobKind.insertAll(t, s, want)

	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want the panic of fn", r)
			}
		}()
		s.Update(t.Context(), func(tx snowball.Tx) error {
			if err := writeEverything(t.Context(), tx); err != nil {
				t.Errorf("writeEverything: %v", err)
			}
			panic("boom")
		})
	}()
	checkUndone(t, s, want)
	// The store is still usable: the panic released what the transaction held.
	jobKind.insertAll(t, s, NewJob("after", ownerA))
}

func testErrorPassesThrough(t *testing.T, s snowball.Store) {
	err := s.Update(t.Context(), func(snowball.Tx) error {
		return snowball.Errorf(snowball.InvalidJobState, "job is Complete")
	})
	if got := snowball.ErrorCode(err); got != snowball.InvalidJobState {
		t.Errorf("Update: code of %v = %q, want %q", err, got, snowball.InvalidJobState)
	}
	err = s.View(t.Context(), func(snowball.Tx) error {
		return snowball.Errorf(snowball.InvalidResource, "no such job")
	})
	if got := snowball.ErrorCode(err); got != snowball.InvalidResource {
		t.Errorf("View: code of %v = %q, want %q", err, got, snowball.InvalidResource)
	}
}

func testViewCannotWrite(t *testing.T, s snowball.Store) {
	want := NewJob("existing", ownerA)
	jobKind.insertAll(t, s, want)

	err := s.View(t.Context(), func(tx snowball.Tx) error {
		return writeEverything(t.Context(), tx)
	})
	if err == nil {
		t.Errorf("writing in a View: no error")
	}
	checkUndone(t, s, want)
}

func testCanceledContext(t *testing.T, s snowball.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := s.Update(ctx, func(tx snowball.Tx) error {
		return tx.InsertJob(ctx, NewJob("j", ownerA))
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a canceled context: error = %v, want context.Canceled", err)
	}
	err = s.View(ctx, func(tx snowball.Tx) error {
		_, err := tx.Jobs(ctx, snowball.JobFilter{}, all)
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("View with a canceled context: error = %v, want context.Canceled", err)
	}
	if got := jobKind.mustList(t, s, ownerA, all); len(got) != 0 {
		t.Errorf("Update with a canceled context stored %q", jobIDs(got))
	}
}

// testViewsSurviveTheirFailures has Views fail in every way a View can,
// midway through its reads, more times than a store would keep connections
// for Views: one leaked, or left in its transaction, would make a later
// View wait forever or read an old snapshot. Then views runs at once, and
// each must see the latest write.
func testViewsSurviveTheirFailures(t *testing.T, s snowball.Store) {
	const views = 16
	jobKind.insertAll(t, s, NewJob("j", ownerA))
	// A View that waited for a leaked connection would be stopped by this
	// deadline, not hang.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	boom := errors.New("boom")
	read := func(ctx context.Context, tx snowball.Tx) error {
		_, err := tx.Job(ctx, "j")
		return err
	}
	for i := range 3 * views {
		switch i % 3 {
		case 0: // fn panics halfway through
			func() {
				defer func() {
					if r := recover(); r != "boom" {
						t.Fatalf("recovered %v, want the panic of fn", r)
					}
				}()
				err := s.View(ctx, func(tx snowball.Tx) error {
					if err := read(ctx, tx); err != nil {
						return err
					}
					panic("boom")
				})
				t.Fatalf("View = %v, want fn's panic", err)
			}()
		case 1: // fn fails halfway through
			err := s.View(ctx, func(tx snowball.Tx) error {
				if err := read(ctx, tx); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("View = %v, want fn's error", err)
			}
		case 2: // the caller goes away between two reads
			ctx, cancel := context.WithCancel(ctx)
			err := s.View(ctx, func(tx snowball.Tx) error {
				if err := read(ctx, tx); err != nil {
					return err
				}
				cancel()
				return read(ctx, tx)
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("View with its context cancelled = %v, want context.Canceled", err)
			}
		}
	}

	update(t, s, func(ctx context.Context, tx snowball.Tx) error {
		j, err := tx.Job(ctx, "j")
		if err != nil {
			return err
		}
		j.State = model.JobStateComplete
		return tx.PutJob(ctx, j)
	})
	err := goAll(views, func(int) error {
		return s.View(ctx, func(tx snowball.Tx) error {
			j, err := tx.Job(ctx, "j")
			if err == nil && j.State != model.JobStateComplete {
				err = fmt.Errorf("a View reads an old snapshot: State %s, want Complete", j.State)
			}
			return err
		})
	})
	if err != nil {
		t.Error(err)
	}
}

// concurrencyTests are the tests of concurrent transactions.
var concurrencyTests = []test{
	{"NoLostUpdates", testNoLostUpdates},
	{"ConcurrentInserts", testConcurrentInserts},
	{"ConcurrentOutcomes", testConcurrentOutcomes},
}

const workers = 8

// goAll runs fn in n goroutines and returns the first error any returns.
func goAll(n int, fn func(worker int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range n {
		wg.Go(func() { errs <- fn(w) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// testNoLostUpdates has every worker increment a counter kept in a job (its
// PartIndex), each increment a read and a write in one Update. A store whose
// Updates are not serializable loses some.
func testNoLostUpdates(t *testing.T, s snowball.Store) {
	const perWorker = 50
	counter := NewJob("counter", ownerA)
	counter.PartIndex = 0
	jobKind.insertAll(t, s, counter)

	ctx := t.Context()
	err := goAll(workers, func(int) error {
		for range perWorker {
			err := s.Update(ctx, func(tx snowball.Tx) error {
				j, err := tx.Job(ctx, "counter")
				if err != nil {
					return err
				}
				j.PartIndex++
				return tx.PutJob(ctx, j)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jobKind.mustGet(t, s, "counter").PartIndex, workers*perWorker; got != want {
		t.Errorf("counter = %d, want %d", got, want)
	}
}

// testConcurrentInserts has every worker insert jobs, one per Update, while
// readers list them.
func testConcurrentInserts(t *testing.T, s snowball.Store) {
	const perWorker = 25
	ctx := t.Context()

	// Readers list until the writers are done; each list must be in
	// strictly increasing Seq order whatever it catches.
	done := make(chan struct{})
	readers := make(chan error, 1)
	go func() {
		readers <- goAll(2, func(int) error {
			for {
				select {
				case <-done:
					return nil
				default:
				}
				err := s.View(ctx, func(tx snowball.Tx) error {
					js, err := tx.Jobs(ctx, snowball.JobFilter{Owner: &ownerA}, all)
					for i := 1; i < len(js); i++ {
						if js[i-1].Seq >= js[i].Seq {
							return fmt.Errorf("list has Seq %d before %d", js[i-1].Seq, js[i].Seq)
						}
					}
					return err
				})
				if err != nil {
					return err
				}
			}
		})
	}()

	seqs := make([][]int64, workers)
	err := goAll(workers, func(w int) error {
		for i := range perWorker {
			j := NewJob(fmt.Sprintf("w%d-%d", w, i), ownerA)
			if err := s.Update(ctx, func(tx snowball.Tx) error { return tx.InsertJob(ctx, j) }); err != nil {
				return err
			}
			seqs[w] = append(seqs[w], j.Seq)
		}
		return nil
	})
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-readers; err != nil {
		t.Fatal(err)
	}

	seen := make(map[int64]bool)
	for w, ss := range seqs {
		for i, seq := range ss {
			if i > 0 && seq <= ss[i-1] {
				t.Errorf("worker %d: Seq %d after %d", w, seq, ss[i-1])
			}
			if seen[seq] {
				t.Errorf("Seq %d assigned twice", seq)
			}
			seen[seq] = true
		}
	}
	list := jobKind.mustList(t, s, ownerA, all)
	if len(list) != workers*perWorker {
		t.Fatalf("listed %d jobs, want %d", len(list), workers*perWorker)
	}
	for i, j := range list {
		if !seen[j.Seq] {
			t.Errorf("listed job %s has Seq %d, which no insert was given", j.ID, j.Seq)
		}
		if i > 0 && j.Seq <= list[i-1].Seq {
			t.Errorf("list has Seq %d after %d", j.Seq, list[i-1].Seq)
		}
	}
}
