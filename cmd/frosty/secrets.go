package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/frostyhq/frosty/internal/sigv4"
	"github.com/frostyhq/frosty/internal/snowball"
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
		creds, err := readCredentials(file)
		return creds, false, err
	}
	path := filepath.Join(dir, credentialsFile)
	creds, err = readCredentials(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return creds, true, err
	}
	id, secret := newAccessKey("AKIAFROSTY")
	creds = []sigv4.Credential{{AccountID: snowball.DefaultAccount, AccessKeyID: id, SecretAccessKey: secret}}
	return creds, true, writeJSON(path, creds)
}

// credentialsShape is how a credentials file's errors describe what it must hold.
const credentialsShape = `a JSON array of {"accountId": "123456789012", "accessKeyId": "...", "secretAccessKey": "..."}`

// readCredentials reads a credentials file strictly, so that a mistake in
// it stops the server with one line that says what is wrong, rather than
// starting a server no one can call.
func readCredentials(path string) ([]sigv4.Credential, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	var creds []sigv4.Credential
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&creds); err != nil {
		return nil, fmt.Errorf("credentials %s: %s; want %s", path, jsonProblem(err), credentialsShape)
	}
	if dec.More() {
		return nil, fmt.Errorf("credentials %s: more than one JSON value; want %s", path, credentialsShape)
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("credentials %s: the array is empty, so no one could call the server; want %s", path, credentialsShape)
	}
	for i, c := range creds {
		if !isAccountID(c.AccountID) {
			return nil, fmt.Errorf("credentials %s: entry %d: accountId %q is not 12 digits", path, i, c.AccountID)
		}
	}
	if _, err := sigv4.NewKeyring(creds); err != nil {
		return nil, fmt.Errorf("credentials %s: %w", path, err)
	}
	return creds, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// jsonProblem says what is wrong with a JSON document in a user's words
// rather than Go's.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON (at byte %d)", se.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "not valid JSON (it is empty or ends too soon)"
	case errors.As(err, &te) && te.Field != "":
		return fmt.Sprintf("%q is a JSON %s", te.Field, te.Value)
	case errors.As(err, &te):
		return fmt.Sprintf("it is a JSON %s", te.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown key " + name
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %s", path, jsonProblem(err))
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
