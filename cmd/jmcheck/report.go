package main

import (
	"context"
	"io"

	"jmcheck/exitcode"
)

// TEMPORARY placeholder until the report command lands; its owner replaces this file.
func runReport(_ context.Context, _ []string, _, _ io.Writer) error {
	return exitcode.Newf(exitcode.Usage, "report: not built yet")
}
