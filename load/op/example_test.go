package op_test

import (
	"fmt"

	"jmcheck/load/op"
)

func ExampleNamer() {
	n := op.NewNamer("jq3x9a0bc", 1)
	first := n.NextUsers(2)
	fmt.Println(n.User(first), n.User(first+1), n.Group(n.NextGroup()))
	i, ok := n.UserIndex("jq3x9a0bc-1-u1")
	fmt.Println(i, ok)
	// Output:
	// jq3x9a0bc-1-u0 jq3x9a0bc-1-u1 jq3x9a0bc-1-g0
	// 1 true
}
