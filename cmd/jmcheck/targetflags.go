package main

import (
	"context"
	"strconv"

	"github.com/spf13/pflag"

	"jmcheck/conform"
	"jmcheck/exitcode"
	"jmcheck/internal/embedded"
	"jmcheck/target"
)

// targetFlags are the target and credential flags that conform, explore
// and load share. Their defaults come from the environment (target.Env*);
// a bad environment value is reported, naming the variable, once the
// command checks its flags.
type targetFlags struct {
	t      target.Target
	envErr error
}

// register adds the flags to fs.
func (f *targetFlags) register(fs *pflag.FlagSet, sys system) {
	f.t, f.envErr = target.FromEnv(sys.getenv)
	fs.StringVar(&f.t.BaseURL, "target", f.t.BaseURL, "base `URL` of the server under test, http(s)://host[:port][/prefix] (env "+target.EnvTarget+"); empty: the embedded reference server")
	fs.StringVar(&f.t.AppKey, "appkey", f.t.AppKey, "appKey of the first app (env "+target.EnvAppKey+")")
	fs.StringVar(&f.t.Secret, "secret", f.t.Secret, "masterSecret of the first app (env "+target.EnvSecret+")")
	fs.StringVar(&f.t.AppKey2, "appkey2", f.t.AppKey2, "appKey of a second app, enables @two-apps (env "+target.EnvAppKey2+")")
	fs.StringVar(&f.t.Secret2, "secret2", f.t.Secret2, "masterSecret of the second app (env "+target.EnvSecret2+")")
	fs.IntVar(&f.t.GroupLimit, "group-limit", f.t.Limit(), "the target's group member limit, owner included, "+strconv.Itoa(target.MinGroupLimit)+" or more (env "+target.EnvGroupLimit+")")
}

// check reports a bad environment value or flag before anything starts.
func (f *targetFlags) check(fs *pflag.FlagSet) error {
	if f.envErr != nil && !set(fs, "group-limit") {
		return f.envErr
	}
	if err := target.CheckGroupLimit("--group-limit", f.t.Limit()); err != nil {
		return err
	}
	if f.t.BaseURL != "" {
		return f.t.Validate() // before any look-up: a URL without a scheme, a port over 65535
	}
	return nil
}

// embedded reports whether the run is against the embedded server.
func (f *targetFlags) embedded() bool { return f.t.BaseURL == "" }

// capabilities is what the suite may use against the target: every
// capability on the embedded server, the declared ones elsewhere (two-apps
// only with a second app).
func (f *targetFlags) capabilities(declared map[string]bool) (map[string]bool, error) {
	if f.embedded() {
		return conform.AllCapabilities(), nil
	}
	if declared[conform.CapTwoApps] && !f.t.HasSecondApp() {
		return nil, exitcode.Newf(exitcode.Usage, "--capabilities two-apps needs a second app: give --appkey2 and --secret2")
	}
	return declared, nil
}

// open returns the target the flags name, checked by a preflight, or
// starts the embedded reference server. stop releases what open started;
// call it always.
func (f *targetFlags) open(ctx context.Context, opts embedded.Options) (target.Target, func(), error) {
	return embedded.Open(ctx, f.t, opts)
}
