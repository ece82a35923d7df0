package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"truce"
)

// statusByCode maps application error codes to HTTP statuses: the one
// mapping table.
var statusByCode = map[string]int{
	truce.EINVALID:      http.StatusUnprocessableEntity,
	truce.ENOTFOUND:     http.StatusNotFound,
	truce.ECONFLICT:     http.StatusConflict,
	truce.EUNAUTHORIZED: http.StatusUnauthorized,
	truce.EFORBIDDEN:    http.StatusForbidden,
	truce.EINTERNAL:     http.StatusInternalServerError,
}

// fail turns any error into the HTTP error sent to the client. Application
// errors keep their message; anything else is logged with the request id
// and answered with "internal error" and that id, never its details.
func (s *Server) fail(ctx context.Context, err error) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return se
	}
	code := truce.ErrorCode(err)
	if code == truce.EINTERNAL || errors.Is(err, context.Canceled) {
		rid := requestID(ctx)
		if !errors.Is(err, context.Canceled) {
			s.log.ErrorContext(ctx, "request failed", "request_id", rid, "err", err)
		}
		return huma.NewError(http.StatusInternalServerError, "internal error (request "+rid+")")
	}
	st := statusByCode[code]
	if st == 0 {
		st = http.StatusInternalServerError
	}
	if code == truce.EUNAUTHORIZED {
		return huma.ErrorWithHeaders(huma.NewError(st, truce.ErrorMessage(err)), http.Header{"WWW-Authenticate": {`Bearer realm="truce"`}})
	}
	return huma.NewError(st, truce.ErrorMessage(err))
}

// fieldError is an EINVALID error about one request field, shown as a
// per-field detail.
func fieldError(location, msg string, value any) error {
	return huma.NewError(http.StatusUnprocessableEntity, "validation failed", &huma.ErrorDetail{Location: location, Message: msg, Value: value})
}
