// Package model is the executable reading of profile v1-2015: a pure,
// sequential state machine of spec/PROFILE.md. For a state and one request
// it gives the answers the profile allows and, for the answer the target
// gave, the state after it; an answer the profile does not allow is a
// Divergence that names the rule.
//
// The model holds what the profile pins down exactly: users with their
// profiles in registration order, groups with owners and members in join
// order, the gids given out, the last msg_id. Where the profile leaves the
// target a choice (implementation-defined points, §9), a request has more
// than one allowed answer. Where the target's choice decides the state
// after it (case-insensitive usernames), the model learns the choice from
// the first answer that reveals it and holds the target to it from then on.
//
// The model knows only what its run did: entries of the lists it did not
// make ("others") are counted from the first list answer and then held
// constant, so the model needs an app that no one else writes to while it
// runs. Like spec, it never imports the reference server: it judges bytes.
//
// A State is never changed in place: Step returns a new one, so the
// linearizability checker can hold many at once.
package model

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"jmcheck/spec"
)

// Request is one request as the model reads it: the method, the path as
// sent (percent-encoded, with its query) and the body (nil: none).
type Request struct {
	Method string
	Path   string
	Body   []byte
}

// Answer is what the target sent back. None means no answer came (the
// request timed out or the connection broke): the request may or may not
// have taken effect.
type Answer struct {
	Status int
	Body   []byte
	None   bool
}

// Outcome is one allowed status and error code (0 for a success).
type Outcome struct {
	Status int
	Code   spec.Code
}

func (o Outcome) String() string {
	if o.Code == 0 {
		return fmt.Sprint(o.Status)
	}
	return fmt.Sprintf("%d %d", o.Status, o.Code)
}

// Config sets what the model cannot learn from answers.
type Config struct {
	// Limit is the member limit of a group, the owner included (§4).
	Limit int
	// Ours reports whether a name is one of the run's (its prefix): a list
	// entry that is ours but unknown to the model is a divergence, while
	// one that is not ours belongs to someone else. nil: every name the
	// model does not know is someone else's.
	Ours func(name string) bool
}

// Fold is the target's choice of case sensitivity for usernames (§3).
type Fold uint8

const (
	FoldUnknown     Fold = iota // no answer has shown it yet
	FoldSensitive               // Abcd and abcd are two users
	FoldInsensitive             // Abcd and abcd are one user
)

func (f Fold) String() string {
	return [...]string{"not known yet", "case-sensitive", "case-insensitive"}[f]
}

// Divergence is an answer the profile does not allow.
type Divergence struct {
	Route spec.Route
	// Section is the section of spec/PROFILE.md whose rule the answer
	// breaks, such as "3" or "7a".
	Section string
	// Want says what the profile allows, and Got what came, in words.
	Want, Got string
	// Check is the failed check in a form a scenario can assert.
	Check Check
}

func (d *Divergence) Error() string {
	return fmt.Sprintf("%s: want %s, got %s (%s)", d.Route, d.Want, d.Got, spec.Cite(d.Section))
}

// Key is the divergence without any value that changes from run to run
// (names, gids, times): the same bug gives the same key.
func (d *Divergence) Key() string {
	return d.Route.String() + ": " + d.Check.Kind.String() + " " + d.Check.Path
}

// CheckKind is what a failed check looked at.
type CheckKind uint8

const (
	CheckStatus   CheckKind = iota // the status and code (Check.Allowed)
	CheckShape                     // the body's shape (spec.Validate)
	CheckValue                     // the JSON at Check.Path equals Check.Want
	CheckAbsent                    // there is no JSON at Check.Path
	CheckPresent                   // there is JSON at Check.Path (Check.Want: what kind)
	CheckGreater                   // the number at Check.Path is greater than Check.Want
	CheckDistinct                  // the number at Check.Path was never answered before
	CheckTime                      // the time at Check.Path is consistent (Check.Want says how)
)

func (k CheckKind) String() string {
	return [...]string{"status", "shape", "value", "absent", "present", "greater", "distinct", "time"}[k]
}

// Check is one failed check of an answer.
type Check struct {
	Kind CheckKind
	// Allowed lists the outcomes allowed (CheckStatus). AnyClientError
	// adds every well-formed 4xx: an implementation-defined point.
	Allowed        []Outcome
	AnyClientError bool
	// Path is a gjson path into the body ("" is the whole body).
	Path string
	// Want is the expected JSON (CheckValue), the bound (CheckGreater), or
	// a description (CheckPresent, CheckTime).
	Want string
}

// AllowedText says Allowed and AnyClientError in words.
func (c Check) AllowedText() string {
	parts := make([]string, 0, len(c.Allowed)+1)
	for _, o := range c.Allowed {
		parts = append(parts, o.String())
	}
	if c.AnyClientError {
		parts = append(parts, "a well-formed 4xx")
	}
	return strings.Join(parts, " or ")
}

// Step judges one answer to one request in state s. It returns the state
// after the answer, or a Divergence when the profile does not allow it.
// An answer that is None leaves the outcome open: Step returns an error
// (use Steps for every state it may have led to).
func (s *State) Step(r Request, a Answer) (*State, *Divergence) {
	if a.None {
		return s, &Divergence{Route: spec.Match(r.Method, r.Path), Section: "6", Want: "an answer", Got: "none", Check: Check{Kind: CheckStatus}}
	}
	route, alts := s.judge(r)
	return s.apply(route, alts, a)
}

// Steps returns every state the request may have led to: one for an
// answer the profile allows, none for one it does not, and for no answer
// (None) the state before and each state an allowed answer leads to.
func (s *State) Steps(r Request, a Answer) []*State {
	route, alts := s.judge(r)
	if !a.None {
		if n, d := s.apply(route, alts, a); d == nil {
			return []*State{n}
		}
		return nil
	}
	out := []*State{s}
	for _, alt := range alts {
		if alt.next == nil {
			continue
		}
		n := s.clone()
		alt.next(n)
		out = append(out, n)
	}
	return out
}

// Effective reports whether a request that got no answer may have changed
// what the model holds. It is false for reads, and for a group create or a
// message, whose effect the model cannot hold without the answer (the gid,
// the msg_id): in every state, Steps of such a request without an answer
// gives the state before alone. A history checker leaves those out.
func Effective(r Request) bool {
	switch spec.Match(r.Method, r.Path) {
	case spec.RouteRegister, spec.RoutePutUser, spec.RouteDeleteUser, spec.RouteDeleteGroup, spec.RouteEditMembers:
		return true
	}
	return false
}

// alt is one answer the profile allows for a request in a state.
type alt struct {
	out Outcome
	// anyClientError: any well-formed 4xx (an implementation-defined
	// point); such an answer changes nothing.
	anyClientError bool
	// apply checks the body of a matching answer and changes the clone n
	// (nil: nothing to check, nothing changes).
	apply func(n *State, doc gjson.Result) *Divergence
	// next is the change without an answer to read (for Steps on no
	// answer); nil when the alternative changes nothing or cannot be
	// known without its body.
	next func(n *State)
	// learn records what a matching answer taught about the target.
	learn func(n *State)
}

// apply finds the alternative the answer matches, checks its body and
// returns the state after it.
func (s *State) apply(route spec.Route, alts []alt, a Answer) (*State, *Divergence) {
	shed := Outcome{http.StatusServiceUnavailable, spec.CodeBusy}
	got := Outcome{Status: a.Status}
	if a.Status >= 400 {
		code, _, ok := spec.ErrorBody(a.Body)
		if ok {
			got.Code = code
		}
	}
	if got == shed {
		return s, nil // shed: not processed (§6)
	}
	for _, alt := range alts {
		if alt.out != got && !(alt.anyClientError && a.Status >= 400 && a.Status < 500 && got.Code != 0) {
			continue
		}
		n := s.clone()
		if alt.learn != nil {
			alt.learn(n)
		}
		if alt.apply != nil {
			if a.Status == http.StatusNoContent { // no body to read
				if d := alt.apply(n, gjson.Result{}); d != nil {
					d.Route = route
					return s, d
				}
				return n, nil
			}
			if err := spec.CheckJSON(a.Body); err != nil {
				return s, &Divergence{Route: route, Section: "1", Want: "a JSON body", Got: err.Error(), Check: Check{Kind: CheckShape}}
			}
			if d := alt.apply(n, gjson.ParseBytes(a.Body)); d != nil {
				d.Route = route
				return s, d
			}
		}
		return n, nil
	}
	c := Check{Kind: CheckStatus}
	section := "2"
	for _, alt := range alts {
		if alt.anyClientError {
			c.AnyClientError = true
			continue
		}
		c.Allowed = append(c.Allowed, alt.out)
	}
	if len(alts) > 0 && alts[0].out.Code != 0 {
		section = codeSection(alts[0].out.Code)
	} else if e := route.Endpoint(); route.Known() {
		section = e.Section
	}
	return s, &Divergence{Route: route, Section: section, Want: c.AllowedText(), Got: got.String(), Check: c}
}

// codeSection is the section that gives a code its trigger.
func codeSection(c spec.Code) string {
	if info, ok := c.Info(); ok && info.Section != "" {
		return info.Section
	}
	return "2"
}

// only is the one allowed answer out.
func only(out Outcome) []alt { return []alt{{out: out}} }

// fail is the one allowed error code c, with its status.
func fail(c spec.Code) []alt { return only(Outcome{c.Status(), c}) }

// failEither allows either code.
func failEither(c, d spec.Code) []alt { return append(fail(c), fail(d)...) }

// diverge is a failed check of a body.
func diverge(section string, c Check, want, got string) *Divergence {
	return &Divergence{Section: section, Want: want, Got: got, Check: c}
}
