"""The sizes a cast takes: a resize event's COLSxROWS, and the largest of them (publish/
screens.py's timeline, and a video drawn at one fixed size)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from genact_cast.asciicast import RESIZE, Event, Header
from genact_cast.publish.terminal import check_size

_SIZE = re.compile(r"([0-9]{1,9})x([0-9]{1,9})", re.ASCII)


def parse_size(data: str) -> tuple[int, int] | None:
    """COLSxROWS of a resize event (ASCII digits, both above 0), or None if it is not one."""
    match = _SIZE.fullmatch(data)
    if match is None or int(match[1]) == 0 or int(match[2]) == 0:
        return None
    return int(match[1]), int(match[2])


def largest_size(header: Header, events: Iterable[Event]) -> tuple[int, int]:
    """The largest columns and rows a cast takes (each checked against the limits)."""
    cols, rows = header.cols, header.rows
    for event in events:
        if event.code == RESIZE:
            size = parse_size(event.data)
            if size is not None:
                check_size(*size, where=f"resize at {event.time:.3f} s to")
                cols, rows = max(cols, size[0]), max(rows, size[1])
    return cols, rows
