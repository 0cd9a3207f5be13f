package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/snowball"
)

// Files of the data directory besides the database.
const (
	databaseFile    = "frosty.db"
	secretsFile     = "secrets.json"
	credentialsFile = "credentials.json"
)

// secrets are the server's own keys, generated on first start and kept in
// the data directory so that tokens, URLs and the admin token survive
// restarts.
type secrets struct {
	// TokenKey authenticates pagination tokens.
	TokenKey string `json:"tokenKey"`
	// Download is the credential presigned download URLs are signed with.
	Download sigv4.Credential `json:"download"`
	// AdminToken guards the operator API unless --admin-token overrides it.
	AdminToken string `json:"adminToken"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// randomKey returns n characters of alphabet from crypto/rand.
func randomKey(alphabet string, n int) string {
	out := make([]byte, n)
	b := make([]byte, 1)
	for i := 0; i < n; {
		rand.Read(b)
		if int(b[0]) < 256-256%len(alphabet) {
			out[i] = alphabet[int(b[0])%len(alphabet)]
			i++
		}
	}
	return string(out)
}

const (
	keyIDAlphabet  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func newAccessKey(prefix string) (id, secret string) {
	return prefix + randomKey(keyIDAlphabet, 16), randomKey(secretAlphabet, 40)
}

func readSecrets(dir string) (*secrets, error) {
	var s secrets
	if err := readJSON(filepath.Join(dir, secretsFile), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// loadOrCreateSecrets reads the data directory's secrets, creating them on
// first start; created reports whether they are new.
func loadOrCreateSecrets(dir string) (s *secrets, created bool, err error) {
	s, err = readSecrets(dir)
	if err == nil {
		return s, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	id, secret := newAccessKey("FROSTYDL")
	s = &secrets{
		TokenKey:   randomHex(32),
		Download:   sigv4.Credential{AccountID: "frosty", AccessKeyID: id, SecretAccessKey: secret},
		AdminToken: randomHex(24),
	}
	return s, true, writeJSON(filepath.Join(dir, secretsFile), s)
}

// loadOrCreateCredentials returns the API credentials: the --credentials
// file when given, else the data directory's generated key pair for the
// default account, created on first start.
func loadOrCreateCredentials(dir, file string) (creds []sigv4.Credential, generated bool, err error) {
	if file != "" {
		if err := readJSON(file, &creds); err != nil {
			return nil, false, err
		}
		return creds, false, nil
	}
	path := filepath.Join(dir, credentialsFile)
	err = readJSON(path, &creds)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return creds, true, err
	}
	id, secret := newAccessKey("AKIAFROSTY")
	creds = []sigv4.Credential{{AccountID: snowball.DefaultAccount, AccessKeyID: id, SecretAccessKey: secret}}
	return creds, true, writeJSON(path, creds)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeJSON writes v to path readable by its owner only, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
