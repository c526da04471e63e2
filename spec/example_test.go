package spec_test

import (
	"fmt"

	"jmcheck/spec"
)

func ExampleMatch() {
	fmt.Println(spec.Match("GET", "http://127.0.0.1:8080/v1/users/alice"))
	fmt.Println(spec.Match("POST", "/v1/groups/7/members"))
	// Output:
	// GET /v1/users/{username}
	// POST /v1/groups/{gid}/members
}
