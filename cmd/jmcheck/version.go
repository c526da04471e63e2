package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"jmcheck/spec"
)

// version is stamped at build time:
//
//	go build -ldflags "-X main.version=$(git describe --always --dirty)" ./cmd/jmcheck
var version = "dev"

// versionString is the version, the VCS revision when the build knows it,
// and the Go toolchain.
func versionString() string {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return fmt.Sprintf("jmcheck %s, profile %s, %s %s/%s", v, spec.Profile, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func runVersion(_ context.Context, _ system, args []string, stdout, _ io.Writer) error {
	fs := newFlags("version", stdout, help{
		usage:    "jmcheck version",
		about:    "Prints the version, the API profile and the Go toolchain.",
		examples: "  jmcheck version",
	})
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	fmt.Fprintln(stdout, versionString())
	return nil
}
