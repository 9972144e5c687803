"""The real terminal: raw mode for keys, writes, and restoring everything on every way out.

Ways out: the end, `q`, Ctrl-C, an error (in the cast, or writing to a full disk or a
closed pipe), and every signal whose default action ends a process (SIGTERM, SIGHUP,
SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU, SIGVTALRM, SIGPROF, SIGPWR, real-time...).
Ctrl-Z (SIGTSTP) restores the terminal, stops, and on `fg` (SIGCONT) enters raw mode and
the cast's modes again.
"""

from __future__ import annotations

import contextlib
import gc
import os
import select
import signal
import sys
import termios
import time
import tty
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

from genact_cast.errors import OutputError, Terminated
from genact_cast.held_signals import signals_held
from genact_cast.player.charset import UTF8, Charset, terminal_charset
from genact_cast.player.keys import KeyReader
from genact_cast.stop_signals import TERMINATING

# (stop_signals.TERMINATING: every signal whose default action ends the process.)
MAX_WAIT = 3600.0  # longest single wait: select() and sleep() refuse huge timeouts


def _nothing() -> str:
    return ""


class Terminal:
    """Output to `out_fd`; keys from `key_fd` when it is a terminal (else no keys)."""

    BUFFER_LIMIT = 1 << 18

    def __init__(
        self,
        out_fd: int,
        key_fd: int | None,
        saved: list[Any] | None = None,
        charset: Charset | None = None,
    ) -> None:
        self.out_fd = out_fd
        self.charset = charset or Charset(UTF8)  # what the terminal reads (charset.py)
        self.key_fd = key_fd
        self.interactive = key_fd is not None
        self.is_tty = os.isatty(out_fd)
        self.broken = False  # a write failed: nothing more is written
        self._saved = saved  # the key terminal's settings before raw mode
        self.keys = KeyReader()  # tells keys from the terminal's reports and pastes
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._suspended = False
        # Set by the playback: the restore written on Ctrl-Z, the modes written on `fg`,
        # and what to do with the clock around the stop.
        self.restore_text: Callable[[], str] = _nothing
        self.resume_text: Callable[[], str] = _nothing
        self.on_stop: Callable[[], None] = lambda: None
        self.on_continue: Callable[[], None] = lambda: None

    def write(self, text: str) -> None:
        """Queue `text`; it reaches the terminal at the next `flush` (or when 256 KiB wait).

        In the terminal's charset: outside UTF-8 no byte 0x80-0x9F is written (charset.py).
        """
        self.write_bytes(self.charset.encode(text))

    def write_bytes(self, data: bytes) -> None:
        """Queue `data`. Events already overdue (a huge speed, catching up) are written
        together, in one system call instead of one each."""
        self._buffer.append(data)
        self._buffered += len(data)
        if self._buffered >= self.BUFFER_LIMIT:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        data = memoryview(b"".join(self._buffer))
        self._buffer.clear()
        self._buffered = 0
        if self.broken:
            return
        try:
            while data:
                written = os.write(self.out_fd, data)
                data = data[written:]
        except OSError as exc:
            self.broken = True
            raise OutputError(f"standard output: {exc.strerror or exc}") from None

    def read_key(self, timeout: float | None) -> bytes | None:
        """Keys pressed within `timeout` seconds (None: wait as long as it takes).

        Only keys: a mouse report, focus event, reply or paste that came meanwhile is
        read whole and left out (keys.py), so b"" means input came but no key.
        """
        if self.key_fd is None:
            return None
        if timeout is None or timeout > 0:
            self.flush()  # never wait with output held back
        wait = None if timeout is None else min(timeout, MAX_WAIT)
        ready, _, _ = select.select([self.key_fd], [], [], wait)
        if not ready:
            return None
        data = os.read(self.key_fd, 4096)
        if not data:  # the terminal hung up: no key will ever come, so none is waited for
            self.key_fd = None
            self.interactive = False
            return None
        return self.keys.feed(data, time.monotonic())

    def suspend(self) -> None:
        """Ctrl-Z: put the terminal back as it was, stop, and carry on when continued."""
        self.on_stop()
        self.write(self.restore_text())
        with contextlib.suppress(OutputError):
            self.flush()
        self._cooked()
        self._suspended = True
        previous = signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        try:
            os.kill(os.getpid(), signal.SIGTSTP)  # stops here until SIGCONT
        finally:
            signal.signal(signal.SIGTSTP, previous)
        self.resume()

    def resume(self) -> None:
        """Continued (`fg`): raw mode and the cast's modes again (once per stop)."""
        if self.key_fd is not None:
            with contextlib.suppress(termios.error):
                tty.setraw(self.key_fd, termios.TCSANOW)
        if self._suspended:
            self._suspended = False
            self.write(self.resume_text())
            self.on_continue()
            with contextlib.suppress(OutputError):
                self.flush()

    def _cooked(self) -> None:
        # TCSAFLUSH: input not read yet goes too, so a mouse report or paste still in
        # flight when the restore switched them off never reaches the shell as text.
        if self.key_fd is not None and self._saved is not None:
            with contextlib.suppress(termios.error):
                termios.tcsetattr(self.key_fd, termios.TCSAFLUSH, self._saved)


def _precise_timers() -> None:
    """Ask Linux to wake us on time: the default 50 us timer slack is added to every
    wait, and shows in the lateness of every event."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(29, 1, 0, 0, 0)  # PR_SET_TIMERSLACK: 1 ns


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def hold_signals() -> Iterator[None]:
    """Signals that end the process wait while the block runs.

    The restore must not be cut in half; a signal that arrives meanwhile is handled
    once it is written.
    """
    with signals_held(TERMINATING):  # (held_signals: whatever thread receives them)
        yield


@contextlib.contextmanager
def open_terminal(*, keys: bool = True) -> Iterator[Terminal]:
    """The terminal for playback, put back as it was on every way out.

    Keys are read from the controlling terminal (so a cast can come from stdin)
    only when stdout is a terminal too; otherwise playback runs without raw mode.
    """
    out_fd = sys.stdout.fileno()
    charset = terminal_charset()  # a charset that cannot be written safely: refused first
    key_fd: int | None = None
    tty_file = None
    if keys and os.isatty(out_fd):
        try:
            tty_file = open("/dev/tty", "rb", buffering=0)  # noqa: SIM115
            key_fd = tty_file.fileno()
        except OSError:
            key_fd = None
    saved = termios.tcgetattr(key_fd) if key_fd is not None else None
    terminal = Terminal(out_fd, key_fd, saved, charset)
    if sys.platform == "linux":
        _precise_timers()
    # What was built so far (modules, the CLI) is never garbage: later collections skip
    # it, so none of them stalls playback for long.
    gc.freeze()

    def on_tstp(signum: int, frame: FrameType | None) -> None:
        terminal.suspend()

    def on_cont(signum: int, frame: FrameType | None) -> None:
        terminal.resume()

    handlers = {
        sig: signal.signal(sig, _raise_terminated)
        for sig in TERMINATING
        if signal.getsignal(sig) == signal.SIG_DFL  # not one Python or the caller ignores
    }
    handlers[signal.SIGTSTP] = signal.signal(signal.SIGTSTP, on_tstp)
    handlers[signal.SIGCONT] = signal.signal(signal.SIGCONT, on_cont)
    try:
        if key_fd is not None:
            tty.setraw(key_fd, termios.TCSANOW)
        yield terminal
    finally:
        # Signals arriving now must not interrupt the restoring itself.
        for sig in handlers:
            signal.signal(sig, signal.SIG_IGN if sig in TERMINATING else signal.SIG_DFL)
        try:
            terminal._cooked()
        finally:
            if tty_file is not None:
                tty_file.close()
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
