@spec:1
Feature: Authentication
  Every endpoint takes HTTP Basic auth with base64(appKey:masterSecret)
  (spec/PROFILE.md §1). Auth is judged before anything but load shedding (§7a), and
  a refused request changes nothing.

  Background:
    Given a registered user "alice"

  @endpoint:GET:/v1/users/{username} @code:899007
  Scenario Outline: A request without Basic credentials is refused with 899007: <variant>
    Given the next request authenticates with <variant>
    When I send "GET" to "/v1/users/{alice}"
    Then the request fails with status 401 and code 899007

    Examples:
      | variant                        |
      | no Authorization header        |
      | an empty Authorization header  |
      | the Bearer scheme              |

  @code:899007 @spec:7a
  Scenario Outline: Every endpoint asks for credentials before it reads the request: <method> <path>
    Given the next request authenticates with no Authorization header
    When I send "<method>" to "<path>"
    Then the request fails with status 401 and code 899007

    @endpoint:POST:/v1/users/
    Examples: register
      | method | path       |
      | POST   | /v1/users/ |

    @endpoint:GET:/v1/users/
    Examples: user list
      | method | path                        |
      | GET    | /v1/users/?start=0&count=10 |

    @endpoint:GET:/v1/users/{username}
    Examples: get user
      | method | path              |
      | GET    | /v1/users/{alice} |

    @endpoint:PUT:/v1/users/{username}
    Examples: update user
      | method | path              |
      | PUT    | /v1/users/{alice} |

    @endpoint:DELETE:/v1/users/{username}
    Examples: delete user
      | method | path              |
      | DELETE | /v1/users/{alice} |

    @endpoint:GET:/v1/users/{username}/groups/
    Examples: user groups
      | method | path                      |
      | GET    | /v1/users/{alice}/groups/ |

    @endpoint:POST:/v1/groups/
    Examples: create group
      | method | path        |
      | POST   | /v1/groups/ |

    @endpoint:GET:/v1/groups/
    Examples: group list
      | method | path                         |
      | GET    | /v1/groups/?start=0&count=10 |

    @endpoint:GET:/v1/groups/{gid}
    Examples: get group
      | method | path          |
      | GET    | /v1/groups/1  |

    @endpoint:DELETE:/v1/groups/{gid}
    Examples: delete group
      | method | path          |
      | DELETE | /v1/groups/1  |

    @endpoint:POST:/v1/groups/{gid}/members
    Examples: members
      | method | path                 |
      | POST   | /v1/groups/1/members |

    @endpoint:GET:/v1/groups/{gid}/members/
    Examples: member list
      | method | path                  |
      | GET    | /v1/groups/1/members/ |

    @endpoint:POST:/v1/messages
    Examples: messages
      | method | path         |
      | POST   | /v1/messages |

  @endpoint:GET:/v1/users/{username} @code:899008
  Scenario Outline: Undecodable Basic credentials are refused with 899008: <variant>
    Given the next request authenticates with <variant>
    When I send "GET" to "/v1/users/{alice}"
    Then the request fails with status 401 and code 899008

    Examples:
      | variant                |
      | undecodable base64     |
      | base64 without a colon |

  @endpoint:GET:/v1/users/{username} @code:899008
  Scenario: A wrong secret is refused with 899008
    Given the next request authenticates with a wrong secret
    When I send "GET" to "/v1/users/{alice}"
    Then the request fails with status 401 and code 899008

  @endpoint:POST:/v1/users/ @code:899008 @spec:2
  Scenario: A write with a wrong secret changes nothing
    Given a fresh username "mallory"
    And the next request authenticates with a wrong secret
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "{mallory}", "password": "pass-word-1"}]
      """
    Then the request fails with status 401 and code 899008
    And user "mallory" does not exist

  @endpoint:DELETE:/v1/users/{username} @code:899008 @spec:2
  Scenario: A delete with a wrong secret deletes nothing
    Given the next request authenticates with a wrong secret
    When I send "DELETE" to "/v1/users/{alice}"
    Then the request fails with status 401 and code 899008
    And user "alice" exists

  @endpoint:GET:/v1/users/{username} @code:899009
  Scenario: An unknown appKey is refused with 899009
    Given the next request authenticates with an unknown appKey
    When I send "GET" to "/v1/users/{alice}"
    Then the request fails with status 400 and code 899009

  @endpoint:POST:/v1/users/ @code:899009 @spec:7a
  Scenario: An unknown appKey is reported before a malformed body
    Given the next request authenticates with an unknown appKey
    When I send "POST" to "/v1/users/" with body:
      """
      {"not": "an array"
      """
    Then the request fails with status 400 and code 899009

  @endpoint:PUT:/v1/users/{username} @code:899008 @spec:7a
  Scenario: A wrong secret is reported before a malformed body
    Given the next request authenticates with a wrong secret
    When I send "PUT" to "/v1/users/{alice}" with body:
      """
      []
      """
    Then the request fails with status 401 and code 899008

  @endpoint:none @impl-defined @spec:7a
  Scenario: An unauthenticated request to an unknown path is refused or not found
    Given the next request authenticates with no Authorization header
    When I send "GET" to "/v1/no-such-thing"
    Then the response status is one of "401 404"
