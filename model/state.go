package model

import (
	"hash/maphash"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// User is a registered user as the model knows it.
type User struct {
	Name string // as registered
	// Fields holds each profile field that was set (§3), as the JSON a GET
	// must answer: nickname → "\"x\"", star → "5". A birthday set as a
	// date only is held as the date, and any time of that day reads back.
	Fields map[string]string
	CTime  string // the ctime first answered; "" until a GET showed it
	MTime  string // the latest mtime answered
}

// Group is a group the run created.
type Group struct {
	GID     int64
	Owner   string   // the owner's name as registered
	Name    string   // group_name as sent
	Desc    string   // group_desc as sent ("" when left out)
	Members []string // names as registered, in join order, the owner left out
}

// has reports whether name is the owner or a member.
func (g *Group) has(name string, fold Fold) bool {
	return sameName(g.Owner, name, fold) || g.member(name, fold) >= 0
}

// member returns the index of name among the members, or -1.
func (g *Group) member(name string, fold Fold) int {
	return slices.IndexFunc(g.Members, func(m string) bool { return sameName(m, name, fold) })
}

// State is what the model knows of the app after some requests. Its
// methods never change it: Step returns a changed copy.
type State struct {
	cfg    Config
	fold   Fold
	users  map[string]*User // by name as registered
	order  []string         // live users in registration order
	groups map[int64]*Group // live groups of the run
	gone   map[int64]bool   // gids of the run's deleted groups (never given out again)
	// msgIDs are the msg_ids answered so far; lastMsg the largest.
	lastMsg int64
	// others counts the entries of each list that are not the run's, once
	// a list answer showed it; -1 until then.
	otherUsers, otherGroups int64

	// owned marks the maps and slices this copy may write: a clone shares
	// them with its parent until its first write.
	ownUsers, ownOrder, ownGroups, ownGone bool
}

// New returns the state of an app in which the run has made nothing yet.
func New(cfg Config) *State {
	if cfg.Limit <= 0 {
		cfg.Limit = 500
	}
	return &State{cfg: cfg, users: map[string]*User{}, groups: map[int64]*Group{}, gone: map[int64]bool{},
		otherUsers: -1, otherGroups: -1, ownUsers: true, ownOrder: true, ownGroups: true, ownGone: true}
}

// clone returns a copy that shares everything until it writes.
func (s *State) clone() *State {
	n := *s
	n.ownUsers, n.ownOrder, n.ownGroups, n.ownGone = false, false, false, false
	return &n
}

// Fold returns what the model has learned of the target's case
// sensitivity.
func (s *State) Fold() Fold { return s.fold }

// Limit returns the member limit the model holds the target to.
func (s *State) Limit() int { return s.cfg.Limit }

// Users returns the live users in registration order.
func (s *State) Users() []string { return slices.Clone(s.order) }

// User returns a live user by exact name.
func (s *State) User(name string) (*User, bool) {
	u, ok := s.users[name]
	return u, ok
}

// Groups returns the gids of the live groups, ascending.
func (s *State) Groups() []int64 { return slices.Sorted(maps.Keys(s.groups)) }

// Group returns a live group.
func (s *State) Group(gid int64) (*Group, bool) {
	g, ok := s.groups[gid]
	return g, ok
}

// Deleted returns the gids of the groups the run deleted, ascending.
func (s *State) Deleted() []int64 { return slices.Sorted(maps.Keys(s.gone)) }

// LastMsgID returns the largest msg_id answered so far (0: none).
func (s *State) LastMsgID() int64 { return s.lastMsg }

// WithLastMsgID returns s knowing that msg_ids up to id were given out
// before (by an earlier part of the run).
func (s *State) WithLastMsgID(id int64) *State {
	n := s.clone()
	n.lastMsg = max(n.lastMsg, id)
	return n
}

// WithFold returns s holding the target to a case choice learned before.
func (s *State) WithFold(f Fold) *State {
	n := s.clone()
	n.fold = f
	return n
}

// WithUsers returns s with the users registered, no profile field set:
// users a set-up made before the requests the model judges (the pool of
// a load run).
func (s *State) WithUsers(names ...string) *State {
	n := s.clone()
	for _, name := range names {
		if _, ok := n.users[name]; !ok {
			n.addUser(name)
		}
	}
	return n
}

// WithGroup returns s with a group a set-up made; its owner and members
// must be users of s.
func (s *State) WithGroup(g Group) *State {
	n := s.clone()
	g.Members = slices.Clone(g.Members)
	n.putGroup(g.GID, &g)
	return n
}

// sameName compares usernames under a case choice. Unknown compares
// exactly: callers that must consider both readings do so themselves.
func sameName(a, b string, f Fold) bool {
	if f == FoldInsensitive {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// lookup finds a live user. exact is the user whose name is exactly name,
// or, when the target folds case, the one that equals it but for case.
// variant is a user that equals it but for case while the choice is not
// known yet: the answer will tell.
func (s *State) lookup(name string) (exact, variant *User) {
	if u, ok := s.users[name]; ok {
		return u, nil
	}
	if s.fold == FoldSensitive {
		return nil, nil
	}
	for _, n := range s.order {
		if strings.EqualFold(n, name) {
			if s.fold == FoldInsensitive {
				return s.users[n], nil
			}
			return nil, s.users[n]
		}
	}
	return nil, nil
}

// The writers: each makes its own copy of what it writes, once.

func (s *State) writeUsers() {
	if !s.ownUsers {
		s.users = maps.Clone(s.users)
		s.ownUsers = true
	}
}

func (s *State) writeOrder() {
	if !s.ownOrder {
		s.order = slices.Clone(s.order)
		s.ownOrder = true
	}
}

func (s *State) writeGroups() {
	if !s.ownGroups {
		s.groups = maps.Clone(s.groups)
		s.ownGroups = true
	}
}

func (s *State) writeGone() {
	if !s.ownGone {
		s.gone = maps.Clone(s.gone)
		s.ownGone = true
	}
}

// putUser stores a changed copy of a user (never the one s shares).
func (s *State) putUser(u *User) {
	s.writeUsers()
	s.users[u.Name] = u
}

// addUser registers a new user at the end of the list.
func (s *State) addUser(name string) {
	s.putUser(&User{Name: name, Fields: map[string]string{}})
	s.writeOrder()
	s.order = append(s.order, name)
}

// removeUser deletes a user and takes it out of every group (§3).
func (s *State) removeUser(name string) {
	s.writeUsers()
	delete(s.users, name)
	s.writeOrder()
	s.order = slices.DeleteFunc(s.order, func(n string) bool { return n == name })
	for gid, g := range s.groups {
		if i := g.member(name, FoldSensitive); i >= 0 {
			c := *g
			c.Members = slices.Delete(slices.Clone(g.Members), i, i+1)
			s.putGroup(gid, &c)
		}
	}
}

// putGroup stores a changed copy of a group.
func (s *State) putGroup(gid int64, g *Group) {
	s.writeGroups()
	s.groups[gid] = g
}

// removeGroup deletes a group; its gid is never given out again.
func (s *State) removeGroup(gid int64) {
	s.writeGroups()
	delete(s.groups, gid)
	s.writeGone()
	s.gone[gid] = true
}

// owns reports whether a user owns a live group.
func (s *State) owns(name string) bool {
	for _, g := range s.groups {
		if g.Owner == name {
			return true
		}
	}
	return false
}

// groupsOf returns the gids of the live groups a user owns or is in,
// ascending.
func (s *State) groupsOf(name string) []int64 {
	var out []int64
	for gid, g := range s.groups {
		if g.has(name, FoldSensitive) {
			out = append(out, gid)
		}
	}
	slices.Sort(out)
	return out
}

// Equal reports whether two states are the same to every future request:
// the checker of concurrent histories merges such states.
func (s *State) Equal(o *State) bool {
	if s.fold != o.fold || s.lastMsg != o.lastMsg || s.otherUsers != o.otherUsers || s.otherGroups != o.otherGroups ||
		!slices.Equal(s.order, o.order) || len(s.groups) != len(o.groups) || len(s.gone) != len(o.gone) {
		return false
	}
	for n, u := range s.users {
		v, ok := o.users[n]
		if !ok || (u != v && !maps.Equal(u.Fields, v.Fields)) {
			return false
		}
	}
	for gid, g := range s.groups {
		h, ok := o.groups[gid]
		if !ok || (g != h && (g.Owner != h.Owner || g.Name != h.Name || g.Desc != h.Desc || !slices.Equal(g.Members, h.Members))) {
			return false
		}
	}
	for gid := range s.gone {
		if !o.gone[gid] {
			return false
		}
	}
	return true
}

var hashSeed = maphash.MakeSeed()

// Hash is a hash of what Equal compares.
func (s *State) Hash() uint64 {
	var h maphash.Hash
	h.SetSeed(hashSeed)
	h.WriteString(strconv.FormatInt(s.lastMsg, 36))
	h.WriteByte(byte(s.fold))
	for _, n := range s.order {
		h.WriteString(n)
		h.WriteByte(0)
		for _, k := range slices.Sorted(maps.Keys(s.users[n].Fields)) {
			h.WriteString(k + "=" + s.users[n].Fields[k])
			h.WriteByte(0)
		}
	}
	for _, gid := range s.Groups() {
		g := s.groups[gid]
		h.WriteString(strconv.FormatInt(gid, 36) + ":" + g.Owner + ":" + strings.Join(g.Members, ","))
		h.WriteByte(1)
	}
	return h.Sum64() + uint64(len(s.gone))
}

// String describes the state briefly, for the history visualization.
func (s *State) String() string {
	var b strings.Builder
	for i, n := range s.order {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n)
		if f := s.users[n].Fields; len(f) > 0 {
			b.WriteString(" {")
			for j, k := range slices.Sorted(maps.Keys(f)) {
				if j > 0 {
					b.WriteString(" ")
				}
				b.WriteString(k + ":" + f[k])
			}
			b.WriteString("}")
		}
	}
	for _, gid := range s.Groups() {
		g := s.groups[gid]
		b.WriteString("; group " + strconv.FormatInt(gid, 10) + " " + g.Owner + "+[" + strings.Join(g.Members, " ") + "]")
	}
	if s.lastMsg > 0 {
		b.WriteString("; last msg_id " + strconv.FormatInt(s.lastMsg, 10))
	}
	if b.Len() == 0 {
		return "(nothing)"
	}
	return b.String()
}
