"""The MkDocs plugin, in a real MkDocs project with mkdocs-material: fenced blocks and
links to casts play in Chromium, nothing leaves the page, the player follows the palette,
a rebuild generates only the block that changed, and bad options stop a strict build with
the page, line and option."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.docs_pages import (
    ROOT,
    check_players_play,
    check_stills_without_javascript,
    open_page,
    player_cache,
    run,
    serve,
)
from tests.test_html import Registry, npm_tarball, registry

__all__ = ["npm_tarball", "registry"]

MKDOCS = [sys.executable, "-m", "mkdocs"]

CONFIG = """\
site_name: demo
theme:
  name: material
  font: false  # no Google Fonts: the site works offline
  palette:
    - scheme: default
      toggle: {icon: material/brightness-7, name: Dark}
    - scheme: slate
      toggle: {icon: material/brightness-4, name: Light}
plugins:
  - search
  - genact-cast
"""

INDEX = """\
# Demo

```genact-cast
seed: 7
framework: hf
duration: 20
cols: 80
rows: 24
fit: both
caption: A Hugging Face run
```

The syntax, shown as code, stays code:

````markdown
```genact-cast
seed: 1
```
![not a player](casts/demo.cast)
````

![Training run](casts/demo.cast)
"""

PAGE = """\
# Guide

!!! note "In an admonition"

    ```genact-cast
    --seed 3 --layout dashboard --duration 15 --cols 80 --rows 24 --loop --fit height
    ```

![The same file](/casts/demo.cast "The same file, from the docs folder")

Percent-encoded, as CommonMark writes a space or a non-ASCII name in a link:
![spaced](../casts/my%20demo.cast) ![accented](/casts/caf%C3%A9.cast)
"""


@pytest.fixture(scope="module")
def site(npm_tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("mkdocs")
    (folder / "docs" / "casts").mkdir(parents=True)
    (folder / "docs" / "guide").mkdir()
    (folder / "mkdocs.yml").write_text(CONFIG)
    (folder / "docs" / "index.md").write_text(INDEX)
    (folder / "docs" / "guide" / "page.md").write_text(PAGE)
    shutil.copy(ROOT / "casts" / "seed7-80x24.cast", folder / "docs" / "casts" / "demo.cast")
    for name in ("my demo.cast", "café.cast"):
        shutil.copy(ROOT / "casts" / "seed7-80x24.cast", folder / "docs" / "casts" / name)
    env = player_cache(npm_tarball, folder)
    first = run([*MKDOCS, "build", "--strict"], env, cwd=folder)
    return {"folder": folder, "env": env, "first": first}


def test_a_strict_build_is_clean_and_generates_each_block_once(site: dict[str, Any]) -> None:
    first = site["first"]
    assert first.returncode == 0, first.stderr
    assert "WARNING" not in first.stderr
    assert len(re.findall(r"genact-cast: generated genact-cast-\w+\.cast", first.stderr)) == 2
    html = site["folder"] / "site"
    index = (html / "index.html").read_text()
    assert index.count('class="genact-cast-player"') == 2
    code = re.sub(r"<[^>]+>", "", index)
    assert "```genact-cast\nseed: 1\n```" in code  # the example in the code block stays code
    assert "![not a player](casts/demo.cast)" in code
    for page in ("index.html", "guide/page/index.html"):
        text = (html / page).read_text()
        for name in re.findall(r'data-cast="([^"]+)"', text):  # a URL: percent-encoded once
            assert (html / page).parent.joinpath(unquote(name)).resolve().is_file()
        assert "cdn.jsdelivr" not in text
    # review-attack10 F1: MkDocs decodes a link's %XX before it looks the file up.
    guide = (html / "guide" / "page" / "index.html").read_text()
    assert 'data-cast="../../casts/my%20demo.cast"' in guide
    assert 'data-cast="../../casts/caf%C3%A9.cast"' in guide
    assert (html / "assets" / "genact-cast" / "asciinema-player.min.js").is_file()
    # A leading / is the docs folder; the link's title is the player's name.
    assert (
        'aria-label="The same file, from the docs folder"'
        in (html / "guide" / "page" / "index.html").read_text()
    )


def test_players_play_and_follow_the_palette(site: dict[str, Any], browser: Any) -> None:
    assert site["first"].returncode == 0
    with serve(site["folder"] / "site") as url:
        for path, count in (("/", 2), ("/guide/page/", 4)):
            page, visit = open_page(browser, url + path)
            check_players_play(page, count)
            assert (visit.left, visit.errors) == ([], [])
            check_stills_without_javascript(browser, url + path, count)
            if path == "/":
                colours = {}
                for scheme in ("default", "slate"):
                    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
                    colours[scheme] = page.evaluate(
                        "() => { const p = getComputedStyle(document.querySelector('.ap-player'));"
                        " const probe = document.createElement('div');"
                        " probe.style.background = 'var(--md-code-bg-color)';"
                        " document.body.append(probe);"
                        " const want = getComputedStyle(probe).backgroundColor; probe.remove();"
                        " return [p.backgroundColor, want]; }"
                    )
                assert colours["default"][0] == colours["default"][1]
                assert colours["slate"][0] == colours["slate"][1]
                assert colours["default"][0] != colours["slate"][0]
            page.close()


def test_a_rebuild_generates_only_the_block_that_changed(site: dict[str, Any]) -> None:
    folder, env = site["folder"], site["env"]
    assert site["first"].returncode == 0
    again = run([*MKDOCS, "build", "--strict"], env, cwd=folder)
    assert again.returncode == 0, again.stderr
    assert "generated" not in again.stderr
    page = folder / "docs" / "guide" / "page.md"
    page.write_text(page.read_text().replace("--seed 3", "--seed 4"))
    changed = run([*MKDOCS, "build", "--strict"], env, cwd=folder)
    assert changed.returncode == 0, changed.stderr
    assert len(re.findall(r"genact-cast: generated .* \(seed 4\)", changed.stderr)) == 1
    assert "seed 7" not in changed.stderr


BAD = """\
# Bad

```genact-cast
seed: 7
cols: 10
```

```genact-cast
--seed 7 --fit wide --controls maybe
```

```genact-cast
seed: 7
sead: 8
```

![missing](nothing.cast)

![themed](bad-theme.cast)

![linked](casts/link.cast) ![in a linked folder](outdir/secret.cast)
"""


def test_bad_options_stop_a_strict_build_naming_page_line_and_option(
    npm_tarball: Path, tmp_path: Path
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: bad\nplugins:\n  - genact-cast\n")
    (tmp_path / "docs" / "index.md").write_text(BAD)
    theme = {"fg": "red", "bg": "#000", "palette": "x;y"}
    (tmp_path / "docs" / "bad-theme.cast").write_text(
        json.dumps({"version": 2, "width": 80, "height": 24, "theme": theme})
        + '\n[0.5, "o", "hello"]\n'
    )
    # Links out of docs/ (attack run 7, finding 5): to a file, and to a folder.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.cast").write_text(
        '{"version": 2, "width": 80, "height": 24, "title": "TOPSECRET"}\n[0.5, "o", "TOPSECRET"]\n'
    )
    (tmp_path / "docs" / "casts").mkdir()
    (tmp_path / "docs" / "casts" / "link.cast").symlink_to(outside / "secret.cast")
    (tmp_path / "docs" / "outdir").symlink_to(outside)
    env = player_cache(npm_tarball, tmp_path)
    result = run([*MKDOCS, "build", "--strict"], env, cwd=tmp_path)
    assert result.returncode != 0
    out = result.stderr
    secret = str((outside / "secret.cast").resolve())
    for name in ("casts/link.cast", "outdir/secret.cast"):
        # The Sphinx directive's warning (tests/test_docs_sphinx.py), word for word.
        warning = f"index.md:21: {name!r} is a link to {secret!r}, outside the source tree"
        assert f"genact-cast: {warning}" in out, out
    assert "Traceback" not in out
    for line in (
        "genact-cast: index.md:3: --cols must be from 60 to 1000 (got 10)",
        "genact-cast: index.md:8: fit must be one of width, height, both, none (got 'wide'); "
        "controls must be auto, true or false (got 'maybe')",
        "genact-cast: index.md:12: unknown option 'sead'",
        "genact-cast: index.md:17: no cast file 'nothing.cast' in the docs",
        "genact-cast: index.md:19: bad-theme.cast: the cast's theme.fg",
    ):
        assert line in out, out
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: bad\nplugins:\n  - genact-cast:\n      fit: wide\n      poster: soon\n"
    )
    config = run([*MKDOCS, "build", "--strict"], env, cwd=tmp_path)
    assert config.returncode != 0
    assert "fit" in config.stderr
    assert "Traceback" not in config.stderr


def test_mkdocs_serve_generates_again_only_the_block_that_changed(
    npm_tarball: Path, tmp_path: Path
) -> None:
    import socket
    import subprocess
    import time

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: serve\nplugins:\n  - genact-cast\n")
    page = tmp_path / "docs" / "index.md"
    page.write_text("# Serve\n\n```genact-cast\nseed: 1\nduration: 10\n```\n\nText.\n")
    (tmp_path / "docs" / "two.md").write_text(
        "# Two\n\n```genact-cast\nseed: 2\nduration: 10\n```\n"
    )
    env = player_cache(npm_tarball, tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*MKDOCS, "serve", "-a", f"127.0.0.1:{port}"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:

        def built(times: int, then: str = "") -> str:
            # A rebuild ends with livereload's "Reloading browsers": mkdocs's own
            # "Documentation built in 0.22 seconds" goes through a DuplicateFilter
            # (mkdocs/__main__.py:55), so a rebuild as fast as an earlier one says nothing.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                text = log.read_text()
                done = "Documentation built" in text
                done = done and text.count("Reloading browsers") >= times - 1
                if done and then in text:
                    return text
                time.sleep(0.2)
            raise AssertionError(log.read_text())

        # Edits only once it serves: by then it watches the files.
        assert built(1, then="Serving on").count("genact-cast: generated") == 2
        time.sleep(1.1)  # past the watcher's mtime granularity
        page.write_text(page.read_text().replace("Text.", "Other text."))
        assert built(2).count("genact-cast: generated") == 2  # nothing generated again
        time.sleep(1.1)
        page.write_text(page.read_text().replace("seed: 1", "seed: 3"))
        text = built(3)
        assert text.count("genact-cast: generated") == 3
        assert "(seed 3)" in text
        assert text.count("(seed 2)") == 1
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_first_build_fetches_the_player_once_and_says_so_in_one_line_when_it_cannot(
    registry: str, tmp_path: Path
) -> None:
    import os

    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: first\nplugins:\n  - genact-cast\n")
    (tmp_path / "docs" / "index.md").write_text("```genact-cast\nseed: 1\nduration: 5\n```\n")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")  # the registry on 127.0.0.1, no cache yet
    fetched = run([*MKDOCS, "build", "--strict"], env, cwd=tmp_path)
    assert fetched.returncode == 0, fetched.stderr
    assert Registry.hits == 1
    assert (tmp_path / "site" / "assets" / "genact-cast" / "asciinema-player.min.js").is_file()
    offline = dict(env, XDG_CACHE_HOME=str(tmp_path / "empty"))
    offline["GENACT_CAST_NPM_REGISTRY"] = "http://127.0.0.1:9"
    failed = run([*MKDOCS, "build", "--strict"], offline, cwd=tmp_path)
    assert failed.returncode != 0
    (line,) = [x for x in failed.stderr.splitlines() if "genact-cast:" in x and "WARNING" in x]
    assert "cannot download asciinema-player-3.18.0.tgz" in line
    assert "build once with network access, or put asciinema-player-3.18.0.tgz" in line
    assert "Traceback" not in failed.stderr


def test_a_hostile_cast_and_caption_inject_nothing_into_the_page(
    npm_tarball: Path, tmp_path: Path, browser: Any
) -> None:
    import json

    from tests.test_html import PAYLOADS, SCRIPT_CHECK

    header = {"version": 2, "width": 80, "height": 24, "title": " ".join(PAYLOADS)}
    lines = [json.dumps(header)]
    lines += [json.dumps([0.1 * (i + 1), "o", p]) for i, p in enumerate(PAYLOADS)]
    lines += [json.dumps([1.0, "m", PAYLOADS[0]]), json.dumps([1.1, "o", "the end"])]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "evil.cast").write_text("\n".join(lines) + "\n")
    caption = PAYLOADS[2].replace('"', "'")
    (tmp_path / "docs" / "index.md").write_text(
        f"# Evil\n\n![{PAYLOADS[0]}](evil.cast)\n\n```genact-cast\nseed: 1\nduration: 5\n"
        f'caption: "{caption}"\n```\n'
    )
    (tmp_path / "mkdocs.yml").write_text(CONFIG.replace("site_name: demo", "site_name: evil"))
    env = player_cache(npm_tarball, tmp_path)
    result = run([*MKDOCS, "build", "--strict"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "site" / "index.html").read_text()
    for payload in (PAYLOADS[0], caption, PAYLOADS[3]):
        assert payload not in text
    with serve(tmp_path / "site") as url:
        page, visit = open_page(browser, url + "/")
        check_players_play(page, 2)
        page.evaluate("genactCastPlayers[0].seek(genactCastPlayers[0].getDuration())")
        page.wait_for_function("document.body.innerText.includes('the end')", timeout=10000)
        found = page.evaluate(SCRIPT_CHECK)
        assert (found["pwned"], found["handlers"], found["links"]) == (0, [], [])
        assert (visit.left, visit.errors) == ([], [])
        page.close()


def test_a_cast_that_is_a_fifo_is_a_warning_not_a_build_blocked_forever(
    npm_tarball: Path, tmp_path: Path
) -> None:
    """review-attack9 item 1: an image link to a FIFO in docs/ blocked `mkdocs build` with
    no CPU and no message (it read the FIFO, then MkDocs copied it)."""
    (tmp_path / "docs").mkdir()
    os.mkfifo(tmp_path / "docs" / "f.cast")
    (tmp_path / "docs" / "index.md").write_text("# A\n\n![y](f.cast)\n")
    (tmp_path / "mkdocs.yml").write_text(CONFIG)
    result = run([*MKDOCS, "build"], player_cache(npm_tarball, tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "genact-cast:" in line]
    assert "f.cast is not a regular file (a FIFO, device or socket)" in warnings[0]
    assert "index.md:3: no cast file 'f.cast' in the docs" in warnings[1]


def test_the_cast_cache_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    """What reads a document's cast (MkDocs and Sphinx alike) opens it without blocking
    and refuses anything but a regular file, should one take a cast's place meanwhile."""
    from genact_cast.docs.casts import CastCache, DocsCastError

    os.mkfifo(tmp_path / "f.cast")
    with pytest.raises(DocsCastError, match=r"f\.cast is not a regular file"):
        CastCache(tmp_path / "cache").from_file(tmp_path / "f.cast")
