"""The command line's number options read only what numbers.py calls a number (plain ASCII
decimals), with click's one-line `Invalid value for '--speed': ...` naming the option.
Apart from numbers.py so that the library's parsers do not import typer."""

from __future__ import annotations

import typer

from genact_cast.numbers import plain_float, plain_int


def integer(text: str | int) -> int:
    """typer's `parser` for a whole-number option (named as click's INT, for the help); a
    default comes as the number itself."""
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


integer.__name__ = "integer"  # click's metavar for the help: INTEGER and FLOAT, as before
real.__name__ = "float"
