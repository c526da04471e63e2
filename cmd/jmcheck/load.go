package main

import (
	"context"
	"io"

	"jmcheck/exitcode"
)

// TEMPORARY placeholder until the load command lands; its owner replaces this file.
func runLoad(_ context.Context, _ []string, _, _ io.Writer) error {
	return exitcode.Newf(exitcode.Usage, "load: not built yet")
}
