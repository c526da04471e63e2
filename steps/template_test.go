package steps

import "testing"

func TestTemplate(t *testing.T) {
	cases := map[string]struct{ pattern, want string }{
		"Quoted":        {`^I remember the JSON at "([^"]*)" as "([^"]*)"$`, `I remember the JSON at "..." as "..."`},
		"Number":        {`^I send (\d+) messages from "([^"]*)" to "([^"]*)"$`, `I send N messages from "..." to "..."`},
		"Count":         {`^a crowd "([^"]*)" of ` + count + ` registered users$`, `a crowd "..." of N registered users`},
		"OptionalGroup": {`^user "([^"]*)" exists( in the second app)?$`, `user "..." exists [in the second app]`},
		"OptionalArg":   {`^I add crowd "([^"]*)" to group "([^"]*)"(?: while removing "([^"]*)")?$`, `I add crowd "..." to group "..." [while removing "..."]`},
		"Choice":        {`^I page through the (user|group) list (\d+) at a time$`, `I page through the {user|group} list N at a time`},
		"FactoredChoice": {`^the next request authenticates with (an empty header|an unknown appKey|the second app)$`,
			`the next request authenticates with {an empty header|an unknown appKey|the second app}`},
		"OptionalLetter": {`^the JSON at "([^"]*)" has (\d+) items?$`, `the JSON at "..." has N item[s]`},
		"AnyText":        {`^the JSON at "([^"]*)" equals (.+)$`, `the JSON at "..." equals ...`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := (Definition{pattern: c.pattern}).Template(); got != c.want {
				t.Errorf("Template(%s) = %q, want %q", c.pattern, got, c.want)
			}
		})
	}
}

// Every step jmcheck knows reads as a distinct template: the list that
// jmcheck conform --steps prints has no two lines alike.
func TestTemplatesAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, tpl := range mustSuite(t, Config{}).Templates() {
		if seen[tpl] {
			t.Errorf("two steps read %q", tpl)
		}
		seen[tpl] = true
	}
	if len(seen) < 50 {
		t.Errorf("got %d templates, want one per step (more than 50)", len(seen))
	}
}
