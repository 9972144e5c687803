"""The lines of a cast file, read with limits: a line's length, the number of lines and
bytes, and a deadline. Every problem is one `CastFormatError` naming the line."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import IO, NamedTuple

from genact_cast import limits
from genact_cast.errors import CastFormatError, GenactCastError
from genact_cast.escape import terminal_text


class ReadBudget(NamedTuple):
    """What one export may read (`size` bytes), and the one line said past it."""

    size: int
    refusal: str


class LineSource:
    """A binary stream read a line at a time, counting lines and bytes against the limits.

    `deadline` (time.monotonic()) bounds the time spent reading: TimeoutError after it.
    `budget` bounds the bytes an export may read at the cost a byte of its work, for what
    cannot be priced before it is read (a pipe, a URL, a cut whose place is not known).
    """

    def __init__(
        self, stream: IO[bytes], source: str, *, deadline: float | None = None,
        budget: ReadBudget | None = None,
    ) -> None:  # fmt: skip
        self.source = source
        self.stream = stream
        self.deadline = deadline
        self.line = 0  # number of the last line read
        self.bytes = 0  # bytes read so far
        self.most = (
            limits.MAX_CAST_BYTES if budget is None else min(budget.size, limits.MAX_CAST_BYTES)
        )
        self.budget = budget

    def fail(self, line: int, problem: str) -> CastFormatError:
        return CastFormatError(terminal_text(self.source), line, problem)

    def too_many_lines(self) -> CastFormatError:
        return self.fail(
            limits.MAX_CAST_LINES + 1,
            f"the cast has more than the limit of {limits.MAX_CAST_LINES:,} lines",
        )

    def too_many_bytes(self) -> GenactCastError:
        if self.budget is not None and self.bytes <= limits.MAX_CAST_BYTES:
            return GenactCastError(self.budget.refusal)
        return self.fail(
            self.line, f"the cast is larger than the limit of {limits.MAX_CAST_BYTES:,} bytes"
        )

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeoutError

    def blocks(self, size_of_block: int) -> Iterator[tuple[int, bytes]]:
        """Whole lines, read in large blocks: (number of the first line, the lines).

        The last block may end without a newline (a truncated file).
        """
        waiting: list[bytes] = []  # the start of a line longer than a block
        size = 0
        while True:
            self.check_time()
            chunk = self.stream.read(size_of_block)
            if not chunk:
                if waiting:
                    if self.line >= limits.MAX_CAST_LINES:
                        raise self.too_many_lines()
                    yield self.line + 1, b"".join(waiting)
                return
            self.bytes += len(chunk)
            if self.bytes > self.most:
                raise self.too_many_bytes()
            cut = chunk.rfind(b"\n") + 1
            if cut == 0:
                waiting.append(chunk)
                size += len(chunk)
                if size > limits.MAX_LINE_BYTES:
                    raise self.fail(
                        self.line + 1,
                        f"the line is longer than the limit of {limits.MAX_LINE_BYTES:,} bytes",
                    )
                continue
            head = chunk[:cut]
            if waiting:
                waiting.append(head)
                head = b"".join(waiting)
                waiting = []
            first = self.line + 1
            count = head.count(b"\n")
            if self.line + count > limits.MAX_CAST_LINES:
                # The lines up to the limit are read (a player shows them), then the error.
                keep = limits.MAX_CAST_LINES - self.line
                if keep > 0:
                    yield first, head[: len(b"\n".join(head.split(b"\n", keep)[:keep])) + 1]
                raise self.too_many_lines()
            self.line += count
            if cut < len(chunk):
                waiting.append(chunk[cut:])
            size = len(chunk) - cut
            yield first, head

    def readline(self, limit: int, what: str, *, document_limit: int = 0) -> bytes:
        raw = self.stream.readline(limit + 1)
        if document_limit and len(raw) > limit and raw[-1:] != b"\n" and raw.lstrip()[:1] == b"{":
            # A JSON object longer than the line limit may be a v1 cast on one line (a
            # compact dump): read on, up to a v1 document's own limit. What does not start
            # an object (/dev/zero, random bytes) is refused at the line limit.
            raw += self.stream.readline(document_limit - limit)
            limit, what = document_limit, "the line of a v1 cast's JSON document"
        if raw:
            self.line += 1
            self.bytes += len(raw)
            if self.line > limits.MAX_CAST_LINES:
                raise self.too_many_lines()
            if self.bytes > self.most:
                raise self.too_many_bytes()
            if not self.line & 0xFFFF:
                self.check_time()
        if len(raw) > limit and not (len(raw) == limit + 1 and raw.endswith(b"\n")):
            raise self.fail(self.line, f"{what} is longer than the limit of {limit:,} bytes")
        return raw

    def decode(self, number: int, raw: bytes) -> str:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.fail(number, f"invalid UTF-8 at byte {exc.start + 1}") from None


_LONE_CR = re.compile(r"\r(?!\n)")


def refuse_cr_only(fail: Callable[[int, str], Exception], number: int, text: str) -> None:
    """A line that fails to parse because lines end in a bare CR (classic Mac OS) would
    otherwise read as JSON's "Extra data": say what is wrong with the file instead."""
    if _LONE_CR.search(text):
        raise fail(number, "lines end in CR alone (old Mac line endings): use LF or CRLF")


# Byte order marks of the encodings an editor may save a cast in (UTF-32's first: its
# little-endian mark begins with UTF-16's).
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
)


def refuse_other_encodings(first_line: bytes, fail: Callable[[int, str], Exception]) -> None:
    """A file that starts with a UTF-16 or UTF-32 byte order mark is named as such (it
    was 'invalid UTF-8 at byte 1'): an asciicast is UTF-8."""
    for bom, name in _BOMS:
        if first_line.startswith(bom):
            raise fail(1, f"the file is {name}, by its byte order mark: save it as UTF-8")
