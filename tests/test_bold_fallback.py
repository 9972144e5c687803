"""Bold and italic text in a font of the machine's (Hebrew, Cyrillic past the bundled
font, ...) where asciinema-player 3.18 shows it: Chromium asks fontconfig for the character
in the weight and slant of the span, so bold Hebrew comes from DejaVu Sans Bold (exports-a's
report: the PNG drew the regular face, lighter than the player's; publish/font_lookup.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageStat

from tests.test_glyphs import cast_file, player_cells, png_cells

WORD = "אבגדה"  # Hebrew: no glyph in the bundled mono font
LINE = f"\x1b[1m{WORD}\x1b[0m {WORD}"


def ink(cells: list[Any]) -> float:
    return sum(ImageStat.Stat(cell).sum[0] for cell in cells)


def test_bold_text_in_a_machine_font_is_as_heavy_as_the_players(
    browser: Any, tmp_path: Path
) -> None:
    fc_list = shutil.which("fc-list")
    listed = subprocess.run([fc_list, ":charset=5d0:weight=200"], capture_output=True,
                            text=True, timeout=60).stdout if fc_list else ""  # fmt: skip
    if not listed.strip():
        pytest.skip("no bold face of a font with Hebrew on this machine")
    cast = cast_file(tmp_path / "bold.cast", LINE, 20)
    count = 2 * len(WORD) + 1
    theirs = player_cells(browser, cast, count, tmp_path)
    ours = png_cells(cast, count, size=32)
    n = len(WORD)
    player_ratio = ink(theirs[:n]) / ink(theirs[n + 1 :])
    png_ratio = ink(ours[:n]) / ink(ours[n + 1 :])
    assert player_ratio > 1.15  # (the player's bold is a bold face: this is what is held)
    assert png_ratio == pytest.approx(player_ratio, rel=0.08), (png_ratio, player_ratio)
