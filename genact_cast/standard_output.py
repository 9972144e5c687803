"""Standard output, written so that every byte is accounted for: a full disk, a file-size
limit, a closed or non-blocking stream is one line (OutputError), never a traceback or an
output cut short with exit 0."""

from __future__ import annotations

import contextlib
import errno
import os
import select
import sys
from typing import BinaryIO

from genact_cast.errors import OutputError


def write_stdout(data: str | bytes) -> None:
    """Write to standard output and flush; a full disk or a closed stream is one line.

    Every byte is accounted for: a buffered write of more than its buffer returns how much
    the file took, and a file that takes only part (`ulimit -f`, a file system filling up)
    says so there, not with an error; the rest is written again, so that the failure
    comes out (EFBIG, ENOSPC) instead of an output cut short with exit 0 (review-attack8
    item 4). On failure standard output is pointed at /dev/null, so that the
    interpreter's own flush at exit does not report the same failure a second time.
    """
    if sys.stdout is None:  # started with standard output closed (`>&-`)
        raise OutputError("cannot write to standard output: it is closed")
    try:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # (a text-only stream put in its place)
            sys.stdout.write(data if isinstance(data, str) else data.decode("utf-8"))
            sys.stdout.flush()
            return
        if isinstance(data, str):  # what TextIOWrapper.write does, without losing a part;
            # what the charset has no room for (é under LC_ALL=C) as a visible escape, not
            # a UnicodeEncodeError's traceback.
            data = data.encode(sys.stdout.encoding or "utf-8", "backslashreplace")
        # (a cast, an SVG, subtitles: UTF-8 bytes whatever stdout's encoding)
        _write_all(buffer, data)
        buffer.flush()
    except BrokenPipeError:
        raise  # the reader went away: the CLI exits quietly
    except OSError as exc:
        _silence_stdout()
        raise OutputError(f"cannot write to standard output: {os_reason(exc)}") from None


def _write_all(stream: BinaryIO, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            count = stream.write(view)
        except BlockingIOError as exc:  # a non-blocking stdout: wait until it takes more
            count = exc.characters_written
            select.select([], [stream], [])
        view = view[count or 0 :]


def finish_stdout() -> None:
    """Flush standard output at the end of a command: what is still buffered (`-V`, a
    reply's text) must reach the file or fail in one line, not in the interpreter's flush
    at exit ("Exception ignored", exit 120)."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:  # (ValueError: the stream was closed meanwhile)
        _silence_stdout()
        reason = os_reason(exc) if isinstance(exc, OSError) else "it is closed"
        raise OutputError(f"cannot write to standard output: {reason}") from None


def os_reason(exc: OSError) -> str:
    return exc.strerror or errno.errorcode.get(exc.errno or 0, str(exc))


def _silence_stdout() -> None:
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
