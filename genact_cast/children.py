"""A child program (agg, fc-match) run so that no signal can leave it behind.

`subprocess.run` kills and reaps its child when an exception (the CLI's `Terminated`,
Ctrl-C) unwinds through it, but only once the `Popen` exists: a signal handled while
`Popen.__init__` waits for the new program to start (it reads the exec pipe after the
fork) raises there, the object is never returned, and the child runs on, orphaned (an
agg drawing a GIF for minutes after `genact-cast` said "stopped by SIGQUIT"; seen on a
loaded machine, 2 of 5 runs of test_a_signal_while_agg_draws_stops_it_and_leaves_nothing).
So SIGINT and the stopping signals wait while the child starts, and are taken once it
can be killed; the child itself starts with the signal mask its parent had.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable, Sequence

from genact_cast.atomic import HELD_SIGNALS


def run_child(
    command: Sequence[str],
    *,
    timeout: float,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`command` run to its end, its output and errors captured as text (undecodable
    bytes replaced); killed and reaped on TimeoutExpired and on every exception."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, HELD_SIGNALS)

    def in_child() -> None:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        if preexec is not None:
            preexec()

    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, errors="replace", preexec_fn=in_child,
        )  # fmt: skip
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        raise
    with process:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a held signal lands here
            stdout, stderr = process.communicate(timeout=timeout)
        except BaseException:
            process.kill()
            raise  # (leaving `with process` waits for it)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
