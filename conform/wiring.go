package conform

import (
	"context"
	"errors"
	"io/fs"

	"jmcheck/client"
	"jmcheck/features"
	"jmcheck/steps"
	"jmcheck/target"
)

// EmbeddedFeatures returns the feature files built into jmcheck.
func EmbeddedFeatures() fs.FS { return features.FS }

// NewSteps returns the conformance step definitions (package steps) for a
// run against t, its names prefixed with runID.
func NewSteps(t target.Target, runID string, caps map[string]bool) (Steps, error) {
	if caps[CapTwoApps] && !t.HasSecondApp() {
		return nil, errors.New("capability two-apps needs a second app: give --appkey2 and --secret2")
	}
	s, err := steps.New(steps.Config{Target: t, RunID: runID, Capabilities: caps, Client: client.New(client.Config{Target: t})})
	if err != nil {
		return nil, err
	}
	return suiteSteps{Suite: s}, nil
}

// suiteSteps adapts *steps.Suite to Steps.
type suiteSteps struct{ *steps.Suite }

// CloseIdleConnections closes the run's idle connections, so that a server
// shutting down right after the run (the embedded one) does not wait for
// connections the client dialled but never used.
func (s suiteSteps) CloseIdleConnections() { s.Client().CloseIdleConnections() }

// Unusable returns the error that made the target unusable during the
// run, nil while it answered.
func (s suiteSteps) Unusable() error { return s.Client().Unusable() }

// Cleanup deletes what the run created and lists what it could not.
func (s suiteSteps) Cleanup(ctx context.Context) []string {
	rep := s.Suite.Cleanup(ctx)
	var out []string
	out = append(out, rep.NotOurs...)
	for _, f := range rep.Failed {
		out = append(out, f.String())
	}
	if n := rep.Left - len(rep.Failed); n > 0 {
		out = append(out, "… and more: "+rep.String())
	}
	if rep.Error != "" {
		out = append(out, rep.Error)
	}
	return out
}

// StepTemplates returns every step the conformance steps know, as a
// person writes them in a feature ("I send N messages from "..." to
// "..."", see steps.Definition.Template): what jmcheck conform --steps
// prints, and what the message about a step that matches none offers.
func StepTemplates() []string {
	s, err := steps.New(steps.Config{Target: target.Target{BaseURL: "http://127.0.0.1:1"}, RunID: "jsteps"})
	if err != nil { // cannot happen: the configuration is fixed
		return nil
	}
	return s.Templates()
}
