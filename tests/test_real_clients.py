"""Real asciicast clients accept what we write: the asciinema CLI and agg."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from genact_cast.programs import find_program
from tests.helpers import cast_text

ROOT = Path(__file__).resolve().parent.parent


def tool(name: str) -> str:
    found = find_program(name)
    assert found, f"{name} is a test dependency (bash scripts/test installs it)"
    return found


@pytest.mark.parametrize("cast", ["seed7.cast", "seed7-80x24.cast", "finetune-70b-h200.cast"])
def test_asciinema_cat_prints_exactly_our_output(cast: str) -> None:
    path = ROOT / "casts" / cast
    result = subprocess.run(
        [tool("asciinema"), "cat", str(path)],
        capture_output=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    lines = path.read_text("utf-8").splitlines()[1:]
    expected = "".join(e[2] for e in map(json.loads, lines) if e[1] == "o")
    assert result.stdout.decode("utf-8") == expected


def test_agg_renders_a_v2_cast_to_a_gif(tmp_path: Path) -> None:
    cast = tmp_path / "short.cast"
    cast.write_text(cast_text(seed=5, duration=15.0, theme="nord"), "utf-8")
    gif = tmp_path / "short.gif"
    result = subprocess.run(
        [tool("agg"), "--fps-cap", "10", str(cast), str(gif)],
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    data = gif.read_bytes()
    assert data[:6] == b"GIF89a"
    width, height = int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    assert width > 500
    assert height > 200
