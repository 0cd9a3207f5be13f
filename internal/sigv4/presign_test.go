package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
	"github.com/google/go-cmp/cmp"
)

const objectURL = "https://frosty.example:8443/bucket/manifests/JID123%20v1.bin?versionId=7"

func presign(tb testing.TB, rawURL string, c Credential, at time.Time, expires time.Duration) string {
	tb.Helper()
	u, err := Presign(rawURL, c, "us-west-2", "s3", at, expires)
	if err != nil {
		tb.Fatalf("Presign: %v", err)
	}
	return u
}

// presignFor presigns rawURL by Alice at t0 for an hour, for service.
func presignFor(tb testing.TB, rawURL, service string) string {
	tb.Helper()
	u, err := Presign(rawURL, alice, "us-west-2", service, t0, time.Hour)
	if err != nil {
		tb.Fatalf("Presign: %v", err)
	}
	return u
}

// setQuery replaces (or adds) one query parameter of rawURL.
func setQuery(tb testing.TB, rawURL, key, value string) string {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatalf("parse %q: %v", rawURL, err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func delQuery(tb testing.TB, rawURL, key string) string {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		tb.Fatalf("parse %q: %v", rawURL, err)
	}
	q := u.Query()
	q.Del(key)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestPresignAWSExample(t *testing.T) {
	// The worked example from the S3 documentation for query-string auth.
	c := Credential{AccountID: "123456789012", AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	at := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	got, err := Presign("https://examplebucket.s3.amazonaws.com/test.txt", c, "us-east-1", "s3", at, 24*time.Hour)
	if err != nil {
		t.Fatalf("Presign: %v", err)
	}
	want := "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
		"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
		"&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestPresignRejects(t *testing.T) {
	tests := []struct {
		name    string
		rawURL  string
		cred    Credential
		expires time.Duration
	}{
		{"no host", "/bucket/key", alice, time.Hour},
		{"bad url", "https://h/%zz", alice, time.Hour},
		{"zero expiry", objectURL, alice, 0},
		{"sub-second expiry", objectURL, alice, time.Millisecond},
		{"expiry over a week", objectURL, alice, 7*24*time.Hour + time.Second},
		{"no secret", objectURL, Credential{AccessKeyID: "AKIDALICE"}, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := Presign(tt.rawURL, tt.cred, "us-west-2", "s3", t0, tt.expires); err == nil {
				t.Errorf("got %s, want error", got)
			}
		})
	}
}

func TestVerifyPresigned(t *testing.T) {
	const hour = time.Hour
	good := presign(t, objectURL, alice, t0, hour)
	tests := []struct {
		name     string
		rawURL   string
		method   string
		host     string
		now      time.Time
		wantCode string
		wantMsg  string
	}{
		{name: "ok", rawURL: good, now: t0.Add(time.Minute)},
		{name: "ok at expiry", rawURL: good, now: t0.Add(hour)},
		{name: "ok presigned twice", rawURL: presign(t, good, alice, t0, hour), now: t0},
		{name: "ok no path", rawURL: presign(t, "http://frosty.example", alice, t0, hour), now: t0},
		{name: "ok session token", now: t0,
			rawURL: presign(t, "https://frosty.example/k?X-Amz-Security-Token=tok%2Fen", alice, t0, hour)},
		{name: "expired", rawURL: good, now: t0.Add(hour + time.Second), wantCode: CodeAccessDenied, wantMsg: "Request has expired"},
		{name: "tampered path", rawURL: strings.Replace(good, "JID123", "JID124", 1), now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "tampered path escaping", rawURL: strings.Replace(good, "%20", "+", 1), now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "tampered query value", rawURL: setQuery(t, good, "versionId", "8"), now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "tampered expiry", rawURL: setQuery(t, good, qExpires, "7200"), now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "malformed escape for its encoding", now: t0, wantCode: CodeSignatureDoesNotMatch,
			rawURL: strings.Replace(presign(t, objectURL+"&pct=100%25", alice, t0, hour), "pct=100%25", "pct=100%", 1)},
		{name: "extra query param", rawURL: good + "&response-content-type=text%2Fhtml", now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "changed signature", rawURL: good[:len(good)-1] + "0", now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "short signature", rawURL: setQuery(t, good, qSignature, "abc"), now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "changed host", rawURL: good, host: "evil.example:8443", now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "changed method", rawURL: good, method: http.MethodDelete, now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "wrong secret", rawURL: presign(t, objectURL, Credential{AccessKeyID: "AKIDALICE", SecretAccessKey: "guess"}, t0, hour),
			now: t0, wantCode: CodeSignatureDoesNotMatch},
		{name: "unknown key", rawURL: presign(t, objectURL, Credential{AccessKeyID: "AKIDMALLORY", SecretAccessKey: "x"}, t0, hour),
			now: t0, wantCode: CodeInvalidAccessKeyID},
		{name: "no query", rawURL: objectURL, now: t0, wantCode: CodeAuthorizationQueryParametersError},
		{name: "missing date", rawURL: delQuery(t, good, qDate), now: t0, wantCode: CodeAuthorizationQueryParametersError},
		{name: "duplicate signature", rawURL: good + "&X-Amz-Signature=00", now: t0, wantCode: CodeAuthorizationQueryParametersError},
		{name: "bad algorithm", rawURL: setQuery(t, good, qAlgorithm, "AWS4-HMAC-SHA1"), now: t0, wantCode: CodeAuthorizationQueryParametersError},
		{name: "malformed credential", rawURL: setQuery(t, good, qCredential, "AKIDALICE/20261120/us-west-2/s3"), now: t0,
			wantCode: CodeAuthorizationQueryParametersError, wantMsg: "mal-formed"},
		{name: "credential other service", rawURL: setQuery(t, good, qCredential, "AKIDALICE/20261120/us-west-2/dynamodb/aws4_request"),
			now: t0, wantCode: CodeAuthorizationQueryParametersError, wantMsg: "incorrect service"},
		{name: "signed for other service", rawURL: presignFor(t, objectURL, "dynamodb"),
			now: t0, wantCode: CodeAuthorizationQueryParametersError, wantMsg: "incorrect service"},
		{name: "credential date mismatch", rawURL: setQuery(t, good, qCredential, "AKIDALICE/20261121/us-west-2/s3/aws4_request"),
			now: t0, wantCode: CodeAuthorizationQueryParametersError, wantMsg: "incorrect date"},
		{name: "bad date", rawURL: setQuery(t, good, qDate, "2026-11-20"), now: t0, wantCode: CodeAuthorizationQueryParametersError},
		{name: "expires zero", rawURL: setQuery(t, good, qExpires, "0"), now: t0, wantCode: CodeAuthorizationQueryParametersError},
		{name: "expires over a week", rawURL: setQuery(t, good, qExpires, "604801"), now: t0, wantCode: CodeAuthorizationQueryParametersError},
		{name: "expires not a number", rawURL: setQuery(t, good, qExpires, "1e3"), now: t0, wantCode: CodeAuthorizationQueryParametersError},
		{name: "host not signed", rawURL: setQuery(t, good, qSignedHeaders, "x-amz-date"), now: t0, wantCode: CodeAuthorizationQueryParametersError},
	}
	keys := testKeyring(t, alice, bob)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodGet
			}
			r := httptest.NewRequest(method, tt.rawURL, nil)
			if tt.host != "" {
				r.Host = tt.host
			}
			cred, err := VerifyPresigned(r, keys, "s3", tt.now)
			checkErr(t, err, tt.wantCode, tt.wantMsg)
			if tt.wantCode == "" {
				if diff := cmp.Diff(alice, cred); diff != "" {
					t.Errorf("credential mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestVerifyPresignedSDK checks that URLs presigned by aws-sdk-go v1, as it
// does for S3, are accepted: a real client, not just our own Presign.
func TestVerifyPresignedSDK(t *testing.T) {
	for _, rawURL := range []string{
		"https://frosty.example/bucket/key.bin",
		"https://frosty.example:8443/bucket/dir/JID123%20v1.bin?versionId=7&partNumber=2",
	} {
		t.Run(rawURL, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, rawURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			s := v4.NewSigner(credentials.NewStaticCredentials(alice.AccessKeyID, alice.SecretAccessKey, ""),
				func(s *v4.Signer) { s.DisableURIPathEscaping = true })
			if _, err := s.Presign(req, nil, "s3", "us-west-2", 15*time.Minute, t0); err != nil {
				t.Fatalf("sdk presign: %v", err)
			}
			keys := testKeyring(t, alice)
			r := httptest.NewRequest(http.MethodGet, req.URL.String(), nil)
			if _, err := VerifyPresigned(r, keys, "s3", t0.Add(15*time.Minute)); err != nil {
				t.Errorf("VerifyPresigned: %v", err)
			}
			_, err = VerifyPresigned(r, keys, "s3", t0.Add(16*time.Minute))
			checkErr(t, err, CodeAccessDenied, "Request has expired")
		})
	}
}

// TestVerifyPresignedService checks the exact S3 error for a URL presigned,
// validly, for another service than the one verifying it.
func TestVerifyPresignedService(t *testing.T) {
	keys := testKeyring(t, alice)
	for _, service := range []string{"dynamodb", "snowball", "S3"} {
		t.Run(service, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, presignFor(t, objectURL, service), nil)
			_, err := VerifyPresigned(r, keys, "s3", t0)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("got error %v, want *Error", err)
			}
			want := Error{CodeAuthorizationQueryParametersError,
				`Error parsing the X-Amz-Credential parameter; incorrect service "` + service + `". This endpoint belongs to "s3".`}
			if diff := cmp.Diff(want, *got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
	r := httptest.NewRequest(http.MethodGet, presignFor(t, objectURL, "s3"), nil)
	if _, err := VerifyPresigned(r, keys, "s3", t0); err != nil {
		t.Errorf("VerifyPresigned of a URL presigned for s3: %v", err)
	}
}
