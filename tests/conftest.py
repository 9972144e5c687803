"""Fixtures shared by the test modules, and hypothesis settings for a shared machine."""

from hypothesis import settings

from tests.browser import browser

# Speed lives in the benchmarks under scripts/, not in tests: on a shared two-core
# machine a first call that warms a cache can take longer than hypothesis's default
# 200 ms deadline, which would make a correct test flaky.
settings.register_profile("genact-cast", deadline=None)
settings.load_profile("genact-cast")

__all__ = ["browser"]
