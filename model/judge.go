package model

import (
	"jmcheck/spec"
)

// judge returns the route of a request and the answers the profile allows
// for it in s. A request to no endpoint of the API, or one the model does
// not read (a path that does not decode), allows anything but a 5xx.
func (s *State) judge(r Request) (spec.Route, []alt) {
	route := spec.Match(r.Method, r.Path)
	segs, query, ok := PathSegments(r.Path)
	if !route.Known() || !ok {
		return route, someoneElses()
	}
	arg := ""
	if len(segs) >= 3 {
		arg = segs[2]
	}
	switch route {
	case spec.RouteRegister:
		return route, s.register(r.Body)
	case spec.RouteListUsers:
		return route, s.listUsers(query)
	case spec.RouteGetUser:
		return route, s.getUser(arg)
	case spec.RoutePutUser:
		return route, s.putUserAlts(arg, r.Body)
	case spec.RouteDeleteUser:
		return route, s.deleteUser(arg)
	case spec.RouteUserGroups:
		return route, s.userGroups(arg)
	case spec.RouteCreateGroup:
		return route, s.createGroup(r.Body)
	case spec.RouteListGroups:
		return route, s.listGroups(query)
	case spec.RouteGetGroup:
		return route, s.getGroup(arg)
	case spec.RouteDeleteGroup:
		return route, s.deleteGroup(arg)
	case spec.RouteEditMembers:
		return route, s.members(arg, r.Body)
	case spec.RouteListMembers:
		return route, s.listMembers(arg)
	case spec.RouteSendMessage:
		return route, s.sendMessage(r.Body)
	}
	return route, someoneElses()
}
