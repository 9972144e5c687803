"""The HTML embed: asciinema-player from npm, pinned and checked, in real headless Chromium."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from genact_cast.publish.player_assets import PlayerAssetError, inline_assets, pinned, sri
from tests.local_server import Handler, serving
from tests.player_dom import pinned_tarball

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "seed7-80x24.cast"
GENACT = [str(Path(__import__("sys").executable)), "-m", "genact_cast"]


@pytest.fixture(scope="session")
def npm_tarball() -> Path:
    """The pinned asciinema-player package, fetched with npm (a test dependency) and kept."""
    return pinned_tarball()


class Registry(Handler):
    """The npm registry's tarball URL, on 127.0.0.1."""

    tarball: ClassVar[bytes] = b""
    hits: ClassVar[int] = 0

    def do_GET(self) -> None:
        p = pinned()
        if self.path != f"/{p['package']}/-/{p['package']}-{p['version']}.tgz":
            self.send_error(404)
            return
        Registry.hits += 1
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.tarball)))
        self.end_headers()
        self.wfile.write(self.tarball)


@pytest.fixture
def registry(npm_tarball: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    Registry.tarball, Registry.hits = npm_tarball.read_bytes(), 0
    with serving(Registry) as url:
        monkeypatch.setenv("GENACT_CAST_NPM_REGISTRY", url)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        yield url


def test_the_pins_match_the_npm_package(npm_tarball: Path) -> None:
    p = pinned()
    assert sri(npm_tarball.read_bytes(), "sha512") == p["tarball_integrity"]
    with tarfile.open(npm_tarball) as archive:
        for kind in ("js", "css"):
            member = archive.extractfile(p[kind]["path"])
            assert member is not None
            assert sri(member.read(), "sha384") == p[kind]["integrity"]


def test_cdn_page_loads_the_pinned_player_with_integrity(tmp_path: Path) -> None:
    page = tmp_path / "cdn.html"
    subprocess.run([*GENACT, "embed", str(CAST), "--html", str(page)], check=True, timeout=60)
    text = page.read_text()
    p = pinned()
    assert f'integrity="{p["js"]["integrity"]}" crossorigin="anonymous"' in text
    assert f'integrity="{p["css"]["integrity"]}" crossorigin="anonymous"' in text
    assert f"asciinema-player@{p['version']}/dist/bundle/asciinema-player.min.js" in text


def test_self_contained_downloads_once_checks_and_caches(registry: str) -> None:
    first = inline_assets()
    assert "AsciinemaPlayer" in first.js
    assert ".ap-player" in first.css
    inline_assets()
    assert Registry.hits == 1


@pytest.mark.parametrize("blocker", ["file", "read-only"])
def test_a_cache_that_cannot_be_made_only_costs_a_download(
    registry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blocker: str
) -> None:
    """A HOME that is a regular file or read-only (containers, CI): no traceback, no cache."""
    home = tmp_path / "home"
    if blocker == "file":
        home.write_text("")
    else:
        home.mkdir()
        home.chmod(0o555)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    if blocker == "read-only" and os.access(home, os.W_OK):
        # root writes anywhere: the read-only case is the caching that fails, however it fails
        monkeypatch.setattr(Path, "mkdir", _read_only_mkdir)
    assert "AsciinemaPlayer" in inline_assets().js
    inline_assets()
    assert Registry.hits == 2  # nothing was cached, and nothing was left behind
    assert not home.is_dir() or list(home.iterdir()) == []


def _read_only_mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
    raise OSError(30, "Read-only file system", str(self))


def test_a_tampered_package_is_refused(registry: str) -> None:
    Registry.tarball = Registry.tarball[:-10] + b"0123456789"
    with pytest.raises(PlayerAssetError, match="does not match its pinned integrity"):
        inline_assets()


def test_nothing_in_a_cast_can_inject_markup(registry: str, tmp_path: Path) -> None:
    evil = tmp_path / "evil.cast"
    title = "</title><script>alert(1)</script>"
    evil.write_text(
        '{"version": 2, "width": 80, "height": 24, "title": "' + title.replace('"', '\\"') + '"}\n'
        '[0.1, "o", "</script><script>alert(2)</script><!--"]\n'
        '[0.2, "o", "\\u2028 & <b>bold</b>"]\n'
    )
    page = tmp_path / "evil.html"
    result = subprocess.run(
        [*GENACT, "embed", str(evil), "--html", str(page), "--self-contained"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = page.read_text()
    assert len(re.findall(r"<script", text, re.IGNORECASE)) == 2  # the player, our few lines
    assert "alert(1)" not in text.split("<script>")[0].replace("&lt;script&gt;alert(1)", "")
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_page_plays_in_chromium_and_seeking_to_the_end_shows_the_summary(
    registry: str, tmp_path: Path, browser: Any
) -> None:
    page_path = tmp_path / "demo.html"
    subprocess.run(
        [*GENACT, "embed", str(CAST), "--html", str(page_path), "--self-contained", "--speed", "4"],
        check=True, timeout=60,
    )  # fmt: skip
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri())
    page.wait_for_function("document.body.innerText.includes('torchrun')", timeout=5000)
    assert page.evaluate("player.getCurrentTime()") > 0  # it plays
    page.evaluate("player.seek(player.getDuration())")
    page.wait_for_function("document.body.innerText.includes('Training summary')", timeout=5000)
    assert "Final loss" in page.inner_text("body")
    assert errors == []
    page.close()


# --- Injection: hostile casts and file names, opened in real Chromium. ----------------

PWN = "window.__pwned = (window.__pwned || 0) + 1; fetch('http://127.0.0.1:9/leak')"
PAYLOADS = [
    f"</script><script>{PWN}</script>",
    f"</title><script>{PWN}</script>",
    f'"><img src="http://127.0.0.1:9/img" onerror="{PWN}">',
    f'<svg onload="{PWN}"></svg>',
    "<!--",
    "\u2028\u2029",
    "</style><style>@import url(http://127.0.0.1:9/css);</style>",
]


def _watch(page: Any) -> tuple[list[str], list[str]]:
    """Requests that leave the page (anything but file://, which are aborted) and
    dialogs (alert() and the like)."""
    left: list[str] = []
    dialogs: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            left.append(r.request.url)
            r.abort()

    def dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.route("**/*", route)
    page.on("dialog", dialog)
    return left, dialogs


SCRIPT_CHECK = """() => {
  const handlers = [...document.querySelectorAll('*')].flatMap(
    e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name));
  const links = [...document.querySelectorAll('[href],[src]')]
    .map(e => e.getAttribute('href') || e.getAttribute('src'))
    .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u));
  return {pwned: window.__pwned || 0, handlers, links,
          scripts: document.querySelectorAll('script').length};
}"""


def test_a_hostile_cast_runs_no_script_and_sends_no_request_from_the_html_page(
    registry: str, tmp_path: Path, browser: Any
) -> None:
    header = {
        "version": 2, "width": 80, "height": 24, "title": " ".join(PAYLOADS),
        "env": {"SHELL": PAYLOADS[0], "TERM": PAYLOADS[2]},
        "theme": {"fg": PAYLOADS[6], "bg": '#000"/><script>' + PWN + "</script>",
                  "palette": ":".join(["#000"] * 15 + [PAYLOADS[1]])},
    }  # fmt: skip
    lines = [json.dumps(header)]
    lines += [json.dumps([0.1 * (i + 1), "o", p]) for i, p in enumerate(PAYLOADS)]
    lines += [json.dumps([1.0, "m", PAYLOADS[0]]), json.dumps([1.1, "o", "the end"])]
    evil = tmp_path / "evil.cast"
    evil.write_text("\n".join(lines) + "\n")
    page_path = tmp_path / "evil.html"
    result = subprocess.run(
        # --theme: a cast's bad theme is refused (test_embed_edges); with a theme named,
        # the page is made, and the hostile theme must still reach nothing.
        [*GENACT, "embed", str(evil), "--html", str(page_path), "--self-contained",
         "--theme", "asciinema"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = browser.new_page()
    left, dialogs = _watch(page)
    page.goto(page_path.as_uri())
    page.wait_for_function("window.player !== undefined", timeout=5000)
    page.evaluate("player.seek(player.getDuration())")
    page.wait_for_function("document.body.innerText.includes('the end')", timeout=5000)
    page.wait_for_timeout(300)
    found = page.evaluate(SCRIPT_CHECK)
    assert found == {"pwned": 0, "handlers": [], "links": [], "scripts": 2}
    assert "</script><script>" in page.inner_text("h1")  # the title, shown as text
    assert (left, dialogs) == ([], [])
    page.close()


def test_hostile_file_names_run_no_script_in_the_markdown_snippets(
    tmp_path: Path, browser: Any
) -> None:
    from markdown_it import MarkdownIt

    from genact_cast.publish.markdown import snippets

    documents = []
    for payload in PAYLOADS:
        for name in (f"docs/{payload}.cast", f"x](javascript:{PWN}) {payload}.cast"):
            documents.append(snippets(name, title=payload))
        documents.append(snippets(f"https://asciinema.example/a/{payload}", title=payload))
    # Rendered as a Markdown viewer that keeps raw HTML would render it (the worst case).
    body = MarkdownIt("commonmark", {"html": True}).render("\n\n".join(documents))
    page_path = tmp_path / "snippets.html"
    page_path.write_text(f"<!DOCTYPE html><html><body>{body}</body></html>")
    page = browser.new_page()
    left, dialogs = _watch(page)
    page.goto(page_path.as_uri())
    page.wait_for_timeout(300)
    found = page.evaluate(SCRIPT_CHECK)
    # The only scripts are the asciinema embeds' <script src="https://..."> tags, whose
    # requests are the only ones allowed to leave (to the recording's own server).
    assert found["pwned"] == 0
    assert found["handlers"] == []
    assert found["links"] == []
    assert all(url.startswith("https://asciinema.example/a/") for url in left), left
    assert dialogs == []
    page.close()


def test_a_huge_file_at_the_cache_path_is_not_read_whole(registry: str, tmp_path: Path) -> None:
    """review-attack12 F7: a cached copy larger than any download may be (here a sparse
    256 MiB file) is replaced without being read into memory first."""
    import tracemalloc

    p = pinned()
    cached = tmp_path / "cache" / "genact-cast" / f"{p['package']}-{p['version']}.tgz"
    cached.parent.mkdir(parents=True)
    with cached.open("wb") as file:
        file.truncate(256 << 20)
    tracemalloc.start()
    try:
        assert "AsciinemaPlayer" in inline_assets().js
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"{peak:,} bytes at peak"
    assert Registry.hits == 1
    assert cached.stat().st_size == len(Registry.tarball)
