"""Streaming asciicast readers (v1, v2, v3): one line at a time, memory flat.

Every problem is reported as `SOURCE:LINE: what is wrong`. Events before a bad line
are yielded first, so a player can show everything up to a truncated end.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import Any

from genact_cast.asciicast.model import OUTPUT, Event, Header, Theme
from genact_cast.errors import CastFormatError


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a cast may hold")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_RAW_DECODE = _DECODER.raw_decode


def _loads(text: str) -> Any:
    return _DECODER.decode(text)


class CastReader:
    """The header of a cast, read at once, and its events, read as they are asked for."""

    def __init__(self, lines: Iterable[bytes], source: str) -> None:
        self.source = source
        self._lines = enumerate(lines, start=1)
        self._v1_events: list[Any] | None = None
        self.header = self._read_header()

    def _fail(self, line: int, problem: str) -> CastFormatError:
        return CastFormatError(self.source, line, problem)

    def _decode(self, number: int, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self._fail(number, f"invalid UTF-8 at byte {exc.start + 1}") from None

    def _read_header(self) -> Header:
        for number, raw in self._lines:
            text = self._decode(number, raw).strip()
            if not text:
                continue
            try:
                value = _loads(text)
            except ValueError:
                if text.startswith("{"):
                    return self._read_v1(number, raw)
                raise self._fail(number, "the header is not valid JSON") from None
            return self._parse_header(number, value)
        raise self._fail(1, "empty file: no asciicast header")

    def _read_v1(self, first: int, raw: bytes) -> Header:
        """v1 is one JSON document, usually over many lines: it is read whole."""
        chunks = [raw]
        last = first
        for number, more in self._lines:
            chunks.append(more)
            last = number
        text = self._decode(first, b"".join(chunks))
        try:
            value = _loads(text)
        except ValueError as exc:
            line = first + text.count("\n", 0, getattr(exc, "pos", 0))
            raise self._fail(line, f"not valid JSON: {getattr(exc, 'msg', exc)}") from None
        if not isinstance(value, dict) or value.get("version") != 1:
            raise self._fail(first, "the header is not valid JSON")
        header = self._parse_header(first, value)
        stdout = value.get("stdout")
        if not isinstance(stdout, list):
            raise self._fail(last, "v1 cast has no 'stdout' list of frames")
        self._v1_events = stdout
        return header

    def _parse_header(self, number: int, value: Any) -> Header:
        if not isinstance(value, dict):
            raise self._fail(number, "the header must be a JSON object")
        version = value.get("version")
        if version is None:
            raise self._fail(number, "the header has no 'version'")
        if version not in (1, 2, 3) or isinstance(version, bool):
            raise self._fail(number, f"unknown asciicast version {version!r} (1, 2 or 3 expected)")
        if version == 3:
            term = value.get("term")
            if not isinstance(term, dict):
                raise self._fail(number, "v3 header needs a 'term' object with 'cols' and 'rows'")
            cols, rows = term.get("cols"), term.get("rows")
            term_type, theme = term.get("type"), term.get("theme")
        else:
            cols, rows = value.get("width"), value.get("height")
            env = value.get("env")
            term_type = env.get("TERM") if isinstance(env, dict) else None
            theme = value.get("theme")
        for name, size in (("width/cols", cols), ("height/rows", rows)):
            if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
                raise self._fail(
                    number, f"terminal {name} must be a positive integer (got {size!r})"
                )
        idle = value.get("idle_time_limit")
        if idle is not None and (not isinstance(idle, int | float) or isinstance(idle, bool)):
            raise self._fail(number, "'idle_time_limit' must be a number")
        timestamp = value.get("timestamp")
        title = value.get("title")
        env = value.get("env")
        return Header(
            cols=cols,  # type: ignore[arg-type]
            rows=rows,  # type: ignore[arg-type]
            version=version,
            timestamp=int(timestamp) if isinstance(timestamp, int | float) else None,
            idle_time_limit=float(idle) if idle is not None else None,
            command=value.get("command") if isinstance(value.get("command"), str) else None,
            title=title if isinstance(title, str) else None,
            term_type=term_type if isinstance(term_type, str) else None,
            env=_strings(env),
            theme=_theme(theme),
        )

    def events(self) -> Iterator[Event]:
        if self._v1_events is not None:
            yield from self._v1(self._v1_events)
            return
        previous = 0
        version = self.header.version
        for number, raw in self._lines:
            text = self._decode(number, raw)
            if text[:1] in ("#", "\n", "\r", " ", ""):  # rare: look closer
                stripped = text.strip()
                if not stripped or (version == 3 and stripped.startswith("#")):
                    continue
            try:
                value, end = _RAW_DECODE(text)
                if end < len(text) and text[end:].strip():
                    raise ValueError("extra data after the event")
            except ValueError as exc:
                if not raw.endswith(b"\n"):
                    raise self._fail(
                        number, "truncated last line (the file ends mid-event)"
                    ) from None
                raise self._fail(number, f"not valid JSON: {getattr(exc, 'msg', exc)}") from None
            # Exact type checks: quick on the hot path, and bools are not numbers.
            if type(value) is not list or len(value) != 3:
                raise self._fail(number, "an event must be a JSON array [time, code, data]")
            time, code, data = value
            if type(time) not in (float, int) or not math.isfinite(time):
                raise self._fail(number, f"event time must be a number (got {time!r})")
            if type(code) is not str or type(data) is not str:
                raise self._fail(number, "event code and data must be strings")
            if time < 0:
                raise self._fail(number, f"event time must not be negative (got {time})")
            time_us = round(time * 1_000_000)
            if version == 3:
                time_us += previous
            elif time_us < previous:
                raise self._fail(number, f"time goes backwards ({time} after {previous / 1e6})")
            previous = time_us
            yield Event(time_us, code, data)

    def _v1(self, frames: list[Any]) -> Iterator[Event]:
        now = 0
        for index, frame in enumerate(frames, start=1):
            if (
                not isinstance(frame, list)
                or len(frame) != 2
                or not _is_number(frame[0])
                or not isinstance(frame[1], str)
                or frame[0] < 0
            ):
                raise self._fail(1, f"v1 frame {index} must be [delay, text] with delay >= 0")
            now += round(frame[0] * 1_000_000)
            yield Event(now, OUTPUT, frame[1])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(v, str)}


def _theme(value: Any) -> Theme | None:
    if not isinstance(value, dict):
        return None
    fg, bg, palette = value.get("fg"), value.get("bg"), value.get("palette")
    if not (isinstance(fg, str) and isinstance(bg, str) and isinstance(palette, str)):
        return None
    return Theme(fg, bg, tuple(palette.split(":")))
