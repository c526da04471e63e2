package main

import (
	"context"
	"io"

	"jmcheck/exitcode"
)

// TEMPORARY placeholder until the selftest command lands; its owner replaces this file.
func runSelftest(_ context.Context, _ []string, _, _ io.Writer) error {
	return exitcode.Newf(exitcode.Usage, "selftest: not built yet")
}
