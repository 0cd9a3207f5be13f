package sigv4

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxExpires is S3's limit on presigned URL lifetime: one week.
const maxExpires = 7 * 24 * 60 * 60

const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
)

// Presign returns rawURL with SigV4 query parameters added, signed for GET
// with only the host header and an UNSIGNED-PAYLOAD body, exactly as S3
// presigned URLs are, so any S3 client or plain HTTP GET can use it. The path
// is signed as it will be sent (rawURL's escaping), and expires is truncated
// to whole seconds and must be between 1s and 7 days.
func Presign(rawURL string, cred Credential, region, service string, now time.Time, expires time.Duration) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("presign: %w", err)
	}
	secs := int64(expires / time.Second)
	switch {
	case u.Host == "":
		return "", fmt.Errorf("presign: url %q has no host", rawURL)
	case secs < 1 || secs > maxExpires:
		return "", fmt.Errorf("presign: expiry %v outside 1s..%ds", expires, maxExpires)
	case cred.AccessKeyID == "" || cred.SecretAccessKey == "" || region == "" || service == "":
		return "", errors.New("presign: empty access key, secret, region or service")
	}
	now = now.UTC()
	scope := Scope{Date: now.Format(dateFormat), Region: region, Service: service}
	// A malformed escape in rawURL is taken literally, and so re-encoded.
	query, _ := queryPairs(u.RawQuery)
	// Presigning twice must not leave two sets of parameters behind.
	ours := []string{qAlgorithm, qCredential, qDate, qExpires, qSignedHeaders, qSignature}
	query = slices.DeleteFunc(query, func(p queryPair) bool { return slices.Contains(ours, p.key) })
	query = append(query,
		queryPair{qAlgorithm, algorithm},
		queryPair{qCredential, cred.AccessKeyID + "/" + scope.path()},
		queryPair{qDate, now.Format(timeFormat)},
		queryPair{qExpires, strconv.FormatInt(secs, 10)},
		queryPair{qSignedHeaders, "host"},
	)
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	cq := canonicalQuery(query, "")
	creq := canonicalRequest(&http.Request{Method: http.MethodGet, Host: u.Host}, path, cq, "host", unsignedPayload)
	sig := signature(cred.SecretAccessKey, scope, now, creq)
	u.RawQuery = cq + "&" + qSignature + "=" + sig
	return u.String(), nil
}

// VerifyPresigned checks a GET of a presigned URL, signed for service,
// against keys at time now; the host signed is r.Host. The path is
// canonicalised as S3 does (as sent, not escaped again), since presigned URLs
// are S3's form. Errors are *Error with the codes S3 uses, so S3 clients
// report them sensibly: CodeAuthorizationQueryParametersError,
// CodeInvalidAccessKeyID, CodeAccessDenied or CodeSignatureDoesNotMatch.
func VerifyPresigned(r *http.Request, keys *Keyring, service string, now time.Time) (Credential, error) {
	query, wellFormed := queryPairs(r.URL.RawQuery)
	p, err := presignParams(query, service)
	if err != nil {
		return Credential{}, err
	}
	cred, ok := keys.Lookup(p.accessKeyID)
	if !ok {
		return Credential{}, &Error{CodeInvalidAccessKeyID, "The AWS Access Key Id you provided does not exist in our records."}
	}
	if now.After(p.date.Add(p.expires)) {
		return Credential{}, &Error{CodeAccessDenied, "Request has expired"}
	}
	creq := canonicalRequest(r, escapedPath(r), canonicalQuery(query, qSignature), p.signedHeaders, unsignedPayload)
	if !wellFormed || !hmac.Equal([]byte(p.signature), []byte(signature(cred.SecretAccessKey, p.scope, p.date, creq))) {
		return Credential{}, &Error{CodeSignatureDoesNotMatch,
			"The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	}
	return cred, nil
}

func presignParams(query []queryPair, service string) (signedParams, error) {
	bad := func(msg string) (signedParams, error) {
		return signedParams{}, &Error{CodeAuthorizationQueryParametersError, msg}
	}
	vals := map[string]string{}
	for _, q := range query {
		if !strings.HasPrefix(q.key, "X-Amz-") {
			continue
		}
		if _, dup := vals[q.key]; dup {
			return bad(q.key + " must appear only once.")
		}
		vals[q.key] = q.value
	}
	for _, k := range []string{qAlgorithm, qCredential, qSignature, qDate, qSignedHeaders, qExpires} {
		if vals[k] == "" {
			return bad("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, " +
				"X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	if vals[qAlgorithm] != algorithm {
		return bad("X-Amz-Algorithm only supports \"" + algorithm + "\"")
	}
	akid, scope, ok := parseCredential(vals[qCredential])
	if !ok {
		return bad("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; " +
			"expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	if scope.Service != service {
		return bad("Error parsing the X-Amz-Credential parameter; incorrect service \"" + echo(scope.Service) +
			"\". This endpoint belongs to \"" + service + "\".")
	}
	date, err := time.Parse(timeFormat, vals[qDate])
	if err != nil {
		return bad("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if d := date.Format(dateFormat); scope.Date != d {
		return bad("Error parsing the X-Amz-Credential parameter; incorrect date. This should be '" + d + "'")
	}
	secs, err := strconv.ParseInt(vals[qExpires], 10, 64)
	switch {
	case err != nil:
		return bad("X-Amz-Expires should be a number")
	case secs < 1:
		return bad("X-Amz-Expires must be at least 1 second")
	case secs > maxExpires:
		return bad("X-Amz-Expires must be less than a week (in seconds) that is; 604800")
	}
	if !slices.Contains(strings.Split(vals[qSignedHeaders], ";"), "host") {
		return bad("X-Amz-SignedHeaders must include 'host'.")
	}
	return signedParams{accessKeyID: akid, scope: scope, signedHeaders: vals[qSignedHeaders], signature: vals[qSignature],
		date: date, expires: time.Duration(secs) * time.Second}, nil
}
