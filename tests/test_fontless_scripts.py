"""Code points that no font on the machine has, in the PNG (and video, GIF: the same
raster) where asciinema-player 3.18 shows them: Chromium draws each as the first font's
missing-glyph box, at that font's advance (one cell in DejaVu Sans Mono), a combining mark
too, as there is nothing to shape it with; the words keep their spaces and the text after
them its column (review-exports15 finding 3: the PNG ran Devanagari and Tamil boxes
together, dropped a box for each mark and drew the `|` after them columns left; a zalgo
run's marks no font has came out as dotted circles)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_glyph_advances import profile
from tests.test_glyphs import cast_file, player_cells, png_cells

LINES = {
    # (ǧ with U+0317, U+035A and U+031A is left out: Chromium stacks them where the PNG
    # draws U+031A apart)
    "indic": "indic: क्षि नमस्ते தமிழ் x|",
    # SARA AM (U+0E33, one cell in avt), which the shaper splits into NIKHAHIT and SARA AA:
    # two boxes, two columns (exports-o's left-over: the PNG drew one, the `|` a column
    # left for each, 10 quarters off)
    "thai": "thai: \u0e19\u0e49\u0e33 \u0e04\u0e33 \u0e02\u0e49\u0e32\u0e27|",
    "zalgo": "zalgo: Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫo̙̔ͮ̇͐̇|",
    # Zalgo on a row with right-to-left letters (review-exports17 #7, /tmp/r17/casts/h8.cast):
    # the row is laid out as the browser's bidi paragraph; a mark with an advance of its own
    # (U+0336, U+0337) was drawn alone on a dotted circle, and Z's cluster, which DejaVu
    # Sans Mono cannot draw whole (no U+0351), was cut where Chromium takes it whole from
    # DejaVu Sans
    "zalgo-hebrew": "Z\u0337\u0351\u0358a\u0336l\u0335g\u0334o b\u0336c \u05e9\u05dc\u05d5\u05dd|",
    "zalgo-arabic": "Z\u0337\u0351\u0358a\u0336l\u0335g\u0334o "
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629|",
    # A grapheme no font has whole (review-exports18 #5, /tmp/r18/rec/comb.cast row 0):
    # Chromium shapes it in DejaVu Sans Mono, each mark that face lacks its box with a
    # cell of its own (U+0351 too, which DejaVu Sans has), and the marks after U+0334 (a
    # mark with an advance) over the next cell; the PNG drew U+0351 on the Z, and the
    # marks after U+0334 on a dotted circle, the `|` 4 columns left of the player's
    "zalgo-unshaped": "ab|Z\u0351\u036b\u0313\u036a\u0302\u036b\u033d\u034f\u0334\u0319"
    "\u0324\u031e\u0349\u035a\u032f|x\u0354\u0351 w|",
}


@pytest.mark.parametrize("name", sorted(LINES))
def test_code_points_no_font_has_are_laid_out_as_in_the_player(
    name: str, browser: Any, tmp_path: Path
) -> None:
    cast = cast_file(tmp_path / f"{name}.cast", LINES[name], 40)
    count = 30
    theirs = profile(player_cells(browser, cast, count, tmp_path))
    ours = profile(png_cells(cast, count, 32))
    far = [
        (i / 4, round(a, 3), round(b, 3))
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
        if abs(a - b) > 0.2
    ]
    # (ink in each quarter cell, as test_glyph_advances reads it: the old PNG was off in
    # 14 quarters of the indic line and 9 of the zalgo line)
    assert len(far) <= 2, f"quarters (column, ours, player's) off: {far}"
