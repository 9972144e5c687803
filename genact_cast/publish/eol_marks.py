"""A shell's mark for output that did not end with a newline: zsh's PROMPT_SP (its
PROMPT_EOL_MARK, `%B%S%#%s%b`: `%`, `#` for root, in bold standout) and fish's `⏎`.

The shell writes the mark after such output, then blanks past the right edge, so that
the terminal wraps onto a new row, then `\\r \\r` and the prompt there (zsh's zle_refresh.c,
fish's screen.cpp `abandon_line`). The player draws it, but it is no text the program
wrote: a screen reader user needs the output line (`no newline`), not the mark read out
after it (`no newline percent`). The subtitles (--vtt) leave it out; --text keeps it, as
it writes the rows the player shows (review-exports20 WARN 6), and the pictures draw it as
the player does."""

from __future__ import annotations

from genact_cast.publish.screens import Row, row_text

FISH_MARK = "\u23ce"  # fish's mark for output without a final newline (`⏎`)
ZSH_MARKS = ("%", "#")  # zsh's, as a user's (`%`) and as root's (`#`)


def missing_newline_mark(row: Row, cols: int) -> bool:
    """Whether a row the terminal wrapped is zsh's mark for a line not ended by a newline
    (`%` or `#`, then blanks past the right edge, then `\\r \\r` and the prompt drawn over
    the row they wrapped onto): the line ends at the mark, the prompt and the command
    typed after it are a line of their own (s3.cast of review-exports6, zsh 5.9: `cd /tmp`
    typed ahead, then the prompt); or fish's (`⏎` and blanks past the right edge, the
    prompt drawn over the row they wrapped onto, review-exports11 item 6)."""
    text = row_text(row)
    if text.endswith(FISH_MARK):
        return True
    return cols - len(row) >= 2 and text.endswith(ZSH_MARKS) and len(text) == len(row)


def unmarked(row: Row, cols: int, wrapped: bool) -> Row:
    """The row without the shell's mark, if it is a wrapped row ending with one (the row
    keeps no trailing blank cell: the mark is its last cell with a character). Fish's
    `⏎` ends its row however the row is kept: fish erases the row its blanks wrapped
    onto (`\\r\\e[K`), and the line ends there for the subtitles (`Line.cut`, no longer
    among the rows wrapped)."""
    fish = row_text(row).endswith(FISH_MARK)
    if not fish and not (wrapped and missing_newline_mark(row, cols)):
        return row
    end = len(row)
    while end and not row[end - 1][0].strip():
        end -= 1
    return row[: end - 1]
