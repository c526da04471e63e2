@spec:3
Feature: A user's profile — GET, PUT and DELETE /v1/users/{username}
  GET shows username, ctime and mtime always and a field never set not at
  all. PUT changes only the keys it gives, and mtime moves. DELETE frees the
  name and takes the user out of its groups (spec/PROFILE.md §3, times §7).

  Background:
    Given a registered user "alice"

  @endpoint:GET:/v1/users/{username} @spec:7
  Scenario: A new user shows username, ctime and mtime and omits every field never set
    When I send "GET" to "/v1/users/{alice}"
    Then the response status is 200
    And the response content type is JSON
    And the JSON at "username" equals "{alice}"
    And the JSON at "ctime" is a recent time
    And the JSON at "mtime" is a recent time
    And the time at "mtime" is not before the time at "ctime"
    And the JSON at "nickname" does not exist
    And the JSON at "avatar" does not exist
    And the JSON at "star" does not exist
    And the JSON at "birthday" does not exist
    And the JSON at "gender" does not exist
    And the JSON at "signature" does not exist
    And the JSON at "region" does not exist
    And the JSON at "address" does not exist
    And the JSON at "password" does not exist

  @endpoint:GET:/v1/users/{username} @code:899002
  Scenario: Getting an unknown user is 403 899002
    Given a fresh username "ghost"
    When I send "GET" to "/v1/users/{ghost}"
    Then the request fails with status 403 and code 899002

  @endpoint:GET:/v1/users/{username} @code:899003 @code:899002 @spec:7a
  Scenario Outline: A path name that breaks the username rules is 899003 or not found: <case>
    When I send "GET" to "/v1/users/<name>"
    Then the request fails with code 899003 or 899002

    Examples:
      | case           | name        |
      | too short      | abc         |
      | bad first char | _abcdef     |
      | a space        | abc%20def   |
      | too long       | {repeat:a:129} |

  @endpoint:GET:/v1/users/{username} @impl-defined
  Scenario: Whether usernames are case-sensitive is the server's choice
    When I send "GET" to "/v1/users/{upper:alice}"
    Then the response is a success or a well-formed client error

  @endpoint:PUT:/v1/users/{username} @endpoint:GET:/v1/users/{username} @spec:7
  Scenario: Every profile field can be set and reads back
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      {
        "nickname": "Ali 阿里",
        "avatar": "/avatars/alice.png",
        "star": 3,
        "birthday": "1990-05-17 08:30:00",
        "gender": 2,
        "signature": "hello",
        "region": "Shanghai",
        "address": "1 Bund Road"
      }
      """
    Then the response status is 204
    And the response body is empty
    When I send "GET" to "/v1/users/{alice}"
    Then the response status is 200
    And the response body includes JSON:
      """
      {
        "username": "{alice}",
        "nickname": "Ali 阿里",
        "avatar": "/avatars/alice.png",
        "star": 3,
        "birthday": "1990-05-17 08:30:00",
        "gender": 2,
        "signature": "hello",
        "region": "Shanghai",
        "address": "1 Bund Road"
      }
      """
    And the time at "mtime" is not before the time at "ctime"

  @endpoint:PUT:/v1/users/{username} @spec:7
  Scenario: A birthday given as a date reads back as a time on that date
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      {"birthday": "1990-05-17"}
      """
    Then the response status is 204
    When I send "GET" to "/v1/users/{alice}"
    Then the JSON at "birthday" is a time
    And the time at "birthday" falls on "1990-05-17"

  @endpoint:PUT:/v1/users/{username}
  Scenario: Only the given keys change
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      {"nickname": "first", "signature": "keep me", "gender": 1}
      """
    Then the response status is 204
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      {"star": 5}
      """
    Then the response status is 204
    When I send "GET" to "/v1/users/{alice}"
    Then the response body includes JSON:
      """
      {"nickname": "first", "signature": "keep me", "gender": 1, "star": 5}
      """
    And the JSON at "avatar" does not exist

  @endpoint:PUT:/v1/users/{username} @spec:7
  Scenario: A change moves mtime and keeps ctime
    When I send "GET" to "/v1/users/{alice}"
    And I remember the response body as "before"
    And I wait for the clock to pass a second
    And I send "PUT" to "/v1/users/{alice}" with body:
      """
      {"nickname": "later"}
      """
    Then the response status is 204
    When I send "GET" to "/v1/users/{alice}"
    Then the time at "mtime" is later than the remembered "before"
    And the JSON at "ctime" is the same as the remembered "before"

  @endpoint:PUT:/v1/users/{username}
  Scenario Outline: Field values within their bounds are accepted, lengths in bytes: <case>
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      {<field>}
      """
    Then the response status is 204

    Examples:
      | case                             | field                             |
      | nickname of 64 bytes             | "nickname": "{repeat:n:64}"       |
      | nickname of 64 bytes in 22 runes | "nickname": "{repeat:中:21}a"     |
      | nickname of 32 two-byte runes    | "nickname": "{repeat:é:32}"       |
      | empty nickname                   | "nickname": ""                    |
      | avatar of 250 bytes              | "avatar": "{repeat:a:250}"        |
      | signature of 250 bytes           | "signature": "{repeat:s:250}"     |
      | region of 250 bytes              | "region": "{repeat:r:250}"        |
      | address of 250 bytes             | "address": "{repeat:d:250}"       |
      | star 0                           | "star": 0                         |
      | gender 0                         | "gender": 0                       |
      | gender 1                         | "gender": 1                       |
      | birthday on a leap day           | "birthday": "2000-02-29"          |
      | birthday with a time             | "birthday": "2000-02-29 23:59:59" |

  @endpoint:PUT:/v1/users/{username} @code:899003
  Scenario Outline: Field values out of their bounds are refused with 899003, lengths in bytes: <case>
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      {<field>}
      """
    Then the request fails with status 400 and code 899003

    Examples:
      | case                             | field                             |
      | nickname of 65 bytes             | "nickname": "{repeat:n:65}"       |
      | nickname of 66 bytes in 22 runes | "nickname": "{repeat:中:22}"      |
      | nickname of 65 bytes in 33 runes | "nickname": "{repeat:é:32}a"      |
      | nickname with a newline          | "nickname": "two\\nlines"         |
      | nickname with a return           | "nickname": "two\\rlines"         |
      | nickname a number                | "nickname": 12                    |
      | avatar of 251 bytes              | "avatar": "{repeat:a:251}"        |
      | signature of 251 bytes           | "signature": "{repeat:s:251}"     |
      | region of 251 bytes              | "region": "{repeat:r:251}"        |
      | address of 251 bytes             | "address": "{repeat:d:251}"       |
      | star negative                    | "star": -1                        |
      | star a string                    | "star": "3"                       |
      | star a boolean                   | "star": true                      |
      | star a fraction                  | "star": 1.5                       |
      | gender 3                         | "gender": 3                       |
      | gender -1                        | "gender": -1                      |
      | gender a string                  | "gender": "1"                     |
      | gender a boolean                 | "gender": false                   |
      | birthday February 30             | "birthday": "1990-02-30"          |
      | birthday February 29, 1990       | "birthday": "1990-02-29"          |
      | birthday month 13                | "birthday": "1990-13-01"          |
      | birthday hour 25                 | "birthday": "1990-01-01 25:00:00" |
      | birthday with slashes            | "birthday": "1990/01/01"          |
      | birthday without padding         | "birthday": "1990-1-1"            |
      | birthday a number                | "birthday": 19900101              |
      | unknown key                      | "colour": "teal"                  |
      | read-only username               | "username": "{alice}"             |
      | read-only password               | "password": "pass-word-2"         |
      | read-only ctime                  | "ctime": "2015-01-01 00:00:00"    |
      | read-only mtime                  | "mtime": "2015-01-01 00:00:00"    |
      | no key at all                    |                                   |

  @endpoint:PUT:/v1/users/{username} @code:899003 @spec:2
  Scenario Outline: A refused update changes nothing: <case>
    Given I send "PUT" to "/v1/users/{alice}" with body:
      """
      {"nickname": "kept", "star": 1}
      """
    And I send "GET" to "/v1/users/{alice}"
    And I remember the response body as "before"
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      <body>
      """
    Then the request fails with status 400 and code 899003
    When I send "GET" to "/v1/users/{alice}"
    Then the response body equals the remembered "before"

    Examples:
      | case                   | body                                     |
      | one bad field of two   | {"nickname": "changed", "gender": 7}     |
      | an unknown key         | {"nickname": "changed", "colour": "red"} |
      | a read-only key        | {"star": 2, "ctime": "2015-01-01 00:00:00"} |

  @endpoint:PUT:/v1/users/{username} @code:899003
  Scenario Outline: An update body that is not a JSON object is malformed: <case>
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      <body>
      """
    Then the request fails with status 400 and code 899003

    Examples:
      | case         | body                    |
      | an array     | [{"nickname": "x"}]     |
      | a string     | "nickname"              |
      | null         | null                    |
      | invalid JSON | {"nickname": "x"        |

  @endpoint:PUT:/v1/users/{username} @code:899002
  Scenario: Updating an unknown user is 403 899002
    Given a fresh username "ghost"
    When I send "PUT" to "/v1/users/{ghost}" with body:
      """
      {"nickname": "boo"}
      """
    Then the request fails with status 403 and code 899002

  @endpoint:PUT:/v1/users/{username} @code:899003 @spec:7a
  Scenario: A malformed update of an unknown user is 899003: syntax comes before the path's resource
    Given a fresh username "ghost"
    When I send "PUT" to "/v1/users/{ghost}" with body:
      """
      {"gender": 9}
      """
    Then the request fails with status 400 and code 899003

  @endpoint:PUT:/v1/users/{username} @impl-defined @spec:7a
  Scenario Outline: Implementation-defined update bodies get a success or a well-formed error: <case>
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      <body>
      """
    Then the response is a success or a well-formed client error

    Examples:
      | case                 | body                                  |
      | integer as 2.0       | {"star": 2.0}                         |
      | integer as 1e2       | {"star": 1e2}                         |
      | null optional field  | {"nickname": null}                    |
      | a duplicate key      | {"nickname": "a", "nickname": "b"}    |

  @endpoint:DELETE:/v1/users/{username}
  Scenario: Deleting a user frees the name
    When I send "DELETE" to "/v1/users/{alice}"
    Then the response status is 204
    And the response body is empty
    And user "alice" does not exist
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "{alice}", "password": "pass-word-9"}]
      """
    Then the batch results are:
      | username | code |
      | {alice}  |      |

  @endpoint:DELETE:/v1/users/{username} @code:899002
  Scenario: Deleting an unknown or already deleted user is 403 899002
    When I send "DELETE" to "/v1/users/{alice}"
    Then the response status is 204
    When I send "DELETE" to "/v1/users/{alice}"
    Then the request fails with status 403 and code 899002

  @endpoint:DELETE:/v1/users/{username} @code:899003 @code:899002 @spec:7a
  Scenario: Deleting a path name that breaks the username rules is 899003 or not found
    When I send "DELETE" to "/v1/users/a%20b"
    Then the request fails with code 899003 or 899002
    And user "alice" exists

  @endpoint:DELETE:/v1/users/{username} @code:899010 @spec:2
  Scenario: A user who owns a group cannot be deleted, and stays
    Given a registered user "bob"
    And a group "team" owned by "alice" with members "bob"
    When I send "DELETE" to "/v1/users/{alice}"
    Then the request fails with status 400 and code 899010
    And user "alice" exists
    And group "team" exists
    And group "team" lists its owner then "bob"

  @endpoint:DELETE:/v1/users/{username} @endpoint:DELETE:/v1/groups/{gid}
  Scenario: Once the group is deleted its owner can be deleted
    Given a group "team" owned by "alice"
    When I send "DELETE" to "/v1/groups/{gid:team}"
    Then the response status is 204
    When I send "DELETE" to "/v1/users/{alice}"
    Then the response status is 204

  @endpoint:DELETE:/v1/users/{username} @spec:4
  Scenario: A deleted user leaves every group it was a member of
    Given the registered users "bob carol"
    And a group "team" owned by "bob" with members "alice carol"
    And a group "club" owned by "carol" with members "alice"
    When I send "DELETE" to "/v1/users/{alice}"
    Then the response status is 204
    And group "team" lists its owner then "carol"
    And group "team" has members "carol"
    And group "club" lists its owner then ""
    And the groups of "carol" are "team club"
