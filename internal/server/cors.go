package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// CORS lets a browser app served from another origin (an internal portal
// built on the AWS SDK for JavaScript, say) call Frosty. The browser asks
// first with a preflight OPTIONS, which carries no signature: it is
// answered here, before the signature check and the in-flight limit.
const (
	corsAllowMethods = "POST, GET, DELETE, OPTIONS"
	// corsExposeHeaders are the response headers a browser app may read:
	// the SDK reads the request ID and the error type from them.
	corsExposeHeaders = "x-amzn-RequestId, x-amzn-ErrorType, x-amz-request-id"
	// corsMaxAge is how long (seconds) a browser may reuse a preflight's
	// answer; Chromium caps it at 7200.
	corsMaxAge = "3600"
)

// corsForbidden is the error code of a preflight from an origin not allowed.
const corsForbidden = "CORSOriginNotAllowed"

// ParseCORSOrigins parses a comma-separated list of origins
// (scheme://host[:port], as a browser sends them in Origin) or "*" for
// any origin. An empty list turns CORS off.
func ParseCORSOrigins(list string) ([]string, error) {
	var origins []string
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		switch {
		case o == "":
			continue
		case o == "*":
			origins = append(origins, o)
			continue
		}
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%q is not an origin: want scheme://host[:port], such as http://localhost:3000, or *", o)
		}
		origins = append(origins, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return origins, nil
}

// corsAllowed reports whether origin is one of origins.
func corsAllowed(origins []string, origin string) bool {
	for _, o := range origins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// cors applies Config.CORSOrigins to r: a request from an allowed origin
// gets the headers that let the browser hand the response to the app, a
// preflight is answered (204, or 403 for an origin not allowed), and
// anything else is left alone. It reports whether it answered r.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	if len(s.cfg.CORSOrigins) == 0 {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin") // the answer depends on it, so caches must key on it
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false // not a cross-origin request from a browser
	}
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if !corsAllowed(s.cfg.CORSOrigins, origin) {
		if preflight {
			setErrorCode(w, corsForbidden)
			http.Error(w, "origin "+truncatePath(origin)+" is not an allowed CORS origin", http.StatusForbidden)
		}
		// Without CORS headers the browser keeps the response from the app.
		return preflight
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if !preflight {
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		return false
	}
	h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", corsAllowMethods)
	if asked := r.Header.Values("Access-Control-Request-Headers"); len(asked) > 0 {
		// The SDK's set grows with its versions (amz-sdk-*, x-amz-*): any
		// header a signed request may carry is fine here.
		h.Set("Access-Control-Allow-Headers", strings.Join(asked, ", "))
	}
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
	return true
}
