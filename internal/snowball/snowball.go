// Package snowball holds Frosty's domain: the records the service keeps
// (addresses, jobs, clusters, long-term pricing), the job and cluster state
// machines as data, the error type whose codes are the AWS exception names,
// the Store interface every backend implements, and the injected Clock.
package snowball

import (
	"time"

	"github.com/frostyhq/frosty/internal/model"
)

// DefaultAccount is the account of the generated credentials and of every
// request when signature checking is off.
const DefaultAccount = "000000000000"

// Owner is the account and region partition a resource belongs to. The four
// US regions share one partition, as the service documents for
// DescribeAddresses and ListJobs; every other region is its own.
type Owner struct {
	Account   string `json:"account"`
	Partition string `json:"partition"`
}

// OwnerFor returns the Owner of resources created by account in region.
func OwnerFor(account, region string) Owner {
	switch region {
	case "us-east-1", "us-east-2", "us-west-1", "us-west-2":
		region = "us"
	}
	return Owner{Account: account, Partition: region}
}

// Region is the region a partition stands for in generated ARNs and URLs.
func (o Owner) Region() string {
	if o.Partition == "us" {
		return "us-west-2"
	}
	return o.Partition
}

func (o Owner) String() string { return o.Account + "/" + o.Partition }

// Address is a shipping address created by CreateAddress (or seeded as a
// pickup location).
type Address struct {
	Seq       int64 // creation order, assigned by the Store
	ID        string
	Owner     Owner
	CreatedAt time.Time
	Address   model.Address
}

// Job is one Snowball job: a standalone import, export or local-use job, an
// export master or one of its parts, or a cluster node.
type Job struct {
	Seq            int64 // creation order, assigned by the Store
	ID             string
	Owner          Owner
	CreatedAt      time.Time
	State          model.JobState
	StateEnteredAt time.Time

	// Metadata holds what DescribeJob shows that does not follow from the
	// state: the job's settings as created or updated. State-derived members
	// (JobState, ShippingDetails shipments, DataTransferProgress, JobLogInfo,
	// SnowballId) are filled in when the job is described.
	Metadata model.JobMetadata

	IsMaster  bool   // an export master: no device, only parts
	MasterID  string // for an export part: its master job
	ClusterID string // for a cluster node
	PartIndex int    // for an export part: 1, 2, …; 0 otherwise

	UnlockCode   string // device-bearing jobs only
	DeviceKeyID  string // the device credentials sealed into the manifest
	DeviceSecret string
	SnowballID   string

	Outbound    *Shipment
	Inbound     *Shipment
	ReturnLabel *ReturnLabel

	// DueAt is when the timed lifecycle moves the job on by itself; zero
	// when only a call will (it waits for the customer, its cluster or its
	// parts, or the lifecycle is manual). The service keeps it; the store
	// indexes it, so that the lifecycle reads only what is due.
	DueAt time.Time `json:",omitzero"`
}

// Shipment is one leg of a device's journey.
type Shipment struct {
	TrackingNumber string
	Status         string
}

// ReturnLabel is the return shipping label of a job, asked for with
// CreateReturnShippingLabel.
type ReturnLabel struct {
	Status         model.ShippingLabelStatus
	ShippingOption model.ShippingOption
	CreatedAt      time.Time
	ExpiresAt      time.Time
}

// JobKind says which state path a job follows.
type JobKind int

// The job kinds.
const (
	KindImport       JobKind = iota // IMPORT: the device comes back and its data goes into S3
	KindExportPart                  // one device of an EXPORT job
	KindExportMaster                // the EXPORT request itself: no device, only parts
	KindLocalUse                    // LOCAL_USE, standalone or a cluster node
)

func (k JobKind) String() string {
	return [...]string{"import", "export part", "export master", "local use"}[k]
}

// Kind reports which path j follows.
func (j *Job) Kind() JobKind {
	switch {
	case model.Deref(j.Metadata.JobType) == model.JobTypeLocalUse:
		return KindLocalUse
	case model.Deref(j.Metadata.JobType) != model.JobTypeExport:
		return KindImport
	case j.IsMaster:
		return KindExportMaster
	default:
		return KindExportPart
	}
}

// HasDevice reports whether a device ships for j: every job but an export master.
func (j *Job) HasDevice() bool { return j.Kind() != KindExportMaster }

// Cluster is a group of LOCAL_USE node jobs created by CreateCluster.
type Cluster struct {
	Seq            int64
	ID             string
	Owner          Owner
	CreatedAt      time.Time
	State          model.ClusterState
	StateEnteredAt time.Time
	// Metadata holds the cluster's settings; ClusterState is filled in when described.
	Metadata model.ClusterMetadata
	// Quorum is the number of live node jobs the cluster needs before it can
	// leave AwaitingQuorum: InitialClusterSize, or 5 for a legacy empty cluster.
	Quorum int
	// Capacity and RemoteManagement are inherited by node jobs but are not
	// part of ClusterMetadata.
	Capacity         model.SnowballCapacity
	RemoteManagement model.RemoteManagement

	// DueAt is when the timed lifecycle ends the cluster's processing
	// window (AwaitingQuorum with its quorum); zero otherwise. See Job.DueAt.
	DueAt time.Time `json:",omitzero"`
}

// LongTermPricing is a long-term pricing contract.
type LongTermPricing struct {
	Seq            int64
	ID             string
	Owner          Owner
	Type           model.LongTermPricingType
	SnowballType   model.SnowballType
	AutoRenew      bool
	StartDate      time.Time
	EndDate        time.Time
	ReplacementJob string
	JobIDs         []string
}

// Cause says who moved a job or cluster.
type Cause string

// The causes of a transition.
const (
	CauseOperator Cause = "operator" // the operator API or `frosty advance`
	CauseCustomer Cause = "customer" // an API call of the job's owner
	CauseTimer    Cause = "timer"    // the timed lifecycle
	CauseSystem   Cause = "system"   // a consequence of another transition
)

// Event records one transition of a job or a cluster.
type Event struct {
	Seq        int64
	ResourceID string // a JobId or a ClusterId
	At         time.Time
	From, To   string
	Cause      Cause
}

// Message is a notification waiting in the durable outbox: queued in the
// same transaction as the transition it announces, and kept until a
// receiver has taken it, so that none is lost to a crash or an outage.
type Message struct {
	Seq int64
	// ID is unique: the event it announces and the target it goes to.
	ID string
	// Target names where it goes: MessageTargetSNS or MessageTargetWebhook.
	Target string
	// Account is the account of the job it announces, so that a reset of
	// that account takes its messages too.
	Account string
	// TopicARN is the SNS topic, for MessageTargetSNS.
	TopicARN string
	Subject  string
	// Body is the message itself: a JSON document.
	Body string

	CreatedAt   time.Time
	Attempts    int
	NextAttempt time.Time
	LastError   string
	DeliveredAt time.Time // zero while pending
}

// Notification targets.
const (
	MessageTargetSNS     = "sns"
	MessageTargetWebhook = "webhook"
)

// ServiceVersion is one entry of the ListServiceVersions catalogue: a
// version of an on-device service and the versions of other services it
// works with. Two versions of different services are compatible when
// either entry lists the other.
type ServiceVersion struct {
	ServiceName       model.ServiceName
	Version           string
	DependentServices []model.DependentService `json:",omitempty"`
}
