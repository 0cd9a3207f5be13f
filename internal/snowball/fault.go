package snowball

import "time"

// Fault is the operator's order that some API calls fail on purpose, or
// answer late, so that a client's error handling and retries can be tested
// against the real wire. The rules (which calls it hits, its defaults) are
// internal/faults'; the store only keeps it and counts its hits.
type Fault struct {
	Seq       int64 // creation order, assigned by the Store
	ID        string
	CreatedAt time.Time

	// Operation is the operation whose calls it hits.
	Operation string
	// AccountID limits it to one account's calls; "" means every account's.
	AccountID string
	// Code is the error a hit call gets, with Message; "" means the call
	// runs as usual once Delay has passed.
	Code    string
	Message string
	// Delay is how long a hit call waits before it is answered.
	Delay time.Duration
	// Probability is the chance, in (0, 1], that a matching call is hit.
	Probability float64
	// Count is how many calls it hits in all before it is spent; 0 means
	// no limit.
	Count int
	// Hits is how many calls it has hit; only Tx.HitFault raises it.
	Hits int
}

// Spent reports whether f has hit its Count of calls.
func (f *Fault) Spent() bool { return f.Count > 0 && f.Hits >= f.Count }
