package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"jmcheck/server/im"
)

// zone is the time zone of ctime and mtime: UTC+8, as upstream.
var zone = time.FixedZone("UTC+8", 8*60*60)

// timeLayout is the YYYY-MM-DD HH:MM:SS of spec/PROFILE.md §7.
const timeLayout = "2006-01-02 15:04:05"

func formatTime(t time.Time) string { return t.In(zone).Format(timeLayout) }

// Field bounds of spec/PROFILE.md §3 and §4, in UTF-8 bytes.
const (
	maxUsername = 128
	minPassword = 4
	maxPassword = 128
	maxNickname = 64
	maxText     = 250 // avatar, signature, region, address, group_desc
	maxGroupNm  = 64
	maxPage     = 500
)

func (s *Server) maxUsername() int {
	switch {
	case s.is(mutUsernameMax127):
		return maxUsername - 1
	case s.is(mutUsernameMax129):
		return maxUsername + 1
	}
	return maxUsername
}

// pathUser returns the username of the path; a name that breaks the
// username rules is 899003 (spec/PROFILE.md §7a allows that or 899002).
func (s *Server) pathUser(q *request) (string, error) {
	u := q.params[0]
	if !validUsername(u, s.maxUsername()) {
		return "", invalid("%q is not a valid username", u)
	}
	return u, nil
}

// registerItem is one entry of the register response.
type registerItem struct {
	Username *string      `json:"username,omitempty"`
	Password *string      `json:"password,omitempty"` // set only by a mutant
	Error    *errorObject `json:"error,omitempty"`
}

// registerUsers is POST /v1/users: 201 with one result per item.
func (s *Server) registerUsers(ctx context.Context, q *request) (int, any, error) {
	items, err := decodeArray(q.body, "register body")
	if err != nil {
		return 0, nil, err
	}
	if len(items) == 0 {
		return 0, nil, invalid("register body must hold 1..%d users", im.MaxBatch)
	}
	if len(items) > im.MaxBatch {
		if !s.is(mutRegisterOver500) {
			return 0, nil, im.Errorf(im.CodeBatchTooLarge, "%d users in one batch: at most %d", len(items), im.MaxBatch)
		}
		items = items[:im.MaxBatch]
	}
	out := make([]registerItem, len(items))
	seen := map[string]bool{} // every username an earlier item carried
	var users []im.NewUser
	var at []int // index in out of each of users
	for i, raw := range items {
		name, password, err := s.checkRegisterItem(raw)
		out[i].Username = name
		repeat := false
		if name != nil {
			repeat = seen[*name]
			seen[*name] = true
		}
		switch {
		case err != nil:
			obj := errorObjectOf(err)
			out[i].Error = &obj
		case repeat && s.is(mutRegisterRepeatAccepted):
		case repeat:
			obj := errorObjectOf(im.Errorf(im.CodeUserExists, "user exists: %s repeats an earlier item", *name))
			out[i].Error = &obj
		default:
			users = append(users, im.NewUser{Username: *name, Password: password})
			at = append(at, i)
			if s.is(mutRegisterEchoPassword) {
				out[i].Password = &password
			}
		}
	}
	if len(users) > 0 {
		results, err := s.store.RegisterUsers(ctx, q.app, users)
		if err != nil {
			return 0, nil, err
		}
		for j, err := range results {
			if err != nil {
				obj := errorObjectOf(err)
				out[at[j]].Error = &obj
				out[at[j]].Password = nil
			}
		}
	}
	return http.StatusCreated, out, nil
}

// checkRegisterItem checks one batch item in the order that
// spec/PROFILE.md §3 gives: not an object or bad username (899003), then
// bad password (899004). It returns the item's username when that is a
// string, for the echo.
func (s *Server) checkRegisterItem(raw json.RawMessage) (*string, string, error) {
	o, err := decodeObject(raw, "item")
	if err != nil {
		return nil, "", err
	}
	var name *string
	if u, ok := asString(o["username"]); ok {
		name = &u
	}
	var nameErr, passErr error
	if name == nil || !validUsername(*name, s.maxUsername()) {
		nameErr = invalid("username must be 4..128 ASCII letters, digits, _ . - @, starting with a letter or digit")
	}
	minLen := minPassword
	if s.is(mutPasswordMin3) {
		minLen--
	}
	password, ok := asString(o["password"])
	if !ok || len(password) < minLen || len(password) > maxPassword {
		passErr = im.Errorf(im.CodeBadPassword, "password must be a string of %d..%d bytes", minPassword, maxPassword)
	}
	if s.is(mutRegisterPasswordFirst) && passErr != nil {
		return name, "", passErr
	}
	if nameErr != nil {
		return name, "", nameErr
	}
	return name, password, passErr
}

// userJSON is a user's profile on the wire; never-set fields are omitted.
type userJSON struct {
	Username  string  `json:"username"`
	Nickname  *string `json:"nickname,omitempty"`
	Avatar    *string `json:"avatar,omitempty"`
	Star      *int64  `json:"star,omitempty"`
	Birthday  *string `json:"birthday,omitempty"`
	Gender    *int64  `json:"gender,omitempty"`
	Signature *string `json:"signature,omitempty"`
	Region    *string `json:"region,omitempty"`
	Address   *string `json:"address,omitempty"`
	MTime     string  `json:"mtime,omitempty"`
	CTime     string  `json:"ctime,omitempty"`
}

// getUser is GET /v1/users/:username.
func (s *Server) getUser(ctx context.Context, q *request) (int, any, error) {
	name, err := s.pathUser(q)
	if err != nil {
		return 0, nil, err
	}
	u, err := s.store.GetUser(ctx, q.app, name)
	if err != nil {
		return 0, nil, err
	}
	body := userJSON{
		Username: u.Username, Nickname: u.Nickname, Avatar: u.Avatar, Star: u.Star, Birthday: u.Birthday,
		Gender: u.Gender, Signature: u.Signature, Region: u.Region, Address: u.Address,
		MTime: formatTime(u.MTime), CTime: formatTime(u.CTime),
	}
	if s.is(mutZeroOmitted) {
		for _, f := range []**int64{&body.Star, &body.Gender} {
			if *f != nil && **f == 0 {
				*f = nil
			}
		}
	}
	switch {
	case s.is(mutUserNoCTime):
		body.CTime = ""
	case s.is(mutMTimeFrozen):
		body.MTime = body.CTime
	case s.is(mutUserUnsetNull):
		return http.StatusOK, map[string]any{
			"username": u.Username, "nickname": u.Nickname, "avatar": u.Avatar, "star": u.Star,
			"birthday": u.Birthday, "gender": u.Gender, "signature": u.Signature, "region": u.Region,
			"address": u.Address, "mtime": body.MTime, "ctime": body.CTime,
		}, nil
	}
	return http.StatusOK, body, nil
}

// updateUser is PUT /v1/users/:username: 204.
func (s *Server) updateUser(ctx context.Context, q *request) (int, any, error) {
	patch, err := s.parsePatch(q.body)
	if err != nil {
		return 0, nil, err
	}
	name, err := s.pathUser(q)
	if err != nil {
		return 0, nil, err
	}
	if s.is(mutPutClearsFields) {
		patch = clearUnset(patch)
	}
	if err := s.store.UpdateUser(ctx, q.app, name, patch); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// parsePatch checks a PUT body per spec/PROFILE.md §3: one or more known
// keys, each of its type and bounds.
func (s *Server) parsePatch(body []byte) (im.UserPatch, error) {
	var p im.UserPatch
	o, err := decodeObject(body, "profile")
	if err != nil {
		return p, err
	}
	if len(o) == 0 {
		return p, invalid("profile must set at least one field")
	}
	text := func(key string, raw json.RawMessage, max int, oneLine bool) (*string, error) {
		v, ok := asString(raw)
		if !ok || !s.boundedText(v, max, oneLine) {
			if oneLine {
				return nil, invalid("%s must be a string of at most %d bytes without line breaks", key, max)
			}
			return nil, invalid("%s must be a string of at most %d bytes", key, max)
		}
		return &v, nil
	}
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same error for the same body
	for _, key := range keys {
		raw := o[key]
		switch key {
		case "nickname":
			p.Nickname, err = text(key, raw, maxNickname, true)
		case "avatar":
			p.Avatar, err = text(key, raw, maxText, false)
		case "signature":
			p.Signature, err = text(key, raw, maxText, false)
		case "region":
			p.Region, err = text(key, raw, maxText, false)
		case "address":
			p.Address, err = text(key, raw, maxText, false)
		case "star":
			n, ok := asInt(raw)
			if !ok || n < 0 {
				err = invalid("star must be an integer >= 0")
			}
			p.Star = &n
		case "gender":
			n, ok := asInt(raw)
			if !ok || n < 0 || n > 2 {
				err = invalid("gender must be 0 (unknown), 1 (male) or 2 (female)")
			}
			p.Gender = &n
		case "birthday":
			v, ok := asString(raw)
			var b string
			if ok {
				b, ok = parseBirthday(v, s.leapRule())
			}
			if !ok {
				err = invalid("birthday must be a real date, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS")
			}
			p.Birthday = &b
		default:
			if !s.is(mutPutUnknownKeys) {
				err = invalid("%q is not a field you can set: use nickname, avatar, star, birthday, gender, signature, region, address", key)
			}
		}
		if err != nil {
			return im.UserPatch{}, err
		}
	}
	return p, nil
}

// calendar is the calendar a birthday is checked against: the real one,
// or a mutant's.
type calendar int

const (
	gregorian   calendar = iota // the real calendar
	anyDay                      // birthday-any-day: no calendar check
	leapEvery4                  // leap-year-every-4: every fourth year is a leap year
	leapNo400th                 // leap-year-wrong-2000: no century year is a leap year
)

// leapRule is the calendar the server checks birthdays against.
func (s *Server) leapRule() calendar {
	switch {
	case s.is(mutBirthdayAnyDay):
		return anyDay
	case s.is(mutLeapEvery4):
		return leapEvery4
	case s.is(mutLeapWrong2000):
		return leapNo400th
	}
	return gregorian
}

// parseBirthday accepts a real calendar date as YYYY-MM-DD or YYYY-MM-DD
// HH:MM:SS and returns it in the latter form. A mutant's cal bends the
// calendar check.
func parseBirthday(v string, cal calendar) (string, bool) {
	if len(v) == len("2006-01-02") {
		v += " 00:00:00"
	}
	if len(v) != len(timeLayout) {
		return "", false
	}
	t, err := time.Parse(timeLayout, v)
	if err == nil {
		if cal == leapNo400th && t.Month() == time.February && t.Day() == 29 && t.Year()%100 == 0 {
			return "", false
		}
		return t.Format(timeLayout), true
	}
	if cal == leapEvery4 && v[4:10] == "-02-29" {
		if feb28, err := time.Parse(timeLayout, v[:8]+"28"+v[10:]); err == nil && feb28.Year()%4 == 0 {
			return v, true
		}
	}
	if cal != anyDay {
		return "", false
	}
	var y, m, d, hh, mm, ss int
	n, _ := fmt.Sscanf(v, "%4d-%2d-%2d %2d:%2d:%2d", &y, &m, &d, &hh, &mm, &ss)
	if n != 6 || m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59 {
		return "", false
	}
	return v, true
}

// clearUnset turns every field the patch leaves out into its zero value:
// a PUT that overwrites the whole profile (a mutant).
func clearUnset(p im.UserPatch) im.UserPatch {
	empty, zero := "", int64(0)
	for _, f := range []**string{&p.Nickname, &p.Avatar, &p.Signature, &p.Region, &p.Address} {
		if *f == nil {
			*f = &empty
		}
	}
	if p.Birthday == nil {
		b := "1970-01-01 00:00:00"
		p.Birthday = &b
	}
	for _, f := range []**int64{&p.Star, &p.Gender} {
		if *f == nil {
			*f = &zero
		}
	}
	return p
}

// deleteUser is DELETE /v1/users/:username: 204.
func (s *Server) deleteUser(ctx context.Context, q *request) (int, any, error) {
	name, err := s.pathUser(q)
	if err != nil {
		return 0, nil, err
	}
	err = s.store.DeleteUser(ctx, q.app, name)
	if im.CodeOf(err) == im.CodeOwnsGroup && s.is(mutDeleteOwnerAllowed) {
		err = s.deleteOwnedGroups(ctx, q.app, name)
		if err == nil {
			err = s.store.DeleteUser(ctx, q.app, name)
		}
	}
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// deleteOwnedGroups deletes the groups name owns, so that a mutant can
// delete an owner.
func (s *Server) deleteOwnedGroups(ctx context.Context, app im.App, name string) error {
	gids, err := s.store.UserGroups(ctx, app, name)
	if err != nil {
		return err
	}
	for _, gid := range gids {
		g, err := s.store.GetGroup(ctx, app, gid)
		if err != nil {
			return err
		}
		if g.Owner == name {
			if err := s.store.DeleteGroup(ctx, app, gid); err != nil {
				return err
			}
		}
	}
	return nil
}

// userGroups is GET /v1/users/:username/groups: the gids, ascending.
func (s *Server) userGroups(ctx context.Context, q *request) (int, any, error) {
	name, err := s.pathUser(q)
	if err != nil {
		return 0, nil, err
	}
	gids, err := s.store.UserGroups(ctx, q.app, name)
	if err != nil {
		return 0, nil, err
	}
	if s.is(mutUserGroupsCapped) && len(gids) > userGroupsCap {
		gids = gids[:userGroupsCap]
	}
	return http.StatusOK, gids, nil
}

// userList is the body of GET /v1/users.
type userList struct {
	Total int64    `json:"total"`
	Start int64    `json:"start"`
	Count int64    `json:"count"`
	Users []string `json:"users"`
}

// listUsers is GET /v1/users?start=S&count=C.
func (s *Server) listUsers(ctx context.Context, q *request) (int, any, error) {
	start, count, err := parsePage(q)
	if err != nil {
		return 0, nil, err
	}
	p, err := page(s, start, count, func(start, count int64) (int64, []string, error) {
		return s.store.ListUsers(ctx, q.app, start, count)
	})
	if err != nil {
		return 0, nil, err
	}
	return p.status, userList{Total: p.total, Start: start, Count: p.count, Users: p.items}, nil
}

// parsePage reads the required start (>= 0) and count (1..500) of a list.
func parsePage(q *request) (start, count int64, err error) {
	v := q.URL.Query()
	start, ok := parseDecimal(v.Get("start"))
	if !ok {
		return 0, 0, invalid("start must be a decimal integer >= 0")
	}
	count, ok = parseDecimal(v.Get("count"))
	if !ok || count < 1 || count > maxPage {
		return 0, 0, invalid("count must be a decimal integer 1..%d", maxPage)
	}
	return start, count, nil
}

// parseDecimal parses digits only (no sign, no space) into an int64.
func parseDecimal(v string) (int64, bool) {
	if v == "" {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// listPage is a page of a list as the wire shows it.
type listPage[T any] struct {
	status int
	total  int64
	count  int64
	items  []T
}

// page fetches the page [start, start+count) of a list. It is the one
// place the list mutants deviate.
func page[T any](s *Server, start, count int64, fetch func(start, count int64) (int64, []T, error)) (listPage[T], error) {
	from := start
	if s.is(mutListOverlap) && from > 0 {
		from--
	}
	if s.is(mutPageDriftAfter1000) && from >= pageDriftFrom {
		from--
	}
	if s.is(mutStartInt32) && start > math.MaxInt32 {
		return listPage[T]{}, fmt.Errorf("start %d: value out of range for int32", start)
	}
	total, items, err := fetch(from, count)
	if err != nil {
		return listPage[T]{}, err
	}
	if s.is(mutListNewestFirst) && start < total {
		n := min(count, total-start)
		if total, items, err = fetch(total-start-n, n); err != nil {
			return listPage[T]{}, err
		}
		slices.Reverse(items)
	}
	if s.is(mutListPastEndError) && start >= total {
		return listPage[T]{}, invalid("start %d is past the end of the list (%d)", start, total)
	}
	p := listPage[T]{status: http.StatusOK, total: total, count: int64(len(items)), items: items}
	if s.is(mutListCountOffByOne) {
		p.count++
	}
	if s.is(mutList204) {
		p.status = http.StatusNoContent
	}
	return p, nil
}
