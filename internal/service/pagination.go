package service

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/snowball"
)

// DefaultPageSize is the page size when MaxResults is absent or 0.
const DefaultPageSize = 100

// tokenSigner makes NextTokens opaque to clients and tamper-evident: a
// token names the operation, the owner and the list it continues, and a
// MAC over all of it, so a forged, edited or foreign token is refused.
type tokenSigner struct{ key []byte }

type cursor struct {
	Op    string `json:"o"`
	Owner string `json:"w"`
	Scope string `json:"s,omitempty"` // e.g. the ClusterId of ListClusterJobs
	After int64  `json:"a"`           // the Seq (or offset) of the last item returned
}

func (t tokenSigner) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write(payload)
	return m.Sum(nil)[:16]
}

func (t tokenSigner) encode(c cursor) string {
	payload, _ := json.Marshal(c)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(t.mac(payload))
}

var errBadToken = snowball.Errorf(snowball.InvalidNextToken,
	"The NextToken string was altered unexpectedly, and the operation has stopped. Run the operation without changing the NextToken string, and try again.")

// decode returns the position a token continues from; a nil token starts
// at the beginning.
func (t tokenSigner) decode(token *string, op string, owner snowball.Owner, scope string) (int64, error) {
	if token == nil {
		return 0, nil
	}
	enc := base64.RawURLEncoding
	p, m, ok := strings.Cut(*token, ".")
	if !ok {
		return 0, errBadToken
	}
	payload, err1 := enc.DecodeString(p)
	sum, err2 := enc.DecodeString(m)
	if err1 != nil || err2 != nil || !hmac.Equal(sum, t.mac(payload)) {
		return 0, errBadToken
	}
	var c cursor
	// Re-encoding refuses the spellings base64 tolerates (newlines, padding bits) that encode never issues.
	if err := json.Unmarshal(payload, &c); err != nil || c.Op != op || c.Owner != owner.String() || c.Scope != scope || c.After < 0 || t.encode(c) != *token {
		return 0, errBadToken
	}
	return c.After, nil
}

func pageSize(max *int64) int {
	if n := model.Deref(max); n > 0 {
		return int(n)
	}
	return DefaultPageSize
}

// listPage returns one page of a store list and the token for the next,
// which is issued only when more items remain. Keyset paging on Seq means
// items created while a client pages through are neither repeated nor
// skipped.
func listPage[T any](s *Service, op string, owner snowball.Owner, scope string, token *string, max *int64,
	seq func(T) int64, fetch func(snowball.Page) ([]T, error)) ([]T, *string, error) {
	after, err := s.tokens.decode(token, op, owner, scope)
	if err != nil {
		return nil, nil, err
	}
	size := pageSize(max)
	items, err := fetch(snowball.Page{After: after, Limit: size + 1})
	if err != nil {
		return nil, nil, err
	}
	if len(items) <= size {
		return items, nil, nil
	}
	items = items[:size]
	next := s.tokens.encode(cursor{Op: op, Owner: owner.String(), Scope: scope, After: seq(items[size-1])})
	return items, &next, nil
}

// slicePage pages through a fixed list (a catalogue), by offset.
func slicePage[T any](s *Service, op string, owner snowball.Owner, scope string, token *string, max *int64, list []T) ([]T, *string, error) {
	after, err := s.tokens.decode(token, op, owner, scope)
	if err != nil {
		return nil, nil, err
	}
	if after > int64(len(list)) {
		return nil, nil, errBadToken
	}
	end := min(int(after)+pageSize(max), len(list))
	items := make([]T, end-int(after))
	copy(items, list[after:end])
	if end == len(list) {
		return items, nil, nil
	}
	next := s.tokens.encode(cursor{Op: op, Owner: owner.String(), Scope: scope, After: int64(end)})
	return items, &next, nil
}
