// Package sigv4 verifies AWS Signature Version 4 requests and issues
// S3-style presigned URLs, so that unmodified AWS SDKs and the AWS CLI can
// talk to an emulator with real, checkable credentials.
package sigv4

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Error is a signature failure; Code is the AWS error code a client expects.
// Callers map it onto their protocol's error envelope, which is why the code
// is kept separate from the human-readable message.
type Error struct {
	Code    string
	Message string
}

// Error includes the code because that, not the prose, is what clients act on.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Codes returned by [Verifier.Verify], as awsJson services report them.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	CodeIncompleteSignature        = "IncompleteSignatureException"
	CodeUnrecognizedClient         = "UnrecognizedClientException"
	CodeInvalidSignature           = "InvalidSignatureException"
)

// Codes returned by [VerifyPresigned], as S3 reports them for presigned URLs.
const (
	CodeSignatureDoesNotMatch             = "SignatureDoesNotMatch"
	CodeAccessDenied                      = "AccessDenied"
	CodeAuthorizationQueryParametersError = "AuthorizationQueryParametersError"
	CodeInvalidAccessKeyID                = "InvalidAccessKeyId"
)

// Scope is the credential scope of a verified request. The verifiers check
// Service; callers may want to check Region themselves, since the signature
// only proves the client chose it.
type Scope struct {
	Date    string // yyyymmdd
	Region  string
	Service string
}

const (
	algorithm       = "AWS4-HMAC-SHA256"
	timeFormat      = "20060102T150405Z"
	dateFormat      = "20060102"
	terminator      = "aws4_request"
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

func (s Scope) path() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + terminator
}

// parseCredential splits "<AKID>/<yyyymmdd>/<region>/<service>/aws4_request".
func parseCredential(s string) (akid string, sc Scope, ok bool) {
	p := strings.Split(s, "/")
	if len(p) != 5 || p[4] != terminator || slices.Contains(p[:4], "") {
		return "", Scope{}, false
	}
	if _, err := time.Parse(dateFormat, p[1]); err != nil {
		return "", Scope{}, false
	}
	return p[0], Scope{Date: p[1], Region: p[2], Service: p[3]}, true
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// signature is the final step shared by header and query signing: string to
// sign, derived key, HMAC. Callers compare with hmac.Equal so that response
// timing does not reveal how much of a guessed signature was right.
func signature(secret string, sc Scope, t time.Time, canonicalRequest string) string {
	key := signingKeys.key(secret, sc)
	toSign := algorithm + "\n" + t.UTC().Format(timeFormat) + "\n" + sc.path() + "\n" + hexSHA256([]byte(canonicalRequest))
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

// signingKeys caches the signing keys derived from a secret for a scope:
// four HMACs that a client's requests of one day, region and service share.
var signingKeys keyCache

// keyCache maps a secret and scope to their signing key. It forgets every
// key when it holds maxKeys, which takes thousands of credentials, regions
// or days; a key is derived again at its next use.
type keyCache struct {
	mu   sync.Mutex
	keys map[keyCacheEntry][]byte
}

type keyCacheEntry struct {
	secret string
	scope  Scope
}

const maxKeys = 4096

func (c *keyCache) key(secret string, sc Scope) []byte {
	e := keyCacheEntry{secret, sc}
	c.mu.Lock()
	key, ok := c.keys[e]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = []byte("AWS4" + secret)
	for _, part := range []string{sc.Date, sc.Region, sc.Service, terminator} {
		key = hmacSHA256(key, part)
	}
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxKeys {
		c.keys = make(map[keyCacheEntry][]byte)
	}
	c.keys[e] = key
	c.mu.Unlock()
	return key
}

// signedParams is what a client declares about its signature, in the
// Authorization header or a presigned URL's query.
type signedParams struct {
	accessKeyID   string
	scope         Scope
	signedHeaders string
	signature     string
	// Only presigned URLs carry these; headers send the date separately.
	date    time.Time
	expires time.Duration
}

// canonicalRequest assembles the request as AWS hashes it. uri and query must
// already be in canonical form because the two signing styles derive them
// differently.
func canonicalRequest(r *http.Request, uri, query, signedHeaders, payloadHash string) string {
	var b strings.Builder
	b.WriteString(r.Method + "\n" + uri + "\n" + query + "\n")
	for name := range strings.SplitSeq(signedHeaders, ";") {
		b.WriteString(name + ":" + headerValue(r, name) + "\n")
	}
	b.WriteString("\n" + signedHeaders + "\n" + payloadHash)
	return b.String()
}

// headerValue trims and collapses whitespace inside each value, as the
// signers do, so that proxies or clients reformatting spacing don't matter.
func headerValue(r *http.Request, name string) string {
	if name == "host" {
		// Go moves Host out of the header map, and HTTP/2 carries it as
		// :authority; both end up in r.Host.
		return r.Host
	}
	vals := r.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

// escapedPath is the path as it was sent, which is what clients sign; the
// decoded path would lose the difference between "/" and "%2F".
func escapedPath(r *http.Request) string {
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

type queryPair struct{ key, value string }

// queryPairs decodes a raw query without dropping malformed pairs (as
// url.ParseQuery does), since every byte the client sent was signed. A
// malformed escape is kept as sent and wellFormed is false: verifiers must
// refuse such a query, because "%zz" canonicalises exactly as "%25zz" does
// and would pass for a URL signed with the latter.
func queryPairs(raw string) (pairs []queryPair, wellFormed bool) {
	wellFormed = true
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, okK := unescape(k)
		dv, okV := unescape(v)
		wellFormed = wellFormed && okK && okV
		pairs = append(pairs, queryPair{dk, dv})
	}
	return pairs, wellFormed
}

// unescape decodes s, or reports false and returns it as sent.
func unescape(s string) (string, bool) {
	if u, err := url.QueryUnescape(s); err == nil {
		return u, true
	}
	return s, false
}

// canonicalQuery encodes and sorts by name, then value, as the SigV4
// specification and botocore do. skip names a parameter excluded from
// signing (the signature itself, for presigned URLs).
func canonicalQuery(pairs []queryPair, skip string) string {
	enc := make([]queryPair, 0, len(pairs))
	for _, p := range pairs {
		if p.key != skip {
			enc = append(enc, queryPair{uriEncode(p.key, true), uriEncode(p.value, true)})
		}
	}
	slices.SortFunc(enc, func(a, b queryPair) int {
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.value, b.value))
	})
	joined := make([]string, len(enc))
	for i, p := range enc {
		joined[i] = p.key + "=" + p.value
	}
	return strings.Join(joined, "&")
}

// uriEncode percent-encodes every byte except RFC 3986 unreserved characters
// (and "/" unless encodeSlash), with upper-case hex, as SigV4 requires.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
