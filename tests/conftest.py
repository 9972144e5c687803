"""Fixtures shared by the test modules."""

from tests.browser import browser

__all__ = ["browser"]
