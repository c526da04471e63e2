package steps

import "jmcheck/spec"

// count is a count written as a number or relative to the member limit L.
const count = `(L|L[-+]\d+|\d+)`

// definitions is the vocabulary: every step pattern and the method of the
// scenario that handles it, grouped as the methods are (see doc.go for the
// words).
func (st *scenario) definitions() []Definition {
	return []Definition{
		// Setup: capabilities, credentials, headers (exchange.go, suite.go).
		{`^the target offers the "([^"]*)" capability$`, st.capability},
		{`^the next request authenticates with (no Authorization header|an empty Authorization header|the Bearer scheme|undecodable base64|base64 without a colon|an unknown appKey|a wrong secret|the second app)$`, st.nextAuth},
		{`^the next request has header "([^"]*)" set to "([^"]*)"$`, st.nextHeader},

		// Users (users.go).
		{`^a registered user "([^"]*)"( in the second app)?$`, st.registeredUsers},
		{`^the registered users "([^"]*)"( in the second app)?$`, st.registeredUsers},
		{`^a fresh username "([^"]*)"$`, st.freshUsername},
		{`^fresh usernames "([^"]*)"$`, st.freshUsernames},
		{`^a fresh username "([^"]*)" of (\d+) bytes$`, st.freshSizedUsername},
		{`^a crowd "([^"]*)" of ` + count + ` registered users$`, st.crowd},
		{`^I register a batch of (\d+) fresh users "([^"]*)"$`, st.registerBatch},
		{`^I register "([^"]*)" in (\d+) concurrent requests$`, st.registerConcurrently},
		{`^the batch results are:$`, st.batchResults},
		{`^every batch item succeeded$`, st.everyBatchItemSucceeded},
		{`^(none|all) of the batch users "([^"]*)" exist$`, st.batchUsersExist},
		{`^user "([^"]*)" exists( in the second app)?$`, st.userExists},
		{`^user "([^"]*)" does not exist( in the second app)?$`, st.userDoesNotExist},
		{`^exactly one registration succeeded and the others failed with code ` + spec.CodeUserExists.String() + `$`, st.exactlyOneRegistration},

		// Groups and members (groups.go).
		{`^a group "([^"]*)" owned by "([^"]*)"$`, st.groupOwnedBy},
		{`^a group "([^"]*)" owned by "([^"]*)" with members "([^"]*)"$`, st.groupWithMembers},
		{`^a deleted group "([^"]*)" owned by "([^"]*)"$`, st.deletedGroup},
		{`^I create a group "([^"]*)" owned by "([^"]*)" with crowd "([^"]*)" ` + count + ` to ` + count + `$`, st.createGroupWithCrowd},
		{`^I add crowd "([^"]*)" ` + count + ` to ` + count + ` to group "([^"]*)"(?: while removing "([^"]*)")?$`, st.addCrowd},
		{`^I call the new group "([^"]*)"$`, st.callNewGroup},
		{`^I create (\d+) groups "([^"]*)" owned by "([^"]*)"$`, st.createGroups},
		{`^group "([^"]*)" exists$`, st.groupExists},
		{`^group "([^"]*)" does not exist$`, st.groupDoesNotExist},
		{`^the groups of "([^"]*)" are "([^"]*)"$`, st.groupsOf},
		{`^the response body is the ascending gids of groups "([^"]*)"$`, st.bodyIsGids},
		{`^group "([^"]*)" has members "([^"]*)"$`, st.groupHasMembers},
		{`^group "([^"]*)" lists its owner then "([^"]*)"$`, st.memberList},
		{`^group "([^"]*)" has ` + count + ` members in all$`, st.memberCount},
		{`^groups owned by "([^"]*)" never reuse the gid of a deleted group$`, st.gidsNotReused},
		{`^group "([^"]*)" is not visible to the second app$`, st.groupInvisibleToSecondApp},

		// Messages (messages.go).
		{`^I send (\d+) messages from "([^"]*)" to "([^"]*)"$`, st.sendMessages},
		{`^their msg_ids are distinct and increasing$`, st.msgIDsIncrease},

		// Lists (lists.go).
		{`^I page through the (user|group) list (\d+) at a time$`, st.walkList},
		{`^the pages tile the list with my (users|groups) in order$`, st.pagesTile},
		{`^the (user|group) page is consistent with start (\d+) and count (\d+)$`, st.pageIsConsistent},
		{`^I request the (user|group) list from past its end$`, st.pastTheEnd},

		// Requests (requests.go).
		{`^I send "([A-Z]+)" to "([^"]*)"( as the second app)?$`, st.sendNoBody},
		{`^I send "([A-Z]+)" to "([^"]*)"( as the second app)? with body:$`, st.sendWithBody},
		{`^I send "([A-Z]+)" to "([^"]*)" with content type "([^"]*)" and body:$`, st.sendWithContentType},
		{`^I send "([A-Z]+)" to "([^"]*)" with a chunked body:$`, st.sendChunked},
		{`^I send up to (\d+) bursts of (\d+) concurrent "GET" requests to "([^"]*)"$`, st.bursts},
		{`^I wait for the clock to pass a second$`, st.waitASecond},
		{`^I remember the response body as "([^"]*)"$`, st.rememberBody},
		{`^I remember the JSON at "([^"]*)" as "([^"]*)"$`, st.rememberJSON},
		{`^at least one request was shed with status 503 and code ` + spec.CodeBusy.String() + `$`, st.someShed},
		{`^every burst answer is a success or a 503 with code ` + spec.CodeBusy.String() + `$`, st.burstAnswersOK},

		// Answers (answers.go).
		{`^the response status is (\d+)$`, st.statusIs},
		{`^the response status is one of "([^"]*)"$`, st.statusIsOneOf},
		{`^the request fails with status (\d+) and code (\d+)$`, st.failsWith},
		{`^the request fails with code (\d+) or (\d+)$`, st.failsWithEither},
		{`^the response is a success or a well-formed client error$`, st.successOrClientError},
		{`^the response is not a server error$`, st.notServerError},
		{`^the response body is JSON:$`, st.bodyIs},
		{`^the response body includes JSON:$`, st.bodyIncludes},
		{`^the response body is empty$`, st.bodyIsEmpty},
		{`^the response body equals the remembered "([^"]*)"$`, st.bodyEqualsRemembered},
		{`^the response content type is JSON$`, st.contentTypeIsJSON},
		{`^the response header "([^"]*)" lists "([^"]*)"$`, st.headerLists},
		{`^the response header "([^"]*)" is a whole number of at least (\d+)$`, st.headerIsWholeNumber},
		{`^the JSON at "([^"]*)" equals (.+)$`, st.jsonEquals},
		{`^the JSON at "([^"]*)" is an? (string|integer|positive integer|array|object|time|recent time)$`, st.jsonIsA},
		{`^the JSON at "([^"]*)" does not exist$`, st.jsonDoesNotExist},
		{`^the JSON at "([^"]*)" has (\d+) items?$`, st.jsonHasItems},
		{`^the JSON at "([^"]*)" is the same as the remembered "([^"]*)"$`, st.jsonSameAsRemembered},
		{`^the number at "([^"]*)" is greater than the remembered "([^"]*)"$`, st.numberGreater},
		{`^the time at "([^"]*)" is later than the remembered "([^"]*)"$`, st.timeLater},
		{`^the time at "([^"]*)" is not before the time at "([^"]*)"$`, st.timeNotBefore},
		{`^the time at "([^"]*)" falls on "(\d{4}-\d{2}-\d{2})"$`, st.timeFallsOn},
	}
}
