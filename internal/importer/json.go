package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"truce"
)

// readTruceJSON reads JSON Lines of report objects, or, if the input starts
// with '[', one JSON array of them. A bad line of JSON Lines is a bad row; a
// syntax error inside an array is fatal, as the array cannot be resynchronised.
func readTruceJSON(src io.Reader, rr *reportRun) error {
	br := bufio.NewReaderSize(src, bufferSize(src))
	first := true
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read %s: %w", rr.opt.File, err)
		}
		trimmed := bytes.TrimSpace(line)
		if first && len(trimmed) > 0 && trimmed[0] == '[' {
			return readTruceJSONArray(io.MultiReader(bytes.NewReader(line), br), n, rr)
		}
		if len(trimmed) > 0 {
			first = false
			rep, perr := parseTruceJSON(rr, trimmed, n, strings.TrimRight(string(line), "\r\n"))
			if aerr := rr.accept(n, rep, perr); aerr != nil {
				return aerr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// readTruceJSONArray reads one top-level array of report objects; its '['
// is on line first.
func readTruceJSONArray(src io.Reader, first int, rr *reportRun) error {
	rec := newRecorder(src)
	rec.line = first
	dec := json.NewDecoder(rec)
	fail := func(err error) error {
		return rr.fatal(rec.lineAtNext(dec.InputOffset()), invalidf("%s", jsonMessage(err)))
	}
	if err := expectDelim(dec, '['); err != nil {
		return fail(err)
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fail(err)
		}
		end := dec.InputOffset()
		line := rec.lineAt(end - int64(len(raw)))
		rec.discard(end)
		rep, err := parseTruceJSON(rr, raw, line, string(raw))
		if err := rr.accept(line, rep, err); err != nil {
			return err
		}
	}
	if err := expectDelim(dec, ']'); err != nil {
		return fail(err)
	}
	return expectEOF(dec, rr.runner, rec, "the array")
}

// parseTruceJSON parses one report object.
func parseTruceJSON(rr *reportRun, b []byte, line int, original string) (*truce.Report, error) {
	var rec truceRecord
	if err := decodeStrict(b, &rec); err != nil {
		return nil, err
	}
	return rec.report(rr, "field", line, original)
}

// decodeStrict decodes exactly one JSON value from b into v, refusing
// unknown fields.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalidf("%s", jsonMessage(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalidf("malformed JSON: data after the object")
	}
	return nil
}

// expectDelim reads the next token and checks that it is d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t != d {
		return fmt.Errorf("found %s where %q was expected", tokenString(t), d)
	}
	return nil
}

// expectEOF checks nothing but white space follows the top-level value.
func expectEOF(dec *json.Decoder, rn *runner, rec *recorder, what string) error {
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return rn.fatal(rec.lineAt(dec.InputOffset()), invalidf("malformed JSON: data after %s", what))
	}
	return nil
}

// tokenString words a JSON token for a message.
func tokenString(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", v.String())
	case string:
		return fmt.Sprintf("string %q", v)
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%v", v)
	}
}

// jsonMessage words a JSON decoding error without Go type names.
func jsonMessage(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "malformed JSON: " + se.Error()
	case errors.As(err, &te):
		want := jsonKind(te.Type)
		if te.Field == "" {
			return fmt.Sprintf("JSON %s where %s was expected", te.Value, want)
		}
		return fmt.Sprintf("field %s: JSON %s where %s was expected", te.Field, te.Value, want)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "malformed JSON: unexpected end of input"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names the JSON kind a Go type is decoded from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}
