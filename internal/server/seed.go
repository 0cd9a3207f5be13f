package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/frostyhq/frosty/internal/service"
)

// MaxSeedBytes bounds the body of POST /_frosty/seed: a seed of thousands
// of records, far more than a test needs, still fits.
const MaxSeedBytes = 16 << 20

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// serveReset forgets the records of one account ({"accountId": "…"}) or
// of all ({} or no body), and answers how many of each kind went.
func (s *Server) serveReset(w http.ResponseWriter, r *http.Request) {
	const want = `{"accountId": "<12 digits>"}, or {} for every account`
	var account *string
	if !readBody(w, r, want, map[string]any{"accountId": &account}) {
		return
	}
	// An empty accountId is a mistake, not a request to forget everything.
	if account != nil && !accountIDPattern.MatchString(*account) {
		setErrorCode(w, "BadRequest")
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": "BadRequest",
			"message": fmt.Sprintf("accountId %q is not 12 digits; the body must be %s", truncatePath(*account), want)})
		return
	}
	var a string
	if account != nil {
		a = *account
	}
	n, err := s.cfg.Service.Reset(r.Context(), a)
	if err != nil {
		s.writeOperatorError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

// serveSeed applies a seed document (service.ParseSeed says how strictly
// it is read) and answers the IDs it created.
func (s *Server) serveSeed(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxSeedBytes))
	if err != nil {
		msg := "the body could not be read"
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			msg = fmt.Sprintf("the seed is larger than %d bytes", MaxSeedBytes)
		}
		setErrorCode(w, "BadRequest")
		writeJSON(w, http.StatusBadRequest, map[string]string{"code": "BadRequest", "message": msg})
		return
	}
	seed, err := service.ParseSeed(body)
	if err != nil {
		s.writeOperatorError(w, err)
		return
	}
	res, err := s.cfg.Service.Seed(r.Context(), seed)
	if err != nil {
		s.writeOperatorError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
