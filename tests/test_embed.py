"""`embed` and `record -o picture`: GIF through agg, Markdown snippets, formats by extension."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from genact_cast.errors import GenactCastError
from genact_cast.publish.gif import agg_theme, render_gif
from genact_cast.publish.markdown import snippets

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "finetune-70b-h200.cast"
GENACT = [sys.executable, "-m", "genact_cast"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GENACT, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_embed_gif_through_agg_with_options(tmp_path: Path) -> None:
    gif = tmp_path / "demo.gif"
    result = run("embed", str(CAST), "--gif", str(gif), "--theme", "nord", "--fps-cap", "5",
                 "--speed", "8", "--font-size", "12", "--no-loop")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert gif.read_bytes()[:6] == b"GIF89a"


def test_agg_gets_a_theme_it_knows_or_a_custom_one() -> None:
    assert agg_theme("Dracula", str(CAST)) == "dracula"
    tango = agg_theme("tango", str(CAST))
    assert tango is not None
    assert tango.split(",")[:4] == ["2e3436", "d3d7cf", "2e3436", "cc0000"]  # bg, fg, palette
    assert len(tango.split(",")) == 18
    assert agg_theme(None, str(CAST)) is not None  # the cast's own (dracula) theme


def test_a_missing_agg_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("genact_cast.publish.gif.find_program", lambda name: None)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GenactCastError, match=r"pip install 'genact-cast\[gif\]'"):
        render_gif(str(CAST), tmp_path / "x.gif", overwrite=False)


def test_markdown_snippets_for_a_local_file_and_an_upload() -> None:
    local = snippets("docs/demo.cast")
    assert "[![asciicast](docs/demo.svg)](docs/demo.cast)" in local
    assert '<a href="docs/demo.cast"><img src="docs/demo.svg" alt="asciicast"></a>' in local
    remote = snippets("https://asciinema.org/a/abc123")
    assert (
        "[![asciicast](https://asciinema.org/a/abc123.svg)](https://asciinema.org/a/abc123)"
        in remote
    )
    assert 'id="asciicast-abc123"' in remote


def test_embed_markdown_writes_a_file(tmp_path: Path) -> None:
    out = tmp_path / "snippet.md"
    assert run("embed", str(CAST), "--markdown", str(out)).returncode == 0
    assert "[![asciicast]" in out.read_text()


@pytest.mark.parametrize("suffix", ["svg", "gif", "html"])
def test_record_picks_the_format_by_extension(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"demo.{suffix}"
    result = run("record", "--seed", "2", "--duration", "8", "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    if suffix == "svg":
        assert ET.fromstring(data).tag == "{http://www.w3.org/2000/svg}svg"
    elif suffix == "gif":
        assert data[:6] == b"GIF89a"
    else:
        assert b"AsciinemaPlayer.create" in data
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["embed", str(CAST)], "give exactly one of --svg, --gif, --html, --markdown, --mp4"),
        (["embed", str(CAST), "--svg", "a.svg", "--gif", "b.gif"], "give exactly one"),
        (["embed", "missing.cast", "--svg", "a.svg"], "missing.cast: no such file"),
        (["embed", str(CAST), "--svg", "/nonexistent-dir/a.svg"], "does not exist"),
        (["embed", str(CAST), "--svg", "a.svg", "--theme", "neon"], "unknown theme 'neon'"),
        (["embed", str(CAST), "--html", "a.html", "--fit", "huge"], "--fit must be"),
    ],
)
def test_embed_errors_are_one_line(args: list[str], needle: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [*GENACT, *args], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode in (1, 2)
    assert result.stderr.count("\n") == 1
    assert needle in result.stderr
