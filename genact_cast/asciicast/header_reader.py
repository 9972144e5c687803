"""The header of an asciicast: one JSON line (v2, v3), or a JSON document over several
lines (a v1 cast, whose frames come with it, or a pretty-printed header), with limits on
its size and nesting."""

from __future__ import annotations

from typing import Any

from genact_cast import limits
from genact_cast.asciicast.header import HeaderProblem, parse_header
from genact_cast.asciicast.json_limits import DECODER as _DECODER
from genact_cast.asciicast.json_limits import JSON_REST as _JSON_REST
from genact_cast.asciicast.json_limits import STRING as _STRING
from genact_cast.asciicast.json_limits import DuplicateKey
from genact_cast.asciicast.json_limits import depth as _depth
from genact_cast.asciicast.lines import LineSource, refuse_cr_only, refuse_other_encodings
from genact_cast.asciicast.model import Header


def read_header(src: LineSource) -> tuple[Header, list[Any] | None]:
    """The header (and a v1 cast's frames), from the first non-blank line(s) of `src`."""
    while True:
        # A longer line that is not a v1 document is refused at the header's limit.
        raw = src.readline(
            limits.MAX_HEADER_BYTES, "the header line", document_limit=limits.MAX_V1_BYTES
        )
        if not raw:
            if src.line:
                raise src.fail(src.line, "no asciicast header: the file holds only blank lines")
            raise src.fail(1, "empty file: no asciicast header")
        number = src.line
        if number == 1:
            refuse_other_encodings(raw, src.fail)
        text = src.decode(number, raw).strip()
        if number == 1 and text.startswith("\ufeff"):
            raise src.fail(
                1, "the file starts with a byte order mark (BOM): save it as UTF-8 without one"
            )
        if text:
            break
    if _depth(text) > limits.MAX_JSON_DEPTH:
        raise src.fail(number, too_deep())
    try:
        value = _DECODER.decode(text)
    except DuplicateKey as exc:
        raise src.fail(number, f"the header is not valid: {exc}") from None
    except ValueError:
        _refuse_long_header(src, number, len(raw))
        if text.startswith("{"):
            return _read_document(src, number, text)
        refuse_cr_only(src.fail, number, text)
        raise src.fail(number, "the header is not valid JSON") from None
    if not (isinstance(value, dict) and value.get("version") == 1):
        _refuse_long_header(src, number, len(raw))
    return _parse_header(src, number, value)


def _refuse_long_header(src: LineSource, number: int, size: int) -> None:
    if size > limits.MAX_HEADER_BYTES + 1:  # (+1: the newline)
        raise src.fail(
            number,
            f"the header line is longer than the limit of {limits.MAX_HEADER_BYTES:,} bytes",
        )


def too_deep() -> str:
    return f"JSON nested deeper than the limit of {limits.MAX_JSON_DEPTH} levels"


def _read_document(src: LineSource, first: int, text: str) -> tuple[Header, list[Any] | None]:
    """A JSON object over several lines: a v1 cast, or a pretty-printed header."""
    chunks = [text]
    size = len(text)
    depth = _nesting(src, first, text, 0)
    while depth > 0:
        raw = src.readline(limits.MAX_LINE_BYTES, "a line")
        if not raw:
            raise src.fail(src.line, "the header is not valid JSON (the file ends in it)")
        line = src.decode(src.line, raw)
        if depth == 1 and line.lstrip().startswith("["):
            # Inside the top-level object, a member starts with its name: this is an
            # event line after a broken one-line header, not more of the header.
            raise src.fail(first, "the header is not valid JSON")
        depth = _nesting(src, src.line, line, depth)
        size += len(raw)
        if size > limits.MAX_V1_BYTES:
            raise src.fail(
                first, f"the header is longer than the limit of {limits.MAX_V1_BYTES:,} bytes"
            )
        chunks.append(line)
    document = "".join(chunks)
    try:
        value = _DECODER.decode(document)
    except DuplicateKey as exc:
        raise src.fail(first, f"the header is not valid: {exc}") from None
    except ValueError as exc:
        refuse_cr_only(src.fail, first, document)
        where = first + document.count("\n", 0, getattr(exc, "pos", 0))
        raise src.fail(where, f"not valid JSON: {getattr(exc, 'msg', exc)}") from None
    return _parse_header(src, first, value)


def _nesting(src: LineSource, number: int, line: str, depth: int) -> int:
    rest = _STRING.sub("", line)
    if '"' in rest or _JSON_REST.fullmatch(rest) is None:
        raise src.fail(number, "the header is not valid JSON")
    for char in rest:
        if char in "[{":
            depth += 1
            if depth > limits.MAX_JSON_DEPTH:
                raise src.fail(number, too_deep())
        elif char in "]}":
            depth -= 1
    return depth


def _parse_header(src: LineSource, number: int, value: Any) -> tuple[Header, list[Any] | None]:
    try:
        header, v1_events = parse_header(value)
    except HeaderProblem as exc:
        raise src.fail(number, str(exc)) from None
    if v1_events is not None:
        _refuse_after_document(src)
    return header, v1_events


def _refuse_after_document(src: LineSource) -> None:
    """A v1 cast is one JSON document: anything but blanks after it is refused, on the
    next lines as on its own line (a second document was read without complaint)."""
    rest = src.stream.read(limits.MAX_V1_BYTES + 1)
    src.bytes += len(rest)
    if rest.strip(b" \t\r\n"):
        skipped = len(rest) - len(rest.lstrip(b" \t\r\n"))
        where = src.line + rest.count(b"\n", 0, skipped) + 1
        raise src.fail(where, "text after the v1 cast's JSON document (one is expected)")
