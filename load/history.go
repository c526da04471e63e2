package load

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"jmcheck/history"
	"jmcheck/load/check"
	"jmcheck/load/op"
	"jmcheck/model"
	"jmcheck/spec"
	"jmcheck/target"
)

// The bounds of --check-history: the answered requests kept per key (a
// user, a group, the messages, the groups created), the memory of the
// whole history, and the time the check may take.
const (
	HistoryPerKey       = 2000
	HistoryMemory       = 256 << 20
	HistoryCheckTimeout = time.Minute
)

// Files a history violation is written to, in --history-dir.
const (
	HistoryText = "history.txt"
	HistoryHTML = "history.html"
)

// historyRecorder records the mix's history for --check-history: each
// request that passed its check with its answer, each other one as one
// without an answer (it may or may not have taken effect), by key.
type historyRecorder struct {
	env    *op.Env
	rec    *history.Recorder
	init   *model.State
	log    func(string, ...any)
	report io.Writer
	scrub  *target.Scrubber
	dir    string
}

// newHistoryRecorder starts a history whose initial state is what the
// seeding made: the pool, the users to delete, the groups.
func newHistoryRecorder(s *Setup, pool, deletable []string, slots op.Slots) *historyRecorder {
	init := model.New(model.Config{}).WithUsers(pool...).WithUsers(deletable...)
	for _, g := range slots {
		init = init.WithGroup(model.Group{GID: g.GID, Owner: g.Owner, Name: g.Name, Desc: op.GroupDesc})
	}
	return &historyRecorder{
		env: s.Env, init: init, log: s.Log, report: s.Report, scrub: s.Scrub, dir: s.Options.HistoryDir,
		rec: history.NewRecorder(time.Now(), history.Limits{PerKey: HistoryPerKey, Bytes: HistoryMemory}),
	}
}

// record is the Env's Record hook.
func (h *historyRecorder) record(x *check.Exchange, v check.Verdict) {
	key := historyKey(h.env.Ops()[x.Op].Route, x)
	if key == "" {
		return
	}
	req := model.Request{Method: x.Method, Path: x.Path, Body: bytes.Clone(x.ReqBody)}
	if x.Query != "" {
		req.Path += "?" + x.Query
	}
	ans := model.Answer{None: true}
	if x.Err == nil && !x.Resent && !v.Failed() {
		// A failed answer is the check's failure already; what it did
		// to the state is unknown.
		ans = model.Answer{Status: x.Status, Body: bytes.Clone(x.Body)}
	}
	started := x.Started
	if started.IsZero() {
		started = time.Now()
	}
	h.rec.Add(key, req, ans, started)
}

// historyKey is the part of the state a request of the mix touches, ""
// for the lists, which read across every part and are not recorded.
func historyKey(r spec.Route, x *check.Exchange) string {
	switch r {
	case spec.RouteRegister:
		return "user " + gjson.GetBytes(x.ReqBody, "0.username").Str
	case spec.RouteGetUser, spec.RoutePutUser, spec.RouteDeleteUser:
		return "user " + segment(x.Path, 3)
	case spec.RouteCreateGroup, spec.RouteDeleteGroup:
		return "the groups created"
	case spec.RouteGetGroup, spec.RouteEditMembers, spec.RouteListMembers:
		return "group " + segment(x.Path, 3)
	case spec.RouteSendMessage:
		return "the messages"
	}
	return ""
}

// segment is the i-th segment of a path (/v1/users/NAME: 3 is NAME),
// unescaped.
func segment(path string, i int) string {
	segs := strings.Split(path, "/")
	if i >= len(segs) {
		return ""
	}
	if s, err := url.PathUnescape(segs[i]); err == nil {
		return s
	}
	return segs[i]
}

// judge checks the history when the attack is over.
func (h *historyRecorder) judge() (checks, problems []string) {
	st := h.rec.Stats()
	ops := h.rec.Ops()
	h.log("checking the history: %d requests on %d keys (up to %s)", len(ops), st.Keys, HistoryCheckTimeout)
	began := time.Now()
	res := history.Check(h.init, ops, HistoryCheckTimeout)
	bounds := ""
	if st.CutKeys > 0 || st.Full {
		bounds = fmt.Sprintf("; %d keys cut at %d answered requests", st.CutKeys, HistoryPerKey)
		if st.Full {
			bounds += fmt.Sprintf(", every key at the %d MiB bound", HistoryMemory>>20)
		}
		bounds += fmt.Sprintf(", %d later requests left out", st.Dropped)
	}
	took := time.Since(began).Round(time.Millisecond)
	switch {
	case res.Violation != nil:
		v := res.Violation
		if h.report != nil {
			fmt.Fprintf(h.report, "history: not linearizable: %s\n", h.scrub.Safe(v.Summary))
			for _, line := range strings.Split(strings.TrimRight(v.Text, "\n"), "\n") {
				fmt.Fprintf(h.report, "  %s\n", h.scrub.Safe(line))
			}
		}
		where := ""
		if h.dir != "" {
			if err := h.write(v); err != nil {
				where = "; writing it failed: " + err.Error()
			} else {
				where = "; written to " + filepath.Join(h.dir, HistoryText) + " and " + HistoryHTML
			}
		}
		problems = append(problems, "history: not linearizable under spec/PROFILE.md: "+h.scrub.Safe(v.Summary)+" (the requests in words above"+where+")")
	case res.Unknown:
		checks = append(checks, fmt.Sprintf("history: %d requests on %d keys not checked: the check ran out of its %s (no verdict)%s", len(ops), st.Keys, HistoryCheckTimeout, bounds))
	default:
		checks = append(checks, fmt.Sprintf("history: %d requests on %d keys are linearizable under the model (checked in %s)%s", len(ops), st.Keys, took, bounds))
	}
	return checks, problems
}

// write keeps a violation in --history-dir, scrubbed of the secrets.
func (h *historyRecorder) write(v *history.Violation) error {
	if err := os.MkdirAll(h.dir, 0o755); err != nil {
		return err
	}
	text := h.scrub.String(v.Summary + "\n\n" + v.Text)
	if err := os.WriteFile(filepath.Join(h.dir, HistoryText), []byte(text), 0o644); err != nil {
		return err
	}
	if v.HTML == nil {
		return nil
	}
	return os.WriteFile(filepath.Join(h.dir, HistoryHTML), h.scrub.Bytes(v.HTML), 0o644)
}
