package snowball

import (
	"context"
	"slices"
	"time"

	"github.com/frostyhq/frosty/internal/model"
)

// Store persists Frosty's records. It is dumb on purpose: every rule lives
// in the service above it, so two backends cannot drift. A Store is safe
// for concurrent use.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction that is committed, durably,
	// only if fn returns nil (or rolled back if fn panics). Update
	// transactions are serializable: two that read and write the same record
	// never both commit a lost update. fn must not call Update again: a
	// store may have a single writer, and a nested Update would deadlock.
	Update(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the store can be read: it reads the schema and a
	// record, so that a damaged or unreachable store is an error.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error

	// ClaimDue gives the caller, until lease, up to limit jobs and up to
	// limit clusters whose DueAt is set and not after by, soonest first,
	// leaving out those that another caller holds a lease on that runs
	// past now. Storing the record (PutJob, PutCluster) ends its claim.
	// Claims share the timed lifecycle's work out between replicas; they
	// lock nothing: a claimed record may still be changed by anyone, and
	// the lifecycle's steps check the state they leave. Each call is a
	// transaction of its own.
	ClaimDue(ctx context.Context, by, now, lease time.Time, limit int) ([]Due, error)
	// ClaimMessages gives the caller, until lease, up to limit undelivered
	// messages to the given targets whose NextAttempt is not after now and
	// that no other caller holds a lease on past now, in Seq order.
	// PutMessage ends the claim. Each call is a transaction of its own.
	ClaimMessages(ctx context.Context, targets []string, now, lease time.Time, limit int) ([]*Message, error)
}

// Due is a transition of the timed lifecycle waiting for its time: the job
// (or cluster) ID, the state it is in, and when it moves on.
type Due struct {
	ID      string
	Cluster bool
	State   string
	At      time.Time
}

// Page selects a slice of a list in creation order: the records whose Seq
// is greater than After, at most Limit of them; a Limit of 0 means all.
type Page struct {
	After int64
	Limit int
}

// JobEntry is what a list entry of a job shows (ListJobs,
// ListClusterJobs): the job's ID, state and kind, taken from its record
// whenever the record is stored.
type JobEntry struct {
	Seq          int64
	ID           string
	State        model.JobState
	IsMaster     bool
	JobType      model.JobType      // "" when the job has none
	SnowballType model.SnowballType // "" when the job has none
	// CreationDate is Metadata.CreationDate, to the millisecond a
	// model.Timestamp keeps; zero when the job has none.
	CreationDate time.Time
	Description  string // "" when the job has none (a description is never empty)
}

// EntryOf returns j's JobEntry.
func EntryOf(j *Job) *JobEntry {
	e := &JobEntry{
		Seq: j.Seq, ID: j.ID, State: j.State, IsMaster: j.IsMaster,
		JobType: model.Deref(j.Metadata.JobType), SnowballType: model.Deref(j.Metadata.SnowballType),
		Description: model.Deref(j.Metadata.Description),
	}
	if d := j.Metadata.CreationDate; d != nil {
		e.CreationDate = time.UnixMilli(d.UnixMilli()).UTC()
	}
	return e
}

// JobFilter selects jobs for Tx.Jobs. Zero fields do not filter.
type JobFilter struct {
	Owner     *Owner
	ClusterID string
	MasterID  string
	// NotFinal keeps only jobs that are neither Complete nor Cancelled.
	NotFinal bool
}

// JobQuery selects jobs of every owner for Tx.FindJobs, newest (highest
// Seq) first. Zero fields do not filter.
type JobQuery struct {
	Account   string
	State     model.JobState
	Type      model.JobType
	ClusterID string
	// Text keeps the jobs whose ID or description contains it, ignoring
	// the case of ASCII letters.
	Text string
	// Before keeps the jobs whose Seq is less than it: the next page after
	// one that ended with that Seq. Zero starts from the newest.
	Before int64
	// Limit is how many at most; zero means all.
	Limit int
}

// Tx is one transaction. Lookups by ID return an *Error with code NotFound
// when there is no such record; owners are checked by the caller. Insert
// methods assign Seq, in increasing order, and return an error if the ID
// exists; a Seq assigned in a transaction that rolls back may be assigned
// again. Put methods replace a stored record (and set its Seq) and return
// NotFound if there is none. List methods return records in creation (Seq)
// order.
//
// A Tx copies records on the way in and out: changing a record after Put,
// or one that was returned, never changes what is stored. Times come back
// as the same instant to the microsecond.
type Tx interface {
	InsertAddress(ctx context.Context, a *Address) error
	Address(ctx context.Context, id string) (*Address, error)
	Addresses(ctx context.Context, owner Owner, p Page) ([]*Address, error)

	InsertJob(ctx context.Context, j *Job) error
	PutJob(ctx context.Context, j *Job) error
	Job(ctx context.Context, id string) (*Job, error)
	Jobs(ctx context.Context, f JobFilter, p Page) ([]*Job, error)
	// JobEntries is Jobs as a list shows them: the same jobs in the same
	// order, each as its JobEntry, which the store keeps apart from the
	// whole record so that a list reads no more than it shows.
	JobEntries(ctx context.Context, f JobFilter, p Page) ([]*JobEntry, error)

	// FindJobs returns the jobs of every owner that q selects, newest
	// first, reading only those it returns: the operator's dashboard pages
	// through a hundred thousand jobs with it.
	FindJobs(ctx context.Context, q JobQuery) ([]*Job, error)
	// FindClusters returns the clusters of every owner whose Seq is less
	// than before (zero: all), newest first, at most limit (zero: all).
	FindClusters(ctx context.Context, before int64, limit int) ([]*Cluster, error)

	// JobsByState counts the jobs of all owners in each state.
	JobsByState(ctx context.Context) (map[model.JobState]int, error)

	InsertCluster(ctx context.Context, c *Cluster) error
	PutCluster(ctx context.Context, c *Cluster) error
	Cluster(ctx context.Context, id string) (*Cluster, error)
	Clusters(ctx context.Context, owner Owner, p Page) ([]*Cluster, error)
	// ClustersByState counts the clusters of all owners in each state.
	ClustersByState(ctx context.Context) (map[model.ClusterState]int, error)

	InsertLongTermPricing(ctx context.Context, l *LongTermPricing) error
	PutLongTermPricing(ctx context.Context, l *LongTermPricing) error
	LongTermPricing(ctx context.Context, id string) (*LongTermPricing, error)
	LongTermPricings(ctx context.Context, owner Owner, p Page) ([]*LongTermPricing, error)

	// AppendEvent records a transition; it assigns e.Seq.
	AppendEvent(ctx context.Context, e *Event) error
	// Events returns the transitions of one job or cluster, oldest first.
	Events(ctx context.Context, resourceID string) ([]*Event, error)

	// Setting returns the value of the server-wide setting name (the
	// operator clock, say), or NotFound if it was never put; PutSetting
	// stores one, replacing any value it had. Settings live in the store so
	// that every replica over it shares them.
	Setting(ctx context.Context, name string) (string, error)
	PutSetting(ctx context.Context, name, value string) error

	// InsertMessage queues a notification in the outbox; it assigns m.Seq.
	InsertMessage(ctx context.Context, m *Message) error
	// PutMessage records a delivery attempt or the delivery of m.
	PutMessage(ctx context.Context, m *Message) error
	// PendingMessages returns the messages not yet delivered, in Seq order.
	PendingMessages(ctx context.Context, p Page) ([]*Message, error)
	// Messages returns the messages, delivered or not, with the given IDs,
	// in Seq order; an ID with no message is left out.
	Messages(ctx context.Context, ids []string) ([]*Message, error)

	// NextDue returns the earliest DueAt of the jobs and clusters that no
	// caller of ClaimDue holds a lease on past now, or the zero time if
	// none has one. NextMessageAttempt returns the earliest NextAttempt of
	// the undelivered messages to targets that no lease holds past now.
	NextDue(ctx context.Context, now time.Time) (time.Time, error)
	NextMessageAttempt(ctx context.Context, targets []string, now time.Time) (time.Time, error)

	// SealedManifest returns the job's sealed manifest, byte for byte as it
	// was stored, or NotFound if none was.
	SealedManifest(ctx context.Context, jobID string) ([]byte, error)
	// InsertSealedManifest stores the sealed manifest of a job, which is
	// sealed once and then served as is. It returns an *Error with code
	// Exists if the job has one already: the caller lost a race and reads
	// that one back. The store does not check that the job exists.
	InsertSealedManifest(ctx context.Context, jobID string, sealed []byte) error

	// CountRecords counts the records of account, or of every account when
	// account is "": its addresses, jobs, clusters and long-term pricing,
	// the events of those jobs and clusters, the messages announcing its
	// jobs' transitions (by Message.Account) and its jobs' sealed
	// manifests. DeleteRecords deletes the same records and returns how
	// many of each it deleted. Neither touches settings, catalogues or
	// faults, and Seqs keep increasing after a delete: a Seq once assigned
	// and committed is never assigned again.
	CountRecords(ctx context.Context, account string) (RecordCounts, error)
	DeleteRecords(ctx context.Context, account string) (RecordCounts, error)

	// The catalogues of ListPickupLocations, ListCompatibleImages and
	// ListServiceVersions are server-wide lists. Each Put method replaces
	// its list whole; the getters return it in the order it was put, and
	// an empty list (never put, or put empty) as nil.
	PickupLocations(ctx context.Context) ([]model.Address, error)
	PutPickupLocations(ctx context.Context, l []model.Address) error
	CompatibleImages(ctx context.Context) ([]model.CompatibleImage, error)
	PutCompatibleImages(ctx context.Context, l []model.CompatibleImage) error
	ServiceVersions(ctx context.Context) ([]ServiceVersion, error)
	PutServiceVersions(ctx context.Context, l []ServiceVersion) error

	// InsertFault stores an operator's fault, Hits and all; it assigns
	// f.Seq. Faults returns all of them in Seq order, spent ones too.
	// DeleteFault removes one (NotFound if there is none), DeleteFaults
	// every one.
	InsertFault(ctx context.Context, f *Fault) error
	Faults(ctx context.Context) ([]*Fault, error)
	DeleteFault(ctx context.Context, id string) error
	DeleteFaults(ctx context.Context) error
	// HitFault counts one more call hit by the fault id, unless it has a
	// Count and has hit that many, and reports whether it counted: a
	// fault spent, or gone, hits no more calls. Two transactions never
	// both count the last hit.
	HitFault(ctx context.Context, id string) (bool, error)
}

// RecordCounts counts records of each kind: what Tx.CountRecords finds or
// Tx.DeleteRecords deleted.
type RecordCounts struct {
	Addresses       int `json:"addresses"`
	Jobs            int `json:"jobs"`
	Clusters        int `json:"clusters"`
	LongTermPricing int `json:"longTermPricing"`
	Events          int `json:"events"`
	Messages        int `json:"messages"`
	SealedManifests int `json:"sealedManifests"`
}

// SortDue puts ds in the order the timed lifecycle applies them: soonest
// first, and at equal times clusters first, so that their nodes can leave
// New.
func SortDue(ds []Due) {
	slices.SortStableFunc(ds, func(a, b Due) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		switch {
		case a.Cluster && !b.Cluster:
			return -1
		case b.Cluster && !a.Cluster:
			return 1
		}
		return 0
	})
}
