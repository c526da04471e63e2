// Package steps owns the godog step definitions of the conformance suite:
// the one HTTP exchange (auth, retries on load shedding, automatic checks of
// every response against spec/PROFILE.md and the schemas of package spec), gjson
// assertions with JSON compared by meaning, run-scoped unique names behind
// scenario-local aliases, capability skipping, and the cleanup ledger that
// deletes everything a run created.
//
// All scenario state lives in the context.Context godog threads through a
// scenario, so scenarios may run concurrently. The package never imports the
// reference server: it judges the bytes on the wire against spec/PROFILE.md.
//
// # Names and placeholders
//
// Feature files name users and groups by aliases ("alice", "team"). Each
// alias maps to a real name made of Config.RunID, the scenario's number and
// the alias, so parallel runs and concurrent scenarios never collide. Paths,
// doc strings, batch-result table cells and expected JSON values may hold
// placeholders:
//
//	{alice}          the username of alias alice (defined by a Given step)
//	{lower:alice}    the same, lower-cased; {upper:alice} upper-cased
//	{gid:team}       the gid of group alias team, in decimal
//	{name:team}      a run-unique group name for alias team
//	{var:x}          a value remembered with "I remember the JSON at ..."
//	{repeat:TEXT:N}  TEXT repeated N times ({repeat:é:32} is 64 bytes)
//	{limit}          the member limit of the target (owner included)
//
// An alias used before it is defined is an error, never a silent new name;
// "limit" is reserved for {limit}.
//
// # Vocabulary
//
// Setup (any keyword; "in the second app" needs @two-apps):
//
//	the target offers the "CAP" capability      (first step of a @CAP scenario)
//	a registered user "A" [in the second app]
//	the registered users "A B C" [in the second app]   (one batch)
//	a fresh username "A" | fresh usernames "A B" | a fresh username "A" of N bytes
//	a group "G" owned by "A" [with members "B C"]
//	a deleted group "G" owned by "A"             (a gid that names no group)
//	a crowd "M" of N|L|L-k registered users       (aliases M1..MN; L = member limit)
//	the next request authenticates with no Authorization header | an empty
//	  Authorization header | the Bearer scheme | undecodable base64 | base64
//	  without a colon | an unknown appKey | a wrong secret | the second app
//	the next request has header "NAME" set to "VALUE"
//
// Actions:
//
//	I send "METHOD" to "PATH" [as the second app] [with body:] + doc string
//	I send "METHOD" to "PATH" with content type "CT" and body:
//	I send "METHOD" to "PATH" with a chunked body:
//	I register a batch of N fresh users "P"       (aliases P1..PN)
//	I register "A" in N concurrent requests
//	I send up to N bursts of M concurrent "GET" requests to "PATH"
//	I page through the user|group list N at a time
//	I request the user|group list from past its end
//	I create a group "G" owned by "A" with crowd "M" X to Y
//	I add crowd "M" X to Y to group "G" [while removing "A B"]
//	I create N groups "P" owned by "A"            (aliases P1..PN, one request each)
//	I call the new group "G" | I remember the response body as "R"
//	I remember the JSON at "PATH" as "V" | I wait for the clock to pass a second
//
// Assertions (PATH is a gjson path such as "users.0" or "#"):
//
//	the response status is N | the response status is one of "N M"
//	the request fails with status N and code C | ... with code C or D
//	the response is a success or a well-formed client error   (implementation-defined points)
//	the response is not a server error
//	the response body is JSON: | the response body includes JSON: | the response body is empty
//	the response body equals the remembered "R" | the response content type is JSON
//	the JSON at "PATH" equals JSON | is a string|integer|positive integer|array|object|time|recent time
//	the JSON at "PATH" does not exist | has N items | is the same as the remembered "R"
//	the number at "PATH" is greater than the remembered "V"
//	the time at "PATH" is later than the remembered "R" | is not before the time at "PATH2" | falls on "YYYY-MM-DD"
//	the response header "H" lists "A B" | is a whole number of at least N
//	the batch results are: + table | username | code |   ("(none)": omitted or null)
//	every batch item succeeded | none|all of the batch users "P" exist
//	user "A" exists|does not exist [in the second app] | group "G" exists|does not exist
//	the groups of "A" are "G H" | the response body is the ascending gids of groups "G H"
//	group "G" has members "B C" | group "G" lists its owner then "B C" | group "G" has N members in all
//	the pages tile the list with my users|groups in order
//	the user|group page is consistent with start S and count C
//	exactly one registration succeeded and the others failed with code 899001
//	at least one request was shed with status 503 and code 899030
//	every burst answer is a success or a 503 with code 899030
//	groups owned by "A" never reuse the gid of a deleted group
//	group "G" is not visible to the second app
//
// Every request a step sends is judged on the spot, whatever the scenario
// asserts next: a body is JSON with Content-Type application/json, an error
// is the error body of §1 with the status its code has in §2, a success of
// a known endpoint matches its schema in package spec, a 405 has Allow and
// a 503 899030 a whole Retry-After. A request shed with 503 899030 is
// retried a few times (shedding changes nothing), except where the scenario
// wants to see the shedding.
package steps
