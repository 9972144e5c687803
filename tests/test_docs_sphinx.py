"""The Sphinx extension, in a real Sphinx project: generated and file casts play in Chromium
with nothing fetched from outside, LaTeX and text builds get the still, a second build
generates nothing, hostile casts inject nothing, bad options are warnings at their line."""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

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
from tests.test_html import PAYLOADS, PWN, SCRIPT_CHECK, npm_tarball

__all__ = ["npm_tarball"]

SPHINX = [sys.executable, "-m", "sphinx"]

INDEX = """\
Demo
====

.. genact-cast::
   :seed: 13
   :framework: torchtitan
   :duration: 20
   :cols: 80
   :rows: 24
   :caption: A torchtitan run

.. asciicast:: casts/demo.cast
   :speed: 2
   :start-at: {marker}
   :poster: npt:0:05
   :fit: height

.. asciinema:: demo.cast

.. toctree::

   guide/page
"""

PAGE = """\
Guide
=====

.. asciinema:: demo.cast
   :path: ../casts
   :preload:
   :controls: false
   :cols: 100
   :rows: 20
   :markers: [[1.5, "one"], 3]
   :pauseOnMarkers:
   :terminalfontsize: 15px
   :terminalfontfamily: DejaVu Sans Mono, monospace
   :terminallineheight: 1.4

.. genact-cast::
   :seed: 3
   :layout: dashboard
   :duration: 15
   :cols: 80
   :rows: 24
   :autoplay:
   :loop: yes
   :fit: both
"""


def _project(folder: Path) -> Path:
    src = folder / "src"
    (src / "casts").mkdir(parents=True)
    (src / "guide").mkdir()
    (src / "conf.py").write_text(
        'project = "demo"\nextensions = ["genact_cast.sphinx"]\n'
        'genact_cast_player_defaults = {"pause_on_markers": True}\n'
        # A conf.py written for sphinxcontrib-asciinema (its `path` is for `.. asciinema::`).
        'sphinxcontrib_asciinema_defaults = {"path": "casts", "preload": 1, "rows": 24,\n'
        '    "pauseOnMarkers": False, "theme": "solarized-dark"}\n'
    )
    (src / "guide" / "page.rst").write_text(PAGE)
    cast = src / "casts" / "demo.cast"
    shutil.copy(ROOT / "casts" / "seed7-80x24.cast", cast)
    markers = [e[2] for e in map(json.loads, cast.read_text().splitlines()[1:]) if e[1] == "m"]
    (src / "index.rst").write_text(INDEX.format(marker=markers[-1]))  # a marker of the cast
    return src


@pytest.fixture(scope="module")
def built(npm_tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The project built once for HTML (two processes), with its environment and output."""
    folder = tmp_path_factory.mktemp("sphinx")
    env = player_cache(npm_tarball, folder)
    src = _project(folder)
    first = run([*SPHINX, "-W", "-j", "2", "-b", "html", "-d", str(folder / "doctrees"),
                 str(src), str(folder / "html")], env)  # fmt: skip
    return {"folder": folder, "src": src, "env": env, "first": first}


def _html(built: dict[str, Any]) -> Any:
    folder, src = built["folder"], built["src"]
    args = ["-W", "-b", "html", "-d", str(folder / "doctrees"), str(src), str(folder / "html")]
    return run([*SPHINX, *args], built["env"])


def test_the_html_build_is_clean_and_generates_each_cast_once(built: dict[str, Any]) -> None:
    first = built["first"]
    assert first.returncode == 0, first.stdout + first.stderr
    assert "warning" not in first.stderr.lower()
    assert len(re.findall(r"genact-cast: generated genact-cast-\w+\.cast", first.stdout)) == 2
    html = built["folder"] / "html"
    for page in ("index.html", "guide/page.html"):
        text = (html / page).read_text()
        for name in re.findall(r'data-cast="([^"]+)"', text):
            assert (html / page).parent.joinpath(name).is_file()  # the cast beside its page
        assert "_static/asciinema-player.min.js" in text
        assert "_static/genact-cast.js" in text
        assert "cdn.jsdelivr" not in text
    assert (html / "_static" / "asciinema-player.min.js").is_file()
    # sphinxcontrib-asciinema's directive name and its player options work too.
    guide = (html / "guide" / "page.html").read_text()
    assert "&quot;controls&quot;: false" in guide
    assert guide.count("&quot;pauseOnMarkers&quot;: true") == 2  # conf.py's defaults
    assert "&quot;preload&quot;: true" in guide
    # sphinxcontrib-asciinema 0.4.3's other options, as asciinema-player's, and its defaults
    # under genact-cast's own (pause_on_markers), on the page's options.
    for option in (
        '"cols": 100', '"rows": 20', '"markers": [[1.5, "one"], 3]', '"terminalFontSize": "15px"',
        '"terminalFontFamily": "DejaVu Sans Mono, monospace"', '"terminalLineHeight": 1.4',
        '"theme": "solarized-dark"',
    ):  # fmt: skip
        assert html_module.escape(option) in guide, option
    index = (html / "index.html").read_text()
    assert index.count(html_module.escape('"rows": 24')) == 1  # conf.py's, .. asciinema:: only
    assert index.count(html_module.escape('"pauseOnMarkers": true')) == 3


def test_players_play_in_chromium_and_nothing_leaves_the_page(
    built: dict[str, Any], browser: Any
) -> None:
    assert built["first"].returncode == 0
    with serve(built["folder"] / "html") as url:
        for path, count in (("/index.html", 3), ("/guide/page.html", 2)):
            page, visit = open_page(browser, url + path)
            check_players_play(page, count)
            assert (visit.left, visit.errors) == ([], [])
            page.close()
            check_stills_without_javascript(browser, url + path, count)


def test_a_second_build_generates_no_cast(built: dict[str, Any]) -> None:
    assert built["first"].returncode == 0
    cache = built["folder"] / "doctrees" / "genact-cast"
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    unchanged = _html(built)
    assert unchanged.returncode == 0, unchanged.stderr
    assert "generated" not in unchanged.stdout
    # A page read again with the same options finds its cast in the cache.
    index = built["src"] / "index.rst"
    index.write_text(index.read_text() + "\nOne more paragraph.\n")
    edited = _html(built)
    assert edited.returncode == 0, edited.stderr
    assert "reading sources... [100%] index" in edited.stdout
    assert "generated" not in edited.stdout
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before
    # Another genact-cast version reads the pages with casts again, and makes them anew.
    folder, src = built["folder"], built["src"]
    upgrade = (
        "import sys, genact_cast.docs.casts as c, genact_cast.docs.sphinx_ext as s\n"
        "c.__version__ = s.__version__ = '99.0'\n"
        "from sphinx.cmd.build import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    args = ["-W", "-b", "html", "-d", str(folder / "doctrees"), str(src), str(folder / "html")]
    upgraded = run([sys.executable, "-c", upgrade, *args], built["env"])
    assert upgraded.returncode == 0, upgraded.stderr
    assert len(re.findall(r"genact-cast: generated", upgraded.stdout)) == 2
    # The casts of the old version, which no page shows now, are gone from the output.
    html = folder / "html"
    shown = {
        (page.parent / name).resolve()
        for page in html.rglob("*.html")
        for name in re.findall(r'data-cast="([^"]+)"', page.read_text())
    }
    assert {p.resolve() for p in html.rglob("genact-cast-*.cast")} == shown


def test_latex_and_text_builds_get_the_still_with_its_caption(built: dict[str, Any]) -> None:
    folder, src, env = built["folder"], built["src"], built["env"]
    doctrees = str(folder / "doctrees")
    latex = run(
        [*SPHINX, "-W", "-b", "latex", "-d", doctrees, str(src), str(folder / "latex")], env
    )
    assert latex.returncode == 0, latex.stdout + latex.stderr
    tex = (folder / "latex" / "demo.tex").read_text()
    pictures = re.findall(r"\\sphinxincludegraphics(?:\[[^]]*\])?\{\{([^}]+)\}(\.png)\}", tex)
    assert len(pictures) == 5, tex  # Pillow is a test dependency: PNG stills
    for stem, suffix in pictures:
        assert (folder / "latex" / (stem + suffix)).stat().st_size > 1000
    assert "A torchtitan run" in tex
    epub_args = ["-D", "copyright=nobody", "-D", "version=1"]  # EPUB3 asks for them
    epub = run(
        [*SPHINX, "-W", *epub_args, "-b", "epub", "-d", doctrees, str(src), str(folder / "epub")],
        env,
    )
    assert epub.returncode == 0, epub.stdout + epub.stderr
    pictures = re.findall(
        r'<img alt="[^"]*" src="(_images/\w+\.svg)"', (folder / "epub" / "index.xhtml").read_text()
    )
    assert len(pictures) == 3  # epub takes SVG
    for picture in pictures:
        assert (folder / "epub" / picture).read_text().startswith("<svg")
    text = run([*SPHINX, "-W", "-b", "text", "-d", doctrees, str(src), str(folder / "text")], env)
    assert text.returncode == 0, text.stderr
    page = (folder / "text" / "index.txt").read_text()
    assert "A torchtitan run" in page
    assert "Chapters" in page  # the final screen, as text, with its chapters


def test_a_hostile_cast_injects_nothing_into_the_page(
    npm_tarball: Path, tmp_path: Path, browser: Any
) -> None:
    header = {
        "version": 2, "width": 80, "height": 24, "title": " ".join(PAYLOADS),
        "theme": {"fg": PAYLOADS[6], "bg": '#000"/><script>' + PWN + "</script>",
                  "palette": ":".join(["#000"] * 16)},
    }  # fmt: skip
    lines = [json.dumps(header)]
    lines += [json.dumps([0.1 * (i + 1), "o", p]) for i, p in enumerate(PAYLOADS)]
    lines += [json.dumps([1.0, "m", PAYLOADS[0]]), json.dumps([1.1, "o", "the end"])]
    src = tmp_path / "src"
    src.mkdir()
    (src / "evil.cast").write_text("\n".join(lines) + "\n")
    (src / "conf.py").write_text('extensions = ["genact_cast.sphinx"]\n')
    (src / "index.rst").write_text(
        "Evil\n====\n\n.. asciicast:: evil.cast\n   :start-at: " + PAYLOADS[0] + "\n"
    )
    env = player_cache(npm_tarball, tmp_path)
    result = run([*SPHINX, "-b", "html", str(src), str(tmp_path / "html")], env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    text = (tmp_path / "html" / "index.html").read_text()
    for payload in PAYLOADS[:4]:
        assert payload not in text
    with serve(tmp_path / "html") as url:
        page, visit = open_page(browser, url + "/index.html")
        page.on("dialog", lambda d: visit.errors.extend(["dialog " + d.message, d.dismiss()]))
        page.wait_for_function("(window.genactCastPlayers || []).length === 1", timeout=10000)
        page.evaluate("genactCastPlayers[0].play()")
        page.wait_for_function("genactCastPlayers[0].getDuration() > 0", timeout=10000)
        page.evaluate("genactCastPlayers[0].seek(genactCastPlayers[0].getDuration())")
        page.wait_for_function("document.body.innerText.includes('the end')", timeout=10000)
        page.wait_for_timeout(300)
        found = page.evaluate(SCRIPT_CHECK)
        assert (found["pwned"], found["handlers"], found["links"]) == (0, [], [])
        inline = page.evaluate("[...document.scripts].filter(s => !s.src).map(s => s.text)")
        assert inline == ["document.getElementById('searchbox').style.display = \"block\""]
        assert (visit.left, visit.errors) == ([], [])
        page.close()


BAD = """\
Bad
===

.. genact-cast::
   :seed: 7
   :cols: 10

.. genact-cast::
   :seed: seven

.. genact-cast::
   :seed: 7
   :fit: wide

.. genact-cast::
   :seed: 7
   :model: Llama-9-1T

.. asciicast:: missing.cast

.. asciicast:: ../outside.cast

.. genact-cast::
   :sead: 7

.. asciicast:: link.cast
"""


def test_bad_options_are_warnings_at_their_line_never_a_traceback(
    npm_tarball: Path, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (tmp_path / "outside.cast").write_text((ROOT / "casts" / "seed7-80x24.cast").read_text())
    (src / "conf.py").write_text('extensions = ["genact_cast.sphinx"]\n')
    (src / "index.rst").write_text(BAD)
    (src / "link.cast").symlink_to(tmp_path / "outside.cast")
    env = player_cache(npm_tarball, tmp_path)
    result = run(
        [*SPHINX, "-W", "--keep-going", "-b", "html", str(src), str(tmp_path / "html")], env
    )
    assert result.returncode != 0
    out = result.stderr
    assert "Traceback" not in out
    expected = [
        "index.rst:4: WARNING: genact-cast: --cols must be from 60 to 1000 (got 10)",
        "index.rst:8: WARNING: genact-cast: Invalid value for '--seed': 'seven' is not a valid int",
        "index.rst:11: WARNING: genact-cast: fit must be one of width, height, both, none",
        "index.rst:15: WARNING: genact-cast: unknown model 'Llama-9-1T'",
        "index.rst:19: WARNING: genact-cast: no cast file 'missing.cast'",
        "index.rst:21: WARNING: genact-cast: '../outside.cast' is outside the source tree",
        'index.rst:23: ERROR: Error in "genact-cast" directive:\nunknown option: "sead"',
        f"index.rst:26: WARNING: genact-cast: 'link.cast' is a link to "
        f"{str(tmp_path / 'outside.cast')!r}, outside the source tree",
    ]
    for line in expected:
        assert line in out, out
    (src / "conf.py").write_text(
        'extensions = ["genact_cast.sphinx"]\ngenact_cast_player_defaults = {"fit": "wide"}\n'
    )
    config = run([*SPHINX, "-W", "-b", "html", str(src), str(tmp_path / "html")], env)
    assert config.returncode != 0
    assert (
        "WARNING: genact-cast: conf.py: genact_cast_player_defaults: fit must be one of width, "
        "height, both, none (got 'wide')" in config.stderr
    )
    assert "Traceback" not in config.stderr


def test_without_pillow_latex_gets_the_screen_as_text_and_says_so(
    npm_tarball: Path, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["genact_cast.sphinx"]\n')
    (src / "index.rst").write_text(
        "Plain\n=====\n\n.. genact-cast::\n   :seed: 2\n   :duration: 10\n   :caption: Seed two\n"
        "\n.. asciicast:: words.cast\n"
    )
    # A screen that Pygments would lex as Python (names and an operator), were it code.
    header = json.dumps({"version": 2, "width": 80, "height": 24})
    (src / "words.cast").write_text(header + '\n[0.5, "o", "loss = 0.5 中文字符テスト"]\n')
    no_pillow = (
        "import sys\n"
        "sys.modules['PIL'] = None  # as in a plain install: Pillow is the video extra's\n"
        "from sphinx.cmd.build import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    env = player_cache(npm_tarball, tmp_path)
    result = run(
        [sys.executable, "-c", no_pillow, "-W", "-b", "latex", str(src), str(tmp_path / "tex")], env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "genact-cast: PNG stills need Pillow (pip install 'genact-cast[video]')" in result.stdout
    tex = next((tmp_path / "tex").glob("*.tex")).read_text()
    assert "\\sphinxincludegraphics" not in tex
    assert "\\begin{sphinxVerbatim}" in tex
    assert "\\PYG{" not in tex  # the screen is not highlighted as code (\\PYGZ.. escapes)
    assert "Seed two" in tex
    assert "Chapters" in tex
