package conform

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"

	"jmcheck/features"
	"jmcheck/steps"
	"jmcheck/target"
)

// EmbeddedFeatures returns the feature files built into jmcheck.
func EmbeddedFeatures() fs.FS { return features.FS }

// NewSteps returns the conformance step definitions (package steps) for a
// run against t, its names prefixed with runID.
func NewSteps(t target.Target, runID string, caps map[string]bool) (Steps, error) {
	client := steps.DefaultHTTPClient()
	s, err := steps.New(steps.Config{Target: t, RunID: runID, Capabilities: caps, HTTPClient: client})
	if err != nil {
		return nil, err
	}
	return suiteSteps{Suite: s, client: client}, nil
}

// suiteSteps adapts *steps.Suite to Steps.
type suiteSteps struct {
	*steps.Suite
	client *http.Client
}

// CloseIdleConnections closes the run's idle connections, so that a server
// shutting down right after the run (the embedded one) does not wait for
// connections the client dialled but never used.
func (s suiteSteps) CloseIdleConnections() { s.client.CloseIdleConnections() }

// Cleanup deletes what the run created and lists what it could not.
func (s suiteSteps) Cleanup(ctx context.Context) []string {
	rep := s.Suite.Cleanup(ctx)
	var out []string
	for _, f := range rep.Failed {
		out = append(out, fmt.Sprintf("%s %s (app %d): %s", f.Kind, f.ID, f.App, f.Reason))
	}
	return out
}
