package sigv4

import (
	"errors"
	"strings"
	"testing"
)

// TestVerifyEchoBounded: a message may quote the client's header, but never
// the whole of a huge one.
func TestVerifyEchoBounded(t *testing.T) {
	huge := strings.Repeat("Credential=x, ", 5000)
	for name, header := range map[string]string{
		"WrongAlgorithm": "AWS4-HMAC-SHA1 " + huge,
		"MissingEqual":   "AWS4-HMAC-SHA256 " + huge + "junk",
		"MissingParts":   "AWS4-HMAC-SHA256 Credential=" + strings.Repeat("c", 70000),
		"BadCredential":  "AWS4-HMAC-SHA256 Credential=" + strings.Repeat("c", 70000) + ", SignedHeaders=host, Signature=00",
	} {
		t.Run(name, func(t *testing.T) {
			r := apiRequest(t, "/", body)
			r.Header.Set("Authorization", header)
			r.Header.Set("X-Amz-Date", t0.Format(timeFormat))
			_, _, err := testVerifier(t, t0, alice).Verify(r, body)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify = %v, want an *Error", err)
			}
			if len(e.Message) > 1024 || !strings.Contains(e.Message, "...(truncated, ") {
				t.Errorf("message of %d bytes, want a truncated echo: %.300s", len(e.Message), e.Message)
			}
		})
	}
	if got := echo("short"); got != "short" {
		t.Errorf("echo(short) = %q", got)
	}
	if got := echo(strings.Repeat("é", 300)); got != strings.Repeat("é", 256)+"...(truncated, 300 characters)" {
		t.Errorf("echo cuts runes wrongly: %q", got)
	}
}
