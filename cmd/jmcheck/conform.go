package main

import (
	"context"
	"io"

	"jmcheck/exitcode"
)

// TEMPORARY placeholder until the conform command lands; its owner replaces this file.
func runConform(_ context.Context, _ []string, _, _ io.Writer) error {
	return exitcode.Newf(exitcode.Usage, "conform: not built yet")
}
