package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteConformJUnit writes a conformance run as JUnit XML that CI tools
// read the way jmcheck judged the run: one testsuite per feature file,
// one testcase per scenario (classname the feature, name its ID and name),
// and header counts that add up to jmcheck's own verdict.
//
//	passed            a plain testcase
//	failed            <failure> with the step and the message
//	fixed             <failure>: it passes now, but the expectations file
//	                  says it fails; that fails the run until the entry goes
//	expected failure  <skipped> with the expectation's reason: known, not new
//	skipped           <skipped> with the reason (a capability the run lacks)
//	not run           <skipped> with the reason (interrupted, stopped early)
//
// No testcase is an <error>: every failure is the target's or the suite's
// verdict, which JUnit calls a failure.
func WriteConformJUnit(w io.Writer, r ConformRun) error {
	doc := junitSuites{Name: "jmcheck conform " + r.RunID, Time: seconds(r.Duration)}
	index := map[string]int{}
	for _, s := range r.Scenarios {
		file := s.File
		if file == "" {
			file, _, _ = strings.Cut(s.ID, ":")
		}
		i, ok := index[file]
		if !ok {
			i = len(doc.Suites)
			index[file] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: file, Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05")})
		}
		su := &doc.Suites[i]
		tc := junitCase{Classname: classname(s), Name: s.ID + " " + s.Name, Time: seconds(s.Took)}
		switch s.Outcome {
		case ConformFailed:
			msg := "failed"
			if s.Status != "" && s.Status != "failed" {
				msg = s.Status // undefined, pending, ambiguous: a defect of the suite
			}
			if s.Step != "" {
				msg += " at step: " + s.Step
			}
			tc.Failure = &junitMessage{Type: s.Status, Message: firstLine(msg + ": " + s.Reason), Text: s.Reason}
			su.Failures++
		case ConformFixed:
			text := fmt.Sprintf("fixed: the scenario passes now, but the expectations file says it fails (%s: %s); remove that entry", s.ExpectedAt, s.Expected)
			tc.Failure = &junitMessage{Type: "fixed", Message: text, Text: text}
			su.Failures++
		case ConformExpectedFailure:
			tc.Skipped = &junitMessage{Message: fmt.Sprintf("known failure (%s): %s", s.ExpectedAt, s.Expected), Text: s.Reason}
			su.Skipped++
		case ConformSkipped, ConformNotRun:
			tc.Skipped = &junitMessage{Message: firstLine(string(s.Outcome) + ": " + s.Reason)}
			su.Skipped++
		}
		su.Tests++
		su.Time += s.Took.Seconds()
		su.Cases = append(su.Cases, tc)
	}
	for i := range doc.Suites {
		su := &doc.Suites[i]
		doc.Tests += su.Tests
		doc.Failures += su.Failures
		doc.Skipped += su.Skipped
		su.TimeText = fmt.Sprintf("%.3f", su.Time)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	TimeText  string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
	Time      float64     `xml:"-"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Type    string `xml:"type,attr,omitempty"`
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// classname is the feature's name, the file when it has none.
func classname(s ConformScenario) string {
	if s.Feature != "" {
		return s.Feature
	}
	return s.File
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}
