"""The terminal model's cells, rows and limits (publish/terminal.py): what a screen is
made of, how wide a character is in the player's grid, and the limits on drawing.

A row is a tuple of cells `(char, style)`, trailing blanks left out; `""` is the right
half of a wide character. Styles name colours as pyte does ("default", "red",
"brightred", "ff8700") with reverse video resolved ("fgdefault" and "bgdefault" are the
swapped defaults), so publish/theme.py gives them their theme colour.
"""

from __future__ import annotations

import bisect
from typing import Any, NamedTuple, cast

import pyte
from pyte.screens import Char, StaticDefaultDict
from wcwidth import wcwidth  # pinned in pyproject.toml: one table
from wcwidth.table_vs16 import VS16_NARROW_TO_WIDE

from genact_cast import limits
from genact_cast.errors import GenactCastError

MAX_COLUMNS = limits.MAX_TERMINAL_COLS
MAX_ROWS = limits.MAX_TERMINAL_ROWS
MAX_CELLS = limits.MAX_DRAWN_CELLS  # also `record`'s bound, so it writes only drawable casts
# A character drawn on its own (a wide one, or in insert mode) costs about as much time as
# this many cells of a run of narrow ones, so it counts as that many in the work budget.
SLOW_CHAR_CELLS = 16
SCROLLBACK = 100  # the player creates its terminal with 100 lines of scrollback

Style = tuple[str, str, bool, bool, bool, bool, bool, bool]
"""fg, bg, bold, italic, underline, faint, strikethrough, blink (bold and faint never both:
avt's one intensity, set by SGR 1 or 2, whichever came last, reset by 21 and 22; blink is
SGR 5, reset by 25: avt 0.18 takes no SGR 6, nor does the player)."""
Cell = tuple[str, Style]  # "" is the right half of a wide character
Row = tuple[Cell, ...]  # trailing blanks left out
BLANK: Style = ("default", "default", False, False, False, False, False, False)


class Pen(NamedTuple):
    """pyte's `Char` with avt's faint intensity, which pyte lacks: the same fields, duck-typed
    by pyte's code (attribute access and `_replace`), plus `faint`."""

    data: str
    fg: str = "default"
    bg: str = "default"
    bold: bool = False
    italics: bool = False
    underscore: bool = False
    strikethrough: bool = False
    reverse: bool = False
    blink: bool = False
    faint: bool = False


DEFAULT: Char = cast(Char, Pen(" "))


class LimitError(GenactCastError):
    """A cast that would take more work to draw than the exporters allow."""


def check_size(cols: int, rows: int, where: str = "terminal size") -> None:
    """A one-line error when a terminal is too big to draw."""
    if cols > MAX_COLUMNS or rows > MAX_ROWS or cols * rows > MAX_CELLS:
        raise LimitError(
            f"{where} {cols}x{rows} is over the limit for drawing a cast "
            f"({MAX_COLUMNS} columns, {MAX_ROWS} rows, {MAX_CELLS:,} cells)"
        )


class Line(StaticDefaultDict):  # type: ignore[type-arg]
    """A row of pyte's buffer that knows whether the terminal wrapped it (avt's flag)."""

    _wrapped = False
    # The terminal wrapped the line at a scroll region's bottom margin (not the screen's
    # last row): avt drops its flag there (buffer.rs `scroll_up`, v0.9.0), so the player's
    # resize does not join the rows, but the line goes on in the row below: the subtitles
    # tell it as one line (`goes_on`). Cleared with the flag.
    at_margin = False
    # The row the line wrapped onto was then erased from its first column (fish's `⏎`
    # mark for output without a newline: the mark and blanks past the right edge, then
    # `\r\e[K` and the prompt there): avt keeps its flag (the player's resize joins the
    # rows), but what is written there next is not the line's rest: the subtitles end
    # the line here. Cleared when the flag is set again.
    cut = False

    @property
    def wrapped(self) -> bool:
        return self._wrapped

    @wrapped.setter
    def wrapped(self, value: bool) -> None:
        self._wrapped = value
        self.cut = False
        if not value:
            self.at_margin = False

    @property
    def goes_on(self) -> bool:
        """Whether the line goes on in the row below (wrapped, avt's flag or not)."""
        return (self._wrapped or self.at_margin) and not self.cut


_WIDTHS: dict[str, int] = {}

# Code points wcwidth 0.9.4 (Unicode 18) makes wide and asciinema-player 3.18 gives one cell:
# its terminal (avt 0.18) takes widths from the Rust crate unicode-width 0.1.x (Unicode 16),
# in which these were not yet assigned as wide. Measured in the player in Chromium over
# every code point wcwidth makes wide outside the CJK ideograph and Hangul blocks (those
# sampled) and every one of U+16000-1BFFF and U+1F000-1FFFF (⚏ U+268F, one blank in the
# player's text, is two cells in avt: publish/vectors.py WIDE); tests/data/screens/
# emoji_widths.cast keeps a sample of both sides under the player parity test.
_PLAYER_NARROW = (
    (0x18CD6, 0x18CDA), (0x18D1F, 0x18D20), (0x18E00, 0x19191),
    (0x191A0, 0x191D2), (0x1B123, 0x1B128), (0x1B168, 0x1B168), (0x1F1AE, 0x1F1AE),
    (0x1F1E6, 0x1F1FF), (0x1F6D9, 0x1F6D9), (0x1F7DA, 0x1F7DA), (0x1FA8B, 0x1FA8D),
    (0x1FACC, 0x1FACC), (0x1FADD, 0x1FADD), (0x1FAEB, 0x1FAEB), (0x1FAF9, 0x1FAFA),
)  # fmt: skip
_NARROW_STARTS = tuple(start for start, _ in _PLAYER_NARROW)


def regional_indicator(char: str) -> bool:
    """Whether `char` is a regional indicator letter (two make a flag: 🇫🇷)."""
    return len(char) == 1 and 0x1F1E6 <= ord(char) <= 0x1F1FF


def char_width(char: str) -> int:
    """Cells a character takes in the player: 2 for wide ones, else 1 (zero-width too)."""
    width = _WIDTHS.get(char)
    if width is None:
        # A regional indicator is one cell in the player (its grid, read in Chromium):
        # the browser draws a pair of them as one flag over their two cells.
        width = 2 if wcwidth(char) == 2 and not _player_narrow(char) else 1
        if len(_WIDTHS) < 65_536:
            _WIDTHS[char] = width
    return width


def _player_narrow(char: str) -> bool:
    """Whether the player gives `char` one cell where wcwidth makes it wide."""
    if len(char) != 1:
        return False
    code = ord(char)
    index = bisect.bisect_right(_NARROW_STARTS, code) - 1
    return index >= 0 and code <= _PLAYER_NARROW[index][1]


# Symbols that are emoji only when VS16 follows them (Emoji_Presentation=No: ℹ ‼ ↔ ☺),
# from wcwidth's table of the narrow ones VS16 widens; the ASCII and Latin-1 ones (# * 0-9
# © ®) are in every monospace font, so never looked for elsewhere.
_ON_REQUEST = tuple(
    span for table in VS16_NARROW_TO_WIDE.values() for span in table if span[0] >= 0x2000
)
_ON_REQUEST_STARTS = tuple(start for start, _ in _ON_REQUEST)


def text_symbol(text: str, index: int) -> bool:
    """Whether text[index] is a symbol shown as text unless asked to be an emoji, and is
    not asked (no VS16 after it)."""
    if index >= len(text):
        return False
    code = ord(text[index])
    at = bisect.bisect_right(_ON_REQUEST_STARTS, code) - 1
    return at >= 0 and code <= _ON_REQUEST[at][1] and text[index + 1 : index + 2] != "\ufe0f"


def has_text(line: Line | None) -> bool:
    """Whether a line shows any character other than a blank."""
    return line is not None and any(char.data.strip() for char in line.values())


def as_cell(char: Char) -> Cell:
    fg, bg = char.fg, char.bg
    if char.reverse:
        fg, bg = (bg if bg != "default" else "bgdefault"), (fg if fg != "default" else "fgdefault")
    faint: bool = getattr(char, "faint", False)
    style = (
        fg,
        bg,
        char.bold,
        char.italics,
        char.underscore,
        faint,
        char.strikethrough,
        char.blink,
    )
    return char.data, style


def with_cursor(row: Row, x: int) -> Row:
    """The row with the cell at x inverted, as the player draws its cursor."""
    cells = list(row)
    while len(cells) <= x:
        cells.append((" ", BLANK))
    char, (fg, bg, *attrs) = cells[x]
    if char == "":
        return row  # the right half of a wide character: the player draws nothing there
    cells[x] = (char, (swap(bg, "bg"), swap(fg, "fg"), *attrs))  # type: ignore[assignment]
    if x + 1 < len(cells) and cells[x + 1][0] == "":
        # On a wide character the player's cursor covers both its cells.
        half, (fg, bg, *attrs) = cells[x + 1]
        cells[x + 1] = (half, (swap(bg, "bg"), swap(fg, "fg"), *attrs))  # type: ignore[assignment]
    return tuple(cells)


def swap(color: str, side: str) -> str:
    if color == "default":
        return f"{side}default"
    if color == "fgdefault":
        return "default"
    if color == "bgdefault":
        return "default"
    return color


def clamp_saved(saved: Any, cols: int, rows: int) -> Any:
    """A saved cursor kept inside a resized screen, as avt's `reflow` clamps it."""
    if saved is None:
        return None
    cursor = copy_cursor(saved.cursor)
    cursor.x, cursor.y = min(cursor.x, cols - 1), min(cursor.y, rows - 1)
    return saved._replace(cursor=cursor)


def copy_cursor(cursor: Any) -> Any:
    copy = pyte.screens.Cursor(cursor.x, cursor.y, cursor.attrs)
    copy.hidden = cursor.hidden
    return copy
