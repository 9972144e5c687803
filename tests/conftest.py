"""Fixtures shared by the test modules, and hypothesis settings for a shared machine."""

import os
import signal
import sys
from types import FrameType

from hypothesis import settings

from tests.browser import browser

# Speed lives in the benchmarks under scripts/, not in tests: on a shared two-core
# machine a first call that warms a cache can take longer than hypothesis's default
# 200 ms deadline, which would make a correct test flaky.
# In CI, the examples are the same on every run, so that a submission's result does not
# depend on luck; locally they vary, to find new cases.
settings.register_profile("genact-cast", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("genact-cast")


def _stray_sigterm(signum: int, frame: FrameType | None) -> None:
    # In two CI runs an xdist worker died of a SIGTERM between tests (every test that
    # signals this process installs its own handler first, stop_on_signals or a test's
    # own); the worker's death then hung xdist's loadfile scheduler. A SIGTERM that
    # reaches no test's handler is said, not fatal, until its source is found.
    print(f"tests/conftest.py: a stray SIGTERM reached worker {os.getpid()}", file=sys.stderr)


if os.environ.get("PYTEST_XDIST_WORKER"):
    signal.signal(signal.SIGTERM, _stray_sigterm)

__all__ = ["browser"]
