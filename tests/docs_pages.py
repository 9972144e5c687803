"""Built documentation in Chromium: served from 127.0.0.1, every other request refused and
recorded, console errors collected, each player checked to play."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.local_server import serving

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1 (players fetch their cast, which file:// forbids)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    with serving(functools.partial(Quiet, directory=str(folder))) as url:
        yield url


def player_cache(npm_tarball: Path, home: Path) -> dict[str, str]:
    """An environment whose genact-cast cache already holds the pinned player (as after a
    first online build), and whose npm registry is nowhere: nothing may be downloaded."""
    cache = home / "cache"
    (cache / "genact-cast").mkdir(parents=True, exist_ok=True)
    shutil.copy(npm_tarball, cache / "genact-cast" / npm_tarball.name)
    # Plain output to read: Sphinx colours it under CI=true (or FORCE_COLOR) even into a pipe.
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR", "FORCE_COLOUR")}
    env.update(NO_COLOR="1", XDG_CACHE_HOME=str(cache), GENACT_CAST_NPM_REGISTRY="http://127.0.0.1:9",
               NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")  # fmt: skip
    return env


def run(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


@dataclass
class Visit:
    left: list[str] = field(default_factory=list)  # requests that would have left the page
    errors: list[str] = field(default_factory=list)  # console errors and page errors


def open_page(browser: Any, url: str, *, color_scheme: str = "dark") -> tuple[Any, Visit]:
    page = browser.new_page(viewport={"width": 1100, "height": 900}, color_scheme=color_scheme)
    visit = Visit()

    def route(r: Any) -> None:
        if r.request.url.startswith(("http://127.0.0.1", "file://")):
            r.continue_()
        else:
            visit.left.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: visit.errors.append(str(e)))
    page.goto(url)
    return page, visit


SCREEN = "i => document.querySelectorAll('div.genact-cast-player')[i].innerText"


def check_players_play(page: Any, count: int) -> None:
    """Each of the page's `count` players starts, its time advances and its screen changes."""
    page.wait_for_function(f"(window.genactCastPlayers || []).length === {count}", timeout=10000)
    assert page.evaluate("document.querySelectorAll('div.genact-cast-player').length") == count
    for i in range(count):
        player = f"window.genactCastPlayers[{i}]"
        page.evaluate(f"{player}.play()")
        page.wait_for_function(f"{player}.getCurrentTime() > 0.3", timeout=10000)
        before = page.evaluate(SCREEN, i)
        page.wait_for_function(f"(before) => ({SCREEN})({i}) !== before", arg=before, timeout=10000)
        page.evaluate(f"{player}.pause()")
    # The still made way for the player, and every terminal is on the page, not 0 high or
    # wide (asciinema-player's `fit: height` and `both` take the container's height).
    assert page.evaluate("document.querySelectorAll('.genact-cast-still').length") == 0
    sizes = page.evaluate(
        "Array.from(document.querySelectorAll('div.genact-cast-player .ap-term'), e => "
        "[e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
    )
    assert len(sizes) == count
    assert all(w > 100 and h > 50 for w, h in sizes), sizes


def check_stills_without_javascript(browser: Any, url: str, count: int) -> None:
    """With JavaScript off, each player shows the cast's final screen as text."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1100, "height": 900}
    )
    try:
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("http://127.0.0.1", "file://")) else r.abort())  # fmt: skip
        page.goto(url)
        stills = page.evaluate(
            "Array.from(document.querySelectorAll('div.genact-cast-player'), e => {"
            " const s = e.querySelector('.genact-cast-still'); if (!s) return null;"
            " const r = s.getBoundingClientRect(); return [r.width, r.height, s.innerText]; })"
        )
        assert len(stills) == count
        for still in stills:
            assert still is not None
            width, height, text = still
            assert width > 100, still
            assert height > 50, still
            assert len(text.strip()) > 20, still
    finally:
        context.close()
