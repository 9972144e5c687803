"""Glyphs as wide as asciinema-player's browser draws them, in the SVG and the PNG/video:
the cells each row inks in the player's screenshot, the SVG's (in Chromium) and the PNG's
(tests/test_player_parity.py's `three_pictures`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.player_dom import Player
from tests.test_player_parity import inked_cells, three_pictures


def inked_rows(
    player: Player, browser: Any, tmp_path: Path, rows: list[str], cols: int
) -> dict[str, list[str]]:
    body = "\x1b[?25l" + "\r\n".join(rows)
    return {
        name: [inked_cells(image, left, top + y * h, (w, h), cols) for y in range(len(rows))]
        for name, (image, left, top, (w, h)) in three_pictures(
            player, browser, tmp_path, body, cols, len(rows)
        ).items()
    }


def test_a_zwj_sequence_of_one_cell_symbols_is_one_glyph_as_in_the_player(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    """review-exports12: 👁️‍🗨️ (U+1F441 FE0F 200D 1F5E8 FE0F, five cells in avt) is one span of
    the player's, shaped by the colour font into one glyph two columns wide, the `|` after
    it at column 2; the SVG drew it five columns wide and the PNG as two emoji. So are the
    sequences of publish/data/zwj_glyphs.json with or without VS16 (🏳️‍⚧️ ⛹️‍♀️ 🕵‍♂️), while a
    sequence with a wide part (👨‍👩‍👧, 🏳️‍🌈) stays a glyph a part, each at its cell."""
    rows = [
        "\U0001f441\ufe0f\u200d\U0001f5e8\ufe0f|x",
        "\U0001f441\u200d\U0001f5e8|x",
        "\U0001f3f3\ufe0f\u200d\u26a7\ufe0f|x",
        "\u26f9\ufe0f\u200d\u2640\ufe0f|x",
        "\U0001f575\u200d\u2642\ufe0f|x",
        "a\U0001f441\ufe0f\u200d\U0001f5e8\ufe0fb|x",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467|x",
        "\U0001f3f3\ufe0f\u200d\U0001f308|x",
    ]
    found = inked_rows(player, browser, tmp_path, rows, 14)
    want = ["####"] * 5 + ["######", "##.##.####", "##.####"]
    assert [row.rstrip(".") for row in found["player"]] == want, found["player"]
    assert found["SVG"] == found["player"], found
    assert found["PNG"] == found["player"], found


def test_a_text_symbol_wider_than_a_cell_moves_the_rest_as_in_the_player(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    """review-exports12: ℃ ℉ (U+2103 U+2109, one cell in avt) come from DejaVu Sans, 1.87
    and 1.58 cells wide in the player, whose browser lays the rest of the span out after
    the glyph (the `|` at column 2); the SVG squeezed them into one cell and the PNG drew
    the rest one column left. So are the text glyphs of publish/data/wide_glyphs.json
    (scripts/wide_glyphs.py: every one-cell code point of the machine's text fonts that
    DejaVu Sans Mono lacks, measured in the player): ⓐ 𝐀 🂡; their fractions add up
    along a span as the browser's positions do."""
    rows = ["\u2103 25|x", "\u2109|x", "\u24d0|x", "\U0001d400|x", "\U0001f0a1|x", "a\u2103b|x"]
    # ⓐⓑⓒ: 1.6 cells each, at 0, 1.6 and 3.2 in the player, the `|` at 4.8: each laid out
    # where the browser's position rounds (0, 2, 3; the `|` at 5), not two columns each.
    rows.append("\u24d0\u24d1\u24d2|x")
    found = inked_rows(player, browser, tmp_path, rows, 12)
    want = ["##.####", "####", "####", "####", "####", "######", "#######"]
    assert [row.rstrip(".") for row in found["player"]] == want, found["player"]
    assert found["SVG"] == found["player"], found
    assert found["PNG"] == found["player"], found


def test_text_after_braille_in_one_span_is_not_stretched_with_it(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    """A hand-made cast of hard rows (issue 19 item 4): braille then text of the same
    colour, one run of the SVG, was stretched to its cells as one (the braille comes from
    a proportional fallback font), so the word after it was drawn a column right and
    squeezed; the player sets each braille cell apart (a span of its own at its cell)."""
    rows = ["\u280b\u2819\u2839\u2838 \u28ff\u28c0 braille|x", "\u2800\u28ff ab\u2847cd|x"]
    found = inked_rows(player, browser, tmp_path, rows, 20)
    assert found["player"][0].rstrip(".") == "####.##.#########", found["player"]
    assert found["SVG"] == found["player"], found
    assert found["PNG"] == found["player"], found
