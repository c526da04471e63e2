package load

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"jmcheck/load/op"
	"jmcheck/load/seed"
	"jmcheck/load/stats"
	"jmcheck/target"
)

// Profile is one load profile: a type registered by name, the way k6
// registers its executors. A new one is made for every run, so it may
// keep the run's state.
type Profile interface {
	// Info describes the profile and its defaults.
	Info() Info
	// Defaults fills the zero fields of the options it uses.
	Defaults(o *Options)
	// Validate checks the options (filled with Defaults).
	Validate(o Options) error
	// Setup seeds what the profile needs and adds its operations to the
	// setup's Env.
	Setup(ctx context.Context, s *Setup) error
	// Judge says what the profile's own checks covered (checks) and why
	// the run fails by the profile's own rule (problems).
	Judge(sum *stats.Summary) (checks, problems []string)
}

// Info describes a profile for help texts and says its defaults.
type Info struct {
	Name    string
	Summary string
	// The default pacing, when no --rate, --ramp or --stairs is given:
	// a constant Rate or a Ramp over the run's duration.
	Rate, Ramp string
	// EmbeddedMaxInflight is the in-flight limit of the embedded server
	// for the profile (0: unlimited).
	EmbeddedMaxInflight int
	// MinSeed is the smallest --seed the profile works with, a shard's
	// share included (a pool of 2 users for the mix).
	MinSeed int
}

// Pacing returns the default pacing as flags, for help texts.
func (i Info) Pacing() string {
	if i.Ramp != "" {
		return "--ramp " + i.Ramp + " --duration 10s"
	}
	return "--rate " + i.Rate + " --duration 10s"
}

// Setup is what a profile's Setup works with.
type Setup struct {
	Env     *op.Env
	Admin   *seed.Admin
	Options Options
	Planned float64 // requests the run plans, -1 when unknown
	Sharded bool    // other shards seed and clean up the same lists
	// Log writes a phase line on stderr; Report (may be nil) gets what a
	// person must read beyond the summary (Config.Report); Scrub makes
	// target-sent text safe to show or write.
	Log    func(format string, args ...any)
	Report io.Writer
	Scrub  *target.Scrubber
}

var registry = struct {
	order []string
	make  map[string]func() Profile
}{make: map[string]func() Profile{}}

// Register makes a profile type known by its name; it panics on a name
// given twice (a programming error, found at start-up).
func Register(newProfile func() Profile) {
	name := newProfile().Info().Name
	if _, dup := registry.make[name]; dup {
		panic("load: profile " + name + " registered twice")
	}
	registry.order = append(registry.order, name)
	registry.make[name] = newProfile
}

// Lookup returns a new profile of the name.
func Lookup(name string) (Profile, error) {
	f, ok := registry.make[name]
	if !ok {
		return nil, fmt.Errorf("unknown profile %q: want one of %s", name, strings.Join(ProfileNames(), ", "))
	}
	return f(), nil
}

// Known reports whether name is a profile.
func Known(name string) bool { _, ok := registry.make[name]; return ok }

// ProfileNames returns the profile names, in registration order.
func ProfileNames() []string { return slices.Clone(registry.order) }

// Profiles describes every profile, in registration order.
func Profiles() []Info {
	out := make([]Info, 0, len(registry.order))
	for _, n := range registry.order {
		out = append(out, registry.make[n]().Info())
	}
	return out
}

// Page orders of the paginate profiles.
const (
	OrderSequential = "sequential" // start = 0, count, 2·count, …: whole sweeps, tiling checked
	OrderRandom     = "random"     // any start in [0, total)
	OrderDeep       = "deep"       // starts in the last tenth of the list: the expensive end
)

// Options tune a profile. Zero values take the profile's defaults; a
// profile refuses the options it does not use when they are given.
type Options struct {
	Batch         int            // users per register request (register-batch 500, mixed 1)
	OversizeRatio float64        // register-batch: share of requests with 501 items
	Seed          int            // paginate: users or groups to seed; mixed, overload: the user pool
	Order         string         // paginate: sequential, random or deep
	Count         int            // paginate: page size, 1..500
	Mix           map[string]int // mixed, overload: weight of each operation
	AllowShed     bool           // count a 503 899030 with Retry-After as expected (always so in overload)
	CheckHistory  bool           // mixed, overload: record the history and check it for linearizability
	HistoryDir    string         // mixed, overload with CheckHistory: where a violation is written (history.txt, history.html)
}

// forShard returns the options of one of n shards. --seed is the whole
// run's, as --rate is: each shard seeds its share (rounded up) under its
// own names, so that n shards together seed what one generator would, and
// at least the profile's minSeed.
func (o Options) forShard(n, minSeed int) Options {
	if n > 1 {
		o.Seed = max((o.Seed+n-1)/n, minSeed)
	}
	return o
}

// commonDefaults fills what a profile's Defaults left zero.
func (o *Options) commonDefaults() {
	if o.Order == "" {
		o.Order = OrderSequential
	}
	if o.Count == 0 {
		o.Count = 500
	}
}

// validateCommon checks the options every profile reads the same way.
func (o Options) validateCommon() error {
	if o.Batch < 1 || o.Batch > 500 {
		return fmt.Errorf("--batch %d: want 1..500 (the API's limit; --oversize-ratio sends 501)", o.Batch)
	}
	if o.OversizeRatio < 0 || o.OversizeRatio > 1 || o.OversizeRatio != o.OversizeRatio {
		return fmt.Errorf("--oversize-ratio %g: want a share between 0 and 1, such as 0.1", o.OversizeRatio)
	}
	if o.Seed < 1 || o.Seed > 10_000_000 {
		return fmt.Errorf("--seed %d: want 1..10000000", o.Seed)
	}
	switch o.Order {
	case OrderSequential, OrderRandom, OrderDeep:
	default:
		return fmt.Errorf("--order %q: want sequential, random or deep", o.Order)
	}
	if o.Count < 1 || o.Count > 500 {
		return fmt.Errorf("--count %d: want 1..500 (the API's page limit)", o.Count)
	}
	return nil
}

// noHistory refuses --check-history for a profile that does not record
// its history.
func (o Options) noHistory(profile string) error {
	if o.CheckHistory || o.HistoryDir != "" {
		return fmt.Errorf("--check-history is for mixed and overload, not %s", profile)
	}
	return nil
}
