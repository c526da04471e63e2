package steps

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"jmcheck/client"
	"jmcheck/target"
)

// TestFeaturesAgainstTarget runs ../features against the server that the
// JMCHECK_* environment names; without one it skips. It is how QA (and the
// authors) run the steps against any server straight from go test:
//
//	JMCHECK_TARGET=http://127.0.0.1:8080 JMCHECK_APPKEY=k1 JMCHECK_SECRET=s1 \
//	JMCHECK_APPKEY2=k2 JMCHECK_SECRET2=s2 JMCHECK_CAPABILITIES=fault-injection,two-apps \
//	go test ./steps -run TestFeaturesAgainstTarget -v
//
// Optional: JMCHECK_GROUP_LIMIT, JMCHECK_TAGS (a godog tag filter),
// JMCHECK_FORMAT (godog format, default progress), JMCHECK_CONCURRENCY
// (default 4).
func TestFeaturesAgainstTarget(t *testing.T) {
	base := os.Getenv("JMCHECK_TARGET")
	if base == "" {
		t.Skip("set JMCHECK_TARGET, JMCHECK_APPKEY and JMCHECK_SECRET to run the features against a server")
	}
	tg := target.Target{
		BaseURL: base,
		AppKey:  os.Getenv("JMCHECK_APPKEY"), Secret: os.Getenv("JMCHECK_SECRET"),
		AppKey2: os.Getenv("JMCHECK_APPKEY2"), Secret2: os.Getenv("JMCHECK_SECRET2"),
	}
	if v := os.Getenv("JMCHECK_GROUP_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("JMCHECK_GROUP_LIMIT=%q: %v", v, err)
		}
		tg.GroupLimit = n
	}
	ctx := context.Background()
	if err := client.Preflight(ctx, client.Config{Target: tg}); err != nil {
		t.Fatalf("preflight: %v", err)
	}
	caps := map[string]bool{}
	for _, c := range strings.Split(os.Getenv("JMCHECK_CAPABILITIES"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			caps[c] = true
		}
	}
	s, err := New(Config{Target: tg, Capabilities: caps})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	format := os.Getenv("JMCHECK_FORMAT")
	if format == "" {
		format = "progress"
	}
	conc := 4
	if v := os.Getenv("JMCHECK_CONCURRENCY"); v != "" {
		if conc, err = strconv.Atoi(v); err != nil {
			t.Fatalf("JMCHECK_CONCURRENCY=%q: %v", v, err)
		}
	}
	start := time.Now()
	status := godog.TestSuite{
		Name:                "jmcheck",
		ScenarioInitializer: s.InitializeScenario,
		Options: &godog.Options{
			Format:      format,
			Paths:       []string{"../features"},
			Strict:      true,
			Concurrency: conc,
			Tags:        os.Getenv("JMCHECK_TAGS"),
			Output:      os.Stdout,
		},
	}.Run()
	t.Logf("suite took %s (concurrency %d)", time.Since(start).Round(time.Millisecond), conc)
	rep := s.Cleanup(ctx)
	t.Log(rep.String())
	if !rep.OK() {
		t.Errorf("cleanup left things behind")
	}
	if status != 0 {
		t.Fatalf("the suite failed (godog status %d)", status)
	}
}
