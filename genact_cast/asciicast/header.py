"""A cast's header, checked: the fields every version has, with their limits.

Split from reader.py: `parse_header` takes the decoded JSON object and says in a
`HeaderProblem` what is wrong; the reader adds the source and the line.
"""

from __future__ import annotations

import json
import re
from typing import Any

from genact_cast import limits
from genact_cast.asciicast.json_limits import no_surrogates
from genact_cast.asciicast.model import Header, Theme
from genact_cast.escape import terminal_text

_MAX_TIMESTAMP = 2**53  # seconds since 1970: anything later is not a date
_RESIZE = re.compile(r"([0-9]{1,4})x([0-9]{1,4})", re.ASCII)
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}")


class HeaderProblem(ValueError):
    """What is wrong with a header, for a one-line message."""


def parse_header(value: Any) -> tuple[Header, list[Any] | None]:
    """The header in `value`, and a v1 cast's frames (None for v2 and v3)."""
    if not isinstance(value, dict):
        raise HeaderProblem("the header must be a JSON object")
    value = no_surrogates(value)
    version = value.get("version")
    if version is None:
        raise HeaderProblem("the header has no 'version'")
    if type(version) is not int or version not in (1, 2, 3):
        # As JSON spells it (true, null, "2"), not Python (True, None, '2').
        shown = terminal_text(json.dumps(version, ensure_ascii=False)[:40])
        raise HeaderProblem(f"unknown asciicast version {shown} (1, 2 or 3 expected)")
    if version == 3:
        term = value.get("term")
        if not isinstance(term, dict):
            raise HeaderProblem("v3 header needs a 'term' object with 'cols' and 'rows'")
        cols, rows = term.get("cols"), term.get("rows")
        term_type, theme = term.get("type"), term.get("theme")
    else:
        cols, rows = value.get("width"), value.get("height")
        env = value.get("env")
        term_type = env.get("TERM") if isinstance(env, dict) else None
        theme = value.get("theme")
    for name, size, most in (
        ("width/cols", cols, limits.MAX_TERMINAL_COLS),
        ("height/rows", rows, limits.MAX_TERMINAL_ROWS),
    ):
        if type(size) is not int or not 0 < size <= most:
            shown = terminal_text(json.dumps(size)[:40])  # JSON's true, not True
            raise HeaderProblem(
                f"terminal {name} must be an integer from 1 to {most} (got {shown})"
            )
    idle = value.get("idle_time_limit")
    # A JSON number above 0, or absent (null): the spec's "Float", which `asciinema rec
    # -i` writes only above 0 (2.4.0 __main__.py `positive_float`). asciinema 2.4.0's
    # play fails on a string (events.py `min(delay, time_limit)`) and removes every pause
    # for a limit of 0 or below, as asciinema-player 3.17 does (full.js:123-131): no
    # reference plays such a cast as recorded, so it is refused, as a width of "80" is
    # (review-attack10 F2; it was dropped silently, and "5" read as 5).
    if idle is not None and (
        type(idle) not in (int, float) or not 0 < idle <= limits.MAX_CAST_SECONDS
    ):
        shown = terminal_text(json.dumps(idle)[:40])
        raise HeaderProblem(
            f"'idle_time_limit' must be a number above 0, at most {limits.MAX_CAST_SECONDS:g}"
            f" (got {shown})",
        )
    timestamp = value.get("timestamp")
    if timestamp is not None and (
        type(timestamp) not in (int, float) or not 0 <= timestamp <= _MAX_TIMESTAMP
    ):
        raise HeaderProblem("'timestamp' must be a number of seconds since 1970")
    if version == 1:
        stdout = value.get("stdout")
        if not isinstance(stdout, list):
            raise HeaderProblem("v1 cast has no 'stdout' list of frames")
    title = value.get("title")
    env = value.get("env")
    header = Header(
        cols=cols,  # type: ignore[arg-type]
        rows=rows,  # type: ignore[arg-type]
        version=version,
        timestamp=int(timestamp) if timestamp is not None else None,
        idle_time_limit=float(idle) if idle is not None else None,
        command=value.get("command") if isinstance(value.get("command"), str) else None,
        title=title if isinstance(title, str) else None,
        term_type=term_type if isinstance(term_type, str) else None,
        env=_strings(env),
        theme=_theme(theme),
        rejected_theme=theme if theme is not None and _theme(theme) is None else None,
    )
    frames = value.get("stdout") if version == 1 else None
    return header, frames


def resize_ok(data: str) -> bool:
    """Whether a resize event's data is COLSxROWS within the limits."""
    match = _RESIZE.fullmatch(data)
    return (
        match is not None
        and 0 < int(match.group(1)) <= limits.MAX_TERMINAL_COLS
        and 0 < int(match.group(2)) <= limits.MAX_TERMINAL_ROWS
    )


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(v, str)}


def _theme(value: Any) -> Theme | None:
    """The theme, if it is one: colours as #rrggbb, a palette of 8 or 16 (else none)."""
    if not isinstance(value, dict):
        return None
    fg, bg, palette = value.get("fg"), value.get("bg"), value.get("palette")
    if not (isinstance(fg, str) and isinstance(bg, str) and isinstance(palette, str)):
        return None
    colours = tuple(palette.split(":"))
    if len(colours) not in (8, 16) or not all(_COLOUR.fullmatch(c) for c in (fg, bg, *colours)):
        return None
    return Theme(fg, bg, colours)
