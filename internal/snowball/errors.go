package snowball

import (
	"errors"
	"fmt"
)

// Error codes: the AWS exception names a client sees in __type. The
// modeled Snowball exceptions come first, then the ones every awsJson
// service returns.
const (
	ClusterLimitExceeded             = "ClusterLimitExceededException"
	Conflict                         = "ConflictException"
	Ec2RequestFailed                 = "Ec2RequestFailedException"
	InvalidAddress                   = "InvalidAddressException"
	InvalidInputCombination          = "InvalidInputCombinationException"
	InvalidJobState                  = "InvalidJobStateException"
	InvalidNextToken                 = "InvalidNextTokenException"
	InvalidResource                  = "InvalidResourceException"
	KMSRequestFailed                 = "KMSRequestFailedException"
	ReturnShippingLabelAlreadyExists = "ReturnShippingLabelAlreadyExistsException"
	UnsupportedAddress               = "UnsupportedAddressException"

	Validation                 = "ValidationException"
	Serialization              = "SerializationException"
	UnknownOperation           = "UnknownOperationException"
	MissingAuthenticationToken = "MissingAuthenticationTokenException"
	IncompleteSignature        = "IncompleteSignatureException"
	UnrecognizedClient         = "UnrecognizedClientException"
	InvalidSignature           = "InvalidSignatureException"
	InternalFailure            = "InternalFailure"
	// Throttling is what a request gets when the server already has its
	// limit of requests in flight; SDKs retry it with backoff.
	Throttling = "ThrottlingException"
	// ServiceUnavailable is what a request gets when it cannot be finished
	// within the server's deadline; SDKs retry it.
	ServiceUnavailable = "ServiceUnavailableException"

	// NotFound is internal: a Store returns it for a missing record, and the
	// service turns it into InvalidResourceException with the right type.
	NotFound = "NotFound"
	// Exists is internal too: a Store returns it when a record that is
	// written once is written again (Tx.InsertSealedManifest); the service
	// handles it and no client ever sees it.
	Exists = "Exists"
)

// Resource types carried by InvalidResourceException.
const (
	ResourceJob             = "JOB"
	ResourceCluster         = "CLUSTER"
	ResourceAddress         = "ADDRESS"
	ResourceLongTermPricing = "LONG_TERM_PRICING"
)

// Error is a failure a client is meant to see: Code is the AWS exception
// name and Message is shown as is. Any other error is an internal fault.
type Error struct {
	Code    string
	Message string
	// ResourceType is set on InvalidResourceException.
	ResourceType string
	// ConflictResource is set on ConflictException.
	ConflictResource string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the *Error in err's chain, InternalFailure
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return InternalFailure
}

// IsNotFound reports whether err is a Store's NotFound.
func IsNotFound(err error) bool { return ErrorCode(err) == NotFound }

// IsExists reports whether err is a Store's Exists.
func IsExists(err error) bool { return ErrorCode(err) == Exists }
