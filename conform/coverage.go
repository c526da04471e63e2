package conform

import (
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"jmcheck/spec"
)

// Matrix is the coverage of the API by the features: for every endpoint of
// spec/ and every error code of spec/PROFILE.md §2, how many scenarios carry both
// tags. It is read from the tags alone; nothing runs.
type Matrix struct {
	Endpoints []spec.Endpoint // rows, in api.json order
	Codes     []spec.CodeInfo // columns, ascending
	Scenarios int             // every scenario of the features

	cells     map[string]map[spec.Code]int // endpoint key -> code -> scenarios
	happy     map[string]int               // endpoint key -> scenarios without a @code tag
	rows      map[string]int               // endpoint key -> scenarios
	cols      map[spec.Code]int            // code -> scenarios
	noEnd     int                          // scenarios tagged @endpoint:none
	noEndCode map[spec.Code]int            // code -> @endpoint:none scenarios
	unknown   []string                     // tags naming nothing in spec/, with where
	untagged  []string                     // scenarios without an @endpoint tag
}

// Coverage reads the @endpoint: and @code: tags of every scenario of fsys
// and counts them against the endpoints and codes of spec/.
func Coverage(fsys fs.FS, endpoints []spec.Endpoint, codes []spec.CodeInfo) (*Matrix, error) {
	all, err := LoadScenarios(fsys, "")
	if err != nil {
		return nil, err
	}
	m := &Matrix{
		Endpoints: endpoints, Codes: codes, Scenarios: len(all),
		cells: map[string]map[spec.Code]int{}, happy: map[string]int{}, rows: map[string]int{},
		cols: map[spec.Code]int{}, noEndCode: map[spec.Code]int{},
	}
	byTag := map[string]string{} // normalised tag -> endpoint key
	for _, e := range endpoints {
		byTag[normalTag(e.Tag())] = e.Key()
		m.cells[e.Key()] = map[spec.Code]int{}
	}
	knownCode := map[spec.Code]bool{}
	for _, c := range codes {
		knownCode[c.Code] = true
	}
	for _, s := range all {
		var ends []string
		var scCodes []spec.Code
		none := false
		for _, t := range s.Tags {
			switch {
			case t == spec.TagNoEndpoint:
				none = true
			case strings.HasPrefix(t, spec.TagEndpointPrefix):
				key, ok := byTag[normalTag(t)]
				if !ok {
					m.unknown = append(m.unknown, fmt.Sprintf("tag %s on %s names no endpoint of spec/", t, s.ID))
					continue
				}
				ends = append(ends, key)
			case strings.HasPrefix(t, spec.TagCodePrefix):
				n, err := strconv.Atoi(strings.TrimPrefix(t, spec.TagCodePrefix))
				code := spec.Code(n)
				if err != nil || !knownCode[code] {
					m.unknown = append(m.unknown, fmt.Sprintf("tag %s on %s names no error code of %s", t, s.ID, spec.Cite("2")))
					continue
				}
				scCodes = append(scCodes, code)
			}
		}
		ends, scCodes = unique(ends), unique(scCodes)
		for _, c := range scCodes {
			m.cols[c]++
		}
		if none {
			m.noEnd++
			for _, c := range scCodes {
				m.noEndCode[c]++
			}
		}
		if len(ends) == 0 && !none {
			m.untagged = append(m.untagged, s.Title())
		}
		for _, e := range ends {
			m.rows[e]++
			if len(scCodes) == 0 {
				m.happy[e]++
			}
			for _, c := range scCodes {
				m.cells[e][c]++
			}
		}
	}
	return m, nil
}

// normalTag makes a trailing slash of an endpoint tag's path optional, as
// spec/PROFILE.md §1 makes it optional on the wire.
func normalTag(t string) string { return strings.TrimRight(t, "/") }

// Cell returns how many scenarios test the endpoint (its "METHOD PATH"
// key) for the error code.
func (m *Matrix) Cell(endpointKey string, code spec.Code) int { return m.cells[endpointKey][code] }

// EndpointTotal returns how many scenarios test the endpoint.
func (m *Matrix) EndpointTotal(endpointKey string) int { return m.rows[endpointKey] }

// CodeTotal returns how many scenarios assert the error code.
func (m *Matrix) CodeTotal(code spec.Code) int { return m.cols[code] }

// Gaps lists what the features miss, one sentence each: an endpoint or a
// code of spec/ without a scenario, a tag that names nothing in spec/, a
// scenario without an @endpoint tag. Empty means complete.
func (m *Matrix) Gaps() []string {
	var out []string
	for _, e := range m.Endpoints {
		if m.rows[e.Key()] == 0 {
			out = append(out, fmt.Sprintf("endpoint %s (%s, %s) has no scenario: tag one %s", e.Key(), spec.Cite(e.Section), e.Title, e.Tag()))
		}
	}
	for _, c := range m.Codes {
		if m.cols[c.Code] == 0 {
			out = append(out, fmt.Sprintf("code %d (HTTP %d, %s) has no scenario: tag one %s%d", c.Code, c.Status, spec.Cite(c.Section), spec.TagCodePrefix, c.Code))
		}
	}
	out = append(out, m.unknown...)
	for _, s := range m.untagged {
		out = append(out, fmt.Sprintf("scenario %s has no @endpoint: tag (use %s for one that calls no endpoint)", s, spec.TagNoEndpoint))
	}
	return out
}

// Advice lists the endpoint-specific codes of spec/ that no scenario of
// that endpoint asserts. They are not gaps (the code may be covered on
// another endpoint), but each is a rule left unchecked on one endpoint.
func (m *Matrix) Advice() []string {
	var out []string
	for _, e := range m.Endpoints {
		var missing []string
		for _, c := range e.Codes {
			if m.cells[e.Key()][c] == 0 {
				missing = append(missing, c.String())
			}
		}
		if len(missing) > 0 {
			out = append(out, fmt.Sprintf("%s: no scenario asserts %s on it", e.Key(), strings.Join(missing, ", ")))
		}
	}
	return out
}

// WriteText prints the matrix as a table (endpoints as rows, codes as
// columns, counts of scenarios, totals), then the gaps and the advice.
func (m *Matrix) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "Coverage of profile %s by %d scenarios (their @endpoint: and @code: tags)\n\n", spec.Profile, m.Scenarios)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	header := []string{"endpoint", "ok"}
	for _, c := range m.Codes {
		header = append(header, c.Code.Short())
	}
	header = append(header, "total")
	width := len("scenarios per code")
	for _, e := range m.Endpoints {
		width = max(width, len(e.Key()))
	}
	// tabwriter aligns every column right; padding the first column's
	// cells to one width aligns it left.
	row := func(cells []string) {
		cells[0] = fmt.Sprintf("%-*s", width, cells[0])
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	row(header)
	count := func(n int) string {
		if n == 0 {
			return "."
		}
		return strconv.Itoa(n)
	}
	for _, e := range m.Endpoints {
		cells := []string{e.Key(), count(m.happy[e.Key()])}
		for _, c := range m.Codes {
			cells = append(cells, count(m.cells[e.Key()][c.Code]))
		}
		row(append(cells, count(m.rows[e.Key()])))
	}
	if m.noEnd > 0 {
		cells := []string{"(no endpoint)", ""}
		for _, c := range m.Codes {
			cells = append(cells, count(m.noEndCode[c.Code]))
		}
		row(append(cells, count(m.noEnd)))
	}
	cells := []string{"scenarios per code", ""}
	for _, c := range m.Codes {
		cells = append(cells, count(m.cols[c.Code]))
	}
	row(append(cells, strconv.Itoa(m.Scenarios)))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nColumns: ok = scenarios with no @code tag (happy paths, shape checks); NNN = error code 899NNN (the last three digits).\n")
	fmt.Fprintf(w, "A scenario with several tags counts in each of its cells; totals count scenarios once.\n")
	if gaps := m.Gaps(); len(gaps) > 0 {
		fmt.Fprintf(w, "\nGaps (%d):\n", len(gaps))
		for _, g := range gaps {
			fmt.Fprintf(w, "  - %s\n", g)
		}
	} else {
		fmt.Fprintf(w, "\nEvery endpoint and every error code has a scenario.\n")
	}
	if adv := m.Advice(); len(adv) > 0 {
		fmt.Fprintf(w, "\nEndpoint-specific codes not asserted on their endpoint (advice, not gaps):\n")
		for _, a := range adv {
			fmt.Fprintf(w, "  - %s\n", a)
		}
	}
	return nil
}

// unique sorts a list and drops its repeats.
func unique[T cmp.Ordered](in []T) []T {
	slices.Sort(in)
	return slices.Compact(in)
}
