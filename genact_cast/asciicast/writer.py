"""asciicast v2 and v3 writers: newline-delimited JSON, streamed event by event."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any

from genact_cast.asciicast.model import MICROS, Event, Header, Theme, format_seconds, micros

_DEFAULT_TERM = "xterm-256color"


def encode(header: Header, events: Iterable[Event], version: int) -> Iterator[str]:
    """Yield the lines (each ending in a newline) of the cast in format `version`."""
    if version == 2:
        yield _dumps(_header_v2(header)) + "\n"
        for event in events:
            yield _event_line(event.time_us, event)
    elif version == 3:
        yield _dumps(_header_v3(header)) + "\n"
        # Intervals come from absolute times already on the microsecond grid, so
        # each one carries the rounding of the last: the sum never drifts.
        previous = 0
        for event in events:
            yield _event_line(event.time_us - previous, event)
            previous = event.time_us
    else:
        raise ValueError(f"unsupported asciicast version {version}")


class CastWriter:
    """A cast written as its events come (`add`), the bytes `encode` gives, handed to
    `write` in batches of about a MiB: `record` keeps no cast in memory, however long
    (a day at 1000x200 is 262 MB of cast, held whole it peaked at 1.6 GB)."""

    BATCH = 1 << 20

    def __init__(self, header: Header, version: int, write: Callable[[bytes], object]) -> None:
        self.header = header
        self._write = write
        self._lines = encode(header, (), version)
        self._v3 = version == 3
        self._pending = list(self._lines)  # the header's line
        self._size = 0
        self.count = 0  # events written
        self.last_us = 0  # time of the last one

    def add(self, event: Event) -> None:
        time_us = event[0]
        line = _event_line(time_us - self.last_us if self._v3 else time_us, event)
        self._pending.append(line)
        self.count += 1
        self.last_us = time_us
        size = self._size = self._size + len(line)
        if size >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self._write("".join(self._pending).encode("utf-8"))
            self._pending.clear()
            self._size = 0


_CODES = {code: encode_basestring(code) for code in ("o", "i", "m", "r", "x")}


def _event_line(time_us: int, event: Event) -> str:
    # What json.dumps([format_seconds(time_us), code, data], ensure_ascii=False) gives,
    # without building an encoder for each of a cast's thousands of strings (the codes'
    # strings made once), and with format_seconds and the data's escaping inline: a
    # framework's typed command is an event a key.
    if time_us < 0:
        raise ValueError(f"negative time: {time_us} us")
    whole, fraction = divmod(time_us, MICROS)
    # the fraction's six digits (a str of an int is cheaper than a format spec), trailing
    # zeros dropped: format_seconds
    decimals = str(fraction + MICROS)[1:].rstrip("0") if fraction else "0"
    _, code, data = event
    code = _CODES.get(code) or encode_basestring(code)
    # On ASCII without DEL (which only the ASCII encoder escapes) encode_basestring_ascii
    # gives encode_basestring's bytes in about half the time: a launch on hundreds of nodes
    # writes events of megabytes.
    if data.isascii() and "\x7f" not in data:
        text = encode_basestring_ascii(data)
    else:
        text = encode_basestring(data)
    return f"[{whole}.{decimals}, {code}, {text}]\n"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _header_v2(header: Header) -> dict[str, Any]:
    out: dict[str, Any] = {"version": 2, "width": header.cols, "height": header.rows}
    _add_common(out, header)
    env = {"SHELL": "/bin/bash", "TERM": header.term_type or _DEFAULT_TERM, **header.env}
    out["env"] = env
    if header.theme is not None:
        out["theme"] = _theme(header.theme)
    return out


def _header_v3(header: Header) -> dict[str, Any]:
    term: dict[str, Any] = {
        "cols": header.cols,
        "rows": header.rows,
        "type": header.term_type or _DEFAULT_TERM,
    }
    if header.theme is not None:
        term["theme"] = _theme(header.theme)
    out: dict[str, Any] = {"version": 3, "term": term}
    _add_common(out, header)
    out["env"] = {"SHELL": "/bin/bash", **{k: v for k, v in header.env.items() if k != "TERM"}}
    return out


def _add_common(out: dict[str, Any], header: Header) -> None:
    if header.timestamp is not None:
        out["timestamp"] = header.timestamp
    if header.idle_time_limit is not None:
        out["idle_time_limit"] = float(format_seconds(micros(header.idle_time_limit)))
    if header.command is not None:
        out["command"] = header.command
    if header.title is not None:
        out["title"] = header.title


def _theme(theme: Theme) -> dict[str, str]:
    return {"fg": theme.fg, "bg": theme.bg, "palette": ":".join(theme.palette)}
