"""`embed - --gif` reads the cast from standard input (found in this session's attack run:
render_gif opened the source four times, so stdin was empty after the first read and every
GIF from a pipe failed with "<stdin>:1: the header must be a JSON object")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "seed7-80x24.cast"


def _embed(
    source: str, output: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "genact_cast", "embed", source, "--gif", str(output)],
        input=stdin, capture_output=True, timeout=600, cwd=ROOT,
    )  # fmt: skip


def test_a_gif_from_standard_input_is_the_gif_of_the_file(tmp_path: Path) -> None:
    from_file = _embed(str(CAST), tmp_path / "file.gif")
    assert from_file.returncode == 0, from_file.stderr
    piped = _embed("-", tmp_path / "piped.gif", CAST.read_bytes())
    assert piped.returncode == 0, piped.stderr
    assert (tmp_path / "piped.gif").read_bytes() == (tmp_path / "file.gif").read_bytes()


def test_a_bad_cast_on_standard_input_is_named_as_stdin(tmp_path: Path) -> None:
    bad = b'{"version": 2, "width": 80, "height": 24}\n[1, "o", "x"]\nbad\n'
    result = _embed("-", tmp_path / "x.gif", bad)
    assert result.returncode == 1
    assert result.stderr.decode() == "genact-cast: <stdin>:3: not valid JSON: Expecting value\n"
    assert list(tmp_path.iterdir()) == []
