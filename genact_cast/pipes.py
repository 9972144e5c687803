"""Standard input and pipes as cast sources: `-` checked before it is read (closed, open
only for writing, a terminal), and a pipe or FIFO whose silence is bounded, at its start
and between reads (limits.FIRST_BYTE_SECONDS)."""

from __future__ import annotations

import fcntl
import io
import os
import select
import stat
import sys
from typing import IO, Any

from genact_cast import limits
from genact_cast.errors import SourceError


def check_stdin() -> None:
    """SourceError when `-` cannot be read: standard input closed (Python then has no
    `sys.stdin`, as under cron or a supervisor: review-attack16 F4) or open only for
    writing, or a terminal (nobody types a cast: said at once, rather than waiting the
    silence limit for one and reading typed lines as a cast)."""
    if sys.stdin is None:
        raise SourceError("<stdin>", "standard input is closed: pipe a cast in or name a file")
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):  # (no descriptor: a stream given in-process)
        return
    try:
        writing_only = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
    except OSError:
        raise SourceError(
            "<stdin>", "standard input is closed: pipe a cast in or name a file"
        ) from None
    if writing_only:
        raise SourceError("<stdin>", "standard input is open only for writing: pipe a cast in")
    if os.isatty(fd):
        raise SourceError("<stdin>", "standard input is a terminal: pipe a cast in or name a file")


def stdin_stream() -> IO[bytes]:
    """Standard input as a binary stream; a pipe's or FIFO's silence is bounded."""
    try:
        fd = sys.stdin.buffer.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except (OSError, ValueError):  # (no descriptor: a stream given in-process)
        return sys.stdin.buffer
    if regular:
        return sys.stdin.buffer
    return io.BufferedReader(SilenceLimited(fd, "<stdin>", owned=False))


class SilenceLimited(io.RawIOBase):
    """A pipe or FIFO whose every read waits at most `limits.FIRST_BYTE_SECONDS`: one
    that sends a header and then nothing (attack run 7, finding 6) is given up like one
    that sends nothing, not waited on forever."""

    def __init__(self, fd: int, source: str, *, owned: bool) -> None:
        super().__init__()
        self._fd, self._source, self._owned = fd, source, owned
        self._poll = select.poll()  # (select() refuses a descriptor past 1023)
        self._poll.register(fd, select.POLLIN)

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def readinto(self, buffer: Any) -> int:
        if not self._poll.poll(limits.FIRST_BYTE_SECONDS * 1000):
            raise SourceError(
                self._source,
                f"nothing more to read within the limit of {limits.FIRST_BYTE_SECONDS:g} s",
            )
        return os.readv(self._fd, [buffer])

    def close(self) -> None:
        if not self.closed and self._owned:
            os.close(self._fd)
        super().close()


def wait_for_data(fd: int, source: str) -> None:
    """A pipe or FIFO that writes nothing at all is given up, not waited on forever."""
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return
        ready, _, _ = select.select([fd], [], [], limits.FIRST_BYTE_SECONDS)
    except (OSError, ValueError):
        return
    if not ready:
        raise SourceError(
            source, f"nothing to read within the limit of {limits.FIRST_BYTE_SECONDS:g} s"
        )
