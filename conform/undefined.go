package conform

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// vocabulary is what Steps may offer for the message about a step that
// matches none: the steps it knows, as a person writes them
// (steps.Definition.Template).
type vocabulary interface{ Templates() []string }

// undefinedReason says which step of sc matched no step definition, where
// it is written, and the nearest steps jmcheck knows: a binary user cannot
// use the Go snippet godog prints, only reword the step.
func undefinedReason(sc Scenario, step string, known []string) string {
	where := sc.File
	for i, text := range sc.Steps {
		if text == step && i < len(sc.StepLines) && sc.StepLines[i] > 0 {
			where = fmt.Sprintf("%s:%d", sc.File, sc.StepLines[i])
			break
		}
	}
	msg := fmt.Sprintf("%s: no step jmcheck knows matches '%s': reword it as one of jmcheck's steps (jmcheck conform --steps lists them)", where, step)
	if near := nearestSteps(step, known, 2); len(near) > 0 {
		msg += "; nearest: " + strings.Join(near, " | ")
	}
	return msg
}

var (
	quotedRE = regexp.MustCompile(`"[^"]*"`)
	numberRE = regexp.MustCompile(`\b\d+\b`)
	choiceRE = regexp.MustCompile(`\{([^|}]*)[^}]*\}`)
	optionRE = regexp.MustCompile(`\s*\[[^\]]*\]`)
)

// nearestSteps returns up to n of the known step templates closest to a
// step text, word by word, when they are close enough to be a typo or a
// slip of wording (a third of the words or fewer differ).
func nearestSteps(step string, known []string, n int) []string {
	words := strings.Fields(numberRE.ReplaceAllString(quotedRE.ReplaceAllString(step, `"..."`), "N"))
	type candidate struct {
		template string
		dist     int
	}
	var best []candidate
	for _, k := range known {
		first := choiceRE.ReplaceAllString(k, "$1")
		with := strings.Fields(strings.NewReplacer("[", "", "]", "").Replace(first))
		without := strings.Fields(optionRE.ReplaceAllString(first, ""))
		d := min(wordDistance(words, with), wordDistance(words, without))
		if d <= max(1, len(words)/3) {
			best = append(best, candidate{k, d})
		}
	}
	slices.SortStableFunc(best, func(a, b candidate) int { return a.dist - b.dist })
	var out []string
	for i := 0; i < len(best) && i < n; i++ {
		out = append(out, best[i].template)
	}
	return out
}

// templatesOf returns the steps s knows, nil when it cannot say.
func templatesOf(s Steps) []string {
	if v, ok := s.(vocabulary); ok {
		return v.Templates()
	}
	return nil
}

// wordDistance is the Levenshtein distance of two word lists.
func wordDistance(a, b []string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if strings.EqualFold(a[i-1], b[j-1]) {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
