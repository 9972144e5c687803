"""Headless Chromium (Debian's) for tests, driven by playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Debian's chromium is a test dependency (bash scripts/test installs it)"
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        yield chromium
        chromium.close()


def screenshot(page: Any, **options: Any) -> bytes:
    """`page.screenshot(**options)`, tried again when Chromium answers `Unable to capture
    screenshot`: a compositor that has no frame ready yet on a loaded machine (CI saw it
    once in ~40 runs); the page is the same on the second try."""
    from playwright.sync_api import Error

    for attempt in range(3):
        try:
            return bytes(page.screenshot(**options))
        except Error as error:
            if "Unable to capture screenshot" not in str(error) or attempt == 2:
                raise
            page.wait_for_timeout(250)
    raise AssertionError("unreachable")
