"""A row of the SVG cut into runs as the player's spans draw them (publish/svg_lines.py):
shapes the player paints apart from text, each wide character, flag or character with
its marks a run of its own, symbols the player sets apart cut from the text around them;
and the cells a run's glyphs take."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from itertools import groupby

from genact_cast.publish import vectors
from genact_cast.publish.char_class import char_class
from genact_cast.publish.player_layout import (
    _ZWJ_FIRSTS,
    ADVANCING_MARKS,
    STANDALONE_SPANS,
    WIDE_ADVANCE,
    advance,
    ligature,
    standalone,
    zero_width,
)
from genact_cast.publish.screens import Style
from genact_cast.publish.svg_bidi import BIDI_CONTROLS
from genact_cast.publish.svg_frames import Line
from genact_cast.publish.terminal import char_width, regional_indicator
from genact_cast.publish.terminal_cells import text_symbol
from genact_cast.publish.whole_clusters import whole as whole_grapheme

# Latin-1, box drawing and block elements: in every monospace font of FONT's list.
MONO_SAFE = re.compile("[\x00-\xff\u2500-\u259f]*")


def vector_runs(line: Line) -> list[tuple[str, Style, bool]]:
    """The line's runs, with the characters the player draws as shapes (powerline
    separators, black triangles: publish/vectors.py) split off into runs of their own
    (True): no font a viewer may lack is asked for them. A wide character (CJK, emoji) is
    a run of its own too, so that it is stretched to its two cells, as the player draws
    it, and the right half's space after it placed on its own cell."""
    if _WHOLE.fullmatch("".join([text for text, _ in line])):
        # (most lines: every run is one of _SIMPLE's, none with a symbol set apart, so
        # each is kept whole, as the loop below would keep it)
        return [(text, style, False) for text, style in line]
    pieces: list[tuple[str, Style, bool]] = []
    for whole, style in line:
        pieces.extend(_run_pieces(whole, style))
    return pieces


@functools.lru_cache(maxsize=4096)
def _run_pieces(whole: str, style: Style) -> tuple[tuple[str, Style, bool], ...]:
    """One run of a line cut as `vector_runs` cuts it: held, for a run met again in another
    line (a dashboard's 24,740 runs are 1,507 distinct, its panes' rows changing apart)."""
    return tuple(piece for text in _apart(whole) for piece in _split(text, style))


def _apart(text: str) -> Iterator[str]:
    """A run with the symbols the player sets apart (braille, box drawing, Nerd Font icons:
    player_layout.standalone, each a span of its own at its cell) and other characters,
    cut where they meet: a run of braille from a proportional fallback font is stretched
    to its cells, and the text after it must not be stretched with it ("⣿⣀ braille" drew
    the word a column right and squeezed)."""
    if text.isascii() or not _APART.search(text):
        yield text  # (most runs: nothing set apart)
        return
    for chars in _APART.split(text):  # (maximal runs set apart, and those between them)
        if chars:
            yield chars


def _set_apart(char: str) -> bool:
    """A symbol the player sets apart that a monospace font may lack (box drawing is in
    every one of FONT's list: its runs need no stretch, and stay whole)."""
    return standalone(char, False) and not MONO_SAFE.fullmatch(char)


def _apart_class() -> re.Pattern[str]:
    """Runs of `_set_apart` characters, captured (re.split keeps them): the player's
    standalone spans less MONO_SAFE's ranges, written as ranges."""
    safe = ((0x00, 0xFF), (0x2500, 0x259F))  # MONO_SAFE
    spans = []
    for low, high in STANDALONE_SPANS:
        for safe_low, safe_high in safe:
            if low <= safe_high and safe_low <= high:  # (cut the safe range out)
                if low < safe_low:
                    spans.append((low, safe_low - 1))
                low = max(low, safe_high + 1)
        if low <= high:
            spans.append((low, high))
    ranges = "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in spans)
    return re.compile(f"([{ranges}]+)")


_APART = _apart_class()


def _split(text: str, style: Style) -> Iterator[tuple[str, Style, bool]]:
    """One run of `vector_runs`, split."""
    if _SIMPLE.fullmatch(text):  # most runs: one cell a character, nothing to split
        yield text, style, False
        return
    for hidden, chars in groupby(text, key=vectors.vector):
        part = "".join(chars)
        if hidden:
            yield part, style, True
            continue
        start = index = 0
        while index < len(part):
            end = index + (ligature(part, index) or 1)  # 👁️‍🗨️: one glyph
            if regional_indicator(part[index]) and end < len(part):
                end += regional_indicator(part[end])  # a flag: two letters, one glyph
            while end < len(part) and drawn_on(part, end):
                end += 1  # a character with its combining marks: drawn as one
            if (
                char_width(part[index]) == 2
                or part[index] in WIDE_ADVANCE  # at the emoji's advance: a run alone
                or regional_indicator(part[index])  # a flag, or a letter alone as wide
                or end > index + 1
                or text_symbol(part, index)
            ):
                if index > start:
                    yield part[start:index], style, False
                yield part[index:end], style, False
                start = end
            index = end
        if start < len(part):
            yield part[start:], style, False


def wide_alone(text: str) -> bool:
    """A run that is one wide character (with its marks, a flag's two letters, or a
    character shown as emoji by VS16), as `vector_runs` splits them off."""
    if not text:
        return False
    if ligature(text, 0) == len(text):
        return True  # a ZWJ sequence drawn as one emoji glyph (player_layout.py)
    first = text[0]
    if (
        char_width(first) != 2
        and "\ufe0f" not in text
        and not regional_indicator(first)
        and first not in WIDE_ADVANCE  # drawn at the emoji's advance (player_layout.py)
    ):
        return False
    return all(mark(c) for c in text[1:]) or (len(text) == 2 and regional_indicator(text[1]))


def drawn_on(text: str, index: int) -> bool:
    """Whether the code point at `index` is drawn on the character before it: a mark, or
    one with an advance of its own in a grapheme the browser takes whole from the fallback
    font (Z̷͑͘: publish/whole_clusters.py)."""
    char = text[index]
    return mark(char) or (char in ADVANCING_MARKS and whole_grapheme(text, index))


def mark(char: str) -> bool:
    """A mark drawn on the character before it (one with an advance of its own is not)."""
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc") or zero_width(char)
    ) and char not in ADVANCING_MARKS


def _simple_classes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Runs of characters `vector_runs` leaves whole, checked one by one here: ASCII,
    Latin, box drawing, blocks, geometric shapes and braille that are one cell wide, no
    mark, and not drawn as a shape; and the same without the symbols `_apart` sets apart
    (runs of them are kept whole by `_apart` too)."""
    ranges = (range(0x20, 0x7F), range(0xA0, 0x300), range(0x2500, 0x2600), range(0x2800, 0x2900))
    chars = [
        chr(code)
        for span in ranges
        for code in span
        if char_width(chr(code)) == 1 and not mark(chr(code)) and not vectors.vector(chr(code))
    ]
    whole = [char for char in chars if not _set_apart(char)]
    return re.compile(char_class(chars) + "*"), re.compile(char_class(whole) + "*")


_SIMPLE, _WHOLE = _simple_classes()


def _plain_class() -> re.Pattern[str]:
    """Runs the SVG writes as they are (svg_lines.LineMarkup's plain lines): characters
    that `vector_runs` keeps whole, in every monospace font of FONT's list (MONO_SAFE: no
    stretch), none wide alone or starting a ZWJ sequence, no regional indicator, no symbol
    the colour font would draw as emoji (text_symbol) and no bidi control. Checked one by
    one here."""
    ranges = (range(0x20, 0x7F), range(0xA0, 0x100), range(0x2500, 0x25A0))
    chars = [
        chr(code)
        for span in ranges
        for code in span
        if _WHOLE.fullmatch(chr(code))
        and MONO_SAFE.fullmatch(chr(code))
        and not wide_alone(chr(code))
        and chr(code) not in _ZWJ_FIRSTS
        and not regional_indicator(chr(code))
        and not text_symbol(chr(code), 0)
        and chr(code).translate(BIDI_CONTROLS) == chr(code)
    ]
    return re.compile(char_class(chars) + "*")


PLAIN_RUNS = _plain_class()


def glyph_cells(text: str) -> int:
    """The cells a run's glyphs take in the player: a character with combining marks
    (whose cells the player leaves blank) one, or two when wide or shown as emoji (VS16)."""
    if len(text) > 1 and not mark(text[0]) and all(mark(c) for c in text[1:]):
        return 2 if char_width(text[0]) == 2 or "\ufe0f" in text else 1
    return advance(text) + (len(text) == 1 and char_width(text) == 2)
