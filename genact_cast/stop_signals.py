"""The signals that stop genact-cast in order: temporary files removed, the terminal
restored, exit 128 + the signal, one line.

Signals whose default action ends the process (signal(7): "Term" or "Core"), except
SIGKILL and SIGSTOP (uncatchable), SIGINT (Ctrl-C, Python's KeyboardInterrupt) and the
faults a Python handler cannot return from (SEGV, BUS, ILL, FPE: the faulting instruction
would run again): each turned into an orderly exit. Those Python itself ignores (PIPE,
XFSZ) are left as they are.

SIGABRT is one of them (review-attack13 F6: `kill -ABRT` during `embed --gif` left two
temporary directories): sent from outside it is a request to stop like SIGTERM; raised
by abort(3) in C code, abort itself ends the process once the handler returns, as before.
"""

from __future__ import annotations

import signal

_TERMINATING_NAMES = (
    "SIGTERM", "SIGHUP", "SIGABRT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGXCPU",
    "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGPWR", "SIGSTKFLT", "SIGIO", "SIGSYS", "SIGTRAP",
    "SIGEMT", "SIGLOST",
)  # fmt: skip
TERMINATING: tuple[int, ...] = tuple(
    dict.fromkeys(
        [getattr(signal, name) for name in _TERMINATING_NAMES if hasattr(signal, name)]
        + [
            number
            for number in range(getattr(signal, "SIGRTMIN", 0), getattr(signal, "SIGRTMAX", -1) + 1)
            if number in signal.valid_signals()
        ]
    )
)
