"""The process model, bounded for CI: random sequences of the yearly process keep every invariant (issue 24, item 8)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from tests.process_model import ProcessModel

ProcessModel.TestCase.settings = settings(
    max_examples=3, stateful_step_count=10, deadline=None, suppress_health_check=list(HealthCheck)
)
TestProcessModelKeepsEveryInvariant = ProcessModel.TestCase
