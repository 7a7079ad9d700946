"""Hypothesis budget for the property tests: bounded in CI, larger on demand.

KB_HYPOTHESIS_PROFILE=ci (default): few examples per property and a per-example deadline, so
the whole directory runs in well under 30 s; =thorough for a long local run.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=40, deadline=timedelta(seconds=2), derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile(
    "thorough", max_examples=2_000, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile(os.environ.get("KB_HYPOTHESIS_PROFILE", "ci"))
