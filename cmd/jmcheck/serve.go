package main

import (
	"context"
	"io"

	"jmcheck/exitcode"
)

// TEMPORARY placeholder until the serve command lands; its owner replaces this file.
func runServe(_ context.Context, _ []string, _, _ io.Writer) error {
	return exitcode.Newf(exitcode.Usage, "serve: not built yet")
}
