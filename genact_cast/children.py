"""A child program (fc-match; agg while it drew the GIFs) run so that no signal can leave
it behind.

`subprocess.run` kills and reaps its child when an exception (the CLI's `Terminated`,
Ctrl-C) unwinds through it, but only once the `Popen` exists: a signal handled while
`Popen.__init__` waits for the new program to start (it reads the exec pipe after the
fork) raises there, the object is never returned, and the child runs on, orphaned (an
agg drawing a GIF for minutes after `genact-cast` said "stopped by SIGQUIT"; seen on a
loaded machine, 2 of 5 runs of test_a_signal_while_agg_draws_stops_it_and_leaves_nothing).
So SIGINT and the stopping signals are held (held_signals: whatever thread receives
them) while the child starts, and taken once it is known, so that it is killed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence

from genact_cast.held_signals import signals_held


def run_child(
    command: Sequence[str],
    *,
    timeout: float,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`command` run to its end, its output and errors captured as text (undecodable
    bytes replaced); killed and reaped on TimeoutExpired and on every exception.

    `preexec` runs in the child between fork and exec, where another thread's lock may
    be held for good: it must not import or log (import what it needs beforehand)."""
    process: subprocess.Popen[str] | None = None
    try:
        with signals_held():  # a signal held here is taken as the block ends: `process` is set
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, errors="replace", preexec_fn=preexec,
            )  # fmt: skip
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:
        if process is not None:
            process.kill()
        raise
    finally:
        if process is not None:
            _reap(process)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _reap(process: subprocess.Popen[str]) -> None:
    """Its pipes closed and its exit status collected (after `kill`, at once)."""
    try:
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
    finally:
        process.wait()
