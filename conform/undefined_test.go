package conform

import (
	"fmt"
	"testing"
)

func TestNearestSteps(t *testing.T) {
	known := []string{
		`I send N messages from "..." to "..."`,
		`I send "..." to "..." [as the second app]`,
		`user "..." exists [in the second app]`,
		`I page through the {user|group} list N at a time`,
		`the response status is N`,
	}
	cases := map[string]struct {
		step string
		want []string
	}{
		"Typo":         {`I sent 20 messages from "alice" to "bob"`, []string{known[0]}},
		"OptionalPart": {`user "alice" exist in the second app`, []string{known[2]}},
		"ChoiceWord":   {`I page through the user list 5 at once`, []string{known[3]}},
		"Capitalised":  {`The response status is 200`, []string{known[4]}},
		"NothingNear":  {`a step nobody defined`, nil},
		"TooDifferent": {`the server is on fire`, nil},
		"Exact":        {`the response status is 201`, []string{known[4]}},
		"NearestFirst": {`I send "POST" to "/v1/users/" as second app`, []string{known[1]}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := nearestSteps(c.step, known, 2); fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("nearestSteps(%q) = %q, want %q", c.step, got, c.want)
			}
		})
	}
}
