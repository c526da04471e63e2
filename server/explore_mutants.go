package server

import "jmcheck/server/sqlite"

// The kinds of explore mutant: what it takes to find one.
const (
	KindStateful    = "stateful"    // a sequence of writes, then a read the model disagrees with
	KindInput       = "input"       // one request with a value at an edge of the input space
	KindConcurrency = "concurrency" // requests started together (a check-then-act race)
	KindScale       = "scale"       // more rows than example scenarios create
)

// The explore mutant names. Each is checked at the one place it deviates:
// in this package, or (for those that live in the store) where open builds
// sqlite.Bugs.
const (
	mutReregisterKeepsProfile = "reregister-keeps-profile"
	mutDeleteKeepsMemberships = "delete-user-keeps-memberships"
	mutUserGroupsStale        = "user-groups-stale-after-group-delete"
	mutMemberCounter          = "member-counter-not-decremented"
	mutListTotalStale         = "list-total-stale"
	mutMsgIDPerTarget         = "msg-id-per-target"
	mutReaddKeepsJoinOrder    = "readd-keeps-join-order"
	mutMsgDeletedGroup        = "message-to-deleted-group"
	mutEmoji500               = "emoji-500"
	mutStarInt32              = "star-int32-overflow"
	mutStartInt32             = "start-int32-overflow"
	mutNicknameTruncated      = "nickname-truncated"
	mutGroupNameTruncated     = "group-name-truncated"
	mutLengthInRunes          = "length-in-runes"
	mutLeapEvery4             = "leap-year-every-4"
	mutLeapWrong2000          = "leap-year-wrong-2000"
	mutPercentAtNotDecoded    = "percent-at-not-decoded"
	mutCaseInsensitiveLookup  = "case-insensitive-get-only"
	mutMultilineRejected      = "multiline-rejected"
	mutZeroOmitted            = "zero-star-omitted"
	mutBirthdayTimeDropped    = "birthday-time-dropped"
	mutRaceRegister           = "race-register"
	mutRaceMemberLimit        = "race-member-limit"
	mutRacePutLostUpdate      = "race-put-lost-update"
	mutRaceGID                = "race-gid"
	mutRaceMsgID              = "race-msg-id"
	mutPageDriftAfter1000     = "page-drift-after-1000"
	mutUserGroupsCapped       = "user-groups-capped-100"
)

// Bounds of the scale mutants.
const (
	pageDriftFrom = 1000 // page-drift-after-1000: the first start that drifts
	userGroupsCap = 100  // user-groups-capped-100: the most gids answered
)

var exploreMutants = []Mutant{
	// Stateful.
	{mutReregisterKeepsProfile, KindStateful,
		"deleting a user keeps its profile fields aside (a soft delete); registering the name again brings back the old nickname, star, birthday, ...",
		"§3 DELETE /v1/users/:username (the name becomes free), §3 GET /v1/users/:username (a field never set is omitted)"},
	{mutDeleteKeepsMemberships, KindStateful,
		"deleting a user soft-deletes its row and leaves its memberships: it stays in GET group members_username and the member list",
		"§3 DELETE /v1/users/:username (the user leaves every group)"},
	{mutUserGroupsStale, KindStateful,
		"GET /v1/users/:username/groups/ still lists a group that was deleted while the user owned or belonged to it",
		"§3 GET /v1/users/:username/groups/, §4 DELETE /v1/groups/:gid"},
	{mutMemberCounter, KindStateful,
		"members add checks the limit against a per-group counter that adds increment and removals never decrement: after add/remove cycles an add answers 403 899012 below the limit",
		"§4 POST /v1/groups/:gid/members (over the limit after the removals)"},
	{mutListTotalStale, KindStateful,
		"deleting a user does not decrement the user list's row counter: total never goes down (and pages in later blocks shift)",
		"§3 GET /v1/users/ (total, tiling)"},
	{mutMsgIDPerTarget, KindStateful,
		"msg_id is the message's number within its target (1, 2, ... per target_id): messages to different targets get the same msg_id",
		"§5 Messages (msg_ids unique within the app, increasing)"},
	{mutReaddKeepsJoinOrder, KindStateful,
		"a member removed and added again gets back its first join position and ctime instead of joining at the end, now",
		"§4 GET /v1/groups/:gid/members/ (join order, ctime is when that user joined), §4 GET /v1/groups/:gid"},
	{mutMsgDeletedGroup, KindStateful,
		"a group message target is checked against the gid counter, not the groups: a message to a deleted group answers 200",
		"§5 Messages (unknown group 403 899006), §4 DELETE /v1/groups/:gid"},

	// Input space.
	{mutEmoji500, KindInput,
		"a character outside the BMP (4-byte UTF-8, e.g. an emoji) in a profile or group text field answers 500 899000, as a utf8mb3 column would",
		"§1 Transport (UTF-8), §2 (899000 is not reachable on a valid request), §3 PUT /v1/users/:username, §4 POST /v1/groups/"},
	{mutStarInt32, KindInput,
		"star >= 2^31 answers 500 899000 (a 32-bit column) instead of being stored",
		"§3 PUT /v1/users/:username (star is an integer >= 0), §2 (899000)"},
	{mutStartInt32, KindInput,
		"a list start >= 2^31 answers 500 899000 (parsed as 32 bits) instead of an empty page",
		"§3 GET /v1/users/ (start >= T gives []), §4 GET /v1/groups/, §2 (899000)"},
	{mutNicknameTruncated, KindInput,
		"a nickname of 33..64 bytes is accepted and stored cut to 32 bytes",
		"§3 PUT /v1/users/:username (nickname <= 64 bytes; only the given keys change, as given)"},
	{mutGroupNameTruncated, KindInput,
		"a group_name over 32 bytes is stored cut to 32: the 201 echoes the whole name, GET shows the cut one",
		"§4 Groups (name 1..64 bytes), §4 POST /v1/groups/ (GET shows the same)"},
	{mutLengthInRunes, KindInput,
		"string bounds are counted in characters, not UTF-8 bytes: 64 three-byte characters (192 bytes) pass as a nickname",
		"§1 Transport (lengths are counted in UTF-8 bytes), §3 PUT /v1/users/:username, §4 Groups"},
	{mutLeapEvery4, KindInput,
		"a birthday's leap years are every fourth year: 1900-02-29 and 2100-02-29 are accepted",
		"§7 Times (real calendar dates), §3 PUT /v1/users/:username"},
	{mutLeapWrong2000, KindInput,
		"a birthday's leap years skip every century year, 2000 included: 2000-02-29 answers 400 899003",
		"§7 Times (real calendar dates), §3 PUT /v1/users/:username"},
	{mutPercentAtNotDecoded, KindInput,
		"%40 in a path username is not decoded: /v1/users/a%40b.c is 400 899003 (the name with %40 in it) though a@b.c exists",
		"§7a (paths are percent-decoded)"},
	{mutCaseInsensitiveLookup, KindInput,
		"GET, PUT and DELETE user look names up case-insensitively while register is case-sensitive: Abcd and abcd both register, and GET Abcd answers abcd",
		"§3 Username (case sensitivity: one choice), §3 GET /v1/users/:username"},
	{mutMultilineRejected, KindInput,
		"the one-line rule of nickname and group_name is applied to every text field: a signature, region, address or group_desc with a line break answers 400 899003",
		"§3 PUT /v1/users/:username (only nickname excludes \\r \\n), §4 Groups (desc <= 250 bytes)"},
	{mutZeroOmitted, KindInput,
		"a star or gender set to 0 is omitted from GET user, as if never set",
		"§3 GET /v1/users/:username (a field never set is omitted; a set one is shown)"},
	{mutBirthdayTimeDropped, KindInput,
		"a birthday's time of day is dropped (a DATE column): YYYY-MM-DD 13:45:10 reads back as YYYY-MM-DD 00:00:00",
		"§3 PUT /v1/users/:username (birthday read back as YYYY-MM-DD HH:MM:SS)"},

	// Concurrency: check-then-act races whose check and act are apart.
	{mutRaceRegister, KindConcurrency,
		"register checks which names exist in one transaction and inserts (ignoring conflicts) in a later one: two concurrent registrations of one name both answer created",
		"§3 POST /v1/users/ (concurrent registrations of one username: exactly one succeeds)"},
	{mutRaceMemberLimit, KindConcurrency,
		"members add checks the limit in one transaction and applies the change in a later one: concurrent adds push a group past its limit",
		"§4 Groups (member limit), §4 POST /v1/groups/:gid/members"},
	{mutRacePutLostUpdate, KindConcurrency,
		"PUT user reads the whole profile, then writes the whole profile back in a later transaction: of two concurrent PUTs of different keys one is lost",
		"§3 PUT /v1/users/:username (only the given keys change)"},
	{mutRaceGID, KindConcurrency,
		"group create answers the app's highest gid, read after its transaction commits: two concurrent creates answer the same gid",
		"§4 POST /v1/groups/ (gid unique within the app)"},
	{mutRaceMsgID, KindConcurrency,
		"a message answers the app's highest msg_id, read after its transaction commits: two concurrent messages answer the same msg_id",
		"§5 Messages (msg_ids unique within the app)"},

	// Scale.
	{mutPageDriftAfter1000, KindScale,
		"list pages with start >= 1000 start one row early: pages past the 1000th row overlap",
		"§3 GET /v1/users/ (pages tile the list), §4 GET /v1/groups/"},
	{mutUserGroupsCapped, KindScale,
		"GET /v1/users/:username/groups/ returns at most 100 gids (a LIMIT left in the query)",
		"§3 GET /v1/users/:username/groups/"},
}

// storeBugs plants the explore mutants that live in the store: each is
// checked here, once, and deviates where its sqlite.Bugs field is read.
func (s *Server) storeBugs() sqlite.Bugs {
	return sqlite.Bugs{
		KeepDeletedProfiles:     s.is(mutReregisterKeepsProfile),
		KeepMembershipsOnDelete: s.is(mutDeleteKeepsMemberships),
		StaleUserGroups:         s.is(mutUserGroupsStale),
		MemberCounter:           s.is(mutMemberCounter),
		StaleUserTotal:          s.is(mutListTotalStale),
		MsgIDPerTarget:          s.is(mutMsgIDPerTarget),
		ReaddKeepsJoinOrder:     s.is(mutReaddKeepsJoinOrder),
		GroupCheckedByCounter:   s.is(mutMsgDeletedGroup),
		Utf8mb3:                 s.is(mutEmoji500),
		StarInt32:               s.is(mutStarInt32),
		NicknameVarchar32:       s.is(mutNicknameTruncated),
		GroupNameVarchar32:      s.is(mutGroupNameTruncated),
		CaseInsensitiveLookup:   s.is(mutCaseInsensitiveLookup),
		BirthdayDate:            s.is(mutBirthdayTimeDropped),
		RacyRegister:            s.is(mutRaceRegister),
		RacyMemberLimit:         s.is(mutRaceMemberLimit),
		RacyProfileWrite:        s.is(mutRacePutLostUpdate),
		RacyGIDReadBack:         s.is(mutRaceGID),
		RacyMsgIDReadBack:       s.is(mutRaceMsgID),
	}
}

// ExploreMutants returns the mutants the explorer (`jmcheck explore`) must
// catch: realistic bugs that example scenarios miss, each with its Kind.
// A Config selects them by name as it does Mutants(); the two lists are
// disjoint.
func ExploreMutants() []Mutant { return append([]Mutant(nil), exploreMutants...) }
