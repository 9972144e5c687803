"""Streaming asciicast readers (v1, v2, v3): one line at a time, memory flat.

Every problem is reported as `SOURCE:LINE: what is wrong`, on one line, and every
input has limits (genact_cast.limits): a line, a header, a v1 document, JSON nesting,
times, terminal sizes. Events before a bad line are yielded first, so a player can show
everything up to a truncated end. Lone surrogates (JSON escapes such as "\\udc9d") are
replaced by U+FFFD in every string read, so nothing downstream ever meets one.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

import orjson

from genact_cast import limits
from genact_cast.asciicast.header import HeaderProblem, parse_header
from genact_cast.asciicast.header import resize_ok as _resize_ok
from genact_cast.asciicast.json_limits import DECODER as _DECODER
from genact_cast.asciicast.json_limits import JSON_REST as _JSON_REST
from genact_cast.asciicast.json_limits import STRING as _STRING
from genact_cast.asciicast.json_limits import SURROGATE_ESCAPE as _SURROGATE_ESCAPE
from genact_cast.asciicast.json_limits import DuplicateKey
from genact_cast.asciicast.json_limits import depth as _depth
from genact_cast.asciicast.json_limits import no_surrogates as _no_surrogates
from genact_cast.asciicast.model import MICROS, OUTPUT, RESIZE, Event, Header
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
    `deadline` (time.monotonic()) bounds the time spent reading: TimeoutError after it.

    Bounded work: at most MAX_CAST_LINES lines (blank ones and the header's counted, and
    v1 frames) and MAX_CAST_BYTES bytes are read. Each line costs a bounded amount (the
    slowest shapes, a resize event or a whitespace-only or comment line, 3-13 us on a
    loaded 2-core machine), each byte too (JSON decoding), so reading any input costs at
    most about 2e6 x 13 us + one pass of JSON decoding over 1 GiB: tens of seconds,
    whatever its shape, never the hours a byte limit alone allowed.
    """

    def __init__(self, stream: IO[bytes], source: str, *, deadline: float | None = None) -> None:
        self.source = source
        self._stream = stream
        self._deadline = deadline
        self._line = 0  # number of the last line read
        self._bytes = 0  # bytes read so far
        self._v1_events: list[Any] | None = None
        self._previous = 0  # time of the last event read (us)
        self.header = self._read_header()

    def _fail(self, line: int, problem: str) -> CastFormatError:
        return CastFormatError(terminal_text(self.source), line, problem)

    def _too_many_lines(self) -> CastFormatError:
        return self._fail(
            limits.MAX_CAST_LINES + 1,
            f"the cast has more than the limit of {limits.MAX_CAST_LINES:,} lines",
        )

    def _too_many_bytes(self) -> CastFormatError:
        return self._fail(
            self._line, f"the cast is larger than the limit of {limits.MAX_CAST_BYTES:,} bytes"
        )

    def _check_time(self) -> None:
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise TimeoutError

    def _readline(self, limit: int, what: str, *, document_limit: int = 0) -> bytes:
        raw = self._stream.readline(limit + 1)
        if document_limit and len(raw) > limit and raw[-1:] != b"\n" and raw.lstrip()[:1] == b"{":
            # A JSON object longer than the line limit may be a v1 cast on one line (a
            # compact dump): read on, up to a v1 document's own limit. What does not start
            # an object (/dev/zero, random bytes) is refused at the line limit.
            raw += self._stream.readline(document_limit - limit)
            limit, what = document_limit, "the line of a v1 cast's JSON document"
        if raw:
            self._line += 1
            self._bytes += len(raw)
            if self._line > limits.MAX_CAST_LINES:
                raise self._too_many_lines()
            if self._bytes > limits.MAX_CAST_BYTES:
                raise self._too_many_bytes()
            if not self._line & 0xFFFF:
                self._check_time()
        if len(raw) > limit and not (len(raw) == limit + 1 and raw.endswith(b"\n")):
            raise self._fail(self._line, f"{what} is longer than the limit of {limit:,} bytes")
        return raw

    def _decode(self, number: int, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self._fail(number, f"invalid UTF-8 at byte {exc.start + 1}") from None

    def _read_header(self) -> Header:
        while True:
            # A longer line that is not a v1 document is refused at the header's limit.
            raw = self._readline(
                limits.MAX_HEADER_BYTES, "the header line", document_limit=limits.MAX_V1_BYTES
            )
            if not raw:
                if self._line:
                    raise self._fail(
                        self._line, "no asciicast header: the file holds only blank lines"
                    )
                raise self._fail(1, "empty file: no asciicast header")
            number = self._line
            if number == 1:
                _refuse_other_encodings(raw, self._fail)
            text = self._decode(number, raw).strip()
            if number == 1 and text.startswith("\ufeff"):
                raise self._fail(
                    1, "the file starts with a byte order mark (BOM): save it as UTF-8 without one"
                )
            if text:
                break
        if _depth(text) > limits.MAX_JSON_DEPTH:
            raise self._fail(number, self._too_deep())
        try:
            value = _DECODER.decode(text)
        except DuplicateKey as exc:
            raise self._fail(number, f"the header is not valid: {exc}") from None
        except ValueError:
            self._refuse_long_header(number, len(raw))
            if text.startswith("{"):
                return self._read_document(number, text)
            _refuse_cr_only(self, number, text)
            raise self._fail(number, "the header is not valid JSON") from None
        if not (isinstance(value, dict) and value.get("version") == 1):
            self._refuse_long_header(number, len(raw))
        return self._parse_header(number, value)

    def _refuse_long_header(self, number: int, size: int) -> None:
        if size > limits.MAX_HEADER_BYTES + 1:  # (+1: the newline)
            raise self._fail(
                number,
                f"the header line is longer than the limit of {limits.MAX_HEADER_BYTES:,} bytes",
            )

    @staticmethod
    def _too_deep() -> str:
        return f"JSON nested deeper than the limit of {limits.MAX_JSON_DEPTH} levels"

    def _read_document(self, first: int, text: str) -> Header:
        """A JSON object over several lines: a v1 cast, or a pretty-printed header."""
        chunks = [text]
        size = len(text)
        depth = self._nesting(first, text, 0)
        while depth > 0:
            raw = self._readline(limits.MAX_LINE_BYTES, "a line")
            if not raw:
                raise self._fail(self._line, "the header is not valid JSON (the file ends in it)")
            line = self._decode(self._line, raw)
            if depth == 1 and line.lstrip().startswith("["):
                # Inside the top-level object, a member starts with its name: this is an
                # event line after a broken one-line header, not more of the header.
                raise self._fail(first, "the header is not valid JSON")
            depth = self._nesting(self._line, line, depth)
            size += len(raw)
            if size > limits.MAX_V1_BYTES:
                raise self._fail(
                    first, f"the header is longer than the limit of {limits.MAX_V1_BYTES:,} bytes"
                )
            chunks.append(line)
        document = "".join(chunks)
        try:
            value = _DECODER.decode(document)
        except DuplicateKey as exc:
            raise self._fail(first, f"the header is not valid: {exc}") from None
        except ValueError as exc:
            _refuse_cr_only(self, first, document)
            where = first + document.count("\n", 0, getattr(exc, "pos", 0))
            raise self._fail(where, f"not valid JSON: {getattr(exc, 'msg', exc)}") from None
        return self._parse_header(first, value)

    def _nesting(self, number: int, line: str, depth: int) -> int:
        rest = _STRING.sub("", line)
        if '"' in rest or _JSON_REST.fullmatch(rest) is None:
            raise self._fail(number, "the header is not valid JSON")
        for char in rest:
            if char in "[{":
                depth += 1
                if depth > limits.MAX_JSON_DEPTH:
                    raise self._fail(number, self._too_deep())
            elif char in "]}":
                depth -= 1
        return depth

    def _parse_header(self, number: int, value: Any) -> Header:
        try:
            header, self._v1_events = parse_header(value)
        except HeaderProblem as exc:
            raise self._fail(number, str(exc)) from None
        if self._v1_events is not None:
            self._refuse_after_document()
        return header

    def _refuse_after_document(self) -> None:
        """A v1 cast is one JSON document: anything but blanks after it is refused, on the
        next lines as on its own line (a second document was read without complaint)."""
        rest = self._stream.read(limits.MAX_V1_BYTES + 1)
        self._bytes += len(rest)
        if rest.strip(b" \t\r\n"):
            skipped = len(rest) - len(rest.lstrip(b" \t\r\n"))
            where = self._line + rest.count(b"\n", 0, skipped) + 1
            raise self._fail(where, "text after the v1 cast's JSON document (one is expected)")

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
        for first, block in self._blocks():
            yield from self._parse_block(first, block)

    def _blocks(self) -> Iterator[tuple[int, bytes]]:
        """Whole lines, read in large blocks: (number of the first line, the lines).

        The last block may end without a newline (a truncated file).
        """
        waiting: list[bytes] = []  # the start of a line longer than a block
        size = 0
        while True:
            self._check_time()
            chunk = self._stream.read(BLOCK)
            if not chunk:
                if waiting:
                    if self._line >= limits.MAX_CAST_LINES:
                        raise self._too_many_lines()
                    yield self._line + 1, b"".join(waiting)
                return
            self._bytes += len(chunk)
            if self._bytes > limits.MAX_CAST_BYTES:
                raise self._too_many_bytes()
            cut = chunk.rfind(b"\n") + 1
            if cut == 0:
                waiting.append(chunk)
                size += len(chunk)
                if size > limits.MAX_LINE_BYTES:
                    raise self._fail(
                        self._line + 1,
                        f"the line is longer than the limit of {limits.MAX_LINE_BYTES:,} bytes",
                    )
                continue
            head = chunk[:cut]
            if waiting:
                waiting.append(head)
                head = b"".join(waiting)
                waiting = []
            first = self._line + 1
            count = head.count(b"\n")
            if self._line + count > limits.MAX_CAST_LINES:
                # The lines up to the limit are read (a player shows them), then the error.
                keep = limits.MAX_CAST_LINES - self._line
                if keep > 0:
                    yield first, head[: len(b"\n".join(head.split(b"\n", keep)[:keep])) + 1]
                raise self._too_many_lines()
            self._line += count
            if cut < len(chunk):
                waiting.append(chunk[cut:])
            size = len(chunk) - cut
            yield first, head

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
            value, end = _RAW_DECODE(text)
            if end < len(text) and text[end:].strip():
                raise ValueError("extra data after the event")
        except RecursionError:
            raise self._fail(number, self._too_deep()) from None
        except ValueError as exc:
            _refuse_cr_only(self, number, text)
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
        if self._line + len(frames) > limits.MAX_CAST_LINES:
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


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_LONE_CR = re.compile(r"\r(?!\n)")


def _refuse_cr_only(reader: CastReader, number: int, text: str) -> None:
    """A line that fails to parse because lines end in a bare CR (classic Mac OS) would
    otherwise read as JSON's "Extra data": say what is wrong with the file instead."""
    if _LONE_CR.search(text):
        raise reader._fail(number, "lines end in CR alone (old Mac line endings): use LF or CRLF")


# Byte order marks of the encodings an editor may save a cast in (UTF-32's first: its
# little-endian mark begins with UTF-16's).
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
)


def _refuse_other_encodings(first_line: bytes, fail: Callable[[int, str], Exception]) -> None:
    """A file that starts with a UTF-16 or UTF-32 byte order mark is named as such (it
    was 'invalid UTF-8 at byte 1'): an asciicast is UTF-8."""
    for bom, name in _BOMS:
        if first_line.startswith(bom):
            raise fail(1, f"the file is {name}, by its byte order mark: save it as UTF-8")
