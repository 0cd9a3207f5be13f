package service

import (
	"flag"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frostyhq/frosty/internal/fuzzcorpus"
	"github.com/frostyhq/frosty/internal/snowball"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite the seed corpora under testdata/fuzz")

var (
	fuzzTokens = tokenSigner{key: []byte("fuzz token key")}
	fuzzOwner  = snowball.OwnerFor("111122223333", "us-west-2")
)

// tokenSeed is one input of FuzzNextToken.
type tokenSeed struct {
	token, op, scope string
	after            int64
}

// nextTokenSeeds is the checked-in corpus of FuzzNextToken: tokens as
// issued, and as a client might garble or forge them.
func nextTokenSeeds() map[string]tokenSeed {
	const (
		alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		cid      = "CID123e4567-e89b-12d3-a456-426655440000"
	)
	owner := fuzzOwner.String()
	jobs := fuzzTokens.encode(cursor{Op: "ListJobs", Owner: owner, After: 42})
	clusterJobs := fuzzTokens.encode(cursor{Op: "ListClusterJobs", Owner: owner, Scope: cid, After: 7})
	payload, mac, _ := strings.Cut(jobs, ".")
	// The MAC's last character carries 2 bits of it and 4 bits of padding.
	padded := jobs[:len(jobs)-1] + string(alphabet[strings.IndexByte(alphabet, mac[len(mac)-1])^1])
	return map[string]tokenSeed{
		"valid-list-jobs":         {jobs, "ListJobs", "", 42},
		"valid-list-cluster-jobs": {clusterJobs, "ListClusterJobs", cid, 7},
		"valid-start":             {fuzzTokens.encode(cursor{Op: "ListJobs", Owner: owner}), "ListJobs", "", 0},
		"other-operation":         {jobs, "ListClusters", "", 1},
		"other-scope":             {clusterJobs, "ListClusterJobs", "CID000", 7},
		"negative-after":          {fuzzTokens.encode(cursor{Op: "ListJobs", Owner: owner, After: -1}), "ListJobs", "", -1},
		"tampered-payload":        {strings.Replace(jobs, payload[:4], strings.ToLower(payload[:4]), 1), "ListJobs", "", 42},
		"padding-bits":            {padded, "ListJobs", "", 42},
		"newline":                 {payload[:5] + "\n" + payload[5:] + "." + mac, "ListJobs", "", 42},
		"padded-base64":           {payload + "==." + mac, "ListJobs", "", 42},
		"no-dot":                  {payload + mac, "ListJobs", "", 42},
		"garbage":                 {"not a token", "ListJobs", "", 0},
		"empty":                   {"", "", "", 0},
	}
}

// FuzzNextToken checks the NextToken decoder against any string: it must
// not panic, it must refuse with InvalidNextTokenException, and what it
// accepts must be exactly a token encode issued with the same key, for the
// same operation, owner and scope. It also checks, for any cursor, that
// encode's token decodes to the same position there and nowhere else.
func FuzzNextToken(f *testing.F) {
	otherOwner := snowball.OwnerFor("444455556666", "us-west-2")
	otherKey := tokenSigner{key: []byte("another token key")}
	f.Fuzz(func(t *testing.T, token, op, scope string, after int64) {
		got, err := fuzzTokens.decode(&token, op, fuzzOwner, scope)
		if err != nil {
			if code := snowball.ErrorCode(err); code != snowball.InvalidNextToken {
				t.Fatalf("decode(%q): error %v has code %q, want %s", token, err, code, snowball.InvalidNextToken)
			}
		} else if want := fuzzTokens.encode(cursor{Op: op, Owner: fuzzOwner.String(), Scope: scope, After: got}); got < 0 || token != want {
			t.Fatalf("decode(%q) accepted it as %d; encode gives %q", token, got, want)
		}

		// Operations and scopes (a ClusterId) come from constants or
		// decoded JSON, so they are valid UTF-8; JSON would replace
		// anything else, and the token would fairly be refused.
		if !utf8.ValidString(op) || !utf8.ValidString(scope) {
			return
		}
		tok := fuzzTokens.encode(cursor{Op: op, Owner: fuzzOwner.String(), Scope: scope, After: after})
		got, err = fuzzTokens.decode(&tok, op, fuzzOwner, scope)
		switch {
		case after < 0:
			if snowball.ErrorCode(err) != snowball.InvalidNextToken {
				t.Fatalf("decode of a token for %d = %d, %v; want InvalidNextTokenException", after, got, err)
			}
			return
		case err != nil || got != after:
			t.Fatalf("decode(encode(%d)) = %d, %v", after, got, err)
		}
		for _, c := range []struct {
			name      string
			signer    tokenSigner
			op, scope string
			owner     snowball.Owner
		}{
			{"other operation", fuzzTokens, op + "x", scope, fuzzOwner},
			{"other scope", fuzzTokens, op, scope + "x", fuzzOwner},
			{"other owner", fuzzTokens, op, scope, otherOwner},
			{"other key", otherKey, op, scope, fuzzOwner},
		} {
			if got, err := c.signer.decode(&tok, c.op, c.owner, c.scope); snowball.ErrorCode(err) != snowball.InvalidNextToken {
				t.Errorf("%s: decode = %d, %v; want InvalidNextTokenException", c.name, got, err)
			}
		}
	})
}

func TestNextTokenCorpus(t *testing.T) {
	seeds := map[string][]any{}
	for name, s := range nextTokenSeeds() {
		seeds[name] = []any{s.token, s.op, s.scope, s.after}
	}
	fuzzcorpus.Check(t, "FuzzNextToken", seeds, *updateCorpus)
}
