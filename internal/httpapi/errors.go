package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

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
		return err // as is: it may carry headers (Retry-After)
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

// Bounds on problem documents. Whatever the request, an error response
// lists at most maxErrorDetails errors and echoes at most maxEchoBytes of
// any input per field (counted as encoded in JSON), so its size does not
// grow with the body: huma's validator reports each unknown property with
// the whole object as its value, which made the response grow with the
// square of the number of keys.
const (
	maxErrorDetails = 20
	maxEchoBytes    = 200
	maxDetailBytes  = 1000
)

// boundErrors is a huma transformer, the one place that bounds every
// problem document the API writes: it keeps the first maxErrorDetails
// errors (then "and N more"), clips messages, locations and echoed string
// values, and drops echoed objects and arrays (the location names them).
func boundErrors(_ huma.Context, _ string, v any) (any, error) {
	em, ok := v.(*huma.ErrorModel)
	if !ok {
		return v, nil
	}
	out := *em
	out.Title, out.Detail, out.Type, out.Instance = clip(em.Title, maxEchoBytes), clip(em.Detail, maxDetailBytes), clip(em.Type, maxEchoBytes), clip(em.Instance, maxEchoBytes)
	out.Errors = nil
	n := 0
	for _, d := range em.Errors {
		if d == nil {
			continue
		}
		if n++; n > maxErrorDetails {
			continue
		}
		out.Errors = append(out.Errors, &huma.ErrorDetail{Message: clip(d.Message, maxEchoBytes), Location: clip(d.Location, maxEchoBytes), Value: echo(d.Value)})
	}
	if n > maxErrorDetails {
		out.Errors = append(out.Errors, &huma.ErrorDetail{Message: fmt.Sprintf("and %d more", n-maxErrorDetails)})
	}
	return &out, nil
}

// echo is the part of an invalid value an error shows: scalars as they
// are, strings clipped, nothing of objects and arrays.
func echo(v any) any {
	switch v := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return v
	case string:
		return clip(v, maxEchoBytes)
	case json.Number:
		return clip(string(v), maxEchoBytes)
	}
	return nil
}

// clip shortens s, at a character boundary and marked with "…", so that it
// takes at most n bytes once encoded as a JSON string (the quotes aside):
// an escaped character counts for its escape.
func clip(s string, n int) string {
	const more = "…"
	cost, cut := 0, -1
	for i, r := range s {
		c := utf8.RuneLen(r)
		switch {
		case r == utf8.RuneError, r < 0x20, r == '<', r == '>', r == '&', r == 0x2028, r == 0x2029:
			c = 6 // \u escape
		case r == '"', r == '\\':
			c = 2
		}
		if cut < 0 && cost+c > n-len(more) {
			cut = i
		}
		if cost += c; cost > n {
			return s[:cut] + more
		}
	}
	return s
}
