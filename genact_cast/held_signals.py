"""Signals held back while a few steps run that no signal may split: a child started but
not yet known to the code that kills it, a temporary file made but not yet under the
`try` that removes it, the terminal's restore half written.

Blocking them with `pthread_sigmask` is not enough. A mask is per thread, and in a process
with another thread (rich's progress thread in the CLI, an HTTP worker, xdist's thread in
the test run) the kernel delivers a signal sent to the process to a thread that does not
block it; CPython's C handler only notes it there, and the Python handler runs in the main
thread at its next bytecode, inside the window: in `Popen.__init__` after the fork, agg
was left drawing after "stopped by SIGTERM" (ci-s9d; 6 of 100 signals at random moments
of a child's start, with a second thread alive, left the child running).

So, for the window, the Python handlers are swapped for one that only records. Whatever
thread the kernel picks, the handler that runs in the main thread is that recorder; when
the window ends, the real handlers are put back and given what was recorded, in order.
Signals the process ignores or leaves to the kernel (SIG_IGN, SIG_DFL) are left alone:
no Python code runs for them, so none can raise inside a window.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType

from genact_cast.stop_signals import TERMINATING

Handler = Callable[[int, FrameType | None], object]

# Ctrl-C and every signal whose default action ends the process.
HELD_SIGNALS: tuple[int, ...] = (signal.SIGINT, *TERMINATING)


@contextlib.contextmanager
def signals_held(signals: Sequence[int] = HELD_SIGNALS) -> Iterator[None]:
    """While the block runs, `signals` handled in Python are recorded, not handled; on the
    way out (also on an exception) each recorded one is handed to its handler, whose
    exception (KeyboardInterrupt, Terminated) then leaves the block.

    Outside the main thread nothing is swapped: Python handlers run only in the main thread,
    so none can raise in this one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved: dict[int, Handler] = {}
    pending: list[int] = []
    holding = [True]

    def record(signum: int, frame: FrameType | None) -> None:
        if holding[0]:
            pending.append(signum)
        else:  # arrived while the handlers are being put back: the real one takes it now
            saved[signum](signum, frame)

    try:
        for signum in signals:
            handler = signal.getsignal(signum)
            if callable(handler):
                saved[signum] = handler  # first, so that `record` can always pass it on
                signal.signal(signum, record)
        yield
    finally:
        holding[0] = False
        try:
            for signum in dict.fromkeys(pending):
                saved[signum](signum, sys._getframe())
        finally:
            _put_back(saved)


def _put_back(saved: dict[int, Handler]) -> None:
    """Each handler put back, all of them even if one raises.

    `signal.signal` first runs the handlers of signals noted but not yet handled (one a
    thread's C handler noted: CPython wakes the main thread for it only when the GIL
    passes), through `record`, which now hands them on: one may raise here. It is
    raised once every handler is back."""
    raised: BaseException | None = None
    for signum, handler in saved.items():
        while signal.getsignal(signum) is not handler:
            try:
                signal.signal(signum, handler)
            except BaseException as exc:  # raised below, once all are back
                raised = raised or exc
    if raised is not None:
        raise raised
