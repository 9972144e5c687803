"""The real terminal: raw mode for keys, writes, and restoring everything on the way out."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import termios
import tty
from collections.abc import Iterator
from types import FrameType

from genact_cast.errors import Terminated


class Terminal:
    """Output to `out_fd`; keys from `key_fd` when it is a terminal (else no keys)."""

    def __init__(self, out_fd: int, key_fd: int | None) -> None:
        self.out_fd = out_fd
        self.key_fd = key_fd
        self.interactive = key_fd is not None
        self.is_tty = os.isatty(out_fd)
        self._buffer: list[str] = []
        self._buffered = 0

    BUFFER_LIMIT = 1 << 16

    def write(self, text: str) -> None:
        """Queue `text`; it reaches the terminal at the next `flush` (or when 64 KiB wait).

        Events already overdue (a huge speed, catching up) are written together, in one
        system call instead of one each.
        """
        self._buffer.append(text)
        self._buffered += len(text)
        if self._buffered >= self.BUFFER_LIMIT:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        data = memoryview("".join(self._buffer).encode("utf-8", "surrogateescape"))
        self._buffer.clear()
        self._buffered = 0
        while data:
            written = os.write(self.out_fd, data)
            data = data[written:]

    def read_key(self, timeout: float | None) -> bytes | None:
        """Keys pressed within `timeout` seconds (None: wait as long as it takes)."""
        if self.key_fd is None:
            return None
        if timeout is None or timeout > 0:
            self.flush()  # never wait with output held back
        ready, _, _ = select.select([self.key_fd], [], [], timeout)
        if not ready:
            return None
        return os.read(self.key_fd, 64)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def open_terminal(*, keys: bool = True) -> Iterator[Terminal]:
    """The terminal for playback, put back as it was on every way out.

    Keys are read from the controlling terminal (so a cast can come from stdin)
    only when stdout is a terminal too; otherwise playback runs without raw mode.
    """
    out_fd = sys.stdout.fileno()
    key_fd: int | None = None
    tty_file = None
    if keys and os.isatty(out_fd):
        try:
            tty_file = open("/dev/tty", "rb", buffering=0)  # noqa: SIM115
            key_fd = tty_file.fileno()
        except OSError:
            key_fd = None
    saved = termios.tcgetattr(key_fd) if key_fd is not None else None
    handlers = {
        sig: signal.signal(sig, _raise_terminated) for sig in (signal.SIGTERM, signal.SIGHUP)
    }
    try:
        if key_fd is not None:
            tty.setraw(key_fd, termios.TCSANOW)
        yield Terminal(out_fd, key_fd)
    finally:
        # Signals arriving now must not interrupt the restoring itself.
        for sig in handlers:
            signal.signal(sig, signal.SIG_IGN)
        try:
            if key_fd is not None and saved is not None:
                termios.tcsetattr(key_fd, termios.TCSADRAIN, saved)
        finally:
            if tty_file is not None:
                tty_file.close()
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
