// Code generated from api.json by TestGenerated (go test ./spec -update). DO NOT EDIT.

package spec

// The routes of profile v1-2015, in api.json order.
const (
	RouteOther       Route = iota // a request that is no endpoint of the API
	RouteRegister                 // POST /v1/users/: batch register (§3)
	RouteListUsers                // GET /v1/users/: user list (§3)
	RouteGetUser                  // GET /v1/users/{username}: get a user (§3)
	RoutePutUser                  // PUT /v1/users/{username}: update a user (§3)
	RouteDeleteUser               // DELETE /v1/users/{username}: delete a user (§3)
	RouteUserGroups               // GET /v1/users/{username}/groups/: a user's groups (§3)
	RouteCreateGroup              // POST /v1/groups/: create a group (§4)
	RouteListGroups               // GET /v1/groups/: group list (§4)
	RouteGetGroup                 // GET /v1/groups/{gid}: get a group (§4)
	RouteDeleteGroup              // DELETE /v1/groups/{gid}: delete a group (§4)
	RouteEditMembers              // POST /v1/groups/{gid}/members: add and remove members (§4)
	RouteListMembers              // GET /v1/groups/{gid}/members/: member list (§4)
	RouteSendMessage              // POST /v1/messages: send a message (§5)
	routeCount
)

var routeNames = [routeCount]string{"Other", "Register", "ListUsers", "GetUser", "PutUser", "DeleteUser", "UserGroups", "CreateGroup", "ListGroups", "GetGroup", "DeleteGroup", "EditMembers", "ListMembers", "SendMessage"}

// The error codes of §2.
const (
	CodeInternal      Code = 899000 // internal error; produced on demand by fault injection (§6)
	CodeUserExists    Code = 899001 // register: username exists or repeats an earlier item of the batch
	CodeNoSuchUser    Code = 899002 // a username in the path or a group body does not exist
	CodeInvalid       Code = 899003 // malformed request: bad JSON, wrong type, missing or out-of-range field, bad start/count, bad username, bad gid
	CodeBadPassword   Code = 899004 // register: password missing, not a string, or outside 4..128 bytes
	CodeInvalidUID    Code = 899005 // message: from_id (from_type user) or single target_id is not a registered user
	CodeNoSuchGroup   Code = 899006 // a well-formed gid names no group
	CodeMissingAuth   Code = 899007 // auth header missing, empty, or not Basic
	CodeAuthFailed    Code = 899008 // auth failed: undecodable Basic credentials or wrong secret
	CodeUnknownApp    Code = 899009 // unknown appKey
	CodeOwnsGroup     Code = 899010 // delete user: the user still owns a group
	CodeAlreadyMember Code = 899011 // members add: the user is already in the group (the owner counts)
	CodeGroupFull     Code = 899012 // members add or group create: the group would exceed its member limit
	CodeBatchTooLarge Code = 899013 // register: more than 500 items in one batch
	CodeBusy          Code = 899030 // server busy: load shedding with Retry-After
)

var codeNames = map[Code]string{
	CodeInternal:      "Internal",
	CodeUserExists:    "UserExists",
	CodeNoSuchUser:    "NoSuchUser",
	CodeInvalid:       "Invalid",
	CodeBadPassword:   "BadPassword",
	CodeInvalidUID:    "InvalidUID",
	CodeNoSuchGroup:   "NoSuchGroup",
	CodeMissingAuth:   "MissingAuth",
	CodeAuthFailed:    "AuthFailed",
	CodeUnknownApp:    "UnknownApp",
	CodeOwnsGroup:     "OwnsGroup",
	CodeAlreadyMember: "AlreadyMember",
	CodeGroupFull:     "GroupFull",
	CodeBatchTooLarge: "BatchTooLarge",
	CodeBusy:          "Busy",
}
