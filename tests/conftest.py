"""Fixtures shared by the test modules, and hypothesis settings for a shared machine."""

import os
import signal
import traceback
import warnings
from collections.abc import Iterator
from types import FrameType

import pytest
from hypothesis import settings

from tests.browser import browser

# Speed lives in the benchmarks under scripts/, not in tests: on a shared two-core
# machine a first call that warms a cache can take longer than hypothesis's default
# 200 ms deadline, which would make a correct test flaky.
# In CI, the examples are the same on every run, so that a submission's result does not
# depend on luck; locally they vary, to find new cases.
settings.register_profile("genact-cast", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("genact-cast")


_strays: list[str] = []


def _stray_sigterm(signum: int, frame: FrameType | None) -> None:
    # In two CI runs (ci-s10e, ci-s10f) xdist workers died between tests ("node down: Not
    # properly terminated"), twice at once in one run, and xdist's loadfile scheduler then
    # hung. Every test that signals its own process installs a handler first
    # (stop_on_signals or its own), so a SIGTERM that reaches this one is a test's fault:
    # it is kept, with where it struck, and said as a warning of the test it struck in,
    # rather than killing the worker with the evidence.
    where = "".join(traceback.format_stack(frame, limit=12)) if frame else ""
    _strays.append(f"a stray SIGTERM reached worker {os.getpid()} at:\n{where}")


if os.environ.get("PYTEST_XDIST_WORKER"):
    signal.signal(signal.SIGTERM, _stray_sigterm)


@pytest.fixture(autouse=True)
def _no_stray_signal() -> Iterator[None]:
    yield
    while _strays:
        warnings.warn(_strays.pop(0), pytest.PytestWarning, stacklevel=1)


__all__ = ["browser"]
