package conform

import (
	"fmt"
	"jmcheck/spec"
	"sort"
	"strings"
)

// The opt-in capabilities of a target. A scenario tagged "@" + name runs only
// when the run declares the capability; otherwise it is reported as skipped
// with the reason, never as passed.
const (
	CapFaultInjection = "fault-injection" // honours X-Fault-Inject (spec/PROFILE.md §6)
	CapOverload       = "overload"        // sheds load with 503 899030 past a small in-flight limit (spec/PROFILE.md §6)
	CapTwoApps        = "two-apps"        // a second app's credentials are known (spec/PROFILE.md §1 isolation)
	CapGroupLimit     = "group-limit"     // the run may create hundreds of users to fill a group (spec/PROFILE.md §4)
)

// EmbeddedMaxInflight is the in-flight request limit to give an embedded
// reference server: small enough that the @overload scenarios' bursts are
// shed with 503 899030, large enough that --concurrency 4 alone never is.
// (The steps retry a shed request, so a burst that overlaps other
// scenarios only slows them.)
const EmbeddedMaxInflight = 16

// capabilityHints say how a run gets each capability.
var capabilityHints = map[string]string{
	CapFaultInjection: "the target must honour X-Fault-Inject (spec/PROFILE.md §6): declare it with --capabilities fault-injection",
	CapOverload:       "the target must shed load with 503 " + spec.CodeBusy.String() + " past a small in-flight limit (spec/PROFILE.md §6): declare it with --capabilities overload",
	CapTwoApps:        "give a second app with --appkey2/--secret2 (or JMCHECK_APPKEY2/JMCHECK_SECRET2)",
	CapGroupLimit:     "it creates hundreds of users: declare it with --capabilities group-limit",
}

// Capabilities returns the names of every capability, sorted.
func Capabilities() []string {
	out := make([]string, 0, len(capabilityHints))
	for name := range capabilityHints {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// AllCapabilities returns a set with every capability on: what the
// embedded reference server supports.
func AllCapabilities() map[string]bool {
	caps := map[string]bool{}
	for _, c := range Capabilities() {
		caps[c] = true
	}
	return caps
}

// ParseCapabilities reads a comma-separated capability list such as
// "fault-injection,overload"; "all" names every capability and "" none.
// An unknown name is an error that lists the known ones.
func ParseCapabilities(list string) (map[string]bool, error) {
	caps := map[string]bool{}
	for _, item := range strings.Split(list, ",") {
		name := strings.TrimSpace(item)
		switch {
		case name == "":
			continue
		case name == "all":
			for _, c := range Capabilities() {
				caps[c] = true
			}
		case capabilityHints[name] != "":
			caps[name] = true
		default:
			return nil, fmt.Errorf("unknown capability %q: use a comma-separated list of %s, or all", name, strings.Join(Capabilities(), ", "))
		}
	}
	return caps, nil
}

// missingCapability returns the first capability tag of tags that caps
// does not declare, and the reason to report; "" when none is missing.
func missingCapability(tags []string, caps map[string]bool) (string, string) {
	for _, t := range tags {
		name := strings.TrimPrefix(t, "@")
		if hint, ok := capabilityHints[name]; ok && !caps[name] {
			return name, fmt.Sprintf("needs capability %s, which this run does not declare: %s", name, hint)
		}
	}
	return "", ""
}

// runnable fails when every selected scenario needs a capability the run
// does not declare: such a run would skip everything and test nothing, so
// it is a usage error like a tag filter that selects nothing.
func runnable(selected []Scenario, caps map[string]bool) error {
	var reason string
	for _, sc := range selected {
		name, _ := missingCapability(sc.Tags, caps)
		if name == "" {
			return nil
		}
		reason = name
	}
	return fmt.Errorf("%w: all %d selected scenarios need a capability this run does not declare (%s, among others): declare it with --capabilities, or select other scenarios with --tags", errNoScenario, len(selected), reason)
}

// capabilityList renders a capability set for people, sorted.
func capabilityList(caps map[string]bool) []string {
	var out []string
	for name, on := range caps {
		if on {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
