package sigv4

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// defaultMaxSkew is the clock skew AWS tolerates between client and server.
const defaultMaxSkew = 5 * time.Minute

const msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// Verifier checks the Authorization header form of SigV4 (AWS4-HMAC-SHA256),
// which is what SDKs use for awsJson and other non-presigned calls. It always
// hashes the body itself, so S3's UNSIGNED-PAYLOAD and streaming uploads are
// not for it.
type Verifier struct {
	Keys *Keyring
	// Service is the only service a credential scope may name, so that a
	// signature made for another service (and replayed or misdirected
	// here) is refused. An empty Service matches no scope.
	Service string
	// Now is injected so tests can exercise skew without sleeping; nil
	// means time.Now.
	Now func() time.Time
	// MaxSkew bounds how far the request time may be from Now, limiting
	// replay of captured requests; 0 means defaultMaxSkew.
	MaxSkew time.Duration
}

// Verify checks r, whose body has already been read into body (the caller
// restores r.Body): the signature covers the payload hash, and Verify must
// not consume a stream the handler still needs. It returns the signing
// credential and scope, or an *Error with code
// CodeMissingAuthenticationToken, CodeIncompleteSignature,
// CodeUnrecognizedClient or CodeInvalidSignature.
func (v *Verifier) Verify(r *http.Request, body []byte) (Credential, Scope, error) {
	header := r.Header.Get("Authorization")
	if header == "" {
		if r.URL.Query().Has("X-Amz-Signature") {
			return Credential{}, Scope{}, &Error{CodeIncompleteSignature,
				"Query-string authentication is not supported; sign the Authorization header instead."}
		}
		return Credential{}, Scope{}, &Error{CodeMissingAuthenticationToken, "Missing Authentication Token"}
	}
	auth, err := parseAuthorization(header)
	if err != nil {
		return Credential{}, Scope{}, err
	}
	if auth.scope.Service != v.Service {
		return Credential{}, Scope{}, &Error{CodeInvalidSignature,
			"Credential should be scoped to correct service: '" + v.Service + "'. "}
	}
	cred, ok := v.Keys.Lookup(auth.accessKeyID)
	if !ok {
		return Credential{}, Scope{}, &Error{CodeUnrecognizedClient, "The security token included in the request is invalid."}
	}
	reqTime, err := requestTime(r.Header, header)
	if err != nil {
		return Credential{}, Scope{}, err
	}
	if err := v.checkSkew(reqTime); err != nil {
		return Credential{}, Scope{}, err
	}
	if d := reqTime.Format(dateFormat); auth.scope.Date != d {
		return Credential{}, Scope{}, &Error{CodeInvalidSignature, fmt.Sprintf(
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			echo(auth.scope.Date), d, reqTime.Format(timeFormat))}
	}

	// The payload hash is always that of the body that arrived, whatever
	// X-Amz-Content-Sha256 claims: trusting the header (UNSIGNED-PAYLOAD
	// above all) would let a body be swapped after signing. A client that
	// signed the header's value instead of the real hash fails as any
	// other wrong signature does.
	payload := hexSHA256(body)
	// S3 signs the path as sent; every other service (and so every SDK
	// signing for it) URI-encodes the already-escaped path a second time.
	uri := escapedPath(r)
	if v.Service != "s3" {
		uri = uriEncode(uri, false)
	}
	query, wellFormed := queryPairs(r.URL.RawQuery)
	creq := canonicalRequest(r, uri, canonicalQuery(query, ""), auth.signedHeaders, payload)
	if !wellFormed || !hmac.Equal([]byte(auth.signature), []byte(signature(cred.SecretAccessKey, auth.scope, reqTime, creq))) {
		return Credential{}, Scope{}, &Error{CodeInvalidSignature, msgSignatureMismatch}
	}
	return cred, auth.scope, nil
}

func parseAuthorization(header string) (signedParams, error) {
	incomplete := func(msg string) (signedParams, error) {
		return signedParams{}, &Error{CodeIncompleteSignature, msg}
	}
	rest, ok := strings.CutPrefix(header, algorithm+" ")
	if !ok {
		return incomplete("Authorization header requires '" + algorithm + "' algorithm. Authorization=" + echo(header))
	}
	params := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return incomplete(fmt.Sprintf("'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", echo(part), echo(header)))
		}
		params[k] = v
	}
	var missing []string
	for _, k := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[k] == "" {
			missing = append(missing, "Authorization header requires '"+k+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return incomplete(strings.Join(missing, " ") + " Authorization=" + echo(header))
	}
	akid, scope, ok := parseCredential(params["Credential"])
	if !ok {
		return incomplete(fmt.Sprintf("Credential should be scoped as <access key>/<YYYYMMDD>/<region>/<service>/%s, not '%s'.",
			terminator, echo(params["Credential"])))
	}
	if !slices.Contains(strings.Split(params["SignedHeaders"], ";"), "host") {
		return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return signedParams{accessKeyID: akid, scope: scope, signedHeaders: params["SignedHeaders"], signature: params["Signature"]}, nil
}

// requestTime prefers X-Amz-Date because browsers and some proxies rewrite
// Date; Date is the fallback the SigV4 specification allows.
func requestTime(h http.Header, authHeader string) (time.Time, error) {
	if s := h.Get("X-Amz-Date"); s != "" {
		t, err := time.Parse(timeFormat, s)
		if err != nil {
			return time.Time{}, &Error{CodeIncompleteSignature, fmt.Sprintf(
				"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", echo(s))}
		}
		return t, nil
	}
	if s := h.Get("Date"); s != "" {
		t, err := http.ParseTime(s)
		if err != nil {
			return time.Time{}, &Error{CodeIncompleteSignature, fmt.Sprintf("Date header is not a valid HTTP date: '%s'.", echo(s))}
		}
		return t.UTC(), nil
	}
	return time.Time{}, &Error{CodeIncompleteSignature,
		"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + echo(authHeader)}
}

func (v *Verifier) checkSkew(reqTime time.Time) error {
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	n := now().UTC()
	skew := v.MaxSkew
	if skew <= 0 {
		skew = defaultMaxSkew
	}
	mins := strconv.FormatFloat(skew.Minutes(), 'f', -1, 64)
	switch {
	case reqTime.Before(n.Add(-skew)):
		return &Error{CodeInvalidSignature, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s min.)",
			reqTime.Format(timeFormat), n.Add(-skew).Format(timeFormat), n.Format(timeFormat), mins)}
	case reqTime.After(n.Add(skew)):
		return &Error{CodeInvalidSignature, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s min.)",
			reqTime.Format(timeFormat), n.Add(skew).Format(timeFormat), n.Format(timeFormat), mins)}
	}
	return nil
}

// echoLimit is how many characters of a client's header an error message
// repeats: enough to recognise it, never the whole of a huge one.
const echoLimit = 256

// echo returns s for an error message: whole when short, else its first
// echoLimit characters and a note of its length.
func echo(s string) string {
	if utf8.RuneCountInString(s) <= echoLimit {
		return s
	}
	n := 0
	for i := range s {
		if n == echoLimit {
			return s[:i] + fmt.Sprintf("...(truncated, %d characters)", utf8.RuneCountInString(s))
		}
		n++
	}
	return s
}
