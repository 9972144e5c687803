"""The command line's shared option types (typer `parser`s), each one rule for every
option of its kind:

- numbers read only what numbers.py calls a number (plain ASCII decimals), with click's
  one-line `Invalid value for '--speed': ...` naming the option (apart from numbers.py so
  that the library's parsers do not import typer);
- output files are refused when the name is a directory's (`x.svg/`, `x.svg/.`), which
  pathlib would otherwise fold into the file `x.svg`.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from genact_cast.errors import OutputError
from genact_cast.numbers import plain_float, plain_int

MAX_INTEGER_CHARS = 40  # no option of this program takes a longer whole number


def integer(text: str | int) -> int:
    """typer's `parser` for a whole-number option (named as click's INT, for the help); a
    default comes as the number itself."""
    if isinstance(text, str) and len(text) > MAX_INTEGER_CHARS:  # not echoed back whole
        raise typer.BadParameter(f"a number of {len(text):,} characters is too long")
    number = text if isinstance(text, int) else plain_int(text)
    if number is None:
        raise typer.BadParameter(f"{text!r} is not a valid int (ASCII digits only, such as 30)")
    return number


def real(text: str | float) -> float:
    """typer's `parser` for a real-number option."""
    number = float(text) if isinstance(text, int | float) else plain_float(text)
    if number is None:
        raise typer.BadParameter(
            f"{text!r} is not a valid float (ASCII digits only, such as 2, 0.5 or 1e-3)"
        )
    return number


def output(text: str | Path) -> Path:
    """typer's `parser` for an output file: the name as given, refused in one line when it
    can only name a directory (a trailing slash, or a last part `.` or `..`)."""
    name = os.fspath(text)
    last = name.rstrip("/").rpartition("/")[2] if name.rstrip("/") else name
    if name.endswith("/") or last in (".", ".."):
        raise OutputError(f"{name}: names a directory, not a file (a trailing '/', '.' or '..')")
    return Path(name)


def words(text: str) -> str:
    """typer's `parser` for free text (a title, a marker's label): refused in one line when
    the shell gave bytes that are not UTF-8 (Python holds them as lone surrogates, which no
    cast, page or server can carry)."""
    bad = next((char for char in text if "\ud800" <= char <= "\udfff"), None)
    if bad is not None:
        shown = f"0x{ord(bad) - 0xDC00:02x}" if ord(bad) >= 0xDC80 else f"U+{ord(bad):04X}"
        raise typer.BadParameter(f"is not valid UTF-8 (byte {shown}); give the text in UTF-8")
    return text


integer.__name__ = "integer"  # click's metavar for the help: INTEGER and FLOAT, as before
real.__name__ = "float"
output.__name__ = "path"
words.__name__ = "text"
