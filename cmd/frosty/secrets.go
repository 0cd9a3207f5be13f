package main

import (
	"bytes"
	"context"
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
// the store so that tokens, URLs and the admin token survive restarts and
// work on every replica; the data directory holds a copy.
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

// Names of the store settings that hold the generated secrets and
// credentials, so that every replica over one store shares them.
const (
	secretsSetting     = "secrets"
	credentialsSetting = "credentials"
)

func readSecrets(dir string) (*secrets, error) {
	var s secrets
	if err := readJSON(filepath.Join(dir, secretsFile), &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// parseSecrets parses and checks secrets; name says where they came from.
func parseSecrets(b []byte, name string) (*secrets, error) {
	var s secrets
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %s", name, jsonProblem(err))
	}
	switch {
	case s.TokenKey == "":
		return nil, fmt.Errorf("%s: empty tokenKey", name)
	case s.AdminToken == "":
		return nil, fmt.Errorf("%s: empty adminToken", name)
	}
	if _, err := sigv4.NewKeyring([]sigv4.Credential{s.Download}); err != nil {
		return nil, fmt.Errorf("%s: download %w", name, err)
	}
	return &s, nil
}

// loadOrCreateSecrets returns the server's secrets from the store. On the
// first start over a store they are the data directory's, if it has any,
// so that tokens and URLs issued before keep working, or else new ones;
// created reports whether they are new. The data directory gets a copy
// for the CLI's subcommands.
func loadOrCreateSecrets(ctx context.Context, store snowball.Store, dir string) (s *secrets, created bool, err error) {
	path := filepath.Join(dir, secretsFile)
	err = store.Update(ctx, func(tx snowball.Tx) error {
		s, created = nil, false // fn may run again
		v, err := tx.Setting(ctx, secretsSetting)
		if err == nil {
			s, err = parseSecrets([]byte(v), storeSettingName(secretsSetting))
			return err
		}
		if !snowball.IsNotFound(err) {
			return fmt.Errorf("%s: %w", storeSettingName(secretsSetting), err)
		}
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			if s, err = parseSecrets(b, path); err != nil {
				return err
			}
		case errors.Is(err, fs.ErrNotExist):
			s, created = newSecrets(), true
		default:
			return err
		}
		return putSetting(ctx, tx, secretsSetting, s)
	})
	if err != nil {
		return nil, false, err
	}
	return s, created, writeJSON(path, s)
}

func newSecrets() *secrets {
	id, secret := newAccessKey("FROSTYDL")
	return &secrets{
		TokenKey:   randomHex(32),
		Download:   sigv4.Credential{AccountID: "frosty", AccessKeyID: id, SecretAccessKey: secret},
		AdminToken: randomHex(24),
	}
}

// loadOrCreateCredentials returns the API credentials: the --credentials
// file when given, else the generated key pair for the default account
// that the store holds. On the first start over a store that is the data
// directory's, if it has one, or else a new one. The data directory gets
// a copy, for a user to read the keys from.
func loadOrCreateCredentials(ctx context.Context, store snowball.Store, dir, file string) (creds []sigv4.Credential, generated bool, err error) {
	if file != "" {
		creds, err := readCredentials(file)
		return creds, false, err // the user's file: not the store's to keep
	}
	path := filepath.Join(dir, credentialsFile)
	err = store.Update(ctx, func(tx snowball.Tx) error {
		creds = nil // fn may run again
		v, err := tx.Setting(ctx, credentialsSetting)
		if err == nil {
			creds, err = parseCredentials([]byte(v), storeSettingName(credentialsSetting))
			return err
		}
		if !snowball.IsNotFound(err) {
			return fmt.Errorf("%s: %w", storeSettingName(credentialsSetting), err)
		}
		creds, err = readCredentials(path)
		if errors.Is(err, fs.ErrNotExist) {
			id, secret := newAccessKey("AKIAFROSTY")
			creds = []sigv4.Credential{{AccountID: snowball.DefaultAccount, AccessKeyID: id, SecretAccessKey: secret}}
		} else if err != nil {
			return err
		}
		return putSetting(ctx, tx, credentialsSetting, creds)
	})
	if err != nil {
		return nil, false, err
	}
	return creds, true, writeJSON(path, creds)
}

func storeSettingName(name string) string { return fmt.Sprintf("store setting %q", name) }

func putSetting(ctx context.Context, tx snowball.Tx, name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := tx.PutSetting(ctx, name, string(b)); err != nil {
		return fmt.Errorf("%s: %w", storeSettingName(name), err)
	}
	return nil
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
	return parseCredentials(b, "credentials "+path)
}

// parseCredentials parses and checks credentials as readCredentials does;
// name says where they came from.
func parseCredentials(b []byte, name string) ([]sigv4.Credential, error) {
	var creds []sigv4.Credential
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&creds); err != nil {
		return nil, fmt.Errorf("%s: %s; want %s", name, jsonProblem(err), credentialsShape)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value; want %s", name, credentialsShape)
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("%s: the array is empty, so no one could call the server; want %s", name, credentialsShape)
	}
	for i, c := range creds {
		if !isAccountID(c.AccountID) {
			return nil, fmt.Errorf("%s: entry %d: accountId %q is not 12 digits", name, i, c.AccountID)
		}
	}
	if _, err := sigv4.NewKeyring(creds); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
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
