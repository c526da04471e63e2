package steps

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cucumber/godog"

	"jmcheck/target"
)

// Capabilities a target may declare. A scenario tagged with one that the
// run does not declare is skipped, never passed.
const (
	CapFaultInjection = "fault-injection" // honours X-Fault-Inject (SPEC.md §6)
	CapOverload       = "overload"        // sheds load with 503 899030 under a burst (SPEC.md §6)
	CapTwoApps        = "two-apps"        // a second app's credentials are known (SPEC.md §1)
	CapGroupLimit     = "group-limit"     // may create member-limit-many users (SPEC.md §4)
)

// MinGroupLimit is the smallest member limit the suite works with: its
// scenarios build groups of up to four people (@group-limit ones fill the
// configured limit whatever it is).
const MinGroupLimit = 4

// AllCapabilities lists every capability, in tag order.
var AllCapabilities = []string{CapFaultInjection, CapOverload, CapTwoApps, CapGroupLimit}

// Config configures a Suite.
type Config struct {
	Target       target.Target
	RunID        string          // prefix of every name the run creates; "" draws one with target.NewRunID
	Capabilities map[string]bool // keys from AllCapabilities
	HTTPClient   *http.Client    // nil = a default with sane timeouts
}

// Suite holds what all scenarios of one run share: the target, the HTTP
// client, the scenario counter, the cleanup ledger and the skip record.
// It is safe for concurrent scenarios.
type Suite struct {
	cfg    Config
	client *http.Client
	caps   map[string]bool
	ledger *ledger
	count  atomic.Int64

	mu    sync.Mutex
	skips []Skip
}

// Skip records a scenario skipped because the run lacks a capability.
type Skip struct {
	Scenario   string // scenario name
	URI        string // feature file
	Capability string
	Reason     string
}

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)

// New checks the configuration and returns a Suite.
func New(cfg Config) (*Suite, error) {
	if cfg.RunID == "" {
		cfg.RunID = target.NewRunID()
	}
	if !runIDPattern.MatchString(cfg.RunID) {
		return nil, fmt.Errorf("run id %q: use 1..32 ASCII letters, digits, _ or -, a letter or digit first, so names built on it fit SPEC.md §3", cfg.RunID)
	}
	if cfg.Target.BaseURL == "" {
		return nil, errors.New("no target base URL: set Config.Target (for example with --target)")
	}
	caps := map[string]bool{}
	for c, on := range cfg.Capabilities {
		known := false
		for _, k := range AllCapabilities {
			known = known || k == c
		}
		if !known {
			return nil, fmt.Errorf("unknown capability %q: use some of %s", c, strings.Join(AllCapabilities, ", "))
		}
		if on {
			caps[c] = true
		}
	}
	if l := cfg.Target.Limit(); l < MinGroupLimit {
		return nil, fmt.Errorf("group limit %d: the suite's groups hold up to %d people, so give --group-limit %d or more", l, MinGroupLimit, MinGroupLimit)
	}
	if caps[CapTwoApps] && !cfg.Target.HasSecondApp() {
		return nil, errors.New("capability two-apps needs a second app: give --appkey2 and --secret2")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = DefaultHTTPClient()
	}
	return &Suite{cfg: cfg, client: client, caps: caps, ledger: newLedger()}, nil
}

// DefaultHTTPClient returns the client a Suite uses when Config has none:
// a 15 s timeout per request and enough idle connections for bursts.
func DefaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 256
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return &http.Client{Timeout: 15 * time.Second, Transport: tr}
}

// RunID returns the prefix of every name this run creates.
func (s *Suite) RunID() string { return s.cfg.RunID }

// Skipped returns the scenarios skipped for a missing capability, sorted by
// feature file and name, for the runner's summary.
func (s *Suite) Skipped() []Skip {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Skip(nil), s.skips...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].URI != out[j].URI {
			return out[i].URI < out[j].URI
		}
		return out[i].Scenario < out[j].Scenario
	})
	return out
}

// SkipReason is the message of a capability skip; the runner and the
// feature files use the same words.
func SkipReason(capability string) string {
	return fmt.Sprintf("needs capability %s: declare it with --capabilities", capability)
}

// InitializeScenario registers the hooks and steps of one scenario; pass it
// as godog's ScenarioInitializer.
func (s *Suite) InitializeScenario(sc *godog.ScenarioContext) {
	sc.Before(s.beforeScenario)
	s.registerSteps(sc)
}

// beforeScenario gives the scenario its state and skips it when it needs a
// capability the run did not declare. godog v0.16.0 turns a Before hook's
// godog.ErrSkip into a skipped first step and skips the rest: the scenario
// is reported skipped and does not fail the run.
func (s *Suite) beforeScenario(ctx context.Context, sc *godog.Scenario) (context.Context, error) {
	st := s.newScenario(sc)
	ctx = withScenario(ctx, st)
	for _, c := range AllCapabilities {
		if st.tags["@"+c] && !s.caps[c] {
			s.mu.Lock()
			s.skips = append(s.skips, Skip{Scenario: sc.Name, URI: sc.Uri, Capability: c, Reason: SkipReason(c)})
			s.mu.Unlock()
			return ctx, fmt.Errorf("%s: %w", SkipReason(c), godog.ErrSkip)
		}
	}
	return ctx, nil
}

// errSkip marks a step that skips the rest of its scenario.
var errSkip = godog.ErrSkip

// registerSteps registers every step of the vocabulary. Handing over
// sc.Step itself lets godog record where each step is defined.
func (s *Suite) registerSteps(sc *godog.ScenarioContext) {
	s.eachStep(sc.Step)
}

// eachStep hands every step pattern and handler to step; tests use it to
// check that the patterns are anchored and never ambiguous.
func (s *Suite) eachStep(step func(expr, handler any)) {
	s.registerGivenSteps(step)
	s.registerWhenSteps(step)
	s.registerThenSteps(step)
	s.registerListSteps(step)
}
