Feature: Basic outcomes
  A small feature for conform's own tests: each scenario ends one way.

  @pass @endpoint:GET:/v1/users/{username}
  Scenario: a passing scenario
    Given a step that passes
    Then a step that passes

  @fail @endpoint:POST:/v1/users/ @code:899001
  Scenario: a failing scenario
    Given a step that passes
    When a step that fails with "boom, see spec/PROFILE.md §3"
    Then a step that passes

  @undefined
  Scenario: an undefined step
    Given a step nobody defined

  @pending
  Scenario: a pending step
    Given a step that is pending

  @selfskip
  Scenario: a step that skips
    Given a step that skips because "no such thing here"
    Then a step that passes

  @afterfail
  Scenario: an after hook that fails
    Given a step that passes
    And the after hook fails

  @outline
  Scenario Outline: an outline row <n>
    Given a step that <does>

    Examples:
      | n | does   |
      | 1 | passes |
      | 2 | fails with "row two" |
