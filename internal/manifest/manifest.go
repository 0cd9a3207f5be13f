// Package manifest seals and opens Snowball job manifests.
//
// AWS hands out a job manifest as an opaque encrypted file and, separately, a
// 29-character unlock code; a client needs both to unlock the device. Frosty
// makes the pairing real: the manifest is a JSON [Document] encrypted with
// XChaCha20-Poly1305 under a key derived from the unlock code with scrypt, so
// the manifest is useless to whoever holds only one of the two.
package manifest

import (
	"crypto/cipher"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

// DocumentFormat names the JSON schema of [Document], so a reader can refuse a
// schema it does not know even when decryption succeeds.
const DocumentFormat = "frosty-manifest/1"

// CredentialLifetime is how long device credentials in a manifest last,
// matching the validity AWS gives a job's manifest.
const CredentialLifetime = 360 * 24 * time.Hour

// DefaultLogN is log2 of the scrypt cost N that [Seal] uses; with r=8 it
// makes each unlock attempt touch 32 MiB, which keeps guessing expensive.
const DefaultLogN = 15

// Document is what a manifest says about a job and its device.
type Document struct {
	Format       string            `json:"format"`
	JobID        string            `json:"jobId"`
	JobType      string            `json:"jobType"`
	SnowballType string            `json:"snowballType"`
	Capacity     string            `json:"capacity,omitempty"`
	SnowballID   string            `json:"snowballId,omitempty"`
	ClusterID    string            `json:"clusterId,omitempty"`
	Resources    json.RawMessage   `json:"resources,omitempty"` // the job's JobResource as the API shows it
	Device       DeviceCredentials `json:"device"`
	CreatedAt    time.Time         `json:"createdAt"`
	ExpiresAt    time.Time         `json:"expiresAt"` // normally CreatedAt + CredentialLifetime; Open does not enforce it
}

// DeviceCredentials are the keys the device's S3 endpoint accepts; they live
// only inside the sealed manifest so that unlocking is what grants access.
type DeviceCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// Errors returned by [Open]; test for them with [errors.Is].
var (
	// ErrNotManifest means the input is not a Frosty manifest at all: the magic
	// is wrong or bytes follow the ciphertext the header declares.
	ErrNotManifest = errors.New("not a frosty manifest")
	// ErrUnsupported means the manifest uses a version, KDF, cipher, document
	// format or scrypt cost this build will not handle.
	ErrUnsupported = errors.New("unsupported manifest")
	// ErrTruncated means the input ends before its header or declared ciphertext.
	ErrTruncated = errors.New("truncated manifest")
	// ErrWrongCode means the code is malformed or authentication failed. An
	// AEAD cannot tell a wrong key from altered bytes, so this also covers
	// tampering and corruption.
	ErrWrongCode = errors.New("wrong unlock code")
)

var errMalformedCode = fmt.Errorf("manifest: %w: want five groups of five characters from [0-9a-z] joined by \"-\"", ErrWrongCode)

const codeAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz"

// NewUnlockCode returns a fresh unlock code: five groups of five characters
// from [0-9a-z] joined by "-". Bytes from rand that would bias the result are
// discarded rather than reduced modulo 36.
func NewUnlockCode(rand io.Reader) (string, error) {
	code := []byte("xxxxx-xxxxx-xxxxx-xxxxx-xxxxx")
	var buf [32]byte
	for n := 0; n < 25; {
		if _, err := io.ReadFull(rand, buf[:]); err != nil {
			return "", fmt.Errorf("manifest: read randomness: %w", err)
		}
		for _, b := range buf {
			// 252 is the largest multiple of 36 that fits in a byte.
			if b >= 252 || n == 25 {
				continue
			}
			code[n+n/5] = codeAlphabet[b%36]
			n++
		}
	}
	return string(code), nil
}

// ValidUnlockCode reports whether s has the form [NewUnlockCode] produces,
// letting callers reject typos before paying for key derivation.
func ValidUnlockCode(s string) bool {
	if len(s) != 29 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i%6 == 5 {
			if c != '-' {
				return false
			}
		} else if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// A sealed manifest is a fixed 58-byte header followed by the ciphertext and
// its 16-byte tag. Multi-byte integers are big-endian. The whole header is the
// AEAD's additional data, so any edit to it fails authentication.
const (
	magic         = "FROSTYMF"
	version1      = 1
	kdfScrypt     = 1
	cipherXChaCha = 1
	saltLen       = 16

	offVersion = len(magic)
	offKDF     = offVersion + 1
	offLogN    = offKDF + 1
	offR       = offLogN + 1
	offP       = offR + 1
	offSalt    = offP + 1
	offCipher  = offSalt + saltLen
	offNonce   = offCipher + 1
	offLength  = offNonce + chacha20poly1305.NonceSizeX
	headerLen  = offLength + 4
)

// Tests lower these to stay fast; production uses the defaults.
var (
	sealLogN   byte   = DefaultLogN
	maxKDFCost uint64 = 256 << 20 // bytes of scrypt memory times p; 8x the default
)

// checkScrypt refuses parameters a hostile file could use to exhaust memory or CPU.
func checkScrypt(logN, r, p byte) error {
	if logN < 1 || logN > 20 || r < 1 || p < 1 {
		return fmt.Errorf("manifest: %w: scrypt parameters log2N=%d r=%d p=%d out of range", ErrUnsupported, logN, r, p)
	}
	if cost := 128 * uint64(r) * uint64(p) << logN; cost > maxKDFCost {
		return fmt.Errorf("manifest: %w: scrypt cost log2N=%d r=%d p=%d exceeds %d MiB", ErrUnsupported, logN, r, p, maxKDFCost>>20)
	}
	return nil
}

func newAEAD(code string, hdr []byte) (cipher.AEAD, error) {
	key, err := scrypt.Key([]byte(code), hdr[offSalt:offCipher], 1<<hdr[offLogN], int(hdr[offR]), int(hdr[offP]), chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("manifest: derive key: %w", err)
	}
	return chacha20poly1305.NewX(key)
}

// Seal encrypts doc as JSON under a key derived from unlockCode. rand supplies
// the salt and nonce, so sealing the same document twice gives different bytes.
// An empty doc.Format is filled in with [DocumentFormat].
func Seal(doc Document, unlockCode string, rand io.Reader) ([]byte, error) {
	if doc.Format == "" {
		doc.Format = DocumentFormat
	}
	if doc.Format != DocumentFormat {
		return nil, fmt.Errorf("manifest: document format %q, want %q", doc.Format, DocumentFormat)
	}
	plain, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("manifest: encode document: %w", err)
	}
	return seal(plain, unlockCode, rand)
}

func seal(plain []byte, code string, rand io.Reader) ([]byte, error) {
	if !ValidUnlockCode(code) {
		return nil, errMalformedCode
	}
	if len(plain) > math.MaxUint32-chacha20poly1305.Overhead {
		return nil, fmt.Errorf("manifest: document of %d bytes is too large", len(plain))
	}
	hdr := make([]byte, headerLen)
	copy(hdr, magic)
	hdr[offVersion], hdr[offKDF], hdr[offCipher] = version1, kdfScrypt, cipherXChaCha
	hdr[offLogN], hdr[offR], hdr[offP] = sealLogN, 8, 1
	if _, err := io.ReadFull(rand, hdr[offSalt:offCipher]); err != nil {
		return nil, fmt.Errorf("manifest: read salt: %w", err)
	}
	if _, err := io.ReadFull(rand, hdr[offNonce:offLength]); err != nil {
		return nil, fmt.Errorf("manifest: read nonce: %w", err)
	}
	binary.BigEndian.PutUint32(hdr[offLength:], uint32(len(plain)+chacha20poly1305.Overhead))
	aead, err := newAEAD(code, hdr)
	if err != nil {
		return nil, err
	}
	out := make([]byte, headerLen, headerLen+len(plain)+aead.Overhead())
	copy(out, hdr) // AEAD output must not overlap the additional data
	return aead.Seal(out, hdr[offNonce:offLength], plain, hdr), nil
}

// Open decrypts a sealed manifest with unlockCode. It checks the code's form
// and every header field before running the deliberately slow KDF, so junk
// input and typos fail fast. Open does not check ExpiresAt; that is policy.
func Open(sealed []byte, unlockCode string) (Document, error) {
	var doc Document
	if !ValidUnlockCode(unlockCode) {
		return doc, errMalformedCode
	}
	if len(sealed) < len(magic) {
		if strings.HasPrefix(magic, string(sealed)) {
			return doc, fmt.Errorf("manifest: %w: %d bytes", ErrTruncated, len(sealed))
		}
		return doc, fmt.Errorf("manifest: %w: bad magic", ErrNotManifest)
	}
	if string(sealed[:len(magic)]) != magic {
		return doc, fmt.Errorf("manifest: %w: bad magic", ErrNotManifest)
	}
	if len(sealed) > offVersion && sealed[offVersion] != version1 {
		return doc, fmt.Errorf("manifest: %w: version %d", ErrUnsupported, sealed[offVersion])
	}
	if len(sealed) < headerLen {
		return doc, fmt.Errorf("manifest: %w: %d of %d header bytes", ErrTruncated, len(sealed), headerLen)
	}
	hdr, body := sealed[:headerLen:headerLen], sealed[headerLen:]
	if hdr[offKDF] != kdfScrypt {
		return doc, fmt.Errorf("manifest: %w: kdf %d", ErrUnsupported, hdr[offKDF])
	}
	if err := checkScrypt(hdr[offLogN], hdr[offR], hdr[offP]); err != nil {
		return doc, err
	}
	if hdr[offCipher] != cipherXChaCha {
		return doc, fmt.Errorf("manifest: %w: cipher %d", ErrUnsupported, hdr[offCipher])
	}
	switch n := uint64(binary.BigEndian.Uint32(hdr[offLength:])); {
	case uint64(len(body)) < n:
		return doc, fmt.Errorf("manifest: %w: %d of %d ciphertext bytes", ErrTruncated, len(body), n)
	case uint64(len(body)) > n:
		return doc, fmt.Errorf("manifest: %w: %d bytes after the ciphertext", ErrNotManifest, uint64(len(body))-n)
	}
	aead, err := newAEAD(unlockCode, hdr)
	if err != nil {
		return doc, err
	}
	plain, err := aead.Open(nil, hdr[offNonce:offLength], body, hdr)
	if err != nil {
		return doc, fmt.Errorf("manifest: %w or damaged manifest", ErrWrongCode)
	}
	if err := json.Unmarshal(plain, &doc); err != nil {
		return Document{}, fmt.Errorf("manifest: decode document: %w", err)
	}
	if doc.Format != DocumentFormat {
		return Document{}, fmt.Errorf("manifest: %w: document format %q", ErrUnsupported, doc.Format)
	}
	return doc, nil
}
