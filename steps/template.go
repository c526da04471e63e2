package steps

import (
	"regexp/syntax"
	"strings"
)

// Template returns the step as a person writes it, for messages about a
// feature step that matches none: a quoted argument reads "...", a number
// N, any other argument ..., an optional part [in brackets] and a choice
// {a|b}. `^I send (\d+) messages from "([^"]*)" to "([^"]*)"$` reads
// I send N messages from "..." to "...".
func (d Definition) Template() string {
	re, err := syntax.Parse(d.pattern, syntax.Perl)
	if err != nil {
		return d.pattern
	}
	var b strings.Builder
	writeTemplate(&b, re.Simplify())
	return strings.Join(strings.Fields(b.String()), " ")
}

// writeTemplate writes the readable form of one node of a step pattern.
func writeTemplate(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText, syntax.OpEmptyMatch:
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			writeTemplate(b, sub)
		}
	case syntax.OpCapture:
		if words, ok := expand(re.Sub[0], 16); ok {
			writeChoice(b, words)
		} else if digits(re.Sub[0]) {
			b.WriteString("N")
		} else {
			b.WriteString("...")
		}
	case syntax.OpQuest:
		var sub strings.Builder
		writeTemplate(&sub, re.Sub[0])
		if opt := sub.String(); strings.HasPrefix(opt, " ") {
			b.WriteString(" [" + strings.TrimPrefix(opt, " ") + "]")
		} else {
			b.WriteString("[" + opt + "]")
		}
	case syntax.OpAlternate:
		if words, ok := expand(re, 16); ok {
			writeChoice(b, words)
			return
		}
		b.WriteString("...")
	default:
		b.WriteString("...")
	}
}

// writeChoice writes one word as it is, and a choice as {a|b}.
func writeChoice(b *strings.Builder, words []string) {
	if len(words) == 1 {
		b.WriteString(words[0])
		return
	}
	b.WriteString("{" + strings.Join(words, "|") + "}")
}

// expand returns every text a pattern without repetition matches, when
// there are at most max: the parser factors "an empty|an unknown" into
// "an (?:empty|unknown)", and a person reads the choice unfactored.
func expand(re *syntax.Regexp, max int) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}, true
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpCapture:
		return expand(re.Sub[0], max)
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if out = append(out, string(r)); len(out) > max {
					return nil, false
				}
			}
		}
		return out, true
	case syntax.OpAlternate, syntax.OpQuest:
		var out []string
		if re.Op == syntax.OpQuest {
			out = []string{""}
		}
		for _, sub := range re.Sub {
			words, ok := expand(sub, max)
			if !ok || len(out)+len(words) > max {
				return nil, false
			}
			out = append(out, words...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			words, ok := expand(sub, max)
			if !ok || len(out)*len(words) > max {
				return nil, false
			}
			var next []string
			for _, a := range out {
				for _, w := range words {
					next = append(next, a+w)
				}
			}
			out = next
		}
		return out, true
	}
	return nil, false
}

// Templates returns every step the suite knows, as Template writes them,
// in the order of the vocabulary.
func (s *Suite) Templates() []string {
	defs := s.Definitions()
	out := make([]string, len(defs))
	for i, d := range defs {
		out[i] = d.Template()
	}
	return out
}

// digits reports whether a pattern reads a number: it holds a class of
// ASCII digits, as (\d+), (\d{4}-\d{2}) or (\d+|\{limit\}) do. It walks the
// tree, never Regexp.String, which costs seconds for the whole vocabulary
// under the race detector.
func digits(re *syntax.Regexp) bool {
	if re.Op == syntax.OpCharClass && len(re.Rune) > 0 {
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] < '0' || re.Rune[i+1] > '9' {
				return false
			}
		}
		return true
	}
	for _, sub := range re.Sub {
		if digits(sub) {
			return true
		}
	}
	return false
}
