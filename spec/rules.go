package spec

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// The fast checks over raw bytes: every part of the harness judges these
// rules with these functions, the load generator on every answer, so none
// of them allocates on a passing value.

// IsInteger reports whether a JSON number's raw text is an integer literal
// as §7a writes them: no fraction, no exponent. 1.0 and 1e2 are not.
func IsInteger(raw string) bool {
	if raw == "" {
		return false
	}
	i := 0
	if raw[0] == '-' {
		i = 1
	}
	if i == len(raw) {
		return false
	}
	for ; i < len(raw); i++ {
		if raw[i] < '0' || raw[i] > '9' {
			return false
		}
	}
	return true
}

// IsIntegerValue reports whether a gjson value is a JSON integer literal.
func IsIntegerValue(v gjson.Result) bool { return v.Type == gjson.Number && IsInteger(v.Raw) }

// IsPositiveInteger reports whether a gjson value is an integer literal ≥ 1
// that fits 64 bits (gids and msg_ids).
func IsPositiveInteger(v gjson.Result) bool {
	return IsIntegerValue(v) && v.Raw[0] != '-' && v.Raw != "0" && v.Int() > 0
}

// RetryAfter reads a Retry-After value as §7a has it: a whole number of
// seconds ≥ 1, plain digits. ok is false for anything else.
func RetryAfter(s string) (seconds int, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 9 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		seconds = seconds*10 + int(s[i]-'0')
	}
	return seconds, seconds >= 1
}

// CheckRetryAfter explains what is wrong with the Retry-After of a 503
// 899030 answer, nil when nothing is.
func CheckRetryAfter(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("a 503 899030 answer carries Retry-After (%s)", Cite("6"))
	}
	if _, ok := RetryAfter(v); !ok {
		return fmt.Errorf("Retry-After %q is not a whole number of seconds ≥ 1 (%s)", v, Cite("7a"))
	}
	return nil
}

// IsJSONMediaType reports whether a Content-Type is application/json, with
// any parameters (§1).
func IsJSONMediaType(ct string) bool {
	const want = "application/json"
	ct = strings.TrimLeft(ct, " \t")
	if len(ct) < len(want) {
		return false
	}
	for i := 0; i < len(want); i++ {
		c := ct[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	rest := ct[len(want):]
	return rest == "" || rest[0] == ';' || rest[0] == ' ' || rest[0] == '\t'
}

// ErrorBody reads the error body of §1 from an answer's bytes: its code,
// what is wrong with its message (nil: nothing; the error completes "an
// error with …" and is a fixed value, so no check allocates), and whether
// the body has that shape at all (one valid, bounded JSON value with an
// integer error.code). It runs CheckJSON first, so any body is safe to
// give it. conform (CheckError) and the load generator both judge the
// error body with it: a rule on the message is added here alone.
func ErrorBody(b []byte) (code Code, msg error, ok bool) {
	if len(b) == 0 || CheckJSON(b) != nil {
		return 0, nil, false
	}
	r := gjson.GetManyBytes(b, "error.code", "error.message")
	if !IsIntegerValue(r[0]) || len(r[0].Raw) > 10 {
		return 0, nil, false
	}
	if r[1].Type != gjson.String || r[1].Str == "" {
		msg = errEmptyMessage
	}
	return Code(r[0].Int()), msg, true
}

var errEmptyMessage = errors.New("an empty or missing message")

// DateTimeLayout is the time format of §7, as a Go layout.
const DateTimeLayout = "2006-01-02 15:04:05"

// IsTime reports whether s is "YYYY-MM-DD HH:MM:SS" on a real calendar date
// (§7). It is on the path of every user check of the load generator, so it
// reads the digits itself rather than through time.Parse.
func IsTime(s string) bool {
	if len(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' {
		return false
	}
	num := func(i, n int) int {
		v := 0
		for j := i; j < i+n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d := num(0, 4), num(5, 2), num(8, 2)
	h, mi, se := num(11, 2), num(14, 2), num(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 {
		return false
	}
	return d <= daysIn(y, mo)
}

// daysIn returns the days of a month of the Gregorian calendar.
func daysIn(y, mo int) int {
	if mo == 2 && IsLeapYear(y) {
		return 29
	}
	return [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mo]
}

// IsLeapYear is the Gregorian rule: every fourth year, but not centuries,
// except every fourth century.
func IsLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// ParseTime parses a §7 time (YYYY-MM-DD HH:MM:SS, a real calendar date).
// The result is in UTC because the zone is implementation-defined.
func ParseTime(s string) (time.Time, error) {
	if !IsTime(s) {
		if len(s) != len(DateTimeLayout) {
			return time.Time{}, fmt.Errorf("%q is not YYYY-MM-DD HH:MM:SS", s)
		}
		return time.Time{}, fmt.Errorf("%q is not a real YYYY-MM-DD HH:MM:SS time", s)
	}
	return time.Parse(DateTimeLayout, s)
}
