@spec:1 @two-apps
Feature: App isolation
  All data is scoped to the appKey: one app never sees, changes or collides
  with another's users, groups or messages (spec/PROFILE.md §1). These scenarios need
  the credentials of a second app (--appkey2/--secret2).

  Background:
    Given the target offers the "two-apps" capability
    And a registered user "alice"

  @endpoint:POST:/v1/users/
  Scenario: The same username can be registered in both apps
    When I send "POST" to "/v1/users/" as the second app with body:
      """
      [{"username": "{alice}", "password": "pass-word-2"}]
      """
    Then the batch results are:
      | username | code |
      | {alice}  |      |
    And user "alice" exists in the second app
    And user "alice" exists

  @endpoint:GET:/v1/users/{username} @code:899002
  Scenario: A user of one app is unknown to the other
    When I send "GET" to "/v1/users/{alice}" as the second app
    Then the request fails with status 403 and code 899002

  @endpoint:PUT:/v1/users/{username} @endpoint:DELETE:/v1/users/{username} @code:899002
  Scenario: One app cannot change or delete another's user
    Given I send "GET" to "/v1/users/{alice}"
    And I remember the response body as "before"
    When I send "PUT" to "/v1/users/{alice}" as the second app with body:
      """
      {"nickname": "intruder"}
      """
    Then the request fails with status 403 and code 899002
    When I send "DELETE" to "/v1/users/{alice}" as the second app
    Then the request fails with status 403 and code 899002
    When I send "GET" to "/v1/users/{alice}"
    Then the response body equals the remembered "before"

  @endpoint:DELETE:/v1/users/{username}
  Scenario: Deleting a user in one app leaves its namesake in the other
    Given a registered user "alice" in the second app
    When I send "DELETE" to "/v1/users/{alice}" as the second app
    Then the response status is 204
    And user "alice" does not exist in the second app
    And user "alice" exists

  @endpoint:GET:/v1/groups/{gid} @endpoint:POST:/v1/groups/
  Scenario: A group of one app is not visible to the other
    Given a group "team" owned by "alice"
    Then group "team" is not visible to the second app

  @endpoint:POST:/v1/groups/ @code:899002
  Scenario: A group in one app cannot have another app's user as owner or member
    Given a registered user "bob" in the second app
    When I send "POST" to "/v1/groups/" as the second app with body:
      """
      {"owner_username": "{bob}", "group_name": "g", "members_username": ["{alice}"]}
      """
    Then the request fails with status 403 and code 899002

  @endpoint:POST:/v1/messages @code:899005
  Scenario: A message in one app cannot come from another app's user
    Given a registered user "bob" in the second app
    When I send "POST" to "/v1/messages" as the second app with body:
      """
      {"version": 1, "target_type": "single", "target_id": "{bob}", "from_type": "user", "from_id": "{alice}",
       "create_time": 1434000000, "msg_type": "text", "msg_body": {"text": "hello from elsewhere"}}
      """
    Then the request fails with status 403 and code 899005
