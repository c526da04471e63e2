package load

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
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
	log    func(string, ...any)
	report io.Writer
	scrub  *target.Scrubber
	dir    string
	// What the seeding made, the state every partition starts from: the
	// users by counter range (the pool and the users to delete), the
	// groups by gid.
	seeded []counterRange
	slots  map[int64]*op.Slot
}

type counterRange struct{ first, n uint64 }

// The keys of the partitions that are not one user's or one group's.
const (
	keyCreated  = "the groups created"
	keyMessages = "the messages"
)

// newHistoryRecorder starts a history of the mix, whose seeding made the
// users of the ranges and the slots' groups.
func newHistoryRecorder(s *Setup, seeded []counterRange, slots op.Slots) *historyRecorder {
	h := &historyRecorder{
		env: s.Env, log: s.Log, report: s.Report, scrub: s.Scrub, dir: s.Options.HistoryDir, seeded: seeded,
		slots: map[int64]*op.Slot{},
		rec:   history.NewRecorder(time.Now(), history.Limits{PerKey: HistoryPerKey, Bytes: HistoryMemory}),
	}
	for _, g := range slots {
		h.slots[g.GID] = g
	}
	return h
}

// isSeeded reports whether the seeding registered the user.
func (h *historyRecorder) isSeeded(name string) bool {
	i, ok := h.env.Namer.UserIndex(name)
	for _, r := range h.seeded {
		if ok && i >= r.first && i < r.first+r.n {
			return true
		}
	}
	return false
}

// initOf is the state a partition starts from: of what the seeding made,
// the part its requests touch (one user, one group with its owner and
// member, the users messages and creates name, the seeded groups beside
// the created ones), so that the checker's states stay small.
func (h *historyRecorder) initOf(part []history.Op) *model.State {
	s := model.New(model.Config{})
	key := part[0].Key
	if name, ok := strings.CutPrefix(key, "user "); ok {
		if h.isSeeded(name) {
			s = s.WithUsers(name)
		}
		return s
	}
	if gid, ok := strings.CutPrefix(key, "group "); ok {
		if g := h.slots[parseInt(gid)]; g != nil {
			s = s.WithUsers(g.Owner, g.Toggle).WithGroup(h.group(g))
		}
		return s
	}
	var names []string
	for _, op := range part {
		for _, path := range []string{"owner_username", "members_username", "from_id", "target_id"} {
			v := gjson.GetBytes(op.Req.Body, path)
			for _, n := range v.Array() { // a string, or each of an array
				if n.Type == gjson.String && h.isSeeded(n.Str) {
					names = append(names, n.Str)
				}
			}
		}
	}
	s = s.WithUsers(names...)
	if key == keyCreated {
		// A create must not answer the gid of a seeded group.
		for _, g := range h.slots {
			s = s.WithUsers(g.Owner, g.Toggle).WithGroup(h.group(g))
		}
	}
	return s
}

func (h *historyRecorder) group(g *op.Slot) model.Group {
	return model.Group{GID: g.GID, Owner: g.Owner, Name: g.Name, Desc: op.GroupDesc}
}

func parseInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
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
		return "user " + pathName(x.Path)
	case spec.RouteCreateGroup, spec.RouteDeleteGroup:
		return keyCreated
	case spec.RouteGetGroup, spec.RouteEditMembers, spec.RouteListMembers:
		return "group " + pathName(x.Path)
	case spec.RouteSendMessage:
		return keyMessages
	}
	return ""
}

// pathName is what a user or group path names (/v1/users/NAME: NAME),
// decoded as the model decodes it; a path that does not decode is a key
// of its own.
func pathName(path string) string {
	if segs, _, ok := model.PathSegments(path); ok && len(segs) > 2 {
		return segs[2]
	}
	return path
}

// judge checks the history when the attack is over.
func (h *historyRecorder) judge() (checks, problems []string) {
	st := h.rec.Stats()
	ops := h.rec.Ops()
	h.log("checking the history: %d requests on %d keys (up to %s)", len(ops), st.Keys, HistoryCheckTimeout)
	began := time.Now()
	res := history.Check(h.initOf, ops, HistoryCheckTimeout)
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
		checks = append(checks, fmt.Sprintf("history: %d requests on %d keys: %d of %d partitions linearizable under the model; no verdict on %s: the check ran out of its %s%s",
			len(ops), st.Keys, res.Partitions-len(res.Unchecked), res.Partitions, h.scrub.Safe(unchecked(res.Unchecked)), HistoryCheckTimeout, bounds))
	default:
		checks = append(checks, fmt.Sprintf("history: %d requests on %d keys are linearizable under the model (checked in %s)%s", len(ops), st.Keys, took, bounds))
	}
	return checks, problems
}

// unchecked names the partitions without a verdict, the first few.
func unchecked(keys []string) string {
	const shown = 3
	if len(keys) <= shown {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:shown], ", "), len(keys)-shown)
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
