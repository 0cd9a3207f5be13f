package manifest

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testLogN keeps most tests fast; TestDefaultCost covers production's cost.
const testLogN = 10

var prodLogN byte

func TestMain(m *testing.M) {
	prodLogN, sealLogN = sealLogN, testLogN
	os.Exit(m.Run())
}

const code = "7c33e-a8k2m-0z9qq-b4n1x-hh6pt"

func testDoc() Document {
	created := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
	return Document{
		Format:       DocumentFormat,
		JobID:        "JID123e4567-e89b-12d3-a456-426655440000",
		JobType:      "IMPORT",
		SnowballType: "EDGE",
		Capacity:     "T100",
		SnowballID:   "SB-0001",
		ClusterID:    "CID123e4567-e89b-12d3-a456-426655440000",
		Resources:    json.RawMessage(`{"S3Resources":[{"BucketArn":"arn:aws:s3:::bucket"}]}`),
		Device:       DeviceCredentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "c2VjcmV0"},
		CreatedAt:    created,
		ExpiresAt:    created.Add(CredentialLifetime),
	}
}

func mustSeal(t testing.TB, doc Document) []byte {
	t.Helper()
	sealed, err := Seal(doc, code, rand.Reader)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return sealed
}

var sentinels = []error{ErrNotManifest, ErrUnsupported, ErrTruncated, ErrWrongCode}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func TestNewUnlockCode(t *testing.T) {
	seen := map[string]bool{}
	chars := map[rune]int{}
	for range 1000 {
		c, err := NewUnlockCode(rand.Reader)
		if err != nil {
			t.Fatalf("NewUnlockCode: %v", err)
		}
		if !ValidUnlockCode(c) {
			t.Fatalf("NewUnlockCode() = %q, not a valid code", c)
		}
		if seen[c] {
			t.Fatalf("NewUnlockCode() repeated %q", c)
		}
		seen[c] = true
		for _, r := range strings.ReplaceAll(c, "-", "") {
			chars[r]++
		}
	}
	// 25,000 draws over 36 symbols: about 694 each, so a missing or
	// starved symbol means the mapping is broken, not bad luck.
	for _, r := range codeAlphabet {
		if chars[r] < 400 {
			t.Errorf("symbol %q drawn %d times in 25000, want about 694", r, chars[r])
		}
	}
	if len(chars) != len(codeAlphabet) {
		t.Errorf("drew %d distinct symbols, want %d", len(chars), len(codeAlphabet))
	}
}

func TestNewUnlockCodeDeterministic(t *testing.T) {
	seq := func(bs ...byte) []byte { return bs }
	ramp := func(from, n int) []byte {
		var b []byte
		for i := range n {
			b = append(b, byte(from+i))
		}
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"identity", ramp(0, 32), "01234-56789-abcde-fghij-klmno"},
		{"wraps modulo 36", ramp(36, 32), "01234-56789-abcde-fghij-klmno"},
		{"rejects 252 and up", append(seq(252, 253, 254, 255), ramp(0, 28)...), "01234-56789-abcde-fghij-klmno"},
		{"accepts 251", append(seq(251), ramp(0, 31)...), "z0123-45678-9abcd-efghi-jklmn"},
		{"second read after rejections", append(bytes.Repeat(seq(255), 30), ramp(0, 34)...), "01234-56789-abcde-fghij-klmno"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NewUnlockCode(bytes.NewReader(tt.in))
			if err != nil {
				t.Fatalf("NewUnlockCode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("NewUnlockCode() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewUnlockCodeRandError(t *testing.T) {
	boom := errors.New("boom")
	if _, err := NewUnlockCode(bytes.NewReader(make([]byte, 10))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("NewUnlockCode(short reader) error = %v, want %v", err, io.ErrUnexpectedEOF)
	}
	if _, err := NewUnlockCode(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("NewUnlockCode(failing reader) error = %v, want %v", err, boom)
	}
}

func TestValidUnlockCode(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{code, true},
		{"00000-00000-00000-00000-00000", true},
		{"zzzzz-zzzzz-zzzzz-zzzzz-zzzzz", true},
		{"", false},
		{"7c33e-a8k2m-0z9qq-b4n1x-hh6p", false},
		{"7c33e-a8k2m-0z9qq-b4n1x-hh6ptt", false},
		{"7C33E-A8K2M-0Z9QQ-B4N1X-HH6PT", false},
		{"7c33e_a8k2m-0z9qq-b4n1x-hh6pt", false},
		{"7c33ea8k2m-0z9qq-b4n1x-hh6pt-", false},
		{"-7c33ea8k2m-0z9qq-b4n1x-hh6pt", false},
		{"7c33e-a8k2m-0z9qq-b4n1x-hh6p!", false},
		{"7c33e-a8k2m-0z9qq-b4n1x-hh6p\x00", false},
		{"7c33e-a8k2m-0z9qq-b4n1x-hh6pé", false},
		{" 7c33e-a8k2m-0z9qq-b4n1x-hh6p", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ValidUnlockCode(tt.in); got != tt.want {
				t.Errorf("ValidUnlockCode(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	full := testDoc()
	minimal := Document{JobID: "JID1", JobType: "EXPORT", SnowballType: "STANDARD"}
	minimalWant := minimal
	minimalWant.Format = DocumentFormat
	tests := []struct {
		name string
		in   Document
		want Document
	}{
		{"full", full, full},
		{"minimal fills in format", minimal, minimalWant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Open(mustSeal(t, tt.in), code)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Open(Seal(doc)) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDefaultCost checks that production seals at DefaultLogN and that such
// manifests open.
func TestDefaultCost(t *testing.T) {
	if prodLogN != DefaultLogN || DefaultLogN != 15 {
		t.Fatalf("production log2N = %d, DefaultLogN = %d, want 15", prodLogN, DefaultLogN)
	}
	sealLogN = prodLogN
	defer func() { sealLogN = testLogN }()
	sealed := mustSeal(t, testDoc())
	if got, want := sealed[offLogN:offSalt], []byte{15, 8, 1}; !bytes.Equal(got, want) {
		t.Errorf("scrypt params = %v, want %v", got, want)
	}
	got, err := Open(sealed, code)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if diff := cmp.Diff(testDoc(), got); diff != "" {
		t.Errorf("Open mismatch (-want +got):\n%s", diff)
	}
}

func TestWrongCode(t *testing.T) {
	sealed := mustSeal(t, testDoc())
	tests := []struct{ name, code string }{
		{"other valid code", "7c33e-a8k2m-0z9qq-b4n1x-hh6pu"},
		{"empty", ""},
		{"upper case", strings.ToUpper(code)},
		{"no dashes", strings.ReplaceAll(code, "-", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(sealed, tt.code)
			if !errors.Is(err, ErrWrongCode) {
				t.Fatalf("Open error = %v, want %v", err, ErrWrongCode)
			}
		})
	}
	_, err := Open(sealed, "7c33e-a8k2m-0z9qq-b4n1x-hh6pu")
	if got, want := err.Error(), "manifest: wrong unlock code or damaged manifest"; got != want {
		t.Errorf("Open error text = %q, want %q", got, want)
	}
}

func TestSealErrors(t *testing.T) {
	boom := errors.New("boom")
	badFormat := testDoc()
	badFormat.Format = "frosty-manifest/2"
	badJSON := testDoc()
	badJSON.Resources = json.RawMessage(`{`)
	tests := []struct {
		name string
		doc  Document
		code string
		rand io.Reader
		want error
	}{
		{"malformed code", testDoc(), "nope", nil, ErrWrongCode},
		{"other format", badFormat, code, nil, nil},
		{"bad resources json", badJSON, code, nil, nil},
		{"short salt", testDoc(), code, bytes.NewReader(make([]byte, 10)), nil},
		{"short nonce", testDoc(), code, bytes.NewReader(make([]byte, 20)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.rand
			if r == nil {
				r = rand.Reader
			}
			out, err := Seal(tt.doc, tt.code, r)
			if err == nil || out != nil {
				t.Fatalf("Seal = %d bytes, %v; want nil, error", len(out), err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Seal error = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := Seal(testDoc(), code, iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("Seal(failing reader) error = %v, want %v", err, boom)
	}
}

func TestSealIsFresh(t *testing.T) {
	a, b := mustSeal(t, testDoc()), mustSeal(t, testDoc())
	if bytes.Equal(a[offSalt:offCipher], b[offSalt:offCipher]) {
		t.Error("two seals share a salt")
	}
	if bytes.Equal(a[offNonce:offLength], b[offNonce:offLength]) {
		t.Error("two seals share a nonce")
	}
	if bytes.Equal(a[headerLen:], b[headerLen:]) {
		t.Error("two seals share a ciphertext")
	}
}

func TestTruncated(t *testing.T) {
	sealed := mustSeal(t, testDoc())
	for n := range len(sealed) {
		doc, err := Open(sealed[:n], code)
		if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrNotManifest) {
			t.Errorf("Open(first %d of %d bytes) error = %v, want %v or %v", n, len(sealed), err, ErrTruncated, ErrNotManifest)
		}
		if diff := cmp.Diff(Document{}, doc); diff != "" {
			t.Errorf("Open(first %d bytes) returned a document:\n%s", n, diff)
		}
	}
}

func TestTrailingBytes(t *testing.T) {
	sealed := append(mustSeal(t, testDoc()), 0)
	if _, err := Open(sealed, code); !errors.Is(err, ErrNotManifest) {
		t.Errorf("Open(manifest + 1 byte) error = %v, want %v", err, ErrNotManifest)
	}
}

func TestNotManifest(t *testing.T) {
	for _, in := range []string{"X", "FROSTYMX", "frostymf\x01", `{"format":"frosty-manifest/1"}`} {
		if _, err := Open([]byte(in), code); !errors.Is(err, ErrNotManifest) {
			t.Errorf("Open(%q) error = %v, want %v", in, err, ErrNotManifest)
		}
	}
}

func TestTamper(t *testing.T) {
	sealed := mustSeal(t, testDoc())
	ct := len(sealed) - headerLen
	tests := []struct {
		name string
		pos  int
		mask byte
		want error // nil: any of the sentinels
	}{
		{"magic first", 0, 0x01, ErrNotManifest},
		{"magic last", offVersion - 1, 0x01, ErrNotManifest},
		{"version", offVersion, 0x03, ErrUnsupported},
		{"kdf", offKDF, 0x02, ErrUnsupported},
		{"log2N cheaper", offLogN, 0x01, ErrWrongCode},
		{"log2N huge", offLogN, 0x80, ErrUnsupported},
		{"r", offR, 0x01, ErrWrongCode},
		{"r zero", offR, 0x08, ErrUnsupported},
		{"p zero", offP, 0x01, ErrUnsupported},
		{"p three", offP, 0x02, ErrWrongCode},
		{"salt first", offSalt, 0x01, ErrWrongCode},
		{"salt last", offCipher - 1, 0x80, ErrWrongCode},
		{"cipher", offCipher, 0x02, ErrUnsupported},
		{"nonce first", offNonce, 0x01, ErrWrongCode},
		{"nonce last", offLength - 1, 0x80, ErrWrongCode},
		{"length high", offLength, 0x01, ErrTruncated},
		{"length low", headerLen - 1, 0x01, nil},
		{"ciphertext first", headerLen, 0x01, ErrWrongCode},
		{"ciphertext middle", headerLen + ct/2, 0x40, ErrWrongCode},
		{"tag first", len(sealed) - 16, 0x01, ErrWrongCode},
		{"tag last", len(sealed) - 1, 0x80, ErrWrongCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := bytes.Clone(sealed)
			bad[tt.pos] ^= tt.mask
			_, err := Open(bad, code)
			if tt.want == nil && !isSentinel(err) || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Open(byte %d ^ %#x) error = %v, want %v", tt.pos, tt.mask, err, tt.want)
			}
		})
	}
	t.Run("every byte", func(t *testing.T) {
		for pos := range sealed {
			bad := bytes.Clone(sealed)
			bad[pos] ^= 0xff
			if _, err := Open(bad, code); !isSentinel(err) {
				t.Errorf("Open(byte %d ^ 0xff) error = %v, want a sentinel error", pos, err)
			}
		}
	})
}

func TestHostileScrypt(t *testing.T) {
	sealed := mustSeal(t, testDoc())
	tests := []struct {
		name       string
		logN, r, p byte
	}{
		{"log2N 0", 0, 8, 1},
		{"log2N 21", 21, 1, 1},
		{"log2N 255", 255, 8, 1},
		{"r 0", 15, 0, 1},
		{"p 0", 15, 8, 0},
		{"1 GiB memory", 20, 8, 1},
		{"r and p max", 15, 255, 255},
		{"p multiplies work", 15, 8, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := bytes.Clone(sealed)
			bad[offLogN], bad[offR], bad[offP] = tt.logN, tt.r, tt.p
			if _, err := Open(bad, code); !errors.Is(err, ErrUnsupported) {
				t.Errorf("Open(log2N=%d r=%d p=%d) error = %v, want %v", tt.logN, tt.r, tt.p, err, ErrUnsupported)
			}
		})
	}
}

func TestCheckScryptBoundary(t *testing.T) {
	tests := []struct {
		logN, r, p byte
		ok         bool
	}{
		{DefaultLogN, 8, 1, true},
		{1, 1, 1, true},
		{20, 2, 1, true},  // 256 MiB, the ceiling
		{18, 8, 1, true},  // 256 MiB
		{15, 8, 8, true},  // 32 MiB x 8
		{20, 2, 2, false}, // 512 MiB of work
		{18, 8, 2, false},
		{15, 8, 9, false},
		{20, 4, 1, false},
	}
	for _, tt := range tests {
		err := checkScrypt(tt.logN, tt.r, tt.p)
		if got := err == nil; got != tt.ok {
			t.Errorf("checkScrypt(%d, %d, %d) = %v, want ok=%v", tt.logN, tt.r, tt.p, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrUnsupported) {
			t.Errorf("checkScrypt(%d, %d, %d) = %v, want %v", tt.logN, tt.r, tt.p, err, ErrUnsupported)
		}
	}
}

// TestOpenDocumentChecks covers failures after successful decryption, which
// Seal cannot produce on its own.
func TestOpenDocumentChecks(t *testing.T) {
	tests := []struct {
		name  string
		plain string
		want  error // nil: any non-sentinel error
	}{
		{"other format", `{"format":"frosty-manifest/2"}`, ErrUnsupported},
		{"no format", `{"jobId":"JID1"}`, ErrUnsupported},
		{"not json", `not json`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := seal([]byte(tt.plain), code, rand.Reader)
			if err != nil {
				t.Fatalf("seal: %v", err)
			}
			doc, err := Open(sealed, code)
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) || tt.want == nil && isSentinel(err) {
				t.Errorf("Open error = %v, want %v", err, tt.want)
			}
			if diff := cmp.Diff(Document{}, doc); diff != "" {
				t.Errorf("Open returned a document:\n%s", diff)
			}
		})
	}
}

func TestLengthFieldIsCiphertextLength(t *testing.T) {
	sealed := mustSeal(t, testDoc())
	if got, want := int(binary.BigEndian.Uint32(sealed[offLength:headerLen])), len(sealed)-headerLen; got != want {
		t.Errorf("length field = %d, want %d", got, want)
	}
	if got, want := string(sealed[:offVersion]), "FROSTYMF"; got != want {
		t.Errorf("magic = %q, want %q", got, want)
	}
}

func FuzzOpen(f *testing.F) {
	// Keep the fuzzer from spending its time in scrypt: mutated cost bytes
	// are still parsed, but anything above test cost is refused.
	old := maxKDFCost
	maxKDFCost = 2 << 20
	f.Cleanup(func() { maxKDFCost = old })

	sealed := mustSeal(f, testDoc())
	f.Add(sealed)
	f.Add(sealed[:headerLen])
	f.Add(sealed[:offVersion])
	f.Add([]byte{})
	f.Add([]byte("FROSTYMF\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Open(data, code)
		if err != nil {
			return
		}
		if doc.Format != DocumentFormat {
			t.Errorf("Open succeeded with format %q", doc.Format)
		}
	})
}
