package target

import (
	"strconv"
	"strings"

	"jmcheck/exitcode"
)

// The environment variables every entry point reads (jmcheck's commands,
// go test and the godog CLI): flags, where there are any, override them.
const (
	EnvTarget       = "JMCHECK_TARGET"
	EnvAppKey       = "JMCHECK_APPKEY"
	EnvSecret       = "JMCHECK_SECRET"
	EnvAppKey2      = "JMCHECK_APPKEY2"
	EnvSecret2      = "JMCHECK_SECRET2"
	EnvGroupLimit   = "JMCHECK_GROUP_LIMIT"
	EnvCapabilities = "JMCHECK_CAPABILITIES"
	EnvRunID        = "JMCHECK_RUN_ID"
)

// FromEnv reads a target from the environment (getenv is os.Getenv, or a
// test's map). An empty EnvTarget means the embedded reference server. A
// bad value is a usage error that names the variable and its value.
func FromEnv(getenv func(string) string) (Target, error) {
	t := Target{
		BaseURL: strings.TrimSpace(getenv(EnvTarget)),
		AppKey:  getenv(EnvAppKey), Secret: getenv(EnvSecret),
		AppKey2: getenv(EnvAppKey2), Secret2: getenv(EnvSecret2),
	}
	if v := strings.TrimSpace(getenv(EnvGroupLimit)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return t, exitcode.Newf(exitcode.Usage, "%s=%q: not a whole number: give the member limit, owner included (%d or more)", EnvGroupLimit, Printable(v), MinGroupLimit)
		}
		if n < MinGroupLimit {
			return t, exitcode.Newf(exitcode.Usage, "%s=%s: the member limit counts the owner and must be %d or more (the suite's groups hold up to %d people)", EnvGroupLimit, v, MinGroupLimit, MinGroupLimit)
		}
		t.GroupLimit = n
	}
	return t, nil
}
