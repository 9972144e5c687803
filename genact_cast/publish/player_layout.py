"""Where asciinema-player 3.18 shows a row's characters: its text spans, laid out by the
browser, not cell by cell.

The terminal (avt) gives every code point a cell, a zero-width one too (a combining
accent, a variation selector, ZWJ, ZWSP, a soft hyphen, the keycap mark): the cursor and
the text export count it. The player writes a row as spans of one colour and text style,
each placed at the column it starts at (`--offset`), and the browser lays out a span's
text: a zero-width code point has no advance, so it joins the character before it and the
rest of its span moves one column left; the next span starts at its own column again. A
wide character (CJK, emoji) and the symbols the player lists as standalone (box drawing,
braille, Nerd Font icons) are spans of their own. Backgrounds are painted cell by cell, so
they stay where the cells are.

A one-cell character that the player's fonts lack is drawn at its fallback glyph's advance
(publish/data/wide_glyphs.json, measured in the player by scripts/wide_glyphs.py): 🛠 ⏸ Ⓜ
from the colour emoji font (2.07 cells), ℃ ℉ ⓐ 𝐀 🂡 (1.5 to 2.5) or ⤴ ⚧ (1.39) or ℹ (0.63)
from a text font; so is an emoji asked for by VS16 (✔️, 2.07 over its two cells). The
browser lays the rest of its span out after it; here the span's fractions add up, and each
time they pass half a column a blank is laid out (the rest moves one column right, up to
where the next span starts), as where the browser's position rounds: ℃ alone, or three
⤴ or eight ✔️ in a span.

A ZWJ sequence of such one-cell symbols that the colour font draws as one glyph (👁️‍🗨️,
🏳️‍⚧️, ⛹️‍♀️: publish/data/zwj_glyphs.json, measured in the player by scripts/zwj_glyphs.py)
takes two columns: one cell with the whole sequence and its right half, and the rest of its
span moves left by the cells the sequence had beyond two.

Read from asciinema-player's src/vt/src/lib.rs (`get_line`, `is_standalone_char`,
`build_standalone_chars_lut`; main at 3.17.0, whose span rules 3.18.0 keeps) and checked
against 3.18.0 in Chromium (tests/test_player_parity.py).
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections.abc import Sequence
from operator import itemgetter

from genact_cast.publish.char_class import char_class
from genact_cast.publish.data_files import DATA
from genact_cast.publish.terminal import Cell, Row, Style
from genact_cast.publish.terminal_cells import regional_indicator, text_symbol
from genact_cast.publish.vectors import WIDE, vector
from genact_cast.publish.whole_clusters import whole

# build_standalone_chars_lut: box drawing, braille, Nerd Font ranges and a few symbols.
_STANDALONE = (
    (0x2500, 0x257F), (0x2800, 0x28FF), (0xE5FA, 0xE6B7), (0xE700, 0xE8EF),
    (0xED00, 0xF2FF), (0xE200, 0xE2A9), (0xE300, 0xE3E3), (0xF400, 0xF533),
    (0x2665, 0x2665), (0x26A1, 0x26A1), (0xE0A0, 0xE0A3), (0xE0B0, 0xE0C8),
    (0xE0CA, 0xE0CA), (0xE0CC, 0xE0D7), (0x2630, 0x2630), (0x23FB, 0x23FE),
    (0x2B58, 0x2B58), (0xF300, 0xF381), (0xE000, 0xE00A), (0xEA60, 0xEC1E),
    (0x2B24, 0x2B24), (0xF0001, 0xF1AF0),
)  # fmt: skip
_ZERO_ADVANCE = frozenset({"Mn", "Me", "Cf"})
# A private-use code point no font maps, drawn as the missing-glyph box (.notdef) where
# the raster stands one for a code point no font has (publish/missing_glyphs.py).
MISSING = "\U0010fffd"


def _advances() -> tuple[dict[str, float], float]:
    data = json.loads(_data("wide_glyphs.json"))
    advances = {chr(int(code, 16)): float(cells) for code, cells in data["advances"].items()}
    return advances, float(data["vs16_advance"])


def _data(name: str) -> str:
    return (DATA / name).read_text("utf-8")


# One-cell characters the browser lays out at another advance than a cell (in cells: ℃
# 1.87, ⤴ 1.39, 🛠 2.07, ℹ 0.63), and the advance of a symbol with VS16 (✔️ 2.07, over its
# two cells), measured in the player by scripts/wide_glyphs.py.
ADVANCES, VS16_ADVANCE = _advances()
# A regional indicator the browser does not pair into a flag (measured in the player by
# scripts/wide_glyphs.py as the others: 2.07 columns, the colour font's letter glyph).
LONE_FLAG_ADVANCE = json.loads((DATA / "wide_glyphs.json").read_text("utf-8"))[
    "lone_regional_indicator_advance"
]
# Those the browser rounds to two columns or more: drawn as a wide character alone.
WIDE_ADVANCE = frozenset(char for char, cells in ADVANCES.items() if cells >= 1.5)


def _advancing_marks() -> frozenset[str]:
    text = _data("advancing_marks.json")
    spans = [span.split("-") for span in json.loads(text)["spans"]]
    return frozenset(chr(c) for low, high in spans for c in range(int(low, 16), int(high, 16) + 1))


# Combining marks the browser lays out with an advance of their own, one column, as a
# character (a̶b̶c̶: U+0336's glyph in DejaVu Sans Mono, U+20DD a missing-glyph box), measured
# in the player by scripts/advancing_marks.py: each keeps its cell, drawn there.
ADVANCING_MARKS = _advancing_marks()
# Those laid out at a fraction of a column (Zalgo's ҉ U+0489: 0.69, DejaVu Sans's advance,
# in a grapheme it draws whole too: review-exports19 #20), measured by the same script.
MARK_ADVANCES = {
    chr(int(code, 16)): float(cells)
    for code, cells in json.loads(_data("advancing_marks.json"))["advances"].items()
}


def _zwj_glyphs() -> frozenset[tuple[str, str]]:
    text = (DATA / "zwj_glyphs.json").read_text("utf-8")
    pairs = (sequence.split() for sequence in json.loads(text)["sequences"])
    return frozenset((chr(int(a, 16)), chr(int(b, 16))) for a, b in pairs)


# ZWJ sequences (their two parts, VS16 left out) the player draws as one emoji glyph.
ZWJ_GLYPHS = _zwj_glyphs()
_ZWJ_FIRSTS = frozenset(first for first, _ in ZWJ_GLYPHS)
ZWJ, VS16 = "\u200d", "\ufe0f"


def ligature(chars: Sequence[str], index: int) -> int:
    """How many code points from `index` the browser draws as one emoji glyph (a ZWJ_GLYPHS
    sequence, with or without VS16 after each part: 👁️‍🗨️ is five), or 0."""
    if chars[index] not in _ZWJ_FIRSTS:
        return 0
    at = index + 1 + (index + 1 < len(chars) and chars[index + 1] == VS16)
    if at + 1 >= len(chars) or chars[at] != ZWJ or (chars[index], chars[at + 1]) not in ZWJ_GLYPHS:
        return 0
    at += 2
    return at + (at < len(chars) and chars[at] == VS16) - index


def extra_advance(row: Row, x: int) -> float:
    """The columns beyond its cell that the browser lays the character at x out at: its
    glyph's advance less one (ADVANCES; ℹ: less than 0), none when VS16 follows it; for
    VS16 after a symbol (✔️), the emoji's advance less the two cells the pair has."""
    char = row[x][0]
    if char == VS16:
        return VS16_ADVANCE - 2 if x > 0 and text_symbol(row[x - 1][0], 0) else 0.0
    cells = ADVANCES.get(char) or MARK_ADVANCES.get(char)
    if boxes(char) > 1:
        cells = len(char)  # missing-glyph boxes (publish/missing_glyphs.py), one a column
    if cells is None or (x + 1 < len(row) and row[x + 1][0] == VS16):
        return 0.0
    return cells - 1


def boxes(char: str) -> int:
    """How many missing-glyph boxes a cell holds (publish/missing_glyphs.py: two for a
    code point the shaper splits in two, SARA AM where no font has Thai), else 0."""
    return len(char) if char[:1] == MISSING and char.strip(MISSING) == "" else 0


def _flag_advance(row: Row, x: int, key: tuple[object, ...] | None) -> float:
    """The columns the browser lays the regional indicator at x out at, with its span's
    text: two of them in a row are one flag glyph (the emoji's advance, over their two
    cells: here the second counts it all), one left alone (🇫 alone, the third of three,
    one before a colour change: vim writes 🇫🇷 as `🇫 🇷`) is the colour font's letter glyph,
    as wide (LONE_FLAG_ADVANCE: about two columns, the rest of its span moves right)."""
    first = x
    while first > 0 and regional_indicator(row[first - 1][0]) and _same_span(row, first - 1, key):
        first -= 1
    if (x - first) % 2 == 1:
        return VS16_ADVANCE - 1  # the second of a flag's two letters
    paired = x + 1 < len(row) and regional_indicator(row[x + 1][0]) and _same_span(row, x + 1, key)
    return 1.0 if paired else LONE_FLAG_ADVANCE


def flag(row: Row, x: int) -> bool:
    """Whether the regional indicators at x and x + 1 are one flag glyph to the browser:
    both in one span (a colour change parts them), x the first of a pair counted from
    the start of their run (🇫🇷🇩: 🇫🇷 and a lone 🇩)."""
    if not (x + 1 < len(row) and regional_indicator(row[x][0])):
        return False
    style = row[x][1]
    key = (style[0], *style[2:])
    return _flag_advance(row, x, key) == 1.0


def _same_span(row: Row, x: int, key: tuple[object, ...] | None) -> bool:
    style = row[x][1]
    return (style[0], *style[2:]) == key


def zero_width(char: str) -> bool:
    """Whether a cell's code point takes no room where a browser lays out text. VS16
    does take its cell: the emoji it asks for (❤️) is drawn two columns wide; so do the
    marks with an advance of their own (ADVANCING_MARKS)."""
    return (
        len(char) == 1
        and not char.isascii()
        and char != "\ufe0f"
        and unicodedata.category(char) in _ZERO_ADVANCE
        and char not in ADVANCING_MARKS
    )


def advance(text: str) -> int:
    """The columns a run of laid-out cells' characters takes when a browser lays it out (a
    ZWJ_GLYPHS sequence is one: the blank of its right half follows it)."""
    if text.isascii() or one_column_each(text):
        return len(text)
    return _advance_each(text)


def _advance_each(text: str) -> int:
    """`advance`, asking each character."""
    if ZWJ not in text and not any(char in ADVANCING_MARKS for char in text):
        return sum(1 for char in text if not zero_width(char))
    count = index = 0
    while index < len(text):
        joined = ligature(text, index) if ZWJ in text else 0
        char = text[index]
        # A mark of a grapheme drawn whole from the fallback font takes no room (Z̷͑͘).
        room = not (zero_width(char) or (char in ADVANCING_MARKS and whole(text, index)))
        count += joined > 0 or room
        index += joined or 1
    return count


def _one_each() -> re.Pattern[str]:
    """Runs of characters that each take one column in `advance` (no ZWJ, no mark with an
    advance of its own, none zero-width), among those of the rows most casts draw: Latin,
    box drawing, blocks, geometric shapes and braille. Checked one by one here."""
    ranges = (range(0x80), range(0xA0, 0x300), range(0x2500, 0x2600), range(0x2800, 0x2900))
    chars = [
        chr(code)
        for span in ranges
        for code in span
        if chr(code) not in ADVANCING_MARKS and chr(code) != ZWJ and not zero_width(chr(code))
    ]
    return re.compile(char_class(chars) + "*")


_ONE_EACH = _one_each()


def one_column_each(text: str) -> bool:
    """Whether every character of `text` takes one column in `advance` (so does every
    prefix of it): most runs, told without asking each character."""
    return _ONE_EACH.fullmatch(text) is not None


def standalone(char: str, wide: bool) -> bool:
    if char.isascii():
        return False
    if wide:
        return True
    code = ord(char[0])  # a cell may hold a grapheme drawn whole (as_laid_out)
    at = bisect.bisect_right(_STANDALONE_STARTS, code) - 1
    return at >= 0 and code <= STANDALONE_SPANS[at][1]


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Inclusive spans of code points, sorted, those that overlap or touch joined."""
    out: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if out and low <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], high))
        else:
            out.append((low, high))
    return out


STANDALONE_SPANS = _merged(_STANDALONE)  # (looked up by bisection: one asked per cell)
_STANDALONE_STARTS = [low for low, _ in STANDALONE_SPANS]


def _moved(char: str) -> bool:
    """Whether a cell's characters may be laid out off their cell, or move those after them
    (`as_laid_out`)."""
    return (
        zero_width(char)
        or char in WIDE
        or char in ADVANCES
        or char in ADVANCING_MARKS
        or boxes(char) > 1
        or char == "\ufe0f"
        or regional_indicator(char)
    )


def _as_they_are() -> re.Pattern[str]:
    """Runs of characters `as_laid_out` lays out on their cells (none `_moved`), among those
    of the rows most casts draw (Latin, box drawing, blocks, geometric shapes, braille: a
    dashboard's rows): told without asking each of them. Checked one by one here."""
    ranges = (range(0x80), range(0xA0, 0x300), range(0x2500, 0x2600), range(0x2800, 0x2900))
    return re.compile(char_class(chr(code) for span in ranges for code in span
                                 if not _moved(chr(code))) + "*")  # fmt: skip


_AS_THEY_ARE = _as_they_are()


def as_laid_out(
    row: Row, sources: list[int] | None = None, shifts: list[float] | None = None
) -> Row:
    """The row as the player shows it: a zero-width code point kept right after the
    character it follows (drawn on it, no cell of its own), the rest of its span moved
    left, blanks where the span ends, and every cell on the background of the cell it is
    drawn over. A row without one is returned as it is. `sources`, if given, gets each
    cell's column in the terminal (-1 for a blank added at a span's end). `shifts`, if
    given, gets how far right of its cell the browser draws each cell's glyph, in columns
    (-0.5 to 0.5): the fractions of the glyphs before it in its span that the cells do
    not show (𝐀𝐁𝐂, 1.59, 1.5 and 1.43 columns each, at 0, 1.59 and 3.09: in cells 0, 2
    and 3, the 𝐁 half a column left of its cell)."""
    cells = set(map(itemgetter(0), row))  # (each asked once: a row repeats most)
    distinct = "".join(cells)
    # (a cell may hold a cluster, asked whole: its characters one by one are not it)
    single = len(distinct) == len(cells)
    if (
        distinct.isascii()
        or (single and _AS_THEY_ARE.fullmatch(distinct))
        or not any(map(_moved, cells))
    ):
        if sources is not None:
            sources.extend(range(len(row)))
        if shifts is not None:
            shifts.extend([0.0] * len(row))
        return row
    source: list[int] = [] if sources is None else sources
    shift: list[float] = [] if shifts is None else shifts
    out: list[Cell] = []
    key: tuple[object, ...] | None = None  # the open span's colour and text style
    owed = 0  # zero-width code points in the open span: blanks owed at its end
    start = 0  # where the open span's cells start in `out`
    last: Style | None = None

    # How far right of its cells the browser has laid the open span's text out, in columns:
    # glyphs wider than their cell add (℃ 0.87, ⤴ 0.39, ✔️ 0.07), narrower ones take (ℹ
    # 0.37). Past half a column, a blank is added (the rest moves one column right, where
    # the browser rounds it); no further left than half a column, which a cell cannot show.
    drift = 0.0
    # The same without that bound: where the browser draws the next glyph, off its cell.
    exact = 0.0

    def close(more: bool = True) -> None:
        """End the open span; `more`: another span starts at the next column."""
        nonlocal key, owed, drift, exact
        drift = exact = 0.0
        if owed > 0 and last is not None:
            blank = (last[0], last[1], False, False, False, False, False, False)
            out.extend([(" ", blank)] * owed)
            source.extend([-1] * owed)
            shift.extend([0.0] * owed)
        elif owed < 0 and more:
            # Moved right by an emoji's advance: the next span starts at its own column,
            # over the span's last cells. Here its last blanks go (an emoji's blank half
            # too: the player draws it over the next span, here one column wide), and a
            # character only when no blank is left: 🅱 🅾 keeps 🅾, one column left.
            for _ in range(-owed):
                ends = range(len(out) - 1, start - 1, -1)
                at = next((i for i in ends if out[i][0] in ("", " ")), len(out) - 1)
                if at >= start:
                    del out[at], source[at], shift[at]
                    # What followed that blank is still drawn where the browser put it,
                    # a column right of the cell it now has (𝕏𝔸| before ｆ: the `|` at
                    # 2.57 columns, not over 𝔸 at 1.57: review-exports18 #10).
                    for after in range(at, len(out)):
                        shift[after] += 1
        key, owed = None, 0

    half = False  # the right half of a wide vector symbol is next
    chars: list[str] | None = None  # the row's characters, once a ZWJ sequence may start
    joined_to = 0  # cells before this are part of a ZWJ sequence drawn as one glyph
    for x, (char, style) in enumerate(row):
        if x < joined_to:
            continue
        if char == "" and half:  # no text in the span for it: the rest moves left
            half = False
            owed += 1
            continue
        if char == "":  # the right half of a wide character: its span is closed
            out.append((char, style))
            source.append(x)
            shift.append(0.0)
            continue
        wide = x + 1 < len(row) and row[x + 1][0] == ""
        if wide and vector(char):
            # ⚏: avt's two cells, but get_line writes a vector symbol as one blank in its
            # span (the player draws it on that cell) and nothing for the right half.
            half = True
        elif standalone(char, wide):
            close()
            out.append((char, style))
            source.append(x)
            shift.append(0.0)
            last = style
            start = len(out)
            continue
        this = (style[0], *style[2:])
        same_lines = key is not None and key[3:4] + key[5:6] == (style[4], style[6])
        if key is None or not (this == key or (char == " " and same_lines)):
            close()
            key = this
            start = len(out)
        if char == "\ufe0f" and x > 0 and (row[x - 1][0] == "" or standalone(row[x - 1][0], False)):
            # VS16 after a character that is a span of its own (a wide one, ☔️ 😀️ 中️, or
            # ♥️: U+2665 is in the player's standalone list): it opens the next span, where
            # it selects nothing and takes no room (the rest of that span moves left); ♥
            # is drawn as text.
            owed += 1
            continue
        if char in ADVANCING_MARKS and len(out) > start:
            chars = chars or [c for c, _ in row]
            base = next((i for i in range(len(out) - 1, start - 1, -1)
                         if out[i][0] and not zero_width(out[i][0])), None)  # fmt: skip
            if base is not None and whole(chars, x) and char not in MARK_ADVANCES:
                # Its grapheme is drawn whole from the fallback font (DejaVu Sans Mono
                # lacks one of its code points): it joins its letter, taking no room
                # (but for a mark that font gives an advance: ҉, 0.69 columns in a҉).
                out[base] = (out[base][0] + char, out[base][1])
                owed += 1
                continue
        if char in ADVANCING_MARKS and len(out) > start and out[-1][0]:
            composed = unicodedata.normalize("NFC", out[-1][0] + char)
            if len(composed) == 1:
                # The browser composes it with its letter (≠ is ≠, ơ is ơ: Vietnamese in
                # NFD) and draws one character: the mark takes no room.
                out[-1] = (composed, out[-1][1])
                owed += 1
                continue
        if char in _ZWJ_FIRSTS:
            chars = chars or [c for c, _ in row]
            joined = ligature(chars, x)
            if joined and all(s == style for _, s in row[x : x + joined]):
                # 👁️‍🗨️: one glyph over two columns, the sequence in the first; the cells
                # it had beyond two are owed at the span's end (its text moves left).
                out.extend([("".join(chars[x : x + joined]), style), ("", style)])
                source.extend([x, -1])
                shift.extend([exact, 0.0])
                last = style
                owed += joined - 2
                joined_to = x + joined
                drift += VS16_ADVANCE - 2
                exact += VS16_ADVANCE - 2
                continue
        out.append((char, style))
        source.append(x)
        shift.append(exact)
        last = style
        if zero_width(char):
            owed += 1
            continue
        flagged = regional_indicator(char)
        more = _flag_advance(row, x, key) - 1 if flagged else extra_advance(row, x)
        drift += more
        exact += more
        while drift >= 0.5:
            out.append(("", style))  # a column more: a blank in the span (an emoji's half)
            source.append(-1)
            shift.append(0.0)
            owed -= 1
            drift -= 1
            exact -= 1
        drift = max(drift, -0.5)
    close(more=False)
    return _grid_backgrounds(out, row)


def _grid_backgrounds(cells: list[Cell], row: Row) -> Row:
    """Each cell on the background the grid has where it is drawn (the player paints
    backgrounds by cell, under the text)."""
    placed: list[Cell] = []
    column = 0
    for char, style in cells:
        if zero_width(char):  # drawn on the character before it, on its background,
            # in its own colour: a mark that opens a span (SGR between a letter and its
            # mark) is the player's span of its own colour (review-exports18 #5: it took
            # the letter's colour, or was not drawn at all in the PNG)
            under = placed[-1][1][1] if placed else style[1]
            placed.append((char, (style[0], under, *style[2:])))
            continue
        under = row[column][1][1] if column < len(row) else "default"
        placed.append((char, style if style[1] == under else (style[0], under, *style[2:])))
        column += 1
    return tuple(placed)
