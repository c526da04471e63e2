package steps

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/cucumber/godog"

	"jmcheck/client"
	"jmcheck/ledger"
	"jmcheck/target"
)

// Config configures a Suite.
type Config struct {
	Target target.Target
	// RunID prefixes every name the run creates; "" draws one with
	// target.NewRunID.
	RunID string
	// Capabilities are the ones the run declares (package conform owns
	// the list and skips the scenarios that need another): the steps
	// only refuse to use an undeclared one.
	Capabilities map[string]bool
	// Client is the HTTP client; nil: client.New for Target.
	Client *client.Client
}

// Suite holds what all scenarios of one run share: the client, the
// scenario counter and the cleanup ledger. It is safe for concurrent
// scenarios.
type Suite struct {
	cfg    Config
	client *client.Client
	caps   map[string]bool
	ledger *ledger.Ledger
	count  atomic.Int64
}

// New checks the configuration and returns a Suite.
func New(cfg Config) (*Suite, error) {
	if cfg.RunID == "" {
		cfg.RunID = target.NewRunID()
	}
	if !target.ValidRunID(cfg.RunID) {
		_, err := target.ParseRunID("run id", cfg.RunID)
		return nil, err
	}
	if cfg.Target.BaseURL == "" {
		return nil, errors.New("no target base URL: set Config.Target (for example with --target)")
	}
	if err := target.CheckGroupLimit("--group-limit", cfg.Target.Limit()); err != nil {
		return nil, err
	}
	caps := map[string]bool{}
	for c, on := range cfg.Capabilities {
		if on {
			caps[c] = true
		}
	}
	c := cfg.Client
	if c == nil {
		c = client.New(client.Config{Target: cfg.Target})
	}
	return &Suite{cfg: cfg, client: c, caps: caps, ledger: ledger.New(cfg.RunID, nil)}, nil
}

// RunID returns the prefix of every name this run creates.
func (s *Suite) RunID() string { return s.cfg.RunID }

// Client returns the suite's HTTP client.
func (s *Suite) Client() *client.Client { return s.client }

// Ledger returns what the run may have created.
func (s *Suite) Ledger() *ledger.Ledger { return s.ledger }

// Cleanup deletes everything the run created (package ledger says how)
// and reports what it could not delete. When the target became unusable,
// it makes one short attempt with a client of its own.
func (s *Suite) Cleanup(ctx context.Context) *ledger.Report {
	c := s.client
	if c.Unusable() != nil {
		c = c.ForCleanup()
	}
	return s.ledger.Cleanup(ctx, c, ledger.Options{})
}

// InitializeScenario gives one scenario its state and registers its
// steps; pass it as godog's ScenarioInitializer. godog calls it once per
// scenario, so every scenario has a state of its own.
func (s *Suite) InitializeScenario(sc *godog.ScenarioContext) {
	st := s.newScenario()
	sc.Before(st.before)
	sc.After(st.after)
	for _, d := range st.definitions() {
		sc.Step(d.pattern, d.handler)
	}
}

// Definitions returns every step pattern, with the handler of a scenario
// that is not running: for listing and linting the vocabulary.
func (s *Suite) Definitions() []Definition { return s.newScenario().definitions() }

// Definition is one step pattern and the method that handles it.
type Definition struct {
	pattern string
	handler any
}

// Pattern returns the step's anchored regular expression.
func (d Definition) Pattern() string { return d.pattern }

// before fills the scenario's state from godog's pickle.
func (st *scenario) before(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	st.start(sc)
	return ctx, nil
}

// after drops what the scenario kept of the target's answers once it has
// ended: godog keeps a finished scenario's steps, and so its state, until
// the run ends, and an answer may be 4 MiB. Without this, a target that
// answers every request with 4 MiB made a run of the whole suite hold
// hundreds of them (1 GB).
// It returns no error: the scenario's own stands as it is.
func (st *scenario) after(ctx context.Context, _ *godog.Scenario, _ error) (context.Context, error) {
	st.last, st.burst, st.walk, st.msgIDs = nil, nil, nil, nil
	clear(st.bodies)
	clear(st.vars)
	return ctx, nil
}

// capability is the step "the target offers the X capability": the
// scenario must carry the tag, so that runs without it skip the scenario
// (package conform does), and the run must declare it.
func (st *scenario) capability(c string) error {
	if !st.tags["@"+c] {
		return fmt.Errorf("the scenario uses capability %s but lacks the tag @%s: add it so runs without it skip the scenario", c, c)
	}
	if !st.suite.caps[c] {
		return fmt.Errorf("capability %q is not declared for this run (or is no capability): %w", c, godog.ErrSkip)
	}
	return nil
}
