package main

import (
	"context"
	"flag"
	"os"

	"jmcheck/target"
)

// targetFlags are the target and credential flags that conform and load
// share, with their environment fallbacks.
type targetFlags struct {
	url, appKey, secret, appKey2, secret2 string
	groupLimit                            int
}

// register adds the flags to fs; defaults come from the environment.
func (f *targetFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "target", os.Getenv("JMCHECK_TARGET"), "base `URL` of the server under test (env JMCHECK_TARGET); empty: the embedded reference server")
	fs.StringVar(&f.appKey, "appkey", os.Getenv("JMCHECK_APPKEY"), "appKey of the first app (env JMCHECK_APPKEY)")
	fs.StringVar(&f.secret, "secret", os.Getenv("JMCHECK_SECRET"), "masterSecret of the first app (env JMCHECK_SECRET)")
	fs.StringVar(&f.appKey2, "appkey2", os.Getenv("JMCHECK_APPKEY2"), "appKey of a second app, enables @two-apps (env JMCHECK_APPKEY2)")
	fs.StringVar(&f.secret2, "secret2", os.Getenv("JMCHECK_SECRET2"), "masterSecret of the second app (env JMCHECK_SECRET2)")
	fs.IntVar(&f.groupLimit, "group-limit", envInt("JMCHECK_GROUP_LIMIT", target.DefaultGroupLimit), "the target's group member limit, owner included (env JMCHECK_GROUP_LIMIT)")
}

// embeddedOptions configure the embedded reference server when no target
// is given.
type embeddedOptions struct {
	FaultInjection bool
	MaxInflight    int
	Mutant         string // "" for the conformant server
}

// open returns the target the flags name, checked by a preflight, or starts
// the embedded reference server on a loopback port with generated
// credentials for two apps. stop releases what open started; call it always.
func (f *targetFlags) open(ctx context.Context, opts embeddedOptions) (target.Target, func(), error) {
	if f.url == "" {
		return startEmbedded(ctx, f.groupLimit, opts)
	}
	t := target.Target{
		BaseURL: f.url, AppKey: f.appKey, Secret: f.secret,
		AppKey2: f.appKey2, Secret2: f.secret2, GroupLimit: f.groupLimit,
	}
	if err := target.Preflight(ctx, nil, t); err != nil {
		return target.Target{}, func() {}, err
	}
	return t, func() {}, nil
}

func envInt(name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var n int
	for _, c := range v {
		if c < '0' || c > '9' || n > 1<<20 {
			return -1 // Validate reports it as a usage error
		}
		n = n*10 + int(c-'0')
	}
	return n
}
