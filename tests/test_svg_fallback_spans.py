"""Right-to-left words and letters from a fallback font in the SVG, where asciinema-player
3.18 in Chromium lays them out (review-exports18 #7 and #8, publish/svg_fallback.py).

The player writes a row as spans of one foreground and text style (a background change
does not part them), and the browser lays each out at its glyphs' own advances, Hebrew
and Arabic reordered within the span. Each code point's box in the player and in the SVG
still (tests/glyph_boxes.py) must be within a tenth of a column: before the fix, the SVG
put `גבוה נמוך` split at its background change in the other word order, and stretched
Hebrew, Thai and Devanagari to one cell a letter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.glyph_boxes import misplaced, player_boxes, svg_boxes

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

ROWS = {
    "background mid-sentence": "\x1b[44mגבוה\x1b[45m נמוך\x1b[0m|x|",
    "background mid-word": "\x1b[44mשל\x1b[45mום עו\x1b[46mלם\x1b[0m|ab|",
    "colour mid-word": "\x1b[31mשל\x1b[32mום\x1b[0m עולם|",
    "bold mid-word, Arabic": "مر\x1b[1mحبا\x1b[22m بالعالم|",
    "background, Arabic": "\x1b[44mسلام\x1b[45m عليكم\x1b[0m 123|",
    "underline mid-sentence": "abc \x1b[4mאבג\x1b[24m def|",
    "inverse with digits": "x \x1b[7mעברית 12\x1b[27m ab|",
    "Hebrew, then Latin in its span": "\x1b[33mעוד 42 מילים\x1b[0m (paren)|",
    "Hebrew across a background, the Latin after it": "מילים \x1b[41m(paren)\x1b[0m|",
    "niqqud and harakat": "שָׁלוֹם|اَّ|",
    "Thai": "กิ๊น|น้ำ|ภาษาไทย|",
    "Devanagari": "क्ष|नि|नमस्ते|",
    "Ethiopic, Canadian syllabics, Javanese": "ሰላም|ᐊᐃ|ꦲꦏ꧀|",
    "explicit override, Hebrew": "a \u202d\x1b[44mשלום\x1b[45m 12\u202c b|",
    # marks DejaVu Sans Mono lacks, some no font has (review-exports18 #5)
    "Zalgo": "ab|Z\u0351\u036b\u0313\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324|"
    "x\u0354\u0351 w|",
}


def _cast(path: Path, rows: list[str], cols: int = 40) -> Path:
    header = {"version": 2, "width": cols, "height": len(rows) + 1}
    body = [0.1, "o", "\x1b[?25l" + "\r\n".join(rows)]
    path.write_text(json.dumps(header) + "\n" + json.dumps(body) + "\n", "utf-8")
    return path


def test_right_to_left_and_fallback_spans_in_the_svg_are_where_the_player_lays_them_out(
    browser: Any, tmp_path: Path
) -> None:
    cast = _cast(tmp_path / "rows.cast", list(ROWS.values()))
    theirs = player_boxes(browser, cast.read_text("utf-8"), 1.0)
    ours = svg_boxes(browser, cast, 1.0)
    names = list(ROWS)
    off = [f"{names[int(entry.split(':')[0][4:])]}: {entry}" for entry in misplaced(ours, theirs)]
    assert not off, "\n".join(off)


def test_hebrew_printed_in_a_real_terminal_is_where_the_player_lays_it_out(
    browser: Any, tmp_path: Path
) -> None:
    """printf in bash under asciinema 2.4 in a real pty, typed key by key (the typed
    command's echo holds the Hebrew too)."""
    from tests.pty_session import BashRecording

    cast = tmp_path / "printf.cast"
    session = BashRecording(tmp_path, cast, 12, 60)
    session.typed("printf '\\e[44mגבוה\\e[45m נמוך\\e[0m|x|\\n'\r")
    session.typed("printf '\\e[31mשל\\e[32mום\\e[0m עולם (ok)|\\n'\r")
    session.typed("printf 'abc \\e[42mسلام\\e[43m عليكم\\e[0m 42|\\n'\r")
    session.exit()
    end = float(json.loads(cast.read_text("utf-8").splitlines()[-1])[0])
    theirs = player_boxes(browser, cast.read_text("utf-8"), end)
    off = misplaced(svg_boxes(browser, cast, end), theirs)
    assert not off, "\n".join(off)
