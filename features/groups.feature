@spec:4
Feature: Groups — POST /v1/groups/, GET and DELETE /v1/groups/{gid}, GET /v1/groups/
  A group has an owner, members (without the owner), a name of 1..64 bytes
  and a desc of at most 250 bytes. gids are positive, unique within the app
  and never reused (spec/PROFILE.md §4).

  Background:
    Given the registered users "alice bob carol"

  @endpoint:POST:/v1/groups/ @endpoint:GET:/v1/groups/{gid}
  Scenario: Creating a group answers 201 with the group, and GET shows the same
    When I send "POST" to "/v1/groups/" with body:
      """
      {
        "owner_username": "{alice}",
        "group_name": "{name:team}",
        "members_username": ["{bob}", "{carol}"],
        "group_desc": "the team"
      }
      """
    Then the response status is 201
    And the response content type is JSON
    And the JSON at "gid" is a positive integer
    And the response body includes JSON:
      """
      {
        "owner_username": "{alice}",
        "group_name": "{name:team}",
        "members_username": ["{bob}", "{carol}"],
        "group_desc": "the team"
      }
      """
    When I call the new group "team"
    And I send "GET" to "/v1/groups/{gid:team}"
    Then the response status is 200
    And the response body includes JSON:
      """
      {
        "gid": {gid:team},
        "owner_username": "{alice}",
        "group_name": "{name:team}",
        "members_username": ["{bob}", "{carol}"],
        "group_desc": "the team"
      }
      """

  @endpoint:POST:/v1/groups/ @endpoint:GET:/v1/groups/{gid}
  Scenario: Without members and desc, a group has [] and "" — in the answer and on GET
    When I send "POST" to "/v1/groups/" with body:
      """
      {"owner_username": "{alice}", "group_name": "{name:solo}"}
      """
    Then the response status is 201
    And the JSON at "members_username" equals []
    And the JSON at "group_desc" equals ""
    When I call the new group "solo"
    And I send "GET" to "/v1/groups/{gid:solo}"
    Then the response body includes JSON:
      """
      {"gid": {gid:solo}, "owner_username": "{alice}", "members_username": [], "group_desc": ""}
      """

  @endpoint:POST:/v1/groups/
  Scenario Outline: Names and descs within their bounds are accepted, lengths in bytes: <case>
    When I send "POST" to "/v1/groups/" with body:
      """
      {"owner_username": "{alice}", <fields>}
      """
    Then the response status is 201

    Examples:
      | case                               | fields                                                  |
      | a name of 1 byte                   | "group_name": "g"                                       |
      | a name of 64 bytes                 | "group_name": "{repeat:g:64}"                           |
      | a name of 64 bytes in 22 runes     | "group_name": "{repeat:中:21}g"                         |
      | a desc of 250 bytes                | "group_name": "g", "group_desc": "{repeat:d:250}"       |
      | an empty desc                      | "group_name": "g", "group_desc": ""                     |
      | unknown keys, ignored              | "group_name": "g", "colour": "teal"                     |

  @endpoint:POST:/v1/groups/ @code:899003 @spec:2
  Scenario Outline: A malformed group is refused with 899003 and nothing is created: <case>
    When I send "POST" to "/v1/groups/" with body:
      """
      <body>
      """
    Then the request fails with status 400 and code 899003
    And the groups of "alice" are ""
    And the groups of "bob" are ""

    Examples:
      | case                          | body                                                                                        |
      | no name                       | {"owner_username": "{alice}"}                                                               |
      | an empty name                 | {"owner_username": "{alice}", "group_name": ""}                                             |
      | a name of 65 bytes            | {"owner_username": "{alice}", "group_name": "{repeat:g:65}"}                                |
      | a name of 66 bytes in 22 runes| {"owner_username": "{alice}", "group_name": "{repeat:中:22}"}                               |
      | a name with a newline         | {"owner_username": "{alice}", "group_name": "a\\nb"}                                         |
      | a name with a return          | {"owner_username": "{alice}", "group_name": "a\\rb"}                                         |
      | a name that is a number       | {"owner_username": "{alice}", "group_name": 42}                                             |
      | a desc of 251 bytes           | {"owner_username": "{alice}", "group_name": "g", "group_desc": "{repeat:d:251}"}            |
      | a desc that is a number       | {"owner_username": "{alice}", "group_name": "g", "group_desc": 7}                           |
      | no owner                      | {"group_name": "g", "members_username": ["{bob}"]}                                          |
      | an owner that is a number     | {"owner_username": 7, "group_name": "g"}                                                    |
      | members not an array          | {"owner_username": "{alice}", "group_name": "g", "members_username": "{bob}"}               |
      | a member that is a number     | {"owner_username": "{alice}", "group_name": "g", "members_username": [7]}                   |
      | the owner among the members   | {"owner_username": "{alice}", "group_name": "g", "members_username": ["{bob}", "{alice}"]}  |
      | a member listed twice         | {"owner_username": "{alice}", "group_name": "g", "members_username": ["{bob}", "{bob}"]}    |
      | an array body                 | [{"owner_username": "{alice}", "group_name": "g"}]                                          |
      | invalid JSON                  | {"owner_username": "{alice}", "group_name": "g"                                             |

  @endpoint:POST:/v1/groups/ @code:899002 @spec:2
  Scenario: An unknown owner is 403 899002
    Given a fresh username "ghost"
    When I send "POST" to "/v1/groups/" with body:
      """
      {"owner_username": "{ghost}", "group_name": "g", "members_username": ["{bob}"]}
      """
    Then the request fails with status 403 and code 899002
    And the groups of "bob" are ""

  @endpoint:POST:/v1/groups/ @code:899002 @spec:2
  Scenario: An unknown member is 403 899002 and no group is created
    Given a fresh username "ghost"
    When I send "POST" to "/v1/groups/" with body:
      """
      {"owner_username": "{alice}", "group_name": "g", "members_username": ["{bob}", "{ghost}"]}
      """
    Then the request fails with status 403 and code 899002
    And the groups of "alice" are ""
    And the groups of "bob" are ""

  @endpoint:POST:/v1/groups/ @code:899003 @spec:7a
  Scenario: A malformed field is reported before an unknown owner
    Given a fresh username "ghost"
    When I send "POST" to "/v1/groups/" with body:
      """
      {"owner_username": "{ghost}", "group_name": ""}
      """
    Then the request fails with status 400 and code 899003

  @endpoint:POST:/v1/groups/ @code:899003 @code:899002 @spec:7a
  Scenario: An owner name that breaks the username rules is 899003 or not found
    When I send "POST" to "/v1/groups/" with body:
      """
      {"owner_username": "_bad name", "group_name": "g"}
      """
    Then the request fails with code 899003 or 899002

  @endpoint:POST:/v1/groups/ @code:899003 @code:899002 @spec:7a
  Scenario: A member name that breaks the username rules is 899003 or not found, and nothing is created
    When I send "POST" to "/v1/groups/" with body:
      """
      {"owner_username": "{alice}", "group_name": "g", "members_username": ["{bob}", "no good"]}
      """
    Then the request fails with code 899003 or 899002
    And the groups of "alice" are ""

  @endpoint:POST:/v1/groups/ @impl-defined @spec:7a
  Scenario Outline: null for an optional group field gets a success or a well-formed error: <field>
    When I send "POST" to "/v1/groups/" with body:
      """
      {"owner_username": "{alice}", "group_name": "g", "<field>": null}
      """
    Then the response is a success or a well-formed client error

    Examples:
      | field            |
      | group_desc       |
      | members_username |

  @endpoint:GET:/v1/groups/{gid} @code:899006
  Scenario: A gid that names no group is 403 899006
    Given a deleted group "gone" owned by "alice"
    When I send "GET" to "/v1/groups/{gid:gone}"
    Then the request fails with status 403 and code 899006

  @endpoint:GET:/v1/groups/{gid} @code:899003
  Scenario Outline: A gid that is not a positive integer is 899003: <gid>
    When I send "GET" to "/v1/groups/<gid>"
    Then the request fails with status 400 and code 899003

    Examples:
      | gid  |
      | abc  |
      | 0    |
      | -1   |
      | 1.5  |
      | 1e3  |
      | 0x1F |

  @endpoint:GET:/v1/groups/{gid} @code:899003 @code:899006 @spec:7a
  Scenario: A gid too large for 64 bits is 899003 or 899006
    When I send "GET" to "/v1/groups/99999999999999999999999"
    Then the request fails with code 899003 or 899006

  @endpoint:DELETE:/v1/groups/{gid}
  Scenario: Deleting a group answers 204; the group is gone and off its users' lists
    Given a group "team" owned by "alice" with members "bob"
    When I send "DELETE" to "/v1/groups/{gid:team}"
    Then the response status is 204
    And the response body is empty
    And group "team" does not exist
    And the groups of "alice" are ""
    And the groups of "bob" are ""

  @endpoint:DELETE:/v1/groups/{gid} @code:899006
  Scenario: Deleting a group twice is 403 899006 the second time
    Given a deleted group "gone" owned by "alice"
    When I send "DELETE" to "/v1/groups/{gid:gone}"
    Then the request fails with status 403 and code 899006

  @endpoint:DELETE:/v1/groups/{gid} @code:899003
  Scenario: Deleting a gid that is not a positive integer is 899003
    When I send "DELETE" to "/v1/groups/abc"
    Then the request fails with status 400 and code 899003

  @endpoint:POST:/v1/groups/ @endpoint:DELETE:/v1/groups/{gid}
  Scenario: A gid is never reused after its group is deleted
    Then groups owned by "alice" never reuse the gid of a deleted group

  @endpoint:POST:/v1/groups/
  Scenario: Two groups of one owner get different gids
    Given a group "one" owned by "alice"
    And a group "two" owned by "alice"
    Then the groups of "alice" are "one two"

  @endpoint:GET:/v1/groups/
  Scenario: A page of the group list has the documented shape
    Given a group "one" owned by "alice"
    When I send "GET" to "/v1/groups/?start=0&count=10"
    Then the response status is 200
    And the JSON at "total" is an integer
    And the JSON at "groups" is an array
    And the group page is consistent with start 0 and count 10

  @endpoint:GET:/v1/groups/
  Scenario: Pages of 2 tile the group list, ascending by gid
    Given a group "g1" owned by "alice"
    And a group "g2" owned by "bob"
    And a group "g3" owned by "alice"
    And a group "g4" owned by "carol"
    And a group "g5" owned by "alice"
    When I page through the group list 2 at a time
    Then the pages tile the list with my groups in order

  @endpoint:GET:/v1/groups/
  Scenario: Starting past the end of the group list gives an empty page
    Given a group "one" owned by "alice"
    When I request the group list from past its end
    Then the response status is 200
    And the JSON at "groups" equals []
    And the JSON at "count" equals 0

  @endpoint:GET:/v1/groups/ @code:899003
  Scenario Outline: The group list's start and count are required decimal integers in range: <query>
    When I send "GET" to "/v1/groups/<query>"
    Then the request fails with status 400 and code 899003

    Examples:
      | query               |
      |                     |
      | ?start=0            |
      | ?count=10           |
      | ?start=-1&count=10  |
      | ?start=0&count=0    |
      | ?start=0&count=501  |
      | ?start=x&count=10   |
      | ?start=0&count=2.5  |
