"""Streaming asciicast readers (v1, v2, v3): one line at a time, memory flat.

Every problem is reported as `SOURCE:LINE: what is wrong`, on one line, and every
input has limits (genact_cast.limits): a line, a header, a v1 document, JSON nesting,
times, terminal sizes. Events before a bad line are yielded first, so a player can show
everything up to a truncated end. Lone surrogates (JSON escapes such as "\\udc9d") are
replaced by U+FFFD in every string read, so nothing downstream ever meets one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import orjson

from genact_cast import limits
from genact_cast.asciicast.header import resize_ok as _resize_ok
from genact_cast.asciicast.header_reader import read_header, too_deep
from genact_cast.asciicast.json_limits import DECODER as _DECODER
from genact_cast.asciicast.json_limits import SURROGATE_ESCAPE as _SURROGATE_ESCAPE
from genact_cast.asciicast.json_limits import no_surrogates as _no_surrogates
from genact_cast.asciicast.lines import LineSource, ReadBudget, refuse_cr_only
from genact_cast.asciicast.model import MICROS, OUTPUT, RESIZE, Event
from genact_cast.errors import CastFormatError
from genact_cast.escape import terminal_text

_RAW_DECODE = _DECODER.raw_decode
_SCAN_ONCE = _DECODER.scan_once  # type: ignore[attr-defined]  # the C scanner
_MAX_US = limits.MAX_CAST_SECONDS * MICROS
BLOCK = 1 << 18  # events are read in blocks this large
_orjson_loads = orjson.loads
_OrjsonError = orjson.JSONDecodeError
_new_event = tuple.__new__  # an Event without NamedTuple's Python-level __new__


class CastReader:
    """The header of a cast, read at once, and its events, read as they are asked for.

    `stream` is a binary file object; lines are read from it with a length limit.
    `deadline` (time.monotonic()) bounds the time spent reading: TimeoutError after it;
    `budget` the bytes read, for an export that prices its work by the byte (lines.py).

    Bounded work: at most MAX_CAST_LINES lines (blank ones and the header's counted, and
    v1 frames) and MAX_CAST_BYTES bytes are read. Each line costs a bounded amount (the
    slowest shapes, a resize event or a whitespace-only or comment line, 3-13 us on a
    loaded 2-core machine), each byte too (JSON decoding), so reading any input costs at
    most about 2e6 x 13 us + one pass of JSON decoding over 1 GiB: tens of seconds,
    whatever its shape, never the hours a byte limit alone allowed.
    """

    def __init__(
        self, stream: IO[bytes], source: str, *, deadline: float | None = None,
        budget: ReadBudget | None = None,
    ) -> None:  # fmt: skip
        self.source = source
        self._lines = LineSource(stream, source, deadline=deadline, budget=budget)
        self._fail = self._lines.fail
        self._previous = 0  # time of the last event read (us)
        self.header, self._v1_events = read_header(self._lines)

    def events(self) -> Iterator[Event]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[Event]]:
        """The events in lists, one per block read: the player takes what is due at once.

        Events before a bad line are yielded before its error is raised.
        """
        if self._v1_events is not None:
            yield list(self._v1(self._v1_events))
            return
        for first, block in self._lines.blocks(BLOCK):
            yield from self._parse_block(first, block)

    def _parse_block(self, first: int, block: bytes) -> Iterator[list[Event]]:
        """The events of `block`: orjson when every line is plainly a good event, else
        the standard decoder line by line, which also says what is wrong."""
        events = self._fast_block(block)
        if events is not None:
            if events:
                yield events
            return
        yield from self._scan_block(first, block)

    def _fast_block(self, block: bytes) -> list[Event] | None:
        """The events of `block` if each line holds one plainly good event, else None.

        orjson decodes each line on its own (so nothing can span lines); it refuses lone
        surrogates, invalid UTF-8, NaN and numbers out of range, which leaves those, and
        blank lines, comments, resizes and anything wrong, to the careful path.
        """
        lines = block.split(b"\n")
        if lines[-1]:
            return None  # the file ends mid-line
        lines.pop()
        if b"\n\n" in block or block.startswith(b"\n"):
            lines = [line for line in lines if line]  # blank lines: no events, no cost
        try:
            values = list(map(_orjson_loads, lines))
        except _OrjsonError:
            return None
        events: list[Event] = []
        append = events.append
        version3 = self.header.version == 3
        previous = self._previous
        top = limits.MAX_CAST_SECONDS
        for value in values:
            if type(value) is not list or len(value) != 3:
                return None
            time, code, data = value
            if not (
                (type(time) is float or type(time) is int)
                and 0 <= time <= top
                and type(code) is str
                and type(data) is str
                and (code != RESIZE or _resize_ok(data))
            ):
                return None
            time_us = round(time * MICROS)
            if version3:
                time_us += previous
                if time_us > _MAX_US:
                    return None
            elif time_us < previous:
                return None
            previous = time_us
            append(_new_event(Event, (time_us, code, data)))
        self._previous = previous
        return events

    def _scan_block(self, first: int, block: bytes) -> Iterator[list[Event]]:
        """The events of `block`: one C-level scan per event on the hot path; any line
        that is not plainly a good event goes through `_event`, which says what is wrong.
        """
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError as exc:
            start = block.rfind(b"\n", 0, exc.start) + 1
            yield from self._parse_block(first, block[:start])
            number = first + block.count(b"\n", 0, start)
            raise self._fail(number, f"invalid UTF-8 at byte {exc.start - start + 1}") from None
        longest = limits.MAX_LINE_BYTES
        if len(block) > longest and max(map(len, block.split(b"\n"))) > longest:
            number = first + next(i for i, b in enumerate(block.split(b"\n")) if len(b) > longest)
            raise self._fail(number, f"the line is longer than the limit of {longest:,} bytes")
        events: list[Event] = []
        append = events.append
        scan = _SCAN_ONCE
        version3 = self.header.version == 3
        surrogates = _SURROGATE_ESCAPE.search(block) is not None
        previous = self._previous
        pos, end, number = 0, len(text), first
        top = limits.MAX_CAST_SECONDS
        while pos < end:
            newline = text.find("\n", pos)
            if newline == pos:  # a blank line: skipped without a decoder's exception
                pos += 1
                number += 1
                continue
            if text[pos] in _CAREFUL_START:  # whitespace or a comment: no decoder exception
                value, stop = None, pos
            else:
                try:
                    value, stop = scan(text, pos)
                except (StopIteration, ValueError, RecursionError):
                    value, stop = None, pos
            # The value must end its own line: JSON whitespace may hold a newline, and
            # an event over two lines is not one. Exact type checks: quick on the hot
            # path, and bools are not numbers.
            if stop == newline and type(value) is list and len(value) == 3:
                time, code, data = value
                if (
                    (type(time) is float or type(time) is int)
                    and 0 <= time <= top
                    and type(code) is str
                    and type(data) is str
                    and (code != RESIZE or _resize_ok(data))
                ):
                    time_us = round(time * MICROS)
                    if version3:
                        time_us += previous
                    if time_us >= previous and time_us <= _MAX_US:
                        if surrogates:
                            code, data = _no_surrogates(code), _no_surrogates(data)
                        previous = time_us
                        append(_new_event(Event, (time_us, code, data)))
                        pos = stop + 1
                        number += 1
                        continue
            line_end = end if newline < 0 else newline + 1
            self._previous = previous
            try:
                event = self._event(number, text[pos:line_end])
            except CastFormatError:
                if events:
                    yield events
                raise
            previous = self._previous
            if event is not None:
                append(event)
            pos = line_end
            number += 1
        self._previous = previous
        if events:
            yield events

    def _event(self, number: int, text: str) -> Event | None:
        """The event on line `number` (None for a blank line or a comment), or why not."""
        version = self.header.version
        if text[:1] in ("#", "\n", "\r", " ", "\t"):  # rare: look closer
            stripped = text.strip()
            if not stripped or (version == 3 and stripped.startswith("#")):
                return None
        try:
            # JSON takes whitespace before a value, as orjson's fast path and the player's
            # JSON.parse do: ` [0.5, "o", "x"]` is an event on every path
            start = len(text) - len(text.lstrip(_JSON_SPACE))
            value, end = _RAW_DECODE(text, start)
            if end < len(text) and text[end:].strip():
                raise ValueError("extra data after the event")
        except RecursionError:
            raise self._fail(number, too_deep()) from None
        except ValueError as exc:
            refuse_cr_only(self._fail, number, text)
            if not text.endswith("\n"):
                raise self._fail(number, "truncated last line (the file ends mid-event)") from None
            problem = terminal_text(str(getattr(exc, "msg", exc)))
            raise self._fail(number, f"not valid JSON: {problem}") from None
        if type(value) is not list or len(value) != 3:
            raise self._fail(number, "an event must be a JSON array [time, code, data]")
        time, code, data = value
        if type(time) not in (float, int):
            shown = terminal_text(json.dumps(time)[:40])
            raise self._fail(number, f"event time must be a number (got {shown})")
        if type(code) is not str or type(data) is not str:
            raise self._fail(number, "event code and data must be strings")
        if not 0 <= time <= limits.MAX_CAST_SECONDS:
            raise self._fail(
                number,
                f"event time must be 0 to {limits.MAX_CAST_SECONDS:g} seconds"
                f" (got {terminal_text(repr(time)[:40])})",
            )
        previous = self._previous
        time_us = round(time * MICROS)
        if version == 3:
            time_us += previous
            if time_us > _MAX_US:
                raise self._fail(
                    number, f"the cast is longer than {limits.MAX_CAST_SECONDS:g} seconds"
                )
        elif time_us < previous:
            raise self._fail(number, f"time goes backwards ({time} after {previous / 1e6})")
        self._previous = time_us
        if "\\u" in text and ("\\ud" in text or "\\uD" in text):
            code, data = _no_surrogates(code), _no_surrogates(data)
        if code == RESIZE:
            self._check_resize(number, data)
        return Event(time_us, code, data)

    def _check_resize(self, number: int, data: str) -> None:
        if not _resize_ok(data):
            raise self._fail(
                number,
                f"a resize event must be COLSxROWS, at most {limits.MAX_TERMINAL_COLS}x"
                f"{limits.MAX_TERMINAL_ROWS} (got {terminal_text(repr(data[:40]))})",
            )

    def _v1(self, frames: list[Any]) -> Iterator[Event]:
        now = 0
        if self._lines.line + len(frames) > limits.MAX_CAST_LINES:
            raise self._fail(
                1, f"the v1 cast has more than the limit of {limits.MAX_CAST_LINES:,} frames"
            )
        for index, frame in enumerate(frames, start=1):
            if (
                not isinstance(frame, list)
                or len(frame) != 2
                or not _is_number(frame[0])
                or not isinstance(frame[1], str)
                or not 0 <= frame[0] <= limits.MAX_CAST_SECONDS
            ):
                raise self._fail(
                    1,
                    f"v1 frame {index} must be [delay, text] with delay from 0 to"
                    f" {limits.MAX_CAST_SECONDS:g}",
                )
            now += round(frame[0] * MICROS)
            if now > _MAX_US:
                raise self._fail(1, f"the cast is longer than {limits.MAX_CAST_SECONDS:g} seconds")
            yield Event(now, OUTPUT, frame[1])


_CAREFUL_START = frozenset(" \t\r#")
_JSON_SPACE = " \t\r\n"  # RFC 8259's whitespace


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
