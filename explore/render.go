package explore

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"jmcheck/model"
	"jmcheck/spec"
	"jmcheck/steps/placeholder"
)

// renderFeature writes a counterexample as a feature file of one scenario,
// in the suite's own steps: every request as "I send", every answer but
// the last asserted as the target gave it, and the last one asserted as
// the profile wants it, so that the scenario fails where the sequence did.
func renderFeature(ce *Counterexample, cr *caseRun) string {
	var b strings.Builder
	d := ce.Divergence
	fmt.Fprintf(&b, "# Found by jmcheck explore (seed %d, check %d): %s\n", ce.Seed, ce.Case, oneLine(d.Error()))
	fmt.Fprintf(&b, "# Run it with the suite: put it in a folder and run jmcheck conform --features FOLDER,\n")
	fmt.Fprintf(&b, "# or rerun the sequence itself: jmcheck explore --replay counterexample.json\n")
	b.WriteString("Feature: A counterexample found by jmcheck explore\n\n")
	fmt.Fprintf(&b, "  Scenario: %s: %s (%s)\n", d.Route, oneLine(d.Want), spec.Cite(d.Section))
	kw := "Given"
	for _, line := range castSteps(cr, ce.Sequence) {
		fmt.Fprintf(&b, "    %s %s\n", kw, line)
		kw = "And"
	}
	for i, x := range ce.Trace {
		last := i == len(ce.Trace)-1
		writeRequest(&b, x.Step)
		if last {
			for _, line := range checkSteps(d, x, cr) {
				fmt.Fprintf(&b, "    %s\n", line)
			}
			break
		}
		fmt.Fprintf(&b, "    Then %s\n", statusStep(x))
		if x.Step.NewGroup != "" && x.Step.Groups == 0 && x.Status == 201 {
			fmt.Fprintf(&b, "    And I call the new group %q\n", x.Step.NewGroup)
		}
		if spec.Match(x.Step.Method, x.Path) == spec.RouteSendMessage && x.Status == 200 {
			fmt.Fprintf(&b, "    And I remember the JSON at \"msg_id\" as %q\n", lastMsgVar)
		}
	}
	return b.String()
}

// aliasUse finds the user aliases a template refers to.
var aliasUse = regexp.MustCompile(`\{(?:(?:upper|lower):)?([A-Za-z][A-Za-z0-9_]*)\}`)

// castSteps define the users the steps refer to, as the suite does.
func castSteps(cr *caseRun, seq Sequence) []string {
	used := map[string]bool{}
	for _, st := range seq.Steps {
		for _, m := range aliasUse.FindAllStringSubmatch(st.Path+st.Body, -1) {
			used[m[1]] = true
		}
		if st.Owner != "" {
			used[st.Owner] = true
		}
	}
	var plain []string
	var out []string
	for _, u := range seq.Users {
		if !used[u.Alias] || u.Template != "" {
			continue
		}
		if u.Size > 0 {
			out = append(out, fmt.Sprintf("a fresh username %q of %d bytes", u.Alias, u.Size))
		} else {
			plain = append(plain, u.Alias)
		}
	}
	switch len(plain) {
	case 0:
	case 1:
		out = append([]string{fmt.Sprintf("a fresh username %q", plain[0])}, out...)
	default:
		out = append([]string{fmt.Sprintf("fresh usernames %q", strings.Join(plain, " "))}, out...)
	}
	if len(out) == 0 {
		out = []string{fmt.Sprintf("fresh usernames %q", "u1")}
	}
	return out
}

func writeRequest(b *strings.Builder, st Step) {
	switch {
	case st.Groups > 0:
		fmt.Fprintf(b, "    When I create %d groups %q owned by %q\n", st.Groups, st.NewGroup, st.Owner)
	case st.Batch > 0:
		fmt.Fprintf(b, "    When I register a batch of %d fresh users %q\n", st.Batch, st.BatchOf)
	case st.HasBody:
		fmt.Fprintf(b, "    When I send %q to %q with body:\n      \"\"\"\n", st.Method, st.Path)
		for _, line := range strings.Split(st.Body, "\n") {
			b.WriteString("      " + line + "\n")
		}
		b.WriteString("      \"\"\"\n")
	default:
		fmt.Fprintf(b, "    When I send %q to %q\n", st.Method, st.Path)
	}
}

// statusStep asserts the status (and code) the target gave.
func statusStep(x Exchange) string {
	if x.Status >= 400 {
		if code, _, ok := spec.ErrorBody([]byte(x.Answer)); ok {
			return fmt.Sprintf("the request fails with status %d and code %d", x.Status, code)
		}
	}
	return fmt.Sprintf("the response status is %d", x.Status)
}

// checkSteps assert what the profile wants of the last answer.
func checkSteps(d *model.Divergence, x Exchange, cr *caseRun) []string {
	c := d.Check
	switch c.Kind {
	case model.CheckStatus:
		return []string{"Then " + wantStatus(c, x)}
	case model.CheckValue:
		want := cr.template(c.Want, c.Path)
		if c.Path == "" {
			return []string{"Then the response body is JSON:", `  """`, "  " + want, `  """`}
		}
		return []string{fmt.Sprintf("Then the JSON at %q equals %s", c.Path, want)}
	case model.CheckAbsent:
		return []string{fmt.Sprintf("Then the JSON at %q does not exist", c.Path)}
	case model.CheckGreater:
		if c.Path == "msg_id" {
			return []string{fmt.Sprintf("Then the number at \"msg_id\" is greater than the remembered %q", lastMsgVar)}
		}
	case model.CheckShape:
		// The suite checks every answer's shape: the send itself fails.
		return []string{fmt.Sprintf("Then the response status is %d", x.Status)}
	}
	// No step of the suite says this check; state it, and the status.
	return []string{"# the profile wants: " + oneLine(d.Want) + "; the target gave: " + oneLine(d.Got), fmt.Sprintf("Then the response status is %d", x.Status)}
}

// wantStatus asserts the allowed statuses.
func wantStatus(c model.Check, x Exchange) string {
	if x.Status >= 500 {
		return "the response is not a server error"
	}
	var errs []model.Outcome
	success := false
	for _, o := range c.Allowed {
		if o.Code != 0 {
			errs = append(errs, o)
		} else {
			success = true
		}
	}
	switch {
	case c.AnyClientError && success:
		return "the response is a success or a well-formed client error"
	case len(c.Allowed) == 1 && !success:
		return fmt.Sprintf("the request fails with status %d and code %d", errs[0].Status, errs[0].Code)
	case len(c.Allowed) == 1:
		return fmt.Sprintf("the response status is %d", c.Allowed[0].Status)
	case len(errs) == 2 && !success && errs[0].Status == errs[1].Status:
		return fmt.Sprintf("the request fails with code %d or %d", errs[0].Code, errs[1].Code)
	}
	var sts []string
	for _, o := range c.Allowed {
		if s := strconv.Itoa(o.Status); !slices.Contains(sts, s) {
			sts = append(sts, s)
		}
	}
	return fmt.Sprintf("the response status is one of %q", strings.Join(sts, " "))
}

// template writes a JSON value with the case's names and gids as
// placeholders, so the scenario holds in a run with other names.
func (cr *caseRun) template(want, path string) string {
	aliases := make([]string, 0, len(cr.names))
	for a := range cr.names {
		if cr.cast[a].Template == "" {
			aliases = append(aliases, a)
		}
	}
	// Longest names first: u1's name is a prefix of u1x...'s.
	slices.SortFunc(aliases, func(a, b string) int { return len(cr.names[b]) - len(cr.names[a]) })
	out := want
	for _, a := range aliases {
		name := cr.names[a]
		out = strings.ReplaceAll(out, strings.ToUpper(name), placeholder.User(a, "upper"))
		out = strings.ReplaceAll(out, name, placeholder.User(a, ""))
	}
	if strings.Contains(path, "gid") || path == "" {
		out = cr.gidTemplate(out)
	}
	return out
}

// gidTemplate writes the gids of a JSON value as placeholders.
func (cr *caseRun) gidTemplate(want string) string {
	byGID := map[string]string{}
	for a, g := range cr.gids {
		byGID[strconv.FormatInt(g, 10)] = a
	}
	v := gjson.Parse(want)
	switch {
	case v.IsArray():
		parts := []string{}
		for _, e := range v.Array() {
			if a, ok := byGID[e.Raw]; ok {
				parts = append(parts, placeholder.GID(a))
			} else {
				parts = append(parts, e.Raw)
			}
		}
		return "[" + strings.Join(parts, ",") + "]"
	case v.Type == gjson.Number:
		if a, ok := byGID[v.Raw]; ok {
			return placeholder.GID(a)
		}
	}
	return want
}

// oneLine makes a text safe for a comment or a scenario name.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
