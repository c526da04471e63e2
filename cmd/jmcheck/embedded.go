package main

import (
	"context"

	"jmcheck/exitcode"
	"jmcheck/target"
)

// TEMPORARY until server/ lands: startEmbedded will start the reference server on loopback.
func startEmbedded(_ context.Context, _ int, _ embeddedOptions) (target.Target, func(), error) {
	return target.Target{}, func() {}, exitcode.Newf(exitcode.TargetUnusable, "embedded server not built yet: give --target")
}
