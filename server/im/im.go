// Package im holds the domain of the reference IM server: users, groups,
// members and messages of spec/PROFILE.md (profile v1-2015), the error
// codes of §2, and the Service interface that a store implements. It sits
// below both the HTTP layer (package server) and the SQLite adapter
// (package sqlite), so neither imports the other's internals.
package im

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Code is an error code of spec/PROFILE.md §2.
type Code int

// The error codes of spec/PROFILE.md §2.
const (
	CodeInternal      Code = 899000 // internal error
	CodeUserExists    Code = 899001 // register: username taken or repeated in the batch
	CodeNoSuchUser    Code = 899002 // a named user does not exist
	CodeInvalid       Code = 899003 // malformed request
	CodeBadPassword   Code = 899004 // register: bad password
	CodeInvalidUID    Code = 899005 // message: unknown sender or single target
	CodeNoSuchGroup   Code = 899006 // a well-formed gid names no group
	CodeMissingAuth   Code = 899007 // auth header missing
	CodeAuthFailed    Code = 899008 // auth failed
	CodeUnknownApp    Code = 899009 // unknown appKey
	CodeOwnsGroup     Code = 899010 // delete user: still owns a group
	CodeAlreadyMember Code = 899011 // members add: already in the group
	CodeGroupFull     Code = 899012 // the group would exceed its member limit
	CodeBatchTooLarge Code = 899013 // register: more than 500 items
	CodeBusy          Code = 899030 // load shedding
)

// Error is a domain error that carries its §2 code. Services return it
// (possibly wrapped); the HTTP layer maps the code to a status.
type Error struct {
	Code    Code
	Message string
}

// Error returns the code and the message.
func (e *Error) Error() string { return fmt.Sprintf("%d: %s", e.Code, e.Message) }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, and
// CodeInternal for any other non-nil error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// MaxBatch is the largest register batch (spec/PROFILE.md §3).
const MaxBatch = 500

// DefaultGroupLimit is the member limit of a group, owner included (§4).
const DefaultGroupLimit = 500

// App identifies an app (one appKey) inside a store. Every Service method
// is scoped to one app: no app sees another's data.
type App int64

// NewUser is one item of a register batch, already validated.
type NewUser struct {
	Username string
	Password string // in clear; the store salts and hashes it
}

// User is a user's profile. A nil field was never set.
type User struct {
	Username  string
	Nickname  *string
	Avatar    *string
	Star      *int64
	Birthday  *string // "YYYY-MM-DD HH:MM:SS", a calendar value without zone
	Gender    *int64
	Signature *string
	Region    *string
	Address   *string
	CTime     time.Time
	MTime     time.Time
}

// UserPatch names the profile fields a PUT changes; nil fields stay as
// they are.
type UserPatch struct {
	Nickname  *string
	Avatar    *string
	Star      *int64
	Birthday  *string
	Gender    *int64
	Signature *string
	Region    *string
	Address   *string
}

// NewGroup is a validated group-create request.
type NewGroup struct {
	Owner   string
	Name    string
	Desc    string
	Members []string // distinct, without the owner
}

// Group is a group with its members (owner excluded) in join order.
type Group struct {
	GID     int64
	Owner   string
	Name    string
	Desc    string
	Members []string
}

// Member is one row of a group's member list.
type Member struct {
	Username string
	Owner    bool
	Joined   time.Time
}

// Message is a validated message to send (spec/PROFILE.md §5).
type Message struct {
	TargetType string // "single" or "group"
	TargetID   string // a username, or a gid in decimal
	GID        int64  // the parsed gid when TargetType is "group"
	FromType   string // "user", "admin" or "robot"
	FromID     string
	MsgType    string
	CreateTime int64
	Body       []byte // the request's message, compact JSON
}

// Service is the IM domain behind the HTTP API. Every method runs in one
// transaction: when it fails, nothing of it is applied (RegisterUsers is
// per item). Arguments are already validated for syntax; the methods check
// existence, state and limits, and document the codes they return. Any
// other error is internal.
type Service interface {
	// App returns the store's handle for appKey, creating it if needed.
	App(ctx context.Context, appKey string) (App, error)

	// RegisterUsers creates the users in order; items are distinct. The
	// result has one entry per item: nil, or a CodeUserExists error.
	RegisterUsers(ctx context.Context, app App, users []NewUser) ([]error, error)
	// GetUser returns a profile. Codes: CodeNoSuchUser.
	GetUser(ctx context.Context, app App, username string) (User, error)
	// UpdateUser applies patch and moves mtime. Codes: CodeNoSuchUser.
	UpdateUser(ctx context.Context, app App, username string, patch UserPatch) error
	// DeleteUser removes a user from every group and frees the name.
	// Codes: CodeNoSuchUser, CodeOwnsGroup.
	DeleteUser(ctx context.Context, app App, username string) error
	// ListUsers returns the total and a page of usernames in registration
	// order.
	ListUsers(ctx context.Context, app App, start, count int64) (int64, []string, error)
	// UserGroups returns the gids a user owns or belongs to, ascending.
	// Codes: CodeNoSuchUser.
	UserGroups(ctx context.Context, app App, username string) ([]int64, error)

	// CreateGroup creates a group of at most limit people, owner included.
	// Codes: CodeNoSuchUser, CodeGroupFull.
	CreateGroup(ctx context.Context, app App, g NewGroup, limit int) (Group, error)
	// GetGroup returns a group. Codes: CodeNoSuchGroup.
	GetGroup(ctx context.Context, app App, gid int64) (Group, error)
	// DeleteGroup deletes a group. Codes: CodeNoSuchGroup.
	DeleteGroup(ctx context.Context, app App, gid int64) error
	// UpdateMembers removes then adds members (lists distinct and
	// disjoint); removing a non-member is a no-op. Codes: CodeNoSuchGroup,
	// CodeInvalid (removing the owner), CodeNoSuchUser, CodeAlreadyMember,
	// CodeGroupFull — in that order of precedence.
	UpdateMembers(ctx context.Context, app App, gid int64, add, remove []string, limit int) error
	// GroupMembers returns the owner then the members in join order.
	// Codes: CodeNoSuchGroup.
	GroupMembers(ctx context.Context, app App, gid int64) ([]Member, error)
	// ListGroups returns the total and a page of gids, ascending.
	ListGroups(ctx context.Context, app App, start, count int64) (int64, []int64, error)

	// SendMessage records a message and returns its msg_id, unique and
	// increasing within the app. Codes: CodeInvalidUID, CodeNoSuchGroup.
	SendMessage(ctx context.Context, app App, m Message) (int64, error)

	// Close releases the store.
	Close() error
}
