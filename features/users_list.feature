@spec:3 @endpoint:GET:/v1/users/
Feature: The user list — GET /v1/users/?start=S&count=C
  {"total","start","count","users"} in registration order. start ≥ 0 and
  count 1..500 are required decimal integers. With no writes between calls
  pages tile the list (spec/PROFILE.md §3). The list is shared with every other
  scenario and run, so these scenarios judge their own users among the rest.

  Scenario: A page has the documented shape
    Given the registered users "amy ben"
    When I send "GET" to "/v1/users/?start=0&count=10"
    Then the response status is 200
    And the response content type is JSON
    And the JSON at "total" is an integer
    And the JSON at "start" equals 0
    And the JSON at "users" is an array
    And the user page is consistent with start 0 and count 10

  Scenario: Pages of 2 tile the list, with my users in registration order
    Given the registered users "kim amy zed bob lou eve dan"
    When I page through the user list 2 at a time
    Then the pages tile the list with my users in order

  Scenario: Pages of 3 tile the list, with users registered one by one in order
    Given a registered user "tom"
    And a registered user "ada"
    And a registered user "sam"
    And a registered user "bea"
    When I page through the user list 3 at a time
    Then the pages tile the list with my users in order

  Scenario: A deleted user leaves the list and the rest keep their order
    Given the registered users "kim amy zed bob"
    When I send "DELETE" to "/v1/users/{zed}"
    Then the response status is 204
    When I send "POST" to "/v1/users/" with body:
      """
      [{"username": "{zed}", "password": "pass-word-1"}]
      """
    Then the response status is 201
    When I page through the user list 2 at a time
    Then the pages tile the list with my users in order

  Scenario: Starting past the end gives an empty page
    Given a registered user "amy"
    When I request the user list from past its end
    Then the response status is 200
    And the JSON at "users" equals []
    And the JSON at "count" equals 0

  Scenario: count may be 500
    Given a registered user "amy"
    When I send "GET" to "/v1/users/?start=0&count=500"
    Then the response status is 200
    And the user page is consistent with start 0 and count 500

  @code:899003
  Scenario Outline: start and count are required decimal integers in range: <query>
    When I send "GET" to "/v1/users/<query>"
    Then the request fails with status 400 and code 899003

    Examples:
      | query                 |
      |                       |
      | ?start=0              |
      | ?count=10             |
      | ?start=-1&count=10    |
      | ?start=0&count=0      |
      | ?start=0&count=501    |
      | ?start=0&count=-1     |
      | ?start=abc&count=10   |
      | ?start=0&count=ten    |
      | ?start=0&count=1.5    |
      | ?start=1e1&count=10   |
      | ?start=&count=10      |
      | ?start=0&count=       |

  @impl-defined @spec:7a
  Scenario: A repeated query parameter gets any answer but a server error
    When I send "GET" to "/v1/users/?start=0&start=1&count=5"
    Then the response is not a server error
