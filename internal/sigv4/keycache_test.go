package sigv4

import (
	"fmt"
	"testing"
)

// TestKeyCache checks that a cached signing key is the one derived afresh,
// for each secret and scope apart, and that the cache stays bounded.
func TestKeyCache(t *testing.T) {
	var c keyCache
	derive := func(secret string, sc Scope) string {
		key := []byte("AWS4" + secret)
		for _, part := range []string{sc.Date, sc.Region, sc.Service, terminator} {
			key = hmacSHA256(key, part)
		}
		return fmt.Sprintf("%x", key)
	}
	scopes := []Scope{{"20260102", "us-west-2", "snowball"}, {"20260103", "us-west-2", "snowball"}, {"20260102", "eu-west-1", "snowball"}}
	for range 2 { // derived, then cached
		for _, secret := range []string{"alice-secret", "bob-secret"} {
			for _, sc := range scopes {
				if got, want := fmt.Sprintf("%x", c.key(secret, sc)), derive(secret, sc); got != want {
					t.Errorf("key(%q, %v) = %s, want %s", secret, sc, got, want)
				}
			}
		}
	}
	for i := range maxKeys + 10 {
		c.key(fmt.Sprint("secret", i), scopes[0])
	}
	if n := len(c.keys); n > maxKeys {
		t.Errorf("the cache holds %d keys, more than %d", n, maxKeys)
	}
}
