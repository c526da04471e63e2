// Package features owns the Gherkin feature files of the conformance suite,
// one per resource area of spec/PROFILE.md, and embeds them so the jmcheck binary
// runs them from any folder.
//
// Tags, on every scenario (Examples blocks may add their own):
//
//	@endpoint:METHOD:/path   an endpoint whose behaviour the scenario asserts,
//	                         path template exactly as package spec lists it
//	                         (e.g. @endpoint:GET:/v1/users/{username});
//	                         @endpoint:none when it hits no endpoint (404, 405)
//	@code:NNNNNN             an error code the scenario asserts; a happy path
//	                         carries no @code tag
//	@spec:N                  the spec/PROFILE.md section of the rule (1..8, 7a)
//	@impl-defined            checks an implementation-defined point for shape
//	                         only: a 2xx the API allows or a well-formed 4xx
//
// Capability tags (a run that does not declare one skips the scenario and
// says why): @fault-injection, @overload, @two-apps, @group-limit. Such a
// scenario also starts with "Given the target offers the "X" capability",
// so the pretty output shows the reason on the skipped step.
//
// The step vocabulary and the placeholders ({alice}, {gid:team}, ...) are
// documented in package steps.
package features

import "embed"

// FS holds every *.feature file of this folder.
//
//go:embed *.feature
var FS embed.FS
