package sigv4

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewKeyringRejects(t *testing.T) {
	tests := []struct {
		name    string
		creds   []Credential
		wantErr string
	}{
		{"empty account", []Credential{{AccessKeyID: "A", SecretAccessKey: "s"}}, "empty accountId"},
		{"empty key id", []Credential{{AccountID: "1", SecretAccessKey: "s"}}, "empty accessKeyId"},
		{"empty secret", []Credential{{AccountID: "1", AccessKeyID: "A"}}, "empty secretAccessKey"},
		{"duplicate", []Credential{alice, {AccountID: "2", AccessKeyID: alice.AccessKeyID, SecretAccessKey: "t"}}, "duplicate accessKeyId AKIDALICE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewKeyring(tt.creds)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestKeyringLookup(t *testing.T) {
	k := testKeyring(t, alice, bob)
	got, ok := k.Lookup(bob.AccessKeyID)
	if !ok {
		t.Fatalf("Lookup(%q) not found", bob.AccessKeyID)
	}
	if diff := cmp.Diff(bob, got); diff != "" {
		t.Errorf("Lookup mismatch (-want +got):\n%s", diff)
	}
	if _, ok := k.Lookup("AKIDNOBODY"); ok {
		t.Error("Lookup of unknown key succeeded")
	}
	var nilKeys *Keyring
	if _, ok := nilKeys.Lookup(alice.AccessKeyID); ok {
		t.Error("Lookup on nil keyring succeeded")
	}
}
