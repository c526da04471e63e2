package server

// Mutant is a named, deliberate single deviation from spec/PROFILE.md that
// Config.Mutant switches on. Running the conformance suite against each
// mutant proves the suite catches that kind of bug. Mutants are never a
// serve flag: only tests and `jmcheck selftest` select them.
//
// There are two lists. Mutants() are the deviations the example
// conformance suite must catch, every one. ExploreMutants() are bugs of the
// kinds example scenarios miss (see explore_mutants.go); the model-based,
// property-based and concurrent explorer must catch those.
type Mutant struct {
	Name        string // the Config.Mutant value
	Kind        string // explore mutants: one of the Kind* values; empty for Mutants()
	Description string // what the server does wrong
	Spec        string // the section of spec/PROFILE.md it breaks
}

// The mutant names. Each is checked at the one place it deviates.
const (
	mutAuthMissing400           = "auth-missing-400"
	mutAuthUnknownApp401        = "auth-unknown-app-899008"
	mutAuthAnySecret            = "auth-any-secret"
	mutAppsShared               = "apps-shared"
	mutNoTrailingSlash          = "no-trailing-slash"
	mutStrictContentType        = "strict-content-type"
	mut405NoAllow               = "405-without-allow"
	mutErrorExtraKey            = "error-extra-key"
	mutTextPlain                = "content-type-text-plain"
	mutFaultPlain               = "fault-500-plain-text"
	mutNoRetryAfter             = "no-retry-after"
	mutRegisterOver500          = "register-over-500-partial"
	mutRegisterPasswordFirst    = "register-password-checked-first"
	mutRegisterRepeatAccepted   = "register-repeat-accepted"
	mutUsernameMax127           = "username-max-127"
	mutUsernameMax129           = "username-max-129"
	mutPasswordMin3             = "password-min-3"
	mutRegisterEchoPassword     = "register-echoes-password"
	mutUserNoCTime              = "user-without-ctime"
	mutUserUnsetNull            = "user-unset-null"
	mutPutUnknownKeys           = "put-ignores-unknown-keys"
	mutBirthdayAnyDay           = "birthday-any-day"
	mutMTimeFrozen              = "mtime-frozen"
	mutPutClearsFields          = "put-clears-other-fields"
	mutDeleteOwnerAllowed       = "delete-owner-allowed"
	mutListCountOffByOne        = "list-count-off-by-one"
	mutListPastEndError         = "list-past-end-error"
	mutListNewestFirst          = "list-newest-first"
	mutListOverlap              = "list-pages-overlap"
	mutList204                  = "list-204"
	mutLimitExcludesOwner       = "limit-excludes-owner"
	mutGroupMembersIncludeOwner = "group-members-include-owner"
	mutGroupDescNull            = "group-desc-null"
	mutGIDReused                = "gid-reused"
	mutGIDMalformed899006       = "gid-malformed-899006"
	mutOwnerFlag0               = "owner-flag-0"
	mutDuplicateAddIgnored      = "members-duplicate-add-ignored"
	mutOwnerAddIgnored          = "members-owner-add-ignored"
	mutMembersPartial           = "members-partial-apply"
	mutMsgIDDecreasing          = "msg-id-decreasing"
	mutMsgVersion2              = "message-version-2"
	mutMsgBody4097              = "message-body-4097"
	mutMsgGroup899005           = "message-group-899005"
)

// mutants are the example suite's mutants. They have no Kind, so they are
// written without one.
var mutants = withoutKind([]struct{ Name, Description, Spec string }{
	{mutAuthMissing400, "a missing Authorization header answers 400 899007 instead of 401", "§1 Transport (auth)"},
	{mutAuthUnknownApp401, "an unknown appKey answers 401 899008 instead of 400 899009", "§1 Transport (auth)"},
	{mutAuthAnySecret, "a known appKey with a wrong masterSecret is accepted", "§1 Transport (auth)"},
	{mutAppsShared, "every app reads and writes the first app's users, groups and messages", "§1 Transport (app scope)"},
	{mutNoTrailingSlash, "a path with a trailing slash answers 404", "§1 Transport (trailing slash)"},
	{mutStrictContentType, "a body whose Content-Type is not exactly a well-formed application/json (e.g. ;charset:utf-8) is 400 899003", "§1 Transport (Content-Type)"},
	{mut405NoAllow, "405 answers carry no Allow header", "§1 Transport (404/405)"},
	{mutErrorExtraKey, "the error object carries a third key, status", "§1 Transport (error body), §7a"},
	{mutTextPlain, "JSON bodies are sent as Content-Type text/plain", "§1 Transport (Content-Type)"},
	{mutFaultPlain, "X-Fault-Inject: internal answers 500 with a plain-text body", "§2 (899000), §6 Load and faults"},
	{mutNoRetryAfter, "503 899030 answers carry no Retry-After header", "§6 Load and faults, §7a"},
	{mutRegisterOver500, "a batch of more than 500 registers its first 500 items (201) instead of 403 899013", "§3 POST /v1/users/"},
	{mutRegisterPasswordFirst, "per item the password is checked before the username (bad both: 899004, not 899003)", "§3 POST /v1/users/"},
	{mutRegisterRepeatAccepted, "an item repeating an earlier item's username is answered as created, not 899001", "§3 POST /v1/users/"},
	{mutUsernameMax127, "a username of 128 bytes is rejected (bound 127)", "§3 Username"},
	{mutUsernameMax129, "a username of 129 bytes is accepted (bound 129)", "§3 Username"},
	{mutPasswordMin3, "a password of 3 bytes is accepted (bound 3)", "§3 Password"},
	{mutRegisterEchoPassword, "a created item of the register response echoes the password", "§3 Password (never returned)"},
	{mutUserNoCTime, "GET user omits ctime", "§3 GET /v1/users/:username"},
	{mutUserUnsetNull, "GET user shows never-set fields as null instead of omitting them", "§3 GET /v1/users/:username"},
	{mutPutUnknownKeys, "PUT user ignores unknown and read-only keys instead of 400 899003", "§3 PUT /v1/users/:username"},
	{mutBirthdayAnyDay, "PUT user accepts impossible dates such as 1990-02-30", "§3 PUT /v1/users/:username, §7 Times"},
	{mutMTimeFrozen, "GET user reports mtime equal to ctime: mtime never moves", "§3 PUT /v1/users/:username, §7 Times"},
	{mutPutClearsFields, "PUT user resets every field the body leaves out", "§3 PUT /v1/users/:username"},
	{mutDeleteOwnerAllowed, "DELETE user succeeds while the user owns a group (its groups vanish) instead of 400 899010", "§3 DELETE /v1/users/:username"},
	{mutListCountOffByOne, "list pages report count one more than the items returned", "§3 GET /v1/users/, §4 GET /v1/groups/"},
	{mutListPastEndError, "a list page with start >= total answers 400 899003 instead of []", "§3 GET /v1/users/, §4 GET /v1/groups/"},
	{mutListNewestFirst, "lists run newest first instead of registration order / ascending gid", "§3 GET /v1/users/, §4 GET /v1/groups/"},
	{mutListOverlap, "a page after the first starts one item early: pages repeat an item", "§3 GET /v1/users/ (tiling)"},
	{mutList204, "list pages answer 204, so the body is lost", "§3 GET /v1/users/, §8 Errata"},
	{mutLimitExcludesOwner, "the owner does not count toward the member limit (a 500-limit group takes 501 people)", "§4 Groups (member limit)"},
	{mutGroupMembersIncludeOwner, "GET group lists the owner among members_username", "§4 GET /v1/groups/:gid"},
	{mutGroupDescNull, "group create answers group_desc null when the body has none, instead of \"\"", "§4 POST /v1/groups/"},
	{mutGIDReused, "a new group takes max(gid)+1, so deleting the newest group frees its gid for reuse", "§4 POST /v1/groups/ (never reused)"},
	{mutGIDMalformed899006, "a gid in the path that is not a positive integer answers 403 899006 instead of 400 899003", "§4 GET /v1/groups/:gid"},
	{mutOwnerFlag0, "the member list gives the owner flag 0", "§4 GET /v1/groups/:gid/members/, §8 Errata"},
	{mutDuplicateAddIgnored, "adding a current member is silently accepted instead of 400 899011", "§4 POST /v1/groups/:gid/members"},
	{mutOwnerAddIgnored, "adding the owner as a member is silently accepted instead of 400 899011", "§4 POST /v1/groups/:gid/members"},
	{mutMembersPartial, "a failing members update still applies its removals", "§2 (atomic failures), §4 POST /v1/groups/:gid/members"},
	{mutMsgIDDecreasing, "msg_ids decrease from one message to the next", "§5 Messages"},
	{mutMsgVersion2, "a message with version 2 is accepted", "§5 Messages"},
	{mutMsgBody4097, "a msg_body of 4097 bytes (compact JSON) is accepted", "§5 Messages"},
	{mutMsgGroup899005, "a message to an unknown group answers 899005 instead of 899006", "§5 Messages"},
})

func withoutKind(list []struct{ Name, Description, Spec string }) []Mutant {
	out := make([]Mutant, len(list))
	for i, m := range list {
		out[i] = Mutant{Name: m.Name, Description: m.Description, Spec: m.Spec}
	}
	return out
}

// Mutants returns the mutants the example conformance suite must catch, in
// a stable order. A Config may also select any of ExploreMutants().
func Mutants() []Mutant { return append([]Mutant(nil), mutants...) }

func knownMutant(name string) bool {
	for _, list := range [][]Mutant{mutants, exploreMutants} {
		for _, m := range list {
			if m.Name == name {
				return true
			}
		}
	}
	return false
}

// is reports whether the server runs as the named mutant.
func (s *Server) is(name string) bool { return s.mutant == name }
