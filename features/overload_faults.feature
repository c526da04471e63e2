@spec:6
Feature: Load shedding and fault injection
  Under overload a server sheds work with 503 899030 and a Retry-After of
  whole seconds ≥ 1, never with timeouts, resets or 500s. A server with a
  fault-injection switch answers X-Fault-Inject: internal with 500 899000
  and busy with 503 899030 (spec/PROFILE.md §6, order of errors §7a).

  @fault-injection @code:899000 @spec:2
  Scenario Outline: X-Fault-Inject: internal answers 500 899000: <method> <path>
    Given the target offers the "fault-injection" capability
    And a registered user "alice"
    And the next request has header "X-Fault-Inject" set to "internal"
    When I send "<method>" to "<path>"
    Then the request fails with status 500 and code 899000

    @endpoint:GET:/v1/users/{username}
    Examples: user
      | method | path              |
      | GET    | /v1/users/{alice} |

    @endpoint:GET:/v1/users/
    Examples: user list
      | method | path                       |
      | GET    | /v1/users/?start=0&count=1 |

    @endpoint:GET:/v1/groups/
    Examples: group list
      | method | path                        |
      | GET    | /v1/groups/?start=0&count=1 |

  @fault-injection @endpoint:POST:/v1/users/ @code:899000 @spec:2
  Scenario: A request failed by an injected fault changes nothing
    Given the target offers the "fault-injection" capability
    And a fresh username "bob"
    And the next request has header "X-Fault-Inject" set to "internal"
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "{bob}", "password": "pass-word-1"}]
      """
    Then the request fails with status 500 and code 899000
    And user "bob" does not exist

  @fault-injection @endpoint:POST:/v1/users/ @code:899000 @spec:7a
  Scenario: An injected fault comes before the request's syntax
    Given the target offers the "fault-injection" capability
    And the next request has header "X-Fault-Inject" set to "internal"
    When I send "POST" to "/v1/users/" with body:
      """
      {"not": "an array"
      """
    Then the request fails with status 500 and code 899000

  @fault-injection @endpoint:GET:/v1/users/ @code:899007 @spec:7a
  Scenario: Auth comes before an injected fault
    Given the target offers the "fault-injection" capability
    And the next request authenticates with no Authorization header
    And the next request has header "X-Fault-Inject" set to "internal"
    When I send "GET" to "/v1/users/?start=0&count=1"
    Then the request fails with status 401 and code 899007

  @fault-injection @code:899030
  Scenario Outline: X-Fault-Inject: busy answers 503 899030 with Retry-After: <method> <path>
    Given the target offers the "fault-injection" capability
    And a registered user "alice"
    And the next request has header "X-Fault-Inject" set to "busy"
    When I send "<method>" to "<path>"
    Then the request fails with status 503 and code 899030
    And the response header "Retry-After" is a whole number of at least 1

    @endpoint:GET:/v1/users/{username}
    Examples: user
      | method | path              |
      | GET    | /v1/users/{alice} |

    @endpoint:DELETE:/v1/users/{username}
    Examples: delete user
      | method | path              |
      | DELETE | /v1/users/{alice} |

  @fault-injection @endpoint:DELETE:/v1/users/{username} @code:899030 @spec:2
  Scenario: A request shed as busy changes nothing
    Given the target offers the "fault-injection" capability
    And a registered user "alice"
    And the next request has header "X-Fault-Inject" set to "busy"
    When I send "DELETE" to "/v1/users/{alice}"
    Then the request fails with status 503 and code 899030
    And user "alice" exists

  @overload @endpoint:GET:/v1/users/ @code:899030
  Scenario: An overloaded server sheds load with 503 899030, never with errors or timeouts
    Given the target offers the "overload" capability
    When I send up to 10 bursts of 128 concurrent "GET" requests to "/v1/users/?start=0&count=500"
    Then at least one request was shed with status 503 and code 899030
    And every burst answer is a success or a 503 with code 899030
