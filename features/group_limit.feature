@spec:4 @group-limit
Feature: The member limit, owner included
  A group holds at most the member limit of people, its owner included
  (500 unless the target is configured otherwise: --group-limit). L below is
  that limit. These scenarios register L users each, so they are opt-in.

  Background:
    Given the target offers the "group-limit" capability
    And a registered user "boss"
    And a crowd "m" of L registered users

  @endpoint:POST:/v1/groups/ @code:899012
  Scenario: A group may be created with exactly the member limit, owner included, and not one more
    When I create a group "full" owned by "boss" with crowd "m" 1 to L-1
    Then the response status is 201
    And group "full" has L members in all
    When I create a group "over" owned by "boss" with crowd "m" 1 to L
    Then the request fails with status 403 and code 899012
    And the groups of "boss" are "full"

  @endpoint:POST:/v1/groups/{gid}/members @code:899012 @code:899011 @spec:7a
  Scenario: Members can be added up to the limit, owner included; the limit is judged after removals
    Given I create a group "big" owned by "boss" with crowd "m" 1 to L-2
    And the response status is 201
    When I add crowd "m" L-1 to L-1 to group "big"
    Then the response status is 204
    And group "big" has L members in all
    When I add crowd "m" L to L to group "big"
    Then the request fails with status 403 and code 899012
    And group "big" has L members in all
    When I add crowd "m" L to L to group "big" while removing "m1"
    Then the response status is 204
    And group "big" has L members in all
    When I add crowd "m" 1 to 2 to group "big"
    Then the request fails with status 400 and code 899011
