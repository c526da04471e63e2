@slow
Feature: Interrupt
  The first scenario waits until the run is interrupted.

  Scenario: waits for the interrupt
    Given a step that waits for the interrupt

  Scenario: after the interrupt 1
    Given a step that passes

  Scenario: after the interrupt 2
    Given a step that passes

  Scenario: after the interrupt 3
    Given a step that passes
