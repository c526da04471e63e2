@spec:3 @endpoint:GET:/v1/users/{username}/groups/
Feature: A user's groups — GET /v1/users/{username}/groups/
  The gids of the groups the user owns or belongs to, ascending (spec/PROFILE.md §3).

  Background:
    Given the registered users "alice bob carol"

  Scenario: The groups a user owns and belongs to, ascending
    Given a group "mine" owned by "alice" with members "bob"
    And a group "theirs" owned by "bob" with members "alice carol"
    When I send "GET" to "/v1/users/{alice}/groups/"
    Then the response status is 200
    And the response body is the ascending gids of groups "mine theirs"
    And the groups of "bob" are "mine theirs"
    And the groups of "carol" are "theirs"

  Scenario: A user in no group has an empty list
    When I send "GET" to "/v1/users/{carol}/groups/"
    Then the response status is 200
    And the response body is JSON:
      """
      []
      """

  @spec:4
  Scenario: Leaving a group, or the group's deletion, takes it off the list
    Given a group "one" owned by "alice" with members "carol"
    And a group "two" owned by "bob" with members "carol"
    When I send "POST" to "/v1/groups/{gid:one}/members" with body:
      """
      {"remove": ["{carol}"]}
      """
    Then the response status is 204
    And the groups of "carol" are "two"
    When I send "DELETE" to "/v1/groups/{gid:two}"
    Then the response status is 204
    And the groups of "carol" are ""
    And the groups of "bob" are ""

  @code:899002
  Scenario: The groups of an unknown user are 403 899002
    Given a fresh username "ghost"
    When I send "GET" to "/v1/users/{ghost}/groups/"
    Then the request fails with status 403 and code 899002

  @code:899003 @code:899002 @spec:7a
  Scenario: A path name that breaks the username rules is 899003 or not found
    When I send "GET" to "/v1/users/_bad/groups/"
    Then the request fails with code 899003 or 899002
