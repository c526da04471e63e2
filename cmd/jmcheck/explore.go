package main

import (
	"context"
	"io"

	"jmcheck/exitcode"
)

// runExplore is jmcheck explore. (Being built: issue 11.)
func runExplore(_ context.Context, _ system, _ []string, _, _ io.Writer) error {
	return exitcode.Newf(exitcode.Usage, "explore: not built yet")
}

func runSelftestExplore(_ context.Context, _ string, _ io.Writer) error {
	return exitcode.Newf(exitcode.Usage, "selftest --explore: not built yet")
}
