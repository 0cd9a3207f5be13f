package sigv4

import (
	"fmt"
)

// Credential is one access key and the account it belongs to.
type Credential struct {
	AccountID       string `json:"accountId"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Keyring looks credentials up by access key ID. It is never modified after
// construction, which is what makes it safe for concurrent use.
type Keyring struct {
	byID map[string]Credential
}

// NewKeyring validates creds up front so that a configuration mistake
// surfaces at startup rather than as a confusing signature failure later.
func NewKeyring(creds []Credential) (*Keyring, error) {
	k := &Keyring{byID: make(map[string]Credential, len(creds))}
	for i, c := range creds {
		switch {
		case c.AccountID == "":
			return nil, fmt.Errorf("credential %d: empty accountId", i)
		case c.AccessKeyID == "":
			return nil, fmt.Errorf("credential %d: empty accessKeyId", i)
		case c.SecretAccessKey == "":
			return nil, fmt.Errorf("credential %d (%s): empty secretAccessKey", i, c.AccessKeyID)
		}
		if _, dup := k.byID[c.AccessKeyID]; dup {
			return nil, fmt.Errorf("credential %d: duplicate accessKeyId %s", i, c.AccessKeyID)
		}
		k.byID[c.AccessKeyID] = c
	}
	return k, nil
}

// Lookup reports the credential for accessKeyID. A nil Keyring knows no keys,
// so a misconfigured verifier rejects requests instead of panicking.
func (k *Keyring) Lookup(accessKeyID string) (Credential, bool) {
	if k == nil {
		return Credential{}, false
	}
	c, ok := k.byID[accessKeyID]
	return c, ok
}
