//go:build tools

// Package jmcheck pins the project's chosen dependencies until real code imports them all.
package jmcheck

import (
	_ "github.com/cucumber/godog"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/tidwall/gjson"
	_ "github.com/tsenart/vegeta/v12/lib"
	_ "modernc.org/sqlite"
)
