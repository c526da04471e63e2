package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validate checks an answer of a route against the profile: a 2xx must be
// the documented success status with a body that matches the route's
// schema (or no body where the route has none); a 4xx or 5xx must carry
// the error body of §1 whose code has that HTTP status in §2; 404 and 405
// may have an empty body, and a body they have must be JSON. Any other
// status (a 3xx: no endpoint answers one) is wrong. The error says what
// is wrong and where the rule is.
func Validate(r Route, status int, body []byte) error {
	l, err := get()
	if err != nil {
		return err
	}
	if !r.Known() {
		return fmt.Errorf("spec: route %d is no endpoint of profile %s", r, Profile)
	}
	e := r.Endpoint()
	switch {
	case status >= 200 && status < 300:
		if status != e.Status {
			return fmt.Errorf("status %d is not the documented success status %d of %s", status, e.Status, e.Ref())
		}
		if e.Schema == "" {
			if len(bytes.TrimSpace(body)) != 0 {
				return fmt.Errorf("a %d answer has no body, got %d bytes (%s)", status, len(body), e.Ref())
			}
			return nil
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return fmt.Errorf("the %d answer has an empty body; %s documents a JSON body", status, e.Ref())
		}
		if err := validate(l.schemas[e.Schema], body); err != nil {
			return fmt.Errorf("the %d body does not match schema %s (%s): %w", status, e.Schema, e.Ref(), err)
		}
		return nil
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return validateOptionalJSON(status, body)
	case status >= 400 && status < 600:
		return CheckError(status, body)
	case status >= 300 && status < 400:
		return fmt.Errorf("status %d is neither a success nor an error status of %s: no endpoint redirects, and jmcheck never follows a redirect (%s)", status, e.Ref(), Cite("9"))
	default:
		return fmt.Errorf("status %d is neither a success nor an error status of %s", status, e.Ref())
	}
}

// ValidateError checks that a body is the error body of §1:
// {"error":{"code":<integer>,"message":"<non-empty string>"}} and nothing else.
func ValidateError(body []byte) error {
	l, err := get()
	if err != nil {
		return err
	}
	if err := validate(l.errBody, body); err != nil {
		return fmt.Errorf("not the error body of %s ({\"error\":{\"code\":<int>,\"message\":\"<text>\"}}): %w", Cite("1"), err)
	}
	return nil
}

// CheckError checks an error answer wherever it comes from: the body is
// the error body of §1, its code is one of §2, and the HTTP status is that
// code's status (§2: the code and the HTTP status are normative).
func CheckError(status int, body []byte) error {
	if err := ValidateError(body); err != nil {
		return fmt.Errorf("HTTP %d: %w", status, err)
	}
	// The byte-level reading of the error body is the one the load
	// generator applies too: a rule added to ErrorBody holds here as well.
	code, msg, ok := ErrorBody(body)
	if !ok {
		return fmt.Errorf("HTTP %d: not the error body of %s: error.code must be an integer", status, Cite("1"))
	}
	if msg != nil {
		return fmt.Errorf("HTTP %d: error %s with %v (%s)", status, code, msg, Cite("1"))
	}
	c, ok := code.Info()
	if !ok {
		return fmt.Errorf("HTTP %d: error code %d is not in %s", status, code, Cite("2"))
	}
	if c.Status != status {
		return fmt.Errorf("error code %d goes with HTTP %d in %s, got HTTP %d", c.Code, c.Status, Cite("2"), status)
	}
	return nil
}

func validateOptionalJSON(status int, body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := CheckJSON(body); err != nil {
		return fmt.Errorf("HTTP %d: a body, when there is one, is JSON (%s): %w", status, Cite("1"), err)
	}
	return nil
}

func validate(sch *jsonschema.Schema, body []byte) error {
	if err := CheckJSON(body); err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("the body is not valid JSON: %w", err)
	}
	if err := sch.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return errors.New(flatten(ve))
		}
		return err
	}
	return nil
}

// flatten turns the validator's multi-line report into one line, dropping
// the schema URL header that says nothing to a reader of a failure.
func flatten(ve *jsonschema.ValidationError) string {
	var parts []string
	for _, line := range strings.Split(ve.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		if line == "" || strings.HasPrefix(line, "jsonschema validation failed") {
			continue
		}
		parts = append(parts, line)
	}
	if len(parts) == 0 {
		return ve.Error()
	}
	return strings.Join(parts, "; ")
}

// validateIntegerLiteral is format jm-integer: §7a writes integers without
// fraction or exponent, which "type": "integer" alone lets through (1.0 is
// an integer to JSON Schema).
func validateIntegerLiteral(v any) error {
	n, ok := v.(json.Number)
	if !ok || IsInteger(string(n)) {
		return nil
	}
	return fmt.Errorf("%s is not written as an integer (no fraction, no exponent)", n)
}

// validateDateTime is format jm-datetime: YYYY-MM-DD HH:MM:SS on a real
// calendar date.
func validateDateTime(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	_, err := ParseTime(s)
	return err
}
