package explore

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"pgregory.net/rapid"

	"jmcheck/steps/placeholder"
)

// The generator draws a case's cast of users, then steps, each from option
// tables whose first entry is the simplest valid one: rapid shrinks draws
// towards 0, so a shrunk counterexample reads plainly.

// userAliases are the aliases of a cast; castWeights draws u1 and u2
// more often, so that the steps of a case meet on the same users.
var (
	userAliases = []string{"u1", "u2", "u3", "u4"}
	castWeights = []string{"u1", "u2", "u1", "u2", "u3", "u4"}
)

// nameShapes are the shapes a cast's name may take: Size pads (128 is the
// longest valid name, 129 one byte over); variant is u1 upper-cased; a
// suffix ends the name in the rarer characters of §3.
var nameShapes = []struct {
	size    int
	variant bool
	suffix  string
}{{}, {}, {suffix: "@x.y"}, {suffix: "-a_b"}, {suffix: "_e-f.g"}, {suffix: ".c@d"}, {size: 128}, {size: 129}, {variant: true}}

// drawCast draws the users of a case.
func drawCast(t *rapid.T) []UserSlot {
	out := make([]UserSlot, len(userAliases))
	for i, a := range userAliases {
		sh := pick(t, "shape-"+a, nameShapes)
		out[i] = UserSlot{Alias: a, Size: sh.size, Suffix: sh.suffix}
		if sh.variant && i > 0 {
			out[i] = UserSlot{Alias: a, Template: placeholder.User("u1", "upper")}
		}
	}
	return out
}

// pick draws one entry of a table, the first (the plain, valid one) about
// half of the time: a sequence must mostly succeed to reach deep states,
// and every edge must still come up.
func pick[E any](t *rapid.T, label string, table []E) E {
	i := rapid.IntRange(0, 2*len(table)-1).Draw(t, label)
	if i >= len(table) {
		i = 0
	}
	return table[i]
}

// oneIn is true about once in n draws (a little less for a wide range),
// and shrinks to false. rapid's integers favour the ends of a range (0, 1
// and the maximum each come up about once in ten to thirty draws, however
// wide the range), so a rare event is a value from the middle.
func oneIn(t *rapid.T, label string, n int) bool {
	return rapid.IntRange(0, n-1).Draw(t, label) == n/2
}

// pickAny draws one entry of a table, each as likely.
func pickAny[E any](t *rapid.T, label string, table []E) E {
	return table[rapid.IntRange(0, len(table)-1).Draw(t, label)]
}

// ref writes the username of a cast alias in a form: "" as it is,
// "upper" or "lower" in another case, "encoded" with @ and . of its
// suffix percent-encoded, "invalid" with a character §3 rejects.
func (cr *caseRun) ref(alias, form string) string {
	slot := cr.cast[alias]
	if slot.Template != "" { // a case variant of u1
		if form == "" || form == "upper" || form == "encoded" {
			form = "upper"
		}
		slot, alias = cr.cast["u1"], "u1"
	}
	sfx := slot.Suffix
	switch form {
	case "upper":
		return placeholder.User(alias, "upper") + strings.ToUpper(sfx)
	case "lower":
		return placeholder.User(alias, "lower") + strings.ToLower(sfx)
	case "encoded":
		return placeholder.User(alias, "") + strings.NewReplacer("@", "%40", ".", "%2E").Replace(sfx)
	case "invalid":
		return placeholder.User(alias, "") + sfx + "%21"
	}
	return placeholder.User(alias, "") + sfx
}

// drawUser names a user of the cast in a body.
func (cr *caseRun) drawUser(t *rapid.T, label string) string {
	return cr.ref(pick(t, label, castWeights), "")
}

// pathForms write a username into a path.
var pathForms = []string{"", "upper", "lower", "encoded", "invalid"}

func (cr *caseRun) drawPathUser(t *rapid.T, label string) string {
	return cr.ref(pick(t, label, castWeights), pick(t, label+"-form", pathForms))
}

// passwords: valid, at the bounds and past them, multi-byte.
var passwords = []string{`"pass-word-1"`, `"abcd"`, `"abc"`, `""`, `"{repeat:p:128}"`, `"{repeat:p:129}"`, `"{repeat:中:42}"`, `"{repeat:中:43}"`, `5`, `null`}

// registerItems are the shapes of one batch item.
var registerItems = []string{
	`{"username":"%s","password":%s}`,
	`{"username":"%s","password":%s}`,
	`{"username":"%s"}`,
	`{"password":%s}`,
	`{"username":"%s","password":%s,"nickname":"x"}`,
	`5`,
}

func drawRegister(t *rapid.T, cr *caseRun) Step {
	// A big batch is rare: each of its 500 users costs a DELETE at the end
	// of the case. 501, refused whole, costs nothing.
	if oneIn(t, "big-batch", 40) {
		n := 501
		if oneIn(t, "batch-size", 5) {
			n = 500
		}
		return Step{Method: "POST", Path: "/v1/users/", Batch: n, BatchOf: "b" + strconv.Itoa(len(cr.trace)) + "x"}
	}
	n := rapid.IntRange(1, 3).Draw(t, "items")
	items := make([]string, n)
	for i := range items {
		shape := pick(t, "item", registerItems)
		user, pass := cr.drawUser(t, "user"), pick(t, "password", passwords)
		switch strings.Count(shape, "%s") {
		case 2:
			items[i] = fmt.Sprintf(shape, user, pass)
		case 1:
			if strings.HasPrefix(shape, `{"username"`) {
				items[i] = fmt.Sprintf(shape, user)
			} else {
				items[i] = fmt.Sprintf(shape, pass)
			}
		default:
			items[i] = shape
		}
	}
	body := "[" + strings.Join(items, ",") + "]"
	switch rapid.IntRange(0, 20).Draw(t, "register-body") {
	case 19:
		body = "[]"
	case 20:
		body = strings.TrimSuffix(strings.TrimPrefix(body, "["), "]")
	}
	return Step{Method: "POST", Path: "/v1/users/", Body: body, HasBody: true}
}

// profileValues are values of each PUT key, valid first, then the edges.
var profileValues = map[string][]string{
	"nickname":  {`"Nick"`, `"{repeat:n:64}"`, `"{repeat:n:65}"`, `"{repeat:é:32}"`, `"{repeat:é:33}"`, `"{repeat:中:21}"`, `"{repeat:中:22}"`, `"{repeat:😀:16}"`, `"{repeat:😀:17}"`, `"a\nb"`, `"{repeat:n:40}"`, `""`, `null`, `5`},
	"avatar":    {`"http://a.b/c.png"`, `"{repeat:a:250}"`, `"{repeat:a:251}"`, `"😀"`},
	"signature": {`"hello"`, `"line one\nline two"`, `"{repeat:s:250}"`, `"{repeat:s:251}"`, `"{repeat:😀:62}"`, `"{repeat:😀:63}"`, `"{repeat:é:125}"`, `"{repeat:é:126}"`},
	"region":    {`"Shanghai"`, `"a\nb"`, `"{repeat:中:83}"`, `"{repeat:中:84}"`},
	"address":   {`"1 Road"`, `"a\r\nb"`, `"😀"`, `"{repeat:a:251}"`},
	"star":      {`1`, `0`, `5`, `2147483647`, `2147483648`, `4294967296`, `9007199254740993`, `9223372036854775807`, `9223372036854775808`, `-1`, `1.5`, `"5"`, `true`, `null`, `2.0`, `1e2`},
	"gender":    {`1`, `0`, `2`, `3`, `-1`, `"1"`, `null`},
	"birthday":  {`"1990-01-02"`, `"1990-01-02 13:45:10"`, `"2004-02-29 23:59:59"`, `"2000-02-29"`, `"1900-02-29"`, `"2100-02-29"`, `"2004-02-29"`, `"2001-02-29"`, `"1990-13-01"`, `"1990-04-31"`, `"2000-02-29 13:45:10"`, `"1990-1-2"`, `""`, `5`, `null`},
	"username":  {`"someone"`},
	"password":  {`"pass-word-2"`},
	"ctime":     {`"2015-01-01 00:00:00"`},
	"flavour":   {`"x"`},
}

// profileKeys are the keys a PUT may set; otherKeys are keys §3 refuses in
// a PUT, drawn into one PUT in eight (a refused key hides every value
// beside it).
var (
	profileKeys = []string{"nickname", "star", "birthday", "signature", "gender", "region", "address", "avatar"}
	otherKeys   = []string{"username", "password", "ctime", "flavour"}
)

func drawPut(t *rapid.T, cr *caseRun) Step {
	return drawPutTo(t, "/v1/users/"+cr.drawPathUser(t, "put-user"))
}

func drawPutTo(t *rapid.T, path string) Step {
	n := rapid.IntRange(1, 3).Draw(t, "keys")
	// At most one key takes a value at an edge, the others their plain
	// one: an edge value must not be hidden behind another key's 400.
	edge := rapid.IntRange(0, n).Draw(t, "edge-key")
	var parts []string
	used := map[string]bool{}
	for i := range n {
		k := pickAny(t, "key", profileKeys)
		if i == 0 && rapid.IntRange(0, 7).Draw(t, "refused-key") == 7 {
			k = pickAny(t, "refused", otherKeys)
		}
		if used[k] {
			continue
		}
		used[k] = true
		v := profileValues[k][0]
		if i == n-edge {
			v = pickAny(t, "value-"+k, profileValues[k])
		}
		parts = append(parts, `"`+k+`":`+v)
	}
	body := "{" + strings.Join(parts, ",") + "}"
	if rapid.IntRange(0, 30).Draw(t, "put-body") == 30 {
		body = "{}"
	}
	return Step{Method: "PUT", Path: path, Body: body, HasBody: true}
}

// groupNames: valid, at the bounds and past them, multi-byte, invalid.
var groupNames = []string{`"team"`, `"{repeat:g:64}"`, `"{repeat:g:65}"`, `"{repeat:g:40}"`, `"{repeat:é:32}"`, `"{repeat:é:33}"`, `"{repeat:中:21}"`, `"{repeat:中:22}"`, `"😀 team"`, `""`, `"a\nb"`, `5`, `null`}

var groupDescs = []string{``, `,"group_desc":"about"`, `,"group_desc":"two\nlines"`, `,"group_desc":"{repeat:d:250}"`, `,"group_desc":"{repeat:d:251}"`, `,"group_desc":"😀"`, `,"group_desc":5`}

func drawUserList(t *rapid.T, cr *caseRun, label string, most int) string {
	n := rapid.IntRange(0, most).Draw(t, label+"-count")
	names := make([]string, n)
	for i := range names {
		names[i] = `"` + cr.drawUser(t, label) + `"`
	}
	return "[" + strings.Join(names, ",") + "]"
}

func drawCreateGroup(t *rapid.T, cr *caseRun) Step {
	alias := "g" + strconv.Itoa(cr.groupsCreated()+1)
	owner := `"` + cr.drawUser(t, "owner") + `"`
	if rapid.IntRange(0, 30).Draw(t, "no-owner") == 30 {
		owner = `null`
	}
	name, desc := groupNames[0], groupDescs[0]
	switch rapid.IntRange(0, 2).Draw(t, "edge-field") { // one of them at an edge, as in drawPut
	case 1:
		name = pickAny(t, "group-name", groupNames)
	case 2:
		desc = pickAny(t, "desc", groupDescs)
	}
	body := fmt.Sprintf(`{"owner_username":%s,"group_name":%s,"members_username":%s%s}`,
		owner, name, drawUserList(t, cr, "member", 3), desc)
	return Step{Method: "POST", Path: "/v1/groups/", Body: body, HasBody: true, NewGroup: alias}
}

// gidForms name a group in a path: one the case created, or a gid no
// group has, or one §4 rejects as malformed.
var badGIDs = []string{"999999999", "0", "-1", "abc", "9223372036854775808", "1.5", "00"}

func drawGID(t *rapid.T, cr *caseRun, label string) string {
	bound := cr.boundGroups()
	if len(bound) > 0 && rapid.IntRange(0, 9).Draw(t, label+"-bogus") < 9 {
		g := pick(t, label, bound)
		if rapid.IntRange(0, 15).Draw(t, label+"-zero") == 15 {
			return "0" + placeholder.GID(g)
		}
		return placeholder.GID(g)
	}
	return pick(t, label+"-bad", badGIDs)
}

func drawMembers(t *rapid.T, cr *caseRun) Step {
	add, remove := drawUserList(t, cr, "add", 3), drawUserList(t, cr, "remove", 2)
	body := fmt.Sprintf(`{"add":%s,"remove":%s}`, add, remove)
	switch rapid.IntRange(0, 12).Draw(t, "members-body") {
	case 10:
		body = fmt.Sprintf(`{"add":%s}`, add)
	case 11:
		body = fmt.Sprintf(`{"remove":%s}`, remove)
	case 12:
		body = `{}`
	}
	return Step{Method: "POST", Path: "/v1/groups/" + drawGID(t, cr, "gid") + "/members", Body: body, HasBody: true}
}

// listStarts and listCounts are page queries: valid first, then the edges.
var (
	listStarts = []string{"0", "0", "1", "2", "999", "1000", "2147483648", "9223372036854775807", "9223372036854775808", "-1", "abc", ""}
	listCounts = []string{"500", "10", "1", "2", "0", "501", "-1", "x", "2147483648"}
)

func drawList(t *rapid.T, what string) Step {
	start, count := pick(t, "start", listStarts), pick(t, "count", listCounts)
	return Step{Method: "GET", Path: fmt.Sprintf("/v1/%s/?start=%s&count=%s", what, start, count)}
}

// messageBodies are msg_body values by msg_type: valid first.
var messageBodies = map[string][]string{
	"text":   {`{"text":"hi"}`, `{"text":"hi","extras":{"k":"v"}}`, `{"text":"{repeat:t:4085}"}`, `{"text":"{repeat:t:4086}"}`, `{"text":"😀"}`, `{"text":5}`, `{}`, `{"text":"hi","extras":5}`},
	"voice":  {`{"media_id":"m1","media_crc":1,"duration":3,"format":"amr"}`, `{"media_id":"m1","duration":3}`},
	"image":  {`{"media_id":"m1","media_crc":1,"width":2,"height":3}`, `{"media_id":"m1","media_crc":1,"width":2,"height":3,"format":"png","img_link":"http://a.b/c"}`, `{"media_id":"m1"}`},
	"custom": {`{"any":"thing"}`, `{}`},
}

var (
	msgTypes     = []string{"text", "voice", "image", "custom"}
	msgVersions  = []string{`1`, `2`, `"1"`}
	msgTimes     = []string{`1500000000`, `0`, `-1`, `"1500000000"`}
	msgPlatforms = []string{``, `,"from_platform":"web"`, `,"from_platform":"x"`, `,"from_platform":null`}
	fromTypes    = []string{"admin", "user", "robot", "nobody"}
)

func drawMessage(t *rapid.T, cr *caseRun) Step {
	target := `"single","target_id":"` + cr.drawUser(t, "target") + `"`
	if len(cr.boundGroups()) > 0 && rapid.Bool().Draw(t, "to-group") {
		target = `"group","target_id":"` + drawGID(t, cr, "target-gid") + `"`
	}
	mt := pick(t, "msg-type", msgTypes)
	if rapid.IntRange(0, 2).Draw(t, "msg-edges") < 2 { // most messages are valid but for their ends
		return Step{Method: "POST", Path: "/v1/messages", HasBody: true, Body: fmt.Sprintf(`{"version":1,"target_type":%s,"from_type":"admin","from_id":"admin","msg_type":"%s","msg_body":%s,"create_time":1500000000}`,
			target, mt, messageBodies[mt][0])}
	}
	body := fmt.Sprintf(`{"version":%s,"target_type":%s,"from_type":"%s","from_id":"%s","msg_type":"%s","msg_body":%s,"create_time":%s%s}`,
		pick(t, "version", msgVersions), target, pick(t, "from-type", fromTypes), cr.drawUser(t, "from"), mt,
		pick(t, "msg-body", messageBodies[mt]), pick(t, "create-time", msgTimes), pick(t, "platform", msgPlatforms))
	return Step{Method: "POST", Path: "/v1/messages", Body: body, HasBody: true}
}

// groupsCreated counts the group creates of the case so far.
func (cr *caseRun) groupsCreated() int {
	n := 0
	for _, x := range cr.trace {
		if x.Step.NewGroup != "" {
			n++
		}
	}
	return n
}

// boundGroups are the group aliases a create bound to a gid, in order.
func (cr *caseRun) boundGroups() []string {
	var out []string
	for _, x := range cr.trace {
		if a := x.Step.NewGroup; a != "" {
			if _, ok := cr.gids[a]; ok {
				out = append(out, a)
			}
		}
	}
	return out
}

// actions are the step makers, by name; rapid picks among them.
func (cr *caseRun) actions() map[string]func(*rapid.T) Step {
	user := func(method, suffix string) func(*rapid.T) Step {
		return func(t *rapid.T) Step {
			return Step{Method: method, Path: "/v1/users/" + cr.drawPathUser(t, "user") + suffix}
		}
	}
	group := func(method, suffix string) func(*rapid.T) Step {
		return func(t *rapid.T) Step {
			return Step{Method: method, Path: "/v1/groups/" + drawGID(t, cr, "gid") + suffix}
		}
	}
	return map[string]func(*rapid.T) Step{
		"register":          func(t *rapid.T) Step { return drawRegister(t, cr) },
		"register-more":     func(t *rapid.T) Step { return drawRegister(t, cr) },
		"get-user":          user("GET", ""),
		"put-user":          func(t *rapid.T) Step { return drawPut(t, cr) },
		"put-user-more":     func(t *rapid.T) Step { return drawPut(t, cr) },
		"delete-user":       user("DELETE", ""),
		"user-groups":       user("GET", "/groups/"),
		"list-users":        func(t *rapid.T) Step { return drawList(t, "users") },
		"create-group":      func(t *rapid.T) Step { return drawCreateGroup(t, cr) },
		"get-group":         group("GET", ""),
		"delete-group":      group("DELETE", ""),
		"members":           func(t *rapid.T) Step { return drawMembers(t, cr) },
		"members-more":      func(t *rapid.T) Step { return drawMembers(t, cr) },
		"toggle-member":     func(t *rapid.T) Step { return drawToggle(t, cr) },
		"toggle-again":      func(t *rapid.T) Step { return drawToggle(t, cr) },
		"toggle-more":       func(t *rapid.T) Step { return drawToggle(t, cr) },
		"toggle-4":          func(t *rapid.T) Step { return drawToggle(t, cr) },
		"toggle-5":          func(t *rapid.T) Step { return drawToggle(t, cr) },
		"list-members-more": group("GET", "/members/"),
		"list-members":      group("GET", "/members/"),
		"list-groups":       func(t *rapid.T) Step { return drawList(t, "groups") },
		"message":           func(t *rapid.T) Step { return drawMessage(t, cr) },
		"user-cycle":        func(t *rapid.T) Step { return drawLifecycle(t, cr) },
		"user-cycle-more":   func(t *rapid.T) Step { return drawLifecycle(t, cr) },
	}
}

// drawToggle adds a user of the cast to a group the case made, or removes
// them when the model says they are in it: cycles of joins and leaves.
func drawToggle(t *rapid.T, cr *caseRun) Step {
	var live []string
	for _, g := range cr.boundGroups() {
		if _, ok := cr.state.Group(cr.gids[g]); ok {
			live = append(live, g)
		}
	}
	if len(live) == 0 {
		return drawCreateGroup(t, cr)
	}
	g := pick(t, "toggle-group", live)
	alias := pickAny(t, "toggle-user", userAliases[1:])
	name := cr.castName(alias)
	if _, ok := cr.state.User(name); !ok { // join a registered user
		return cr.registerStep(alias)
	}
	verb := "add"
	if grp, ok := cr.state.Group(cr.gids[g]); ok && slices.Contains(grp.Members, name) {
		verb = "remove"
	}
	return Step{Method: "POST", Path: "/v1/groups/" + placeholder.GID(g) + "/members", HasBody: true, Body: `{"` + verb + `":["` + cr.ref(alias, "") + `"]}`}
}

// drawLifecycle registers a user of the cast that is not there, and
// deletes, writes or reads one that is: cycles of delete and re-register,
// whose old state a server may keep.
func drawLifecycle(t *rapid.T, cr *caseRun) Step {
	alias := pick(t, "cycle-user", castWeights)
	if _, ok := cr.state.User(cr.castName(alias)); !ok {
		return cr.registerStep(alias)
	}
	path := "/v1/users/" + cr.ref(alias, "")
	switch rapid.IntRange(0, 2).Draw(t, "cycle-step") {
	case 1:
		return Step{Method: "DELETE", Path: path}
	case 2:
		return drawPutTo(t, path)
	}
	return Step{Method: "GET", Path: path}
}

// castName is the name a cast alias registers as.
func (cr *caseRun) castName(alias string) string {
	name := cr.names[alias]
	if slot := cr.cast[alias]; slot.Template == "" {
		name += slot.Suffix
	}
	return name
}

// registerStep registers one user of the cast.
func (cr *caseRun) registerStep(alias string) Step {
	return Step{Method: "POST", Path: "/v1/users/", HasBody: true, Body: `[{"username":"` + cr.ref(alias, "") + `","password":"pass-word-1"}]`}
}
