"""MkDocs cast links with a `?query` or `#fragment` (review-attack14 low 5): they were left
to Markdown as broken images, with no warning. The link is the cast's, as MkDocs reads a
link's path apart from its query and fragment (mkdocs/structure/pages.py, urlsplit), and
one line says the player drops them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.docs_pages import player_cache, run
from tests.test_html import npm_tarball, registry

__all__ = ["npm_tarball", "registry"]

CAST = Path(__file__).resolve().parent.parent / "casts" / "seed7-80x24.cast"
CONFIG = "site_name: demo\nplugins:\n  - genact-cast\n"


def test_a_cast_link_with_a_query_or_fragment_plays_the_cast_and_says_so(
    npm_tarball: Path, tmp_path: Path
) -> None:
    (tmp_path / "docs").mkdir()
    shutil.copy(CAST, tmp_path / "docs" / "demo.cast")
    (tmp_path / "docs" / "index.md").write_text(
        '# A\n\n![a](demo.cast?v=2)\n\n![b](<demo.cast#t=5> "T")\n\n![c](demo.cast)\n'
    )
    (tmp_path / "mkdocs.yml").write_text(CONFIG)
    result = run(
        [sys.executable, "-m", "mkdocs", "build"], player_cache(npm_tarball, tmp_path),
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "genact-cast:" in line]
    assert len(warnings) == 2, warnings
    assert warnings[0].endswith(
        "genact-cast: index.md:3: '?v=2' after the cast's name is dropped: the player loads"
        " the cast file itself"
    )
    assert "index.md:5: '#t=5' after the cast's name is dropped" in warnings[1]
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert page.count('class="genact-cast-player" data-cast="demo.cast"') == 3
    assert "<img" not in page


def _cast_with(text: str) -> str:
    return f'{{"version": 2, "width": 80, "height": 24}}\n[0.5, "o", "{text}\\r\\n"]\n'


def _project(
    tmp_path: Path, npm_tarball: Path, files: dict[str, str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """An MkDocs project of `files` under docs/ with the plugin; `build(*options)` runs
    `mkdocs build` in it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in files.items():
        (docs / name).write_text(text)
    (tmp_path / "mkdocs.yml").write_text(CONFIG)
    env = player_cache(npm_tarball, tmp_path)

    def build(*options: str) -> subprocess.CompletedProcess[str]:
        return run([sys.executable, "-m", "mkdocs", "build", *options], env, cwd=tmp_path)

    return build


def test_a_dirty_build_shows_a_changed_cast_and_drops_a_deleted_one(
    npm_tarball: Path, tmp_path: Path
) -> None:
    """review-attack14 low 4: `mkdocs build --dirty` rebuilds only pages whose Markdown
    changed, so a page kept its changed cast's old still, and a deleted cast's copy stayed
    in the site."""
    build = _project(tmp_path, npm_tarball, {
        "a.cast": _cast_with("first words"), "b.cast": _cast_with("second cast"),
        "index.md": "# A\n\n![a](a.cast)\n", "other.md": "# B\n\n![b](b.cast)\n",
    })  # fmt: skip
    docs = tmp_path / "docs"
    assert build().returncode == 0
    site = tmp_path / "site"
    assert "first words" in (site / "index.html").read_text("utf-8")
    (docs / "a.cast").write_text(_cast_with("changed words"))
    (docs / "b.cast").unlink()
    result = build("--dirty")
    assert result.returncode == 0, result.stderr
    page = (site / "index.html").read_text("utf-8")
    assert "changed words" in page
    assert "first words" not in page
    assert not (site / "b.cast").exists()
    assert "other.md:3: no cast file 'b.cast' in the docs" in result.stderr


def test_a_dirty_build_removes_only_cast_copies_inside_the_site(
    npm_tarball: Path, tmp_path: Path
) -> None:
    """review-attack16 F2: the dirty-build state sits in a cache folder that CI restores
    and a pull request can carry; every name it listed was unlinked, `../x` and absolute
    paths included. Only a `.cast` copy inside the site goes."""
    import json

    pages = {"a.cast": _cast_with("first words"), "index.md": "# A\n\n![a](a.cast)\n"}
    build = _project(tmp_path, npm_tarball, pages)
    assert build().returncode == 0
    beside, outside = tmp_path / "precious.cast", tmp_path.parent / f"{tmp_path.name}-victim.txt"
    beside.write_text("kept")
    outside.write_text("kept")
    (tmp_path / "site" / "linked.cast").symlink_to(beside)
    state_file = tmp_path / ".cache" / "plugin" / "genact-cast" / "mkdocs-dirty.json"
    state = json.loads(state_file.read_text("utf-8"))
    state["copies"] += ["../precious.cast", str(beside), str(outside), "linked.cast"]
    state["generated"] = {"index.md": ["../precious.cast", str(outside)], "gone.md": [str(beside)]}
    state_file.write_text(json.dumps(state), "utf-8")
    try:
        assert build("--dirty").returncode == 0
        assert beside.read_text() == "kept"
        assert outside.read_text() == "kept"
        assert (tmp_path / "site" / "a.cast").is_file()
    finally:
        outside.unlink()


def test_dirty_builds_keep_the_casts_of_generated_blocks(npm_tarball: Path, tmp_path: Path) -> None:
    """review-attack16 F3: a dirty build with nothing changed removed every cast a
    ```genact-cast block had made, while its page, not rebuilt, still loaded it. Two
    dirty builds in a row leave the site's casts as a clean build makes them; a page that
    goes takes its generated cast with it."""
    build = _project(tmp_path, npm_tarball, {
        "a.cast": _cast_with("first words"), "index.md": "# A\n\n![a](a.cast)\n",
        "gen.md": "# Gen\n\n```genact-cast\nseed: 3\nduration: 20\n```\n",
    })  # fmt: skip
    site = tmp_path / "site"

    def casts() -> list[str]:
        return sorted(str(path.relative_to(site)) for path in site.rglob("*.cast"))

    assert build().returncode == 0
    clean = casts()
    assert len(clean) == 2, clean
    generated = next(name for name in clean if name.startswith("gen/"))
    for _ in range(2):
        assert build("--dirty").returncode == 0
        assert casts() == clean
        assert generated.split("/")[-1] in (site / "gen" / "index.html").read_text("utf-8")
    (tmp_path / "docs" / "gen.md").unlink()
    assert build("--dirty").returncode == 0
    assert casts() == ["a.cast"]
