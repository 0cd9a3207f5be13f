// Package awsjson is the awsJson1.1 wire protocol of the Snowball API: it
// routes X-Amz-Target to an operation, decodes and validates the input
// against the model, calls the service and encodes the output. It owns the
// one table that maps an error code to what goes on the wire.
package awsjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/frostyhq/frosty/internal/model"
	"github.com/frostyhq/frosty/internal/service"
	"github.com/frostyhq/frosty/internal/snowball"
)

// ContentType is the content type of every response.
const ContentType = "application/x-amz-json-1.1"

// RequestIDHeader carries the request ID on every response.
const RequestIDHeader = "x-amzn-RequestId"

// operation decodes a request body, runs the operation and returns its
// output. Each gate runs once the input is valid, before the service sees
// it, and answers in its place by returning an error: that is where a
// fault strikes, so that it never hides the ValidationException the call
// would get anyway.
type operation func(ctx context.Context, body []byte, gates ...func(context.Context) error) (any, error)

// op adapts a typed service method to an operation: decode, validate, gate,
// call.
func op[I any, O any, PI interface {
	*I
	model.Input
}](f func(context.Context, *I) (*O, error)) operation {
	return func(ctx context.Context, body []byte, gates ...func(context.Context) error) (any, error) {
		in := PI(new(I))
		if err := decode(body, in); err != nil {
			return nil, err
		}
		if v := model.Validate(in); v != nil {
			return nil, snowball.Errorf(snowball.Validation, "%s", v.Error())
		}
		for _, gate := range gates {
			if err := gate(ctx); err != nil {
				return nil, err
			}
		}
		return f(ctx, in)
	}
}

// Operations returns the 27 Snowball operations of svc by name.
func Operations(svc *service.Service) map[string]operation {
	return map[string]operation{
		"CancelCluster":               op(svc.CancelCluster),
		"CancelJob":                   op(svc.CancelJob),
		"CreateAddress":               op(svc.CreateAddress),
		"CreateCluster":               op(svc.CreateCluster),
		"CreateJob":                   op(svc.CreateJob),
		"CreateLongTermPricing":       op(svc.CreateLongTermPricing),
		"CreateReturnShippingLabel":   op(svc.CreateReturnShippingLabel),
		"DescribeAddress":             op(svc.DescribeAddress),
		"DescribeAddresses":           op(svc.DescribeAddresses),
		"DescribeCluster":             op(svc.DescribeCluster),
		"DescribeJob":                 op(svc.DescribeJob),
		"DescribeReturnShippingLabel": op(svc.DescribeReturnShippingLabel),
		"GetJobManifest":              op(svc.GetJobManifest),
		"GetJobUnlockCode":            op(svc.GetJobUnlockCode),
		"GetSnowballUsage":            op(svc.GetSnowballUsage),
		"GetSoftwareUpdates":          op(svc.GetSoftwareUpdates),
		"ListClusterJobs":             op(svc.ListClusterJobs),
		"ListClusters":                op(svc.ListClusters),
		"ListCompatibleImages":        op(svc.ListCompatibleImages),
		"ListJobs":                    op(svc.ListJobs),
		"ListLongTermPricing":         op(svc.ListLongTermPricing),
		"ListPickupLocations":         op(svc.ListPickupLocations),
		"ListServiceVersions":         op(svc.ListServiceVersions),
		"UpdateCluster":               op(svc.UpdateCluster),
		"UpdateJob":                   op(svc.UpdateJob),
		"UpdateJobShipmentState":      op(svc.UpdateJobShipmentState),
		"UpdateLongTermPricing":       op(svc.UpdateLongTermPricing),
	}
}

// Handler serves the Snowball API for requests whose caller is already
// authenticated.
type Handler struct {
	ops map[string]operation
	log *slog.Logger
	// Faults, if set, is asked about every call with a valid input.
	Faults Faults
}

// Faults picks the operator's fault, if any, that hits a call
// (internal/faults); the operations never know of faults.
type Faults interface {
	// Check returns the fault that hits this call of operation, or nil,
	// and counts the hit.
	Check(ctx context.Context, operation string) (*snowball.Fault, error)
}

// NewHandler returns a Handler for svc.
func NewHandler(svc *service.Service, log *slog.Logger) *Handler {
	return &Handler{ops: Operations(svc), log: log}
}

// Serve runs the operation named by r's X-Amz-Target on body and writes the
// response. The caller has set the request ID header and put the owner in
// ctx.
func (h *Handler) Serve(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte) {
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), model.TargetPrefix+".")
	run := h.ops[name]
	if !ok || run == nil {
		h.WriteError(w, snowball.Errorf(snowball.UnknownOperation, "Unknown operation %q.", model.Truncate(r.Header.Get("X-Amz-Target"))))
		return
	}
	var out any
	var err error
	if h.Faults != nil {
		out, err = run(ctx, body, func(ctx context.Context) error { return h.fault(ctx, w, name) })
	} else {
		out, err = run(ctx, body)
	}
	if err != nil {
		h.WriteError(w, fmt.Errorf("%s: %w", name, err))
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		h.WriteError(w, fmt.Errorf("%s: encode output: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// fault lets the operator's fault, if one hits this call, answer it as
// the real error would, through the error table, after its delay: the
// delay is real time, which the SDK's retry timing is, and ends early with
// the request's context. A fault with no error lets the call run.
func (h *Handler) fault(ctx context.Context, w http.ResponseWriter, name string) error {
	f, err := h.Faults.Check(ctx, name)
	if err != nil || f == nil {
		return err
	}
	h.log.Info("fault", "request_id", w.Header().Get(RequestIDHeader), "fault", f.ID, "op", name, "code", f.Code, "delay", f.Delay.String())
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if f.Code == "" {
		return nil
	}
	return &snowball.Error{Code: f.Code, Message: f.Message}
}

// wireError is how one error code goes on the wire.
type wireError struct {
	status int
	// lowerMessage: the framework errors use "message", the modeled
	// Snowball exceptions their model member "Message".
	lowerMessage bool
}

// errorTable is the one place that maps an error code to the wire.
var errorTable = map[string]wireError{
	snowball.ClusterLimitExceeded:             {status: 400},
	snowball.Conflict:                         {status: 400},
	snowball.Ec2RequestFailed:                 {status: 400},
	snowball.InvalidAddress:                   {status: 400},
	snowball.InvalidInputCombination:          {status: 400},
	snowball.InvalidJobState:                  {status: 400},
	snowball.InvalidNextToken:                 {status: 400},
	snowball.InvalidResource:                  {status: 400},
	snowball.KMSRequestFailed:                 {status: 400},
	snowball.ReturnShippingLabelAlreadyExists: {status: 400},
	snowball.UnsupportedAddress:               {status: 400},

	snowball.Validation:                 {status: 400, lowerMessage: true},
	snowball.Serialization:              {status: 400, lowerMessage: true},
	snowball.UnknownOperation:           {status: 400, lowerMessage: true},
	snowball.MissingAuthenticationToken: {status: 400, lowerMessage: true},
	snowball.IncompleteSignature:        {status: 400, lowerMessage: true},
	snowball.UnrecognizedClient:         {status: 400, lowerMessage: true},
	snowball.InvalidSignature:           {status: 400, lowerMessage: true},
	snowball.Throttling:                 {status: 400, lowerMessage: true},
	snowball.ServiceUnavailable:         {status: 503, lowerMessage: true},
	snowball.InternalFailure:            {status: 500, lowerMessage: true},
}

// WriteError writes err as an awsJson error. An *snowball.Error whose code
// is in the table goes out as it is; anything else is logged with the
// request ID and becomes a 500 InternalFailure that reveals nothing.
func (h *Handler) WriteError(w http.ResponseWriter, err error) {
	var e *snowball.Error
	wire, known := wireError{}, false
	switch {
	case errors.As(err, &e):
		wire, known = errorTable[e.Code]
	case errors.Is(err, context.DeadlineExceeded):
		// The request's deadline passed before the operation finished;
		// whatever it was doing was rolled back.
		e = snowball.Errorf(snowball.ServiceUnavailable, "The request could not be completed within the server's deadline. Please try again.")
		wire, known = errorTable[e.Code]
	}
	if !known {
		h.log.Error("internal failure", "request_id", w.Header().Get(RequestIDHeader), "err", err)
		e = snowball.Errorf(snowball.InternalFailure, "We encountered an internal error. Please try again.")
		wire = errorTable[snowball.InternalFailure]
	}
	body := map[string]string{"__type": e.Code}
	if wire.lowerMessage {
		body["message"] = e.Message
	} else {
		body["Message"] = e.Message
	}
	if e.ResourceType != "" {
		body["ResourceType"] = e.ResourceType
	}
	if e.ConflictResource != "" {
		body["ConflictResource"] = e.ConflictResource
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(wire.status)
	w.Write(b)
}
