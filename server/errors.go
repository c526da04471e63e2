package server

import (
	"errors"

	"jmcheck/server/im"
)

// codes is the one table of spec/PROFILE.md §2: each error code, its HTTP
// status and the default message (the seed's text, typos fixed).
var codes = map[im.Code]struct {
	status  int
	message string
}{
	im.CodeInternal:      {500, "Server internal error"},
	im.CodeUserExists:    {403, "User exists"},
	im.CodeNoSuchUser:    {403, "No such user"},
	im.CodeInvalid:       {400, "Parameter invalid!"},
	im.CodeBadPassword:   {403, "Password error"},
	im.CodeInvalidUID:    {403, "Invalid uid"},
	im.CodeNoSuchGroup:   {403, "gid invalid"},
	im.CodeMissingAuth:   {401, "Missing authen info."},
	im.CodeAuthFailed:    {401, "Basic authentication failed."},
	im.CodeUnknownApp:    {400, "appkey not exists"},
	im.CodeOwnsGroup:     {400, "Delete fail"},
	im.CodeAlreadyMember: {400, "Repeat to add the members"},
	im.CodeGroupFull:     {403, "no enough space for members"},
	im.CodeBatchTooLarge: {403, "user list is bigger than 500"},
	im.CodeBusy:          {503, "Server response time out, please try again later"},
}

// statusOf returns the HTTP status of code; an unknown code is internal.
func statusOf(code im.Code) int {
	if c, ok := codes[code]; ok {
		return c.status
	}
	return 500
}

// errorBody is the body of every error: {"error":{"code":N,"message":"..."}}.
type errorBody struct {
	Error errorObject `json:"error"`
}

// errorObject is an error's code and message; exactly these two keys.
type errorObject struct {
	Code    im.Code `json:"code"`
	Message string  `json:"message"`
}

// errorObjectOf returns the error object for err. Domain errors keep their
// message; anything else is an internal error whose detail is logged, not
// sent.
func errorObjectOf(err error) errorObject {
	code, msg := im.CodeInternal, ""
	var e *im.Error
	if errors.As(err, &e) {
		code, msg = e.Code, e.Message
	}
	if msg == "" {
		msg = codes[code].message
	}
	if msg == "" {
		msg = codes[im.CodeInternal].message
	}
	return errorObject{Code: code, Message: msg}
}

// invalid returns a CodeInvalid error: a malformed request.
func invalid(format string, args ...any) error {
	return im.Errorf(im.CodeInvalid, format, args...)
}
