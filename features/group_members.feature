@spec:4
Feature: Group members — POST /v1/groups/{gid}/members and GET /v1/groups/{gid}/members/
  {"add":[...],"remove":[...]} with at least one non-empty list. The member
  list shows the owner first with flag 1, then members in join order with
  flag 0, each with the time it joined. The member limit counts the owner
  (spec/PROFILE.md §4); a failed update changes nothing (§2).

  Background:
    Given the registered users "owner bob carol dave"
    And a group "team" owned by "owner" with members "bob carol"

  @endpoint:GET:/v1/groups/{gid}/members/ @spec:7
  Scenario: The member list shows the owner first with flag 1, then members in join order
    When I send "GET" to "/v1/groups/{gid:team}/members/"
    Then the response status is 200
    And the response content type is JSON
    And the JSON at "#" equals 3
    And the JSON at "0.username" equals "{owner}"
    And the JSON at "0.flag" equals 1
    And the JSON at "0.ctime" is a recent time
    And the JSON at "1.username" equals "{bob}"
    And the JSON at "1.flag" equals 0
    And the JSON at "1.ctime" is a recent time
    And the JSON at "2.username" equals "{carol}"
    And the JSON at "2.flag" equals 0
    And the JSON at "2.ctime" is a time

  @endpoint:POST:/v1/groups/{gid}/members
  Scenario: Adding a member answers 204, and the new member comes last
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"add": ["{dave}"]}
      """
    Then the response status is 204
    And the response body is empty
    And group "team" lists its owner then "bob carol dave"
    And group "team" has members "bob carol dave"

  @endpoint:POST:/v1/groups/{gid}/members
  Scenario: Removing a member answers 204
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"remove": ["{bob}"]}
      """
    Then the response status is 204
    And group "team" lists its owner then "carol"
    And the groups of "bob" are ""

  @endpoint:POST:/v1/groups/{gid}/members
  Scenario: Adding and removing in one request; a member who rejoins goes last
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"add": ["{dave}"], "remove": ["{bob}"]}
      """
    Then the response status is 204
    And group "team" lists its owner then "carol dave"
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"add": ["{bob}"], "remove": []}
      """
    Then the response status is 204
    And group "team" lists its owner then "carol dave bob"

  @endpoint:POST:/v1/groups/{gid}/members @code:899011
  Scenario: Adding a member again is 400 899011 and adds no one else
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"add": ["{dave}", "{bob}"]}
      """
    Then the request fails with status 400 and code 899011
    And group "team" lists its owner then "bob carol"
    And the groups of "dave" are ""

  @endpoint:POST:/v1/groups/{gid}/members @code:899011
  Scenario: Adding the owner is 400 899011: the owner counts as in the group
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"add": ["{owner}"]}
      """
    Then the request fails with status 400 and code 899011
    And group "team" lists its owner then "bob carol"

  @endpoint:POST:/v1/groups/{gid}/members @code:899002 @spec:2
  Scenario: An unknown user in add is 403 899002 and nothing changes
    Given a fresh username "ghost"
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"add": ["{dave}", "{ghost}"], "remove": ["{bob}"]}
      """
    Then the request fails with status 403 and code 899002
    And group "team" lists its owner then "bob carol"

  @endpoint:POST:/v1/groups/{gid}/members @code:899002 @spec:7a
  Scenario: An unknown user is reported before a member added again
    Given a fresh username "ghost"
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"add": ["{bob}", "{ghost}"]}
      """
    Then the request fails with status 403 and code 899002

  @endpoint:POST:/v1/groups/{gid}/members @code:899003 @spec:2
  Scenario Outline: A malformed update is 400 899003 and nothing changes: <case>
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      <body>
      """
    Then the request fails with status 400 and code 899003
    And group "team" lists its owner then "bob carol"

    Examples:
      | case                      | body                                              |
      | both lists missing        | {}                                                |
      | both lists empty          | {"add": [], "remove": []}                         |
      | a name in both lists      | {"add": ["{dave}"], "remove": ["{dave}"]}         |
      | a member in both lists    | {"add": ["{bob}"], "remove": ["{bob}"]}           |
      | removing the owner        | {"remove": ["{owner}", "{bob}"]}                  |
      | a name twice in add       | {"add": ["{dave}", "{dave}"]}                     |
      | a name twice in remove    | {"remove": ["{bob}", "{bob}"]}                    |
      | add not an array          | {"add": "{dave}"}                                 |
      | remove not an array       | {"remove": "{bob}"}                               |
      | a number in add           | {"add": [7]}                                      |
      | an array body             | [{"add": ["{dave}"]}]                             |
      | invalid JSON              | {"add": ["{dave}"]                                |

  @endpoint:POST:/v1/groups/{gid}/members @code:899003 @spec:7a
  Scenario: A malformed update of an unknown group is 899003: syntax comes first
    Given a deleted group "gone" owned by "owner"
    When I send "POST" to "/v1/groups/{gid:gone}/members" with body:
      """
      {"add": []}
      """
    Then the request fails with status 400 and code 899003

  @endpoint:POST:/v1/groups/{gid}/members @code:899006
  Scenario: Updating the members of a gid that names no group is 403 899006
    Given a deleted group "gone" owned by "owner"
    When I send "POST" to "/v1/groups/{gid:gone}/members" with body:
      """
      {"add": ["{dave}"]}
      """
    Then the request fails with status 403 and code 899006

  @endpoint:POST:/v1/groups/{gid}/members @code:899006 @spec:7a
  Scenario: A gid that names no group is reported before an unknown user in the body
    Given a deleted group "gone" owned by "owner"
    And a fresh username "ghost"
    When I send "POST" to "/v1/groups/{gid:gone}/members" with body:
      """
      {"add": ["{ghost}"]}
      """
    Then the request fails with status 403 and code 899006

  @endpoint:POST:/v1/groups/{gid}/members
  Scenario: Unknown keys in a members update are ignored
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"add": ["{dave}"], "colour": "teal"}
      """
    Then the response status is 204
    And group "team" lists its owner then "bob carol dave"

  @endpoint:GET:/v1/groups/{gid}/members/ @code:899006
  Scenario: The member list of a gid that names no group is 403 899006
    Given a deleted group "gone" owned by "owner"
    When I send "GET" to "/v1/groups/{gid:gone}/members/"
    Then the request fails with status 403 and code 899006

  @endpoint:POST:/v1/groups/{gid}/members @code:899003
  Scenario Outline: Updating the members of a gid that is not a positive integer is 899003: <gid>
    When I send "POST" to "/v1/groups/<gid>/members" with body:
      """
      {"add": ["{dave}"]}
      """
    Then the request fails with status 400 and code 899003

    Examples:
      | gid |
      | abc |
      | -3  |
      | 0   |

  @endpoint:GET:/v1/groups/{gid}/members/ @code:899003
  Scenario: The member list of a gid that is not a positive integer is 899003
    When I send "GET" to "/v1/groups/abc/members/"
    Then the request fails with status 400 and code 899003

  @endpoint:POST:/v1/groups/{gid}/members @impl-defined
  Scenario Outline: Removing a non-member gets a success or a well-formed error, and changes nothing: <who>
    Given a fresh username "ghost"
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"remove": ["<who>"]}
      """
    Then the response is a success or a well-formed client error
    And group "team" lists its owner then "bob carol"

    Examples:
      | who     |
      | {dave}  |
      | {ghost} |

  @endpoint:POST:/v1/groups/{gid}/members @code:899002 @code:899003 @spec:7a
  Scenario: A name in add that breaks the username rules is 899003 or not found
    When I send "POST" to "/v1/groups/{gid:team}/members" with body:
      """
      {"add": ["no good"]}
      """
    Then the request fails with code 899003 or 899002
    And group "team" lists its owner then "bob carol"
