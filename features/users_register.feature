@spec:3 @endpoint:POST:/v1/users/
Feature: Batch register — POST /v1/users/
  A JSON array of 1..500 {"username","password"} items. The answer is 201
  with one result per item, in order; each item is judged on its own
  (spec/PROFILE.md §3): not an object or a bad username is 899003, a bad password
  899004, a taken name 899001, in that order.

  Scenario: Registering users answers 201 with one result per item, in order
    Given fresh usernames "alice bob"
    When I send "POST" to "/v1/users/" with body:
      """
      [
        {"username": "{alice}", "password": "pass-word-1"},
        {"username": "{bob}", "password": "pass-word-2"}
      ]
      """
    Then the response status is 201
    And the response body includes JSON:
      """
      [{"username": "{alice}"}, {"username": "{bob}"}]
      """
    And user "alice" exists
    And user "bob" exists

  @code:899001 @code:899003 @code:899004
  Scenario: Failed items do not stop the others, and the answer keeps the batch order
    Given a registered user "taken"
    And fresh usernames "first last"
    When I send "POST" to "/v1/users/" with body:
      """
      [
        {"username": "{first}", "password": "pass-word-1"},
        {"username": "{taken}", "password": "pass-word-1"},
        {"username": "x", "password": "pass-word-1"},
        {"username": "{last}", "password": "abc"},
        {"username": "{last}", "password": "pass-word-1"}
      ]
      """
    Then the batch results are:
      | username | code   |
      | {first}  |        |
      | {taken}  | 899001 |
      | x        | 899003 |
      | {last}   | 899004 |
      | {last}   | 899001 |
    And user "first" exists
    And user "last" does not exist

  @code:899001
  Scenario: A 201 may hold only errors
    Given a registered user "taken"
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "{taken}", "password": "pass-word-1"}]
      """
    Then the batch results are:
      | username | code   |
      | {taken}  | 899001 |

  @code:899003
  Scenario Outline: A body that is not a non-empty array is malformed: <case>
    When I send "POST" to "/v1/users/" with body:
      """
      <body>
      """
    Then the request fails with status 400 and code 899003

    Examples:
      | case          | body                                            |
      | empty array   | []                                              |
      | an object     | {"username": "abcdef", "password": "pass-word"} |
      | a string      | "abcdef"                                        |
      | null          | null                                            |
      | invalid JSON  | [{"username": "abcdef", "password": "pass-word" |
      | trailing junk | [] []                                           |

  Scenario: A batch of exactly 500 users is registered
    When I register a batch of 500 fresh users "b"
    Then the response status is 201
    And every batch item succeeded
    And all of the batch users "b" exist

  @code:899013
  Scenario: A batch of 501 users is refused with 899013 and creates no one
    When I register a batch of 501 fresh users "b"
    Then the request fails with status 403 and code 899013
    And none of the batch users "b" exist

  @code:899003
  Scenario Outline: Usernames are 4..128 bytes: <bytes> bytes
    Given a fresh username "u" of <bytes> bytes
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "{u}", "password": "pass-word-1"}]
      """
    Then the batch results are:
      | username | code   |
      | {u}      | <code> |

    Examples:
      | bytes | code   |
      | 3     | 899003 |
      | 4     |        |
      | 128   |        |
      | 129   | 899003 |

  @code:899003
  Scenario Outline: Usernames are ASCII letters, digits and _ . - @, a letter or digit first: <name>
    Given a fresh username "u"
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "<name>", "password": "pass-word-1"}]
      """
    Then the batch results are:
      | username | code   |
      | <name>   | <code> |

    Examples: allowed
      | name         | code |
      | {u}_.-@x     |      |
      | 7{u}         |      |
      | {upper:u}    |      |

    Examples: refused
      | name      | code   |
      | _{u}      | 899003 |
      | .{u}      | 899003 |
      | -{u}      | 899003 |
      | @{u}      | 899003 |
      | {u} x     | 899003 |
      | {u}+x     | 899003 |
      | {u}/x     | 899003 |
      | {u}#x     | 899003 |
      | {u}é      | 899003 |
      | {u}中     | 899003 |

  @code:899003
  Scenario Outline: An item that is not an object, or has no string username, is malformed: <case>
    When I send "POST" to "/v1/users/" with body:
      """
      [<item>]
      """
    Then the batch results are:
      | username | code   |
      | (none)   | 899003 |

    Examples:
      | case                | item                                       |
      | a string            | "abcdef"                                   |
      | a number            | 17                                         |
      | null                | null                                       |
      | an array            | ["abcdef", "pass-word-1"]                  |
      | no username         | {"password": "pass-word-1"}                |
      | a number username   | {"username": 12345, "password": "pass-1"}  |
      | a null username     | {"username": null, "password": "pass-1"}   |
      | an array username   | {"username": ["abcd"], "password": "pw-1"} |

  @code:899004
  Scenario Outline: Passwords are strings of 4..128 bytes: <case>
    Given a fresh username "u"
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "{u}"<password>}]
      """
    Then the batch results are:
      | username | code   |
      | {u}      | <code> |

    Examples:
      | case                         | password                            | code   |
      | 4 bytes                      | , "password": "abcd"                |        |
      | 128 bytes                    | , "password": "{repeat:p:128}"      |        |
      | 2 two-byte runes (4 bytes)   | , "password": "éé"                  |        |
      | 64 two-byte runes (128 bytes)| , "password": "{repeat:é:64}"       |        |
      | 3 bytes                      | , "password": "abc"                 | 899004 |
      | 129 bytes                    | , "password": "{repeat:p:129}"      | 899004 |
      | 129 bytes in 65 runes        | , "password": "{repeat:é:64}a"      | 899004 |
      | empty                        | , "password": ""                    | 899004 |
      | missing                      |                                     | 899004 |
      | a number                     | , "password": 12345678              | 899004 |
      | null                         | , "password": null                  | 899004 |
      | an object                    | , "password": {"p": "pass-word-1"}  | 899004 |

  @code:899003 @code:899004 @code:899001
  Scenario: Per item, the username is judged first, then the password, then whether the name is taken
    Given a registered user "taken"
    When I send "POST" to "/v1/users/" with body:
      """
      [
        {"username": "_bad", "password": "abc"},
        {"username": "{taken}", "password": "abc"},
        {"username": "{taken}"}
      ]
      """
    Then the batch results are:
      | username | code   |
      | _bad     | 899003 |
      | {taken}  | 899004 |
      | {taken}  | 899004 |

  @code:899001
  Scenario: A name repeated within a batch fails from its second item on
    Given a fresh username "twin"
    When I send "POST" to "/v1/users/" with body:
      """
      [
        {"username": "{twin}", "password": "pass-word-1"},
        {"username": "{twin}", "password": "pass-word-2"},
        {"username": "{twin}", "password": "pass-word-3"}
      ]
      """
    Then the batch results are:
      | username | code   |
      | {twin}   |        |
      | {twin}   | 899001 |
      | {twin}   | 899001 |
    And user "twin" exists

  @code:899001 @code:899004
  Scenario: A name repeats an earlier item whatever became of that item
    Given a fresh username "twin"
    When I send "POST" to "/v1/users/" with body:
      """
      [
        {"username": "{twin}", "password": "abc"},
        {"username": "{twin}", "password": "pass-word-2"}
      ]
      """
    Then the batch results are:
      | username | code   |
      | {twin}   | 899004 |
      | {twin}   | 899001 |
    And user "twin" does not exist

  Scenario: Unknown keys in an item are ignored
    Given a fresh username "u"
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "{u}", "password": "pass-word-1", "colour": "teal"}]
      """
    Then the batch results are:
      | username | code |
      | {u}      |      |

  @code:899001
  Scenario: Concurrent registrations of one username: exactly one succeeds
    Given a fresh username "race"
    When I register "race" in 8 concurrent requests
    Then exactly one registration succeeded and the others failed with code 899001
    And user "race" exists
