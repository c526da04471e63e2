package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"jmcheck/exitcode"
	"jmcheck/spec"
	"jmcheck/target"
)

// PreflightTimeout bounds each of the preflight's requests.
const PreflightTimeout = 10 * time.Second

// Preflight checks that the target answers the API with the given
// credentials: one authenticated GET of the user list per app. It returns
// an exitcode.Usage error for a bad target or credentials setting, and an
// exitcode.TargetUnusable one that says what is wrong and what to do when
// the target does not answer as the API. cfg.Target is the target; the
// other fields are as for New (zero for the defaults).
func Preflight(ctx context.Context, cfg Config) error {
	t := cfg.Target
	if err := t.Validate(); err != nil {
		return err
	}
	cfg.Timeout = PreflightTimeout
	cfg.BusyRetries = 2
	cfg.FailAfter = -1
	c := New(cfg)
	defer c.CloseIdleConnections()
	check := func(flag string, app int) error {
		ex, err := c.Do(ctx, Request{Method: http.MethodGet, Path: "/v1/users/?start=0&count=1", App: app})
		var te *TransportError
		switch {
		case errors.As(err, &te) && te.Timeout:
			return exitcode.Newf(exitcode.TargetUnusable, "target %s did not answer within %s: is it up and is --target right?", t.BaseURL, PreflightTimeout)
		case errors.As(err, &te):
			return exitcode.Newf(exitcode.TargetUnusable, "cannot reach target %s: %s (is it up and is --target right?)", t.BaseURL, c.scrub.Safe(te.Err.Error()))
		case err != nil && ctx.Err() != nil:
			return exitcode.Newf(exitcode.TargetUnusable, "preflight of %s interrupted", t.BaseURL)
		}
		if err == nil && ex.Status == http.StatusOK && ex.Get("total").Exists() {
			return nil
		}
		switch code := ex.Code(); code {
		case spec.CodeMissingAuth, spec.CodeAuthFailed:
			return exitcode.Newf(exitcode.TargetUnusable, "target %s rejected the credentials of %s (HTTP %d, code %s): check the secret", t.BaseURL, flag, ex.Status, code.Meaning())
		case spec.CodeUnknownApp:
			return exitcode.Newf(exitcode.TargetUnusable, "target %s does not know the appKey of %s (HTTP %d, code %s): check the appKey", t.BaseURL, flag, ex.Status, code.Meaning())
		}
		what := fmt.Sprintf("HTTP %d %s", ex.Status, snippet(c.scrub, ex.Body))
		if ex.Status >= 300 && ex.Status < 400 {
			what += fmt.Sprintf(", a redirect to %s, which jmcheck does not follow (the credentials go to the target's origin only)", c.scrub.Safe(ex.Header.Get("Location")))
		}
		if err != nil {
			what += " (" + err.Error() + ")"
		}
		return exitcode.Newf(exitcode.TargetUnusable, "target %s does not answer like the IM API: GET /v1/users/?start=0&count=1 gave %s: is --target the API's base URL?", t.BaseURL, what)
	}
	if err := check("--appkey", 1); err != nil {
		return err
	}
	if t.HasSecondApp() {
		return check("--appkey2", 2)
	}
	return nil
}

// snippet is the scrubbed, quoted start of a body for a one-line message.
func snippet(s *target.Scrubber, b []byte) string {
	const max = 120
	text := s.String(string(b[:min(len(b), max+512)]))
	if len(text) > max {
		return fmt.Sprintf("%q…", text[:max])
	}
	return fmt.Sprintf("%q", text)
}
