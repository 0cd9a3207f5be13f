package sigv4

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
	"github.com/google/go-cmp/cmp"
)

var (
	alice = Credential{AccountID: "111122223333", AccessKeyID: "AKIDALICE", SecretAccessKey: "alice/secret+key"}
	bob   = Credential{AccountID: "444455556666", AccessKeyID: "AKIDBOB", SecretAccessKey: "bob-secret"}
	t0    = time.Date(2026, 11, 20, 0, 5, 0, 0, time.UTC)
	body  = []byte(`{"JobId":"JID123"}`)
)

func testKeyring(tb testing.TB, creds ...Credential) *Keyring {
	tb.Helper()
	k, err := NewKeyring(creds)
	if err != nil {
		tb.Fatalf("NewKeyring: %v", err)
	}
	return k
}

// apiRequest is a Snowball-shaped awsJson call as the server would see it.
func apiRequest(tb testing.TB, target string, b []byte) *http.Request {
	tb.Helper()
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService.DescribeJob")
	return r
}

// sdkSign signs r the way aws-sdk-go v1 does for the service "snowball".
func sdkSign(tb testing.TB, r *http.Request, b []byte, c Credential, token string, at time.Time) {
	tb.Helper()
	sdkSignFor(tb, r, b, c, token, "snowball", at)
}

// sdkSignFor signs r with aws-sdk-go v1 for service; opts configure the
// signer (UnsignedPayload, say).
func sdkSignFor(tb testing.TB, r *http.Request, b []byte, c Credential, token, service string, at time.Time, opts ...func(*v4.Signer)) {
	tb.Helper()
	s := v4.NewSigner(credentials.NewStaticCredentials(c.AccessKeyID, c.SecretAccessKey, token), opts...)
	if _, err := s.Sign(r, bytes.NewReader(b), service, "us-west-2", at); err != nil {
		tb.Fatalf("sign: %v", err)
	}
}

// testVerifier verifies for the service "snowball" at now.
func testVerifier(tb testing.TB, now time.Time, creds ...Credential) *Verifier {
	tb.Helper()
	return &Verifier{Keys: testKeyring(tb, creds...), Service: "snowball", Now: func() time.Time { return now }}
}

// signed returns a request signed by the SDK after mutate has shaped it.
func signed(tb testing.TB, c Credential, at time.Time, mutate func(*http.Request)) *http.Request {
	tb.Helper()
	r := apiRequest(tb, "https://snowball.us-west-2.amazonaws.com/", body)
	if mutate != nil {
		mutate(r)
	}
	sdkSign(tb, r, body, c, "", at)
	return r
}

func editAuth(r *http.Request, old, new string) {
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
}

func checkErr(tb testing.TB, err error, wantCode, wantMsg string) {
	tb.Helper()
	if wantCode == "" {
		if err != nil {
			tb.Fatalf("got error %v, want none", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v (%T), want *Error with code %s", err, err, wantCode)
	}
	if e.Code != wantCode {
		tb.Errorf("got code %s (%s), want %s", e.Code, e.Message, wantCode)
	}
	if wantMsg != "" && !strings.Contains(e.Message, wantMsg) {
		tb.Errorf("got message %q, want it to contain %q", e.Message, wantMsg)
	}
}

func TestVerify(t *testing.T) {
	scope := Scope{Date: "20261120", Region: "us-west-2", Service: "snowball"}
	tests := []struct {
		name     string
		req      func(tb testing.TB) (*http.Request, []byte)
		now      time.Time
		wantCode string
		wantMsg  string
	}{
		{name: "sdk signed", now: t0, req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, nil), body
		}},
		{name: "empty body", now: t0, req: func(tb testing.TB) (*http.Request, []byte) {
			r := apiRequest(tb, "https://snowball.us-west-2.amazonaws.com/", nil)
			sdkSign(tb, r, nil, alice, "", t0)
			return r, nil
		}},
		{name: "header values with extra spaces", now: t0, req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, func(r *http.Request) {
				r.Header.Set("X-Amz-Target", "  AWSIESnowballJobManagementService.DescribeJob  ")
				r.Header.Set("X-Custom", "a   b    c")
			}), body
		}},
		{name: "repeated header", now: t0, req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, func(r *http.Request) {
				r.Header.Add("X-Custom", "one")
				r.Header.Add("X-Custom", " two ")
			}), body
		}},
		{name: "escaped path and query", now: t0, req: func(tb testing.TB) (*http.Request, []byte) {
			r := apiRequest(tb, "https://snowball.us-west-2.amazonaws.com/a%20b/c%2Fd?z=1&a=x%20y&b=%2F", body)
			sdkSign(tb, r, body, alice, "", t0)
			return r, body
		}},
		{name: "session token", now: t0, req: func(tb testing.TB) (*http.Request, []byte) {
			r := apiRequest(tb, "https://snowball.us-west-2.amazonaws.com/", body)
			sdkSign(tb, r, body, alice, "FQoGZXIvYXdzEJr//session", t0)
			return r, body
		}},
		{name: "content sha256 header", now: t0, req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", hexSHA256(body)) }), body
		}},
		{name: "content sha256 header unsigned", now: t0, req: func(tb testing.TB) (*http.Request, []byte) {
			// A header the client did not sign is not part of the
			// signature, whatever it says.
			r := signed(tb, alice, t0, nil)
			r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
			return r, body
		}},
		{name: "skew 4 min past", now: t0.Add(4 * time.Minute), req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, nil), body
		}},
		{name: "skew 4 min future", now: t0.Add(-4 * time.Minute), req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, nil), body
		}},
		{name: "unsigned", now: t0, wantCode: CodeMissingAuthenticationToken, wantMsg: "Missing Authentication Token",
			req: func(tb testing.TB) (*http.Request, []byte) {
				return apiRequest(tb, "https://snowball.us-west-2.amazonaws.com/", body), body
			}},
		{name: "query signature only", now: t0, wantCode: CodeIncompleteSignature,
			req: func(tb testing.TB) (*http.Request, []byte) {
				return apiRequest(tb, "https://snowball.us-west-2.amazonaws.com/?X-Amz-Signature=00", body), body
			}},
		{name: "unknown key", now: t0, wantCode: CodeUnrecognizedClient,
			wantMsg: "The security token included in the request is invalid.",
			req: func(tb testing.TB) (*http.Request, []byte) {
				return signed(tb, Credential{AccessKeyID: "AKIDMALLORY", SecretAccessKey: "x"}, t0, nil), body
			}},
		{name: "wrong secret", now: t0, wantCode: CodeInvalidSignature, wantMsg: "does not match the signature you provided",
			req: func(tb testing.TB) (*http.Request, []byte) {
				return signed(tb, Credential{AccessKeyID: alice.AccessKeyID, SecretAccessKey: "guess"}, t0, nil), body
			}},
		{name: "body changed", now: t0, wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, nil), []byte(`{"JobId":"JID999"}`)
		}},
		{name: "content sha256 mismatch", now: t0, wantCode: CodeInvalidSignature, wantMsg: msgSignatureMismatch,
			req: func(tb testing.TB) (*http.Request, []byte) {
				return signed(tb, alice, t0, func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", hexSHA256(nil)) }), body
			}},
		{name: "signed header changed", now: t0, wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			r := signed(tb, alice, t0, nil)
			r.Header.Set("X-Amz-Target", "AWSIESnowballJobManagementService.CancelJob")
			return r, body
		}},
		{name: "host changed", now: t0, wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			r := signed(tb, alice, t0, nil)
			r.Host = "evil.example"
			return r, body
		}},
		{name: "query added", now: t0, wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			r := signed(tb, alice, t0, nil)
			r.URL.RawQuery = "a=1"
			return r, body
		}},
		{name: "malformed escape for its encoding", now: t0, wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			r := apiRequest(tb, "https://snowball.us-west-2.amazonaws.com/?pct=100%25", body)
			sdkSign(tb, r, body, alice, "", t0)
			r.URL.RawQuery = "pct=100%"
			return r, body
		}},
		{name: "path changed", now: t0, wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			r := signed(tb, alice, t0, nil)
			r.URL.Path = "/other"
			return r, body
		}},
		{name: "skew 6 min past", now: t0.Add(6 * time.Minute), wantCode: CodeInvalidSignature,
			wantMsg: "Signature expired: 20261120T000500Z is now earlier than 20261120T000600Z (20261120T001100Z - 5 min.)",
			req:     func(tb testing.TB) (*http.Request, []byte) { return signed(tb, alice, t0, nil), body }},
		{name: "skew 6 min future", now: t0.Add(-6 * time.Minute), wantCode: CodeInvalidSignature,
			wantMsg: "Signature not yet current: 20261120T000500Z is still later than 20261120T000400Z (20261119T235900Z + 5 min.)",
			req:     func(tb testing.TB) (*http.Request, []byte) { return signed(tb, alice, t0, nil), body }},
		{name: "scope date mismatch", now: t0, wantCode: CodeInvalidSignature, wantMsg: "Date in Credential scope",
			req: func(tb testing.TB) (*http.Request, []byte) {
				r := signed(tb, alice, t0, nil)
				editAuth(r, "/20261120/", "/20261119/")
				return r, body
			}},
		{name: "no date header", now: t0, wantCode: CodeIncompleteSignature, wantMsg: "either a 'X-Amz-Date' or a 'Date' header",
			req: func(tb testing.TB) (*http.Request, []byte) {
				r := signed(tb, alice, t0, nil)
				r.Header.Del("X-Amz-Date")
				return r, body
			}},
		{name: "bad x-amz-date", now: t0, wantCode: CodeIncompleteSignature, wantMsg: "ISO-8601",
			req: func(tb testing.TB) (*http.Request, []byte) {
				r := signed(tb, alice, t0, nil)
				r.Header.Set("X-Amz-Date", "2026-11-20T00:05:00Z")
				return r, body
			}},
		{name: "truncated authorization", now: t0, wantCode: CodeIncompleteSignature,
			wantMsg: "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=",
			req: func(tb testing.TB) (*http.Request, []byte) {
				r := signed(tb, alice, t0, nil)
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:strings.Index(a, ",")])
				return r, body
			}},
		{name: "empty signature", now: t0, wantCode: CodeIncompleteSignature, wantMsg: "requires 'Signature' parameter",
			req: func(tb testing.TB) (*http.Request, []byte) {
				r := signed(tb, alice, t0, nil)
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:strings.Index(a, "Signature=")+len("Signature=")])
				return r, body
			}},
		{name: "garbage authorization", now: t0, wantCode: CodeIncompleteSignature,
			req: func(tb testing.TB) (*http.Request, []byte) {
				r := signed(tb, alice, t0, nil)
				r.Header.Set("Authorization", "Bearer eyJhbGciOi")
				return r, body
			}},
		{name: "missing equal sign", now: t0, wantCode: CodeIncompleteSignature, wantMsg: "missing equal-sign",
			req: func(tb testing.TB) (*http.Request, []byte) {
				r := signed(tb, alice, t0, nil)
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 garbage")
				return r, body
			}},
		{name: "malformed credential", now: t0, wantCode: CodeIncompleteSignature, wantMsg: "Credential should be scoped",
			req: func(tb testing.TB) (*http.Request, []byte) {
				r := signed(tb, alice, t0, nil)
				editAuth(r, "/aws4_request", "/aws5_request")
				return r, body
			}},
		{name: "host not signed", now: t0, wantCode: CodeIncompleteSignature, wantMsg: "'Host' or ':authority'",
			req: func(tb testing.TB) (*http.Request, []byte) {
				r := signed(tb, alice, t0, nil)
				editAuth(r, "SignedHeaders=content-type;host;", "SignedHeaders=content-type;")
				return r, body
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := tt.req(t)
			cred, sc, err := testVerifier(t, tt.now, alice, bob).Verify(r, b)
			checkErr(t, err, tt.wantCode, tt.wantMsg)
			if tt.wantCode != "" {
				return
			}
			if diff := cmp.Diff(alice, cred); diff != "" {
				t.Errorf("credential mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(scope, sc); diff != "" {
				t.Errorf("scope mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVerifyTestSuite checks vectors from AWS's published SigV4 test suite,
// independent of any SDK.
func TestVerifyTestSuite(t *testing.T) {
	example := Credential{AccountID: "123456789012", AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	at := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	tests := []struct {
		name, target, signature string
	}{
		{"get-vanilla", "https://example.amazonaws.com/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"get-vanilla-query-order-key-case", "https://example.amazonaws.com/?Param2=value2&Param1=value1",
			"b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.target, nil)
			r.Header.Set("X-Amz-Date", "20150830T123600Z")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "+
				"SignedHeaders=host;x-amz-date, Signature="+tt.signature)
			v := &Verifier{Keys: testKeyring(t, example), Service: "service", Now: func() time.Time { return at }}
			if _, _, err := v.Verify(r, nil); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

// TestVerifyDateHeader covers clients that sign the Date header instead of
// X-Amz-Date, which no SDK does by default.
func TestVerifyDateHeader(t *testing.T) {
	r := apiRequest(t, "https://snowball.us-west-2.amazonaws.com/", body)
	r.Header.Set("Date", t0.Format(http.TimeFormat))
	sc := Scope{Date: "20261120", Region: "us-west-2", Service: "snowball"}
	creq := "POST\n/\n\ndate:" + t0.Format(http.TimeFormat) + "\nhost:snowball.us-west-2.amazonaws.com\n\ndate;host\n" + hexSHA256(body)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDALICE/20261120/us-west-2/snowball/aws4_request, "+
		"SignedHeaders=date;host, Signature="+signature(alice.SecretAccessKey, sc, t0, creq))
	if _, _, err := testVerifier(t, t0, alice).Verify(r, body); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestVerifyMaxSkew(t *testing.T) {
	r := signed(t, alice, t0, nil)
	v := testVerifier(t, t0.Add(90*time.Second), alice)
	v.MaxSkew = time.Minute
	_, _, err := v.Verify(r, body)
	checkErr(t, err, CodeInvalidSignature, "(20261120T000630Z - 1 min.)")
}

// FuzzVerify checks that no Authorization header, date or query makes
// Verify panic or fail with anything but an *Error. Presigned URLs have
// their own target, FuzzVerifyPresigned.
func FuzzVerify(f *testing.F) {
	valid := signed(f, alice, t0, nil).Header.Get("Authorization")
	for _, s := range []string{
		valid, valid[:len(valid)/2], "", "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 ,,,=,=",
		"AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;, Signature=",
		"AWS4-HMAC-SHA256 Credential=AKIDALICE/20261120/r/s/aws4_request, SignedHeaders=host;;x, Signature=zz",
	} {
		f.Add(s, "20261120T000500Z", "a=%zz&b")
	}
	v := testVerifier(f, t0, alice)
	f.Fuzz(func(t *testing.T, auth, date, rawQuery string) {
		r := apiRequest(t, "https://snowball.us-west-2.amazonaws.com/", body)
		r.URL.RawQuery = rawQuery
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		if _, _, err := v.Verify(r, body); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Verify error %v is %T, want *Error", err, err)
			}
		}
	})
}

// TestVerifyService checks that a signature made for another service is
// refused before anything else about it is considered, with the message AWS
// gives.
func TestVerifyService(t *testing.T) {
	const wantMsg = "Credential should be scoped to correct service: 'snowball'. "
	tests := []struct {
		name     string
		cred     Credential
		service  string
		wantCode string
	}{
		{"OK", alice, "snowball", ""},
		{"ErrDynamoDB", alice, "dynamodb", CodeInvalidSignature},
		{"ErrS3", alice, "s3", CodeInvalidSignature},
		{"ErrCase", alice, "Snowball", CodeInvalidSignature},
		{"ErrUnknownKeyOtherService", Credential{AccessKeyID: "AKIDMALLORY", SecretAccessKey: "x"}, "dynamodb", CodeInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := apiRequest(t, "https://snowball.us-west-2.amazonaws.com/", body)
			sdkSignFor(t, r, body, tt.cred, "", tt.service, t0)
			_, _, err := testVerifier(t, t0, alice).Verify(r, body)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("got error %v, want *Error", err)
			}
			if diff := cmp.Diff(Error{tt.wantCode, wantMsg}, *got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("ErrNoService", func(t *testing.T) {
		v := &Verifier{Keys: testKeyring(t, alice), Now: func() time.Time { return t0 }}
		_, _, err := v.Verify(signed(t, alice, t0, nil), body)
		checkErr(t, err, CodeInvalidSignature, "Credential should be scoped to correct service: ''. ")
	})
}

// TestVerifyPayloadHash checks that the payload hash signed must be that of
// the body that arrived, whatever X-Amz-Content-Sha256 says, so a body
// cannot be swapped after signing.
func TestVerifyPayloadHash(t *testing.T) {
	const target = "https://snowball.us-west-2.amazonaws.com/"
	other := []byte(`{"JobId":"JID999"}`)
	unsigned := func(s *v4.Signer) { s.UnsignedPayload = true }
	// handSigned signs, independently of the SDK and of canonicalRequest,
	// a request whose canonical form covers only host and x-amz-date and
	// whose payload hash is payloadHash.
	handSigned := func(tb testing.TB, b []byte, payloadHash string) *http.Request {
		tb.Helper()
		r := apiRequest(tb, target, b)
		r.Header.Set("X-Amz-Date", t0.Format(timeFormat))
		r.Header.Set("X-Amz-Content-Sha256", payloadHash)
		sc := Scope{Date: "20261120", Region: "us-west-2", Service: "snowball"}
		creq := "POST\n/\n\nhost:snowball.us-west-2.amazonaws.com\nx-amz-date:" + t0.Format(timeFormat) +
			"\n\nhost;x-amz-date\n" + payloadHash
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDALICE/20261120/us-west-2/snowball/aws4_request, "+
			"SignedHeaders=host;x-amz-date, Signature="+signature(alice.SecretAccessKey, sc, t0, creq))
		return r
	}
	tests := []struct {
		name     string
		req      func(tb testing.TB) (*http.Request, []byte)
		wantCode string
	}{
		{name: "OKHeaderAbsent", req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, nil), body
		}},
		{name: "OKHeaderCorrect", req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", hexSHA256(body)) }), body
		}},
		{name: "OKHandSignedHeaderCorrect", req: func(tb testing.TB) (*http.Request, []byte) {
			return handSigned(tb, body, hexSHA256(body)), body
		}},
		{name: "ErrSDKUnsignedPayload", wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			r := apiRequest(tb, target, body)
			sdkSignFor(tb, r, body, alice, "", "snowball", t0, unsigned)
			if got := r.Header.Get("X-Amz-Content-Sha256"); got != unsignedPayload {
				tb.Fatalf("SDK sent X-Amz-Content-Sha256 %q, want %s", got, unsignedPayload)
			}
			return r, body
		}},
		{name: "ErrSDKUnsignedPayloadBodyChanged", wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			r := apiRequest(tb, target, body)
			sdkSignFor(tb, r, body, alice, "", "snowball", t0, unsigned)
			return r, other
		}},
		{name: "ErrHandSignedUnsignedPayload", wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			return handSigned(tb, body, unsignedPayload), body
		}},
		{name: "ErrHandSignedUnsignedPayloadBodyChanged", wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			return handSigned(tb, body, unsignedPayload), other
		}},
		{name: "ErrHeaderCorrectBodyChanged", wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", hexSHA256(body)) }), other
		}},
		{name: "ErrHeaderFollowsChangedBody", wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			r := handSigned(tb, body, hexSHA256(body))
			r.Header.Set("X-Amz-Content-Sha256", hexSHA256(other))
			return r, other
		}},
		{name: "ErrHeaderUnsignedPayloadBodyChanged", wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			r := handSigned(tb, body, hexSHA256(body))
			r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
			return r, other
		}},
		{name: "ErrHeaderWrong", wantCode: CodeInvalidSignature, req: func(tb testing.TB) (*http.Request, []byte) {
			return signed(tb, alice, t0, func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", hexSHA256(nil)) }), body
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := tt.req(t)
			_, _, err := testVerifier(t, t0, alice).Verify(r, b)
			wantMsg := ""
			if tt.wantCode != "" {
				wantMsg = msgSignatureMismatch
			}
			checkErr(t, err, tt.wantCode, wantMsg)
		})
	}
}
