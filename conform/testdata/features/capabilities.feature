@caps
Feature: Capabilities
  Scenarios that need a capability run only when the run declares it.

  @two-apps @endpoint:GET:/v1/users/
  Scenario: needs a second app
    Given a step that passes

  @fault-injection @code:899000
  Scenario: needs fault injection
    Given a step that passes

  Scenario: needs nothing
    Given a step that passes
