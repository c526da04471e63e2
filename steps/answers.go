package steps

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// clockSkew is how far "now" on the server may be from ours: §7 leaves the
// time zone open, so allow every zone (±14 h) and a minute.
const clockSkew = 14*time.Hour + time.Minute

// lastJSON returns the last answer's body after checking that it is one
// bounded, unambiguous JSON value.
func (st *scenario) lastJSON() (gjson.Result, error) {
	ex, err := st.answer()
	if err != nil {
		return gjson.Result{}, err
	}
	doc, err := ex.JSON()
	if err != nil {
		return doc, st.failf("%v (%s)", err, spec.Cite("1"))
	}
	return doc, nil
}

// jsonAt returns the value at a gjson path of the last answer.
func (st *scenario) jsonAt(path string) (gjson.Result, error) {
	doc, err := st.lastJSON()
	if err != nil {
		return doc, err
	}
	v := doc.Get(path)
	if !v.Exists() {
		return v, st.failf("the body has nothing at %q", path)
	}
	return v, nil
}

func (st *scenario) statusIs(want int) error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	if ex.Status != want {
		return st.failf("want HTTP %d, got %d", want, ex.Status)
	}
	return nil
}

func (st *scenario) statusIsOneOf(list string) error {
	want, err := splitCodes(list)
	if err != nil {
		return err
	}
	ex, err := st.answer()
	if err != nil {
		return err
	}
	if !slices.Contains(want, ex.Status) {
		return st.failf("want HTTP %s, got %d", joinInts(want, " or "), ex.Status)
	}
	return nil
}

func (st *scenario) failsWith(status, code int) error {
	if err := st.statusIs(status); err != nil {
		return err
	}
	return st.hasCode(code)
}

func (st *scenario) failsWithEither(a, b int) error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	if ex.Status < 400 || ex.Status >= 500 {
		return st.failf("want a 4xx with code %d or %d, got HTTP %d", a, b, ex.Status)
	}
	// The automatic check already tied the status to the code (§2).
	return st.hasCode(a, b)
}

func (st *scenario) hasCode(codes ...int) error {
	doc, err := st.lastJSON()
	if err != nil {
		return err
	}
	c := doc.Get("error.code")
	if !spec.IsIntegerValue(c) || !slices.Contains(codes, int(c.Int())) {
		return st.failf("want error code %s, got %s", joinInts(codes, " or "), orNothing(c))
	}
	return nil
}

func (st *scenario) successOrClientError() error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	// The automatic check validated a 2xx against the endpoint's schema
	// and a 4xx against the error body; what is left is the range.
	s := ex.Status
	if (s >= 200 && s < 300) || (s >= 400 && s < 500 && s != http.StatusNotFound && s != http.StatusMethodNotAllowed) {
		return nil
	}
	return st.failf("implementation-defined, but only a 2xx the API allows or a 4xx error conforms (%s); got HTTP %d", spec.Doc, s)
}

func (st *scenario) notServerError() error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	if ex.Status >= 500 {
		return st.failf("any answer but a 5xx conforms here (%s); got HTTP %d", spec.Cite("7a"), ex.Status)
	}
	return nil
}

func (st *scenario) bodyIs(doc *godog.DocString) error       { return st.compareBody(doc, false) }
func (st *scenario) bodyIncludes(doc *godog.DocString) error { return st.compareBody(doc, true) }

func (st *scenario) compareBody(doc *godog.DocString, subset bool) error {
	want, err := st.expand(docText(doc))
	if err != nil {
		return err
	}
	if _, err := st.lastJSON(); err != nil {
		return err
	}
	d, err := jsonDiff([]byte(want), st.last.Body, subset)
	if err != nil {
		return err
	}
	if d != "" {
		return st.failf("the body differs from the expected JSON %s", d)
	}
	return nil
}

func (st *scenario) bodyIsEmpty() error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(ex.Body))) != 0 {
		return st.failf("want no body, got %d bytes", len(ex.Body))
	}
	return nil
}

func (st *scenario) bodyEqualsRemembered(name string) error {
	want, ok := st.bodies[name]
	if !ok {
		return fmt.Errorf("nothing remembered as %q: use: I remember the response body as %q", name, name)
	}
	ex, err := st.answer()
	if err != nil {
		return err
	}
	d, err := jsonDiff(want, ex.Body, false)
	if err != nil {
		return fmt.Errorf("the remembered %q: %w", name, err)
	}
	if d != "" {
		return st.failf("the state changed, but a failing request changes nothing (%s): %s", spec.Cite("2"), d)
	}
	return nil
}

func (st *scenario) contentTypeIsJSON() error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	if ct := ex.Header.Get("Content-Type"); !spec.IsJSONMediaType(ct) {
		return st.failf("Content-Type is %q, want application/json (%s)", ct, spec.Cite("1"))
	}
	return nil
}

func (st *scenario) headerLists(name, list string) error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, v := range ex.Header.Values(name) {
		for _, tok := range strings.Split(v, ",") {
			have[strings.TrimSpace(tok)] = true
		}
	}
	for _, want := range strings.Fields(list) {
		if !have[want] {
			return st.failf("header %s should list %s; it is %q", name, want, strings.Join(ex.Header.Values(name), ", "))
		}
	}
	return nil
}

func (st *scenario) headerIsWholeNumber(name string, least int) error {
	ex, err := st.answer()
	if err != nil {
		return err
	}
	v := ex.Header.Get(name)
	if n, ok := spec.RetryAfter(v); !ok || n < least {
		return st.failf("header %s is %q; want a whole number ≥ %d", name, v, least)
	}
	return nil
}

func (st *scenario) jsonEquals(path, want string) error {
	want, err := st.expand(want)
	if err != nil {
		return err
	}
	v, err := st.jsonAt(path)
	if err != nil {
		return err
	}
	d, err := jsonDiff([]byte(want), []byte(v.Raw), false)
	if err != nil {
		return err
	}
	if d != "" {
		return st.failf("at %q: %s", path, strings.TrimPrefix(d, "at $: "))
	}
	return nil
}

func (st *scenario) jsonIsA(path, kind string) error {
	v, err := st.jsonAt(path)
	if err != nil {
		return err
	}
	ok := true
	switch kind {
	case "string":
		ok = v.Type == gjson.String
	case "integer":
		ok = spec.IsIntegerValue(v)
	case "positive integer":
		ok = spec.IsIntegerValue(v) && !strings.HasPrefix(v.Raw, "-") && v.Raw != "0"
	case "array":
		ok = v.IsArray()
	case "object":
		ok = v.IsObject()
	case "time", "recent time":
		t, err := st.timeAt(path)
		if err != nil {
			return err
		}
		if kind == "recent time" {
			// The server's zone is its own (§7): compare the wall clock
			// it shows with ours in UTC, allowing every zone.
			now := time.Now().UTC()
			wall := time.Date(now.Year(), now.Month(), now.Day(), now.Hour(), now.Minute(), now.Second(), 0, time.UTC)
			if d := t.Sub(wall); d > clockSkew || d < -clockSkew {
				return st.failf("at %q: %s is not now (±14 h for the time zone, %s)", path, v.Str, spec.Cite("7"))
			}
		}
	}
	if !ok {
		return st.failf("at %q: want %s %s, got %s", path, article(kind), kind, v.Raw)
	}
	return nil
}

func (st *scenario) jsonDoesNotExist(path string) error {
	doc, err := st.lastJSON()
	if err != nil {
		return err
	}
	if v := doc.Get(path); v.Exists() {
		return st.failf("want nothing at %q (a field never set is omitted, not null), got %s", path, v.Raw)
	}
	return nil
}

func (st *scenario) jsonHasItems(path string, n int) error {
	v, err := st.jsonAt(path)
	if err != nil {
		return err
	}
	if !v.IsArray() || len(v.Array()) != n {
		return st.failf("at %q: want an array of %d items, got %s", path, n, short(v.Raw))
	}
	return nil
}

func (st *scenario) jsonSameAsRemembered(path, name string) error {
	want, ok := st.bodies[name]
	if !ok {
		return fmt.Errorf("nothing remembered as %q: use: I remember the response body as %q", name, name)
	}
	if spec.CheckJSON(want) != nil {
		return fmt.Errorf("the remembered %q is not JSON", name)
	}
	wv := gjson.GetBytes(want, path)
	if !wv.Exists() {
		return fmt.Errorf("the remembered %q has nothing at %q", name, path)
	}
	v, err := st.jsonAt(path)
	if err != nil {
		return err
	}
	d, err := jsonDiff([]byte(wv.Raw), []byte(v.Raw), false)
	if err != nil {
		return err
	}
	if d != "" {
		return st.failf("at %q: was %s, now %s", path, wv.Raw, v.Raw)
	}
	return nil
}

func (st *scenario) numberGreater(path, name string) error {
	prev, ok := st.vars[name]
	if !ok {
		return fmt.Errorf("nothing remembered as %q: use: I remember the JSON at %q as %q", name, path, name)
	}
	v, err := st.jsonAt(path)
	if err != nil {
		return err
	}
	p, err1 := strconv.ParseInt(prev, 10, 64)
	n, err2 := strconv.ParseInt(v.Raw, 10, 64)
	if err1 != nil || err2 != nil || n <= p {
		return st.failf("at %q: want an integer greater than %s, got %s", path, prev, v.Raw)
	}
	return nil
}

func (st *scenario) timeAt(path string) (time.Time, error) {
	v, err := st.jsonAt(path)
	if err != nil {
		return time.Time{}, err
	}
	if v.Type != gjson.String {
		return time.Time{}, st.failf("at %q: want a time string (YYYY-MM-DD HH:MM:SS, %s), got %s", path, spec.Cite("7"), v.Raw)
	}
	t, err := spec.ParseTime(v.Str)
	if err != nil {
		return time.Time{}, st.failf("at %q: %v (%s)", path, err, spec.Cite("7"))
	}
	return t, nil
}

// rememberedTime parses a time of a remembered body. The zone is the
// server's (implementation-defined), so compare only times from the server.
func (st *scenario) rememberedTime(name, path string) (time.Time, error) {
	b, ok := st.bodies[name]
	if !ok {
		return time.Time{}, fmt.Errorf("nothing remembered as %q: use: I remember the response body as %q", name, name)
	}
	var v gjson.Result
	if spec.CheckJSON(b) == nil {
		v = gjson.GetBytes(b, path)
	}
	t, err := spec.ParseTime(v.Str)
	if err != nil {
		return time.Time{}, fmt.Errorf("the remembered %q has no time at %q: %w", name, path, err)
	}
	return t, nil
}

func (st *scenario) timeLater(path, name string) error {
	before, err := st.rememberedTime(name, path)
	if err != nil {
		return err
	}
	now, err := st.timeAt(path)
	if err != nil {
		return err
	}
	if !now.After(before) {
		return st.failf("at %q: want a time after %s, got %s", path, before.Format(spec.DateTimeLayout), now.Format(spec.DateTimeLayout))
	}
	return nil
}

func (st *scenario) timeNotBefore(a, b string) error {
	ta, err := st.timeAt(a)
	if err != nil {
		return err
	}
	tb, err := st.timeAt(b)
	if err != nil {
		return err
	}
	if ta.Before(tb) {
		return st.failf("%s at %q is before %s at %q (%s: mtime ≥ ctime)", ta.Format(spec.DateTimeLayout), a, tb.Format(spec.DateTimeLayout), b, spec.Cite("7"))
	}
	return nil
}

func (st *scenario) timeFallsOn(path, date string) error {
	t, err := st.timeAt(path)
	if err != nil {
		return err
	}
	if got := t.Format("2006-01-02"); got != date {
		return st.failf("at %q: want a time on %s, got one on %s", path, date, got)
	}
	return nil
}

func orNothing(v gjson.Result) string {
	if !v.Exists() {
		return "nothing"
	}
	return v.Raw
}

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, sep)
}

func article(kind string) string {
	if strings.IndexByte("aeiou", kind[0]) >= 0 {
		return "an"
	}
	return "a"
}

func short(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
