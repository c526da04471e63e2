package conform

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
)

// Steps are the step definitions a run executes. The conformance steps
// (package steps) are the real ones; tests give small fakes.
type Steps interface {
	// InitializeScenario registers the step definitions and hooks.
	InitializeScenario(sc *godog.ScenarioContext)
	// Cleanup deletes everything the run created and returns one line per
	// thing it could not delete (nil when all is gone).
	Cleanup(ctx context.Context) []string
}

// Status is what godog made of one scenario.
type Status string

// The statuses of a scenario.
const (
	StatusPassed    Status = "passed"
	StatusFailed    Status = "failed"
	StatusUndefined Status = "undefined" // a step has no definition: a suite defect, always a failure
	StatusPending   Status = "pending"   // a step is not implemented yet: always a failure
	StatusAmbiguous Status = "ambiguous" // a step matches two definitions: always a failure
	StatusSkipped   Status = "skipped"   // a capability is missing, or a step skipped it
	StatusNotRun    Status = "not run"   // interrupted, or stopped at the first failure
)

// Session ties a run to godog: every scenario gets the capability check,
// the interrupt check and the result collector around the step
// definitions. conform.Run uses one; the godog CLI and `go test` runners
// may use one directly through InitializeScenario.
type Session struct {
	ctx           context.Context
	caps          map[string]bool
	stopOnFailure bool
	steps         Steps

	mu      sync.Mutex
	records map[string]*record // by pickle id
	byStep  map[string]*record // by pickle step id
	failed  bool
}

// record is what the hooks saw of one scenario.
type record struct {
	pickle     *godog.Scenario
	steps      map[string]stepResult
	skipReason string // set by the session's own Before hook
	afterErr   error  // the error the last After hook saw
	started    time.Time
	took       time.Duration
}

type stepResult struct {
	status godog.StepResultStatus
	err    error
}

// SessionConfig configures a Session.
type SessionConfig struct {
	// Capabilities the target declares; a scenario tagged with another
	// capability is skipped with the reason.
	Capabilities map[string]bool
	// StopOnFailure skips every scenario that starts after one failed.
	StopOnFailure bool
	// Steps are the step definitions (required).
	Steps Steps
}

// NewSession returns a session for one run. When ctx ends (SIGINT), every
// scenario that has not started yet is skipped as "not run".
func NewSession(ctx context.Context, cfg SessionConfig) (*Session, error) {
	if cfg.Steps == nil {
		return nil, errors.New("conform: a session needs step definitions")
	}
	caps := map[string]bool{}
	for k, v := range cfg.Capabilities {
		caps[k] = v
	}
	return &Session{
		ctx:           ctx,
		caps:          caps,
		stopOnFailure: cfg.StopOnFailure,
		steps:         cfg.Steps,
		records:       map[string]*record{},
		byStep:        map[string]*record{},
	}, nil
}

// InitializeScenario registers the session's hooks around the step
// definitions: its Before hook first (so a skipped scenario costs nothing),
// its After hooks last (so they see every other hook's verdict).
func (s *Session) InitializeScenario(sc *godog.ScenarioContext) {
	sc.Before(s.before)
	s.steps.InitializeScenario(sc)
	sc.StepContext().After(s.afterStep)
	sc.After(s.afterScenario)
}

func (s *Session) before(ctx context.Context, p *godog.Scenario) (context.Context, error) {
	rec := &record{pickle: p, steps: map[string]stepResult{}, started: time.Now()}
	s.mu.Lock()
	s.records[p.Id] = rec
	for _, st := range p.Steps {
		s.byStep[st.Id] = rec
	}
	stop := s.stopOnFailure && s.failed
	s.mu.Unlock()

	var tags []string
	for _, t := range p.Tags {
		tags = append(tags, t.Name)
	}
	reason := ""
	switch {
	case s.ctx.Err() != nil:
		reason = "not run: the run was interrupted"
	case stop:
		reason = "not run: stopped after the first failure"
	default:
		_, reason = missingCapability(tags, s.caps)
	}
	if reason == "" {
		return ctx, nil
	}
	s.mu.Lock()
	rec.skipReason = reason
	s.mu.Unlock()
	return ctx, fmt.Errorf("%w: %s", godog.ErrSkip, reason)
}

func (s *Session) afterStep(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.byStep[st.Id]; rec != nil {
		if status == godog.StepFailed && s.ctx.Err() != nil && err != nil &&
			(errors.Is(err, context.Canceled) || strings.Contains(err.Error(), context.Canceled.Error())) {
			// The step failed because the run was interrupted under it: that
			// says nothing about the target.
			rec.skipReason = "not run: interrupted while running"
			status = godog.StepSkipped
		}
		rec.steps[st.Id] = stepResult{status: status, err: err}
		if status == godog.StepFailed || status == godog.StepUndefined || status == godog.StepPending || status == godog.StepAmbiguous {
			s.failed = true
		}
	}
	return ctx, nil
}

func (s *Session) afterScenario(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.records[p.Id]; rec != nil {
		rec.took = time.Since(rec.started)
		rec.afterErr = err
		if err != nil && !errors.Is(err, godog.ErrSkip) {
			s.failed = true
		}
	}
	return ctx, nil
}

// Cleanup deletes what the run created, with ctx bounding the time it may
// take, and returns what could not be deleted.
func (s *Session) Cleanup(ctx context.Context) []string { return s.steps.Cleanup(ctx) }

// Seen reports how many scenarios reached the session's hooks; after a run,
// 0 means the tag filter selected none (a usage error, exit 2).
func (s *Session) Seen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.records)
}

// verdict is one scenario's status and the reason for it.
type verdict struct {
	status Status
	reason string // failure message or skip reason
	step   string // the step that decided it, if one did
	took   time.Duration
}

// verdict returns what the hooks saw of the scenario with the pickle id.
func (s *Session) verdict(pickleID string) verdict {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.records[pickleID]
	if rec == nil {
		return verdict{status: StatusNotRun, reason: "not run"}
	}
	v := rec.verdict()
	v.took = rec.took
	return v
}

func (r *record) verdict() verdict {
	if len(r.pickle.Steps) == 0 {
		return verdict{status: StatusUndefined, reason: "the scenario has no steps"}
	}
	for _, st := range r.pickle.Steps {
		res, ok := r.steps[st.Id]
		if !ok {
			continue
		}
		switch res.status {
		case godog.StepPassed:
			continue
		case godog.StepFailed:
			return verdict{status: StatusFailed, reason: errText(res.err, "failed"), step: st.Text}
		case godog.StepAmbiguous:
			return verdict{status: StatusAmbiguous, reason: errText(res.err, "the step matches more than one step definition"), step: st.Text}
		case godog.StepUndefined:
			return verdict{status: StatusUndefined, reason: "the step has no definition", step: st.Text}
		case godog.StepPending:
			return verdict{status: StatusPending, reason: "the step's definition is pending", step: st.Text}
		case godog.StepSkipped:
			if r.skipReason != "" {
				status := StatusSkipped
				if strings.HasPrefix(r.skipReason, "not run") {
					status = StatusNotRun
				}
				return verdict{status: status, reason: r.skipReason}
			}
			if r.afterErr != nil && !errors.Is(r.afterErr, godog.ErrSkip) {
				return verdict{status: StatusFailed, reason: r.afterErr.Error(), step: st.Text}
			}
			return verdict{status: StatusSkipped, reason: skipText(res.err), step: st.Text}
		}
	}
	if r.afterErr != nil && !errors.Is(r.afterErr, godog.ErrSkip) {
		return verdict{status: StatusFailed, reason: "after the last step: " + r.afterErr.Error()}
	}
	if len(r.steps) < len(r.pickle.Steps) {
		return verdict{status: StatusNotRun, reason: fmt.Sprintf("not run: only %d of %d steps ran", len(r.steps), len(r.pickle.Steps))}
	}
	return verdict{status: StatusPassed}
}

func errText(err error, def string) string {
	if err == nil {
		return def
	}
	return err.Error()
}

// skipText turns the error a step skipped with into a reason.
func skipText(err error) string {
	if err == nil {
		return "skipped by a step"
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "before scenario hook failed: ")
	if msg == godog.ErrSkip.Error() {
		return "skipped by a step"
	}
	return msg
}
