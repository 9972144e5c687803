"""Fixtures shared by the test modules, and hypothesis settings for a shared machine."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings

from tests.browser import browser
from tests.player_dom import Player

# Speed lives in the benchmarks under scripts/, not in tests: on a shared two-core
# machine a first call that warms a cache can take longer than hypothesis's default
# 200 ms deadline, which would make a correct test flaky.
# In CI, the examples are the same on every run, so that a submission's result does not
# depend on luck; locally they vary, to find new cases.
settings.register_profile("genact-cast", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("genact-cast")


@pytest.fixture(scope="module")
def player(browser: Any) -> Iterator[Player]:
    """asciinema-player 3.18 in one Chromium page, shared by a module's tests."""
    page = Player(browser)
    yield page
    page.close()


__all__ = ["browser"]
