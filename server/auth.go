package server

import (
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"jmcheck/server/im"
)

// authenticate checks an Authorization header per spec/PROFILE.md §1 and
// returns the caller's app:
//   - missing or empty, or not the Basic scheme: 899007
//   - undecodable base64, or no ':': 899008
//   - unknown appKey: 899009
//   - wrong masterSecret: 899008
func (s *Server) authenticate(header string) (im.App, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return 0, im.Errorf(im.CodeMissingAuth, "missing Authorization header: send Basic base64(appKey:masterSecret)")
	}
	scheme, rest, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Basic") {
		return 0, im.Errorf(im.CodeMissingAuth, "Authorization must use the Basic scheme")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return 0, im.Errorf(im.CodeAuthFailed, "Basic credentials are not valid base64")
	}
	key, secret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return 0, im.Errorf(im.CodeAuthFailed, "Basic credentials must be appKey:masterSecret")
	}
	a, known := s.apps[key]
	if !known {
		if s.is(mutAuthUnknownApp401) {
			return 0, im.Errorf(im.CodeAuthFailed, "Basic authentication failed.")
		}
		return 0, im.Errorf(im.CodeUnknownApp, "appkey not exists")
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(a.secret)) != 1 && !s.is(mutAuthAnySecret) {
		return 0, im.Errorf(im.CodeAuthFailed, "Basic authentication failed.")
	}
	return a.id, nil
}

// injectedFault returns the fault an X-Fault-Inject header asks for
// (spec/PROFILE.md §6): "internal" is 500 899000, "busy" is 503 899030. Any
// other value, or none, is no fault.
func (s *Server) injectedFault(header string) error {
	switch strings.ToLower(strings.TrimSpace(header)) {
	case "internal":
		return im.Errorf(im.CodeInternal, "injected internal error")
	case "busy":
		return im.Errorf(im.CodeBusy, "injected overload: retry later")
	}
	return nil
}
