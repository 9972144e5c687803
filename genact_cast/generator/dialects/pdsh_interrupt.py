"""Ctrl-C at a multi-node `deepspeed` launch: what pdsh and the DeepSpeed runner print.

The terminal's SIGINT goes to its foreground process group: the `deepspeed` runner and the
pdsh it started (its ssh clients run in sessions of their own, pdsh 2.34
src/common/pipecmd.c:311 `setsid ()`, and get nothing). pdsh's signals thread answers a
first SIGINT by listing its threads (src/pdsh/dsh.c:938-941, `_list_slowthreads` :203:
`command in progress` for each one still reading). The runner's own handler, installed for
a pdsh launch on several nodes (deepspeed v0.17.5 launcher/runner.py:612-624,
`sigkill_handler`), sends pdsh a second SIGINT at once, which pdsh takes as the second
within INTR_TIME (one second): it signals each reading thread's ssh (sshcmd.c:258-261 always
sends SIGTERM, and says so, then pipecmd.c:212 `sending signal 15 to <host> [ssh] pid N`)
and exits with `interrupt, aborting.` (dsh.c:944). The runner then runs its kill command,
`pdsh -S -f 1024 -w <hosts> pkill -f <the launch command>` (multinode_runner.py:122), waits
for it, sleeps a second and exits 1. Output of the remote launchers after their ssh is gone
reaches no terminal. A real transcript (pdsh on Oracle Linux, two Ctrl-C) prints the same
lines in the same order (find_string id 5323906200: `^Cpdsh@bastion: interrupt (one more
within 1 sec to abort)` ... `^Csending SIGTERM to ssh inst-f5fra-x9-ol8`, `sending signal 15
to inst-f5fra-x9-ol8 [ssh] pid 49061`, ..., `pdsh@bastion: interrupt, aborting.`).
"""

from __future__ import annotations

from collections.abc import Sequence

INTR_TIME = 1  # src/pdsh/dsh.c: a second SIGINT within this many seconds aborts


def ssh_pids(first: int, hosts: Sequence[str]) -> list[int]:
    """pdsh's ssh clients, forked one a host in the -w list's order."""
    return [first + index for index in range(len(hosts))]


def interrupted(local: str, reading: Sequence[str], pids: Sequence[int]) -> list[str]:
    """pdsh's lines from the first SIGINT (the terminal's) to its exit on the second (the
    runner's): `reading` the hosts whose command is still in progress, in thread order (the
    -w list's), `pids` their ssh clients."""
    me = f"pdsh@{local}"
    lines = [
        f"{me}: interrupt (one more within {INTR_TIME} sec to abort)",
        f"{me}:  (^Z within {INTR_TIME} sec to cancel pending threads)",
        *(f"{me}: {host}: command in progress" for host in reading),
    ]
    for host, pid in zip(reading, pids, strict=True):
        lines += [f"sending SIGTERM to ssh {host}", f"sending signal 15 to {host} [ssh] pid {pid}"]
    return [*lines, f"{me}: interrupt, aborting."]


def kill_command(local: str, order: Sequence[str], lost: str | None) -> list[str]:
    """What the runner's kill command prints: pkill exits 1 where no launcher is left to
    match (pdsh: `ssh exited with exit code 1`, pipecmd.c:231) and 0, silently, where it
    killed one; a lost host's ssh cannot connect (ssh's own line, which pdsh relays under the
    host's prefix, then its 255). `order` the hosts whose pkill found nothing, as their ssh
    ends; `lost` last: its connect fails only once the host's address goes unanswered."""
    me = f"pdsh@{local}"
    lines = [f"{me}: {host}: ssh exited with exit code 1" for host in order]
    if lost is not None:
        lines += [
            f"{lost}: ssh: connect to host {lost} port 22: No route to host",
            f"{me}: {lost}: ssh exited with exit code 255",
        ]
    return lines
