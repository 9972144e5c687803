"""What every framework dialect shares: its output items, the incidental draws (process ids,
NCCL addresses), the torchrun banner; the NCCL start-up lines come from nccl_startup."""

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from genact_cast.generator import physics
from genact_cast.generator.dialects import torchrun
from genact_cast.generator.dialects.facts import Facts

# Every dialect's NCCL start-up, kept importable from here where the dialects import it.
from genact_cast.generator.dialects.nccl_startup import nccl_startup as nccl_startup
from genact_cast.generator.dialects.rank_watchdog import (
    Collective,
    faulty_rank_lines,
    node_watchdog_lines,
)
from genact_cast.generator.dialects.rank_watchdog import collective_numels as collective_numels
from genact_cast.generator.dialects.torchrun import torch_site as torch_site
from genact_cast.generator.events import Failed
from genact_cast.generator.rng import Rng


class Line(NamedTuple):
    """A line that scrolls: written, then a new line. A logger writes it straight to the
    terminal: where a tqdm bar is drawn, right after the bar (glued to it), and the bar is
    not drawn again until tqdm draws it."""

    text: str


class Above(NamedTuple):
    """tqdm.write's line: the bars cleared, the line printed, the bars drawn again below it."""

    text: str


class Redraw(NamedTuple):
    """A progress line redrawn in place (tqdm): replaces the current line, no new line."""

    text: str


class Close(NamedTuple):
    """tqdm's close: the progress line drawn once more and left, output going on below it;
    `leave` False: the bar's process is gone (killed), and nothing draws it again."""

    leave: bool = True


class SubBar(NamedTuple):
    """tqdm's second bar (position 1), drawn on the line below the first and the cursor moved
    back up to it; empty: the bar cleared (a close with leave=False)."""

    text: str


Out = Line | Above | Redraw | Close | SubBar


class Clock:
    """Log time never runs backwards: a line placed before the previous one is stamped with
    the previous one's time, as a process that logs in order would stamp it."""

    def __init__(self) -> None:
        self.last = float("-inf")

    def at(self, t: float) -> float:
        self.last = max(t, self.last)
        return self.last


class Incidentals:
    """Process ids, thread ids and NCCL addresses: drawn once per launch from the dialect's
    own stream, so they never touch the run's numbers and repeat with the seed."""

    def __init__(self, facts: Facts, attempt: int) -> None:
        rng = Rng(facts.seed * 7 + attempt)
        self.agent_pid = rng.integer(20_000, 3_000_000)
        base = self.agent_pid + rng.integer(20, 90)
        self.worker_pids = [base + local for local in range(8)]
        self.thread_ids = [pid + rng.integer(30, 400) for pid in self.worker_pids]
        # 16-byte aligned heap addresses, as glibc's allocator returns them.
        self.comms = [0x55_0000_0000_00 + rng.integer(0, 2**40) // 16 * 16 for _ in range(8)]
        self.comm_id = rng.integer(2**60, 2**64 - 1)
        self.subnet = (10, rng.integer(0, 200), rng.integer(0, 250))
        self.nanos = [rng.integer(0, 999) for _ in range(16)]
        self.banner_delay = rng.uniform(0.2, 0.9)  # torchrun's start to its warning
        # PCI bus ids of the eight GPUs of an HGX board, as NCCL prints them.
        self.bus_ids = ["18000", "2a000", "3a000", "5d000", "9a000", "ab000", "ba000", "db000"]

    def relaunched(self, facts: Facts, attempt: int, *, same_agent: bool) -> "Incidentals":
        """The next launch on the same nodes: the same addresses, new workers (later pids),
        new communicators. torchrun restarting its workers keeps its own pid; a launcher run
        again is a new process too."""
        new = Incidentals(facts, attempt)
        new.subnet = self.subnet
        # Linux hands out pids and thread ids from one rising counter: the new processes
        # come after every thread the dead ones ran (NCCL's init, proxy and connecting
        # threads: five a communicator from the first init thread on, nccl_groups, room
        # for sixteen communicators).
        used = max(self.worker_pids[-1], *(tid + 5 * 16 for tid in self.thread_ids))
        first = used + new.worker_pids[0] - new.agent_pid
        if same_agent:
            new.agent_pid = self.agent_pid
        else:
            new.agent_pid, first = first, first + new.worker_pids[0] - new.agent_pid
        shift = first - new.worker_pids[0]
        new.worker_pids = [pid + shift for pid in new.worker_pids]
        new.thread_ids = [tid + shift for tid in new.thread_ids]
        return new

    def address(self, node: int) -> str:
        return f"{self.subnet[0]}.{self.subnet[1]}.{self.subnet[2]}.{10 + node}"


def banner(
    facts: Facts, moment: datetime, incidentals: Incidentals, packages: str = "site-packages"
) -> list[str]:
    """`packages`: the folder torch is installed in, as the run's stack frames name it."""
    source = torchrun.torch_source(facts.torch)
    process = incidentals.agent_pid
    if source.thread_ids:
        process = 139_000_000_000_000 + incidentals.agent_pid * 4096
    later = moment + timedelta(seconds=incidentals.banner_delay)
    return torchrun.banner(later, process, source, site=torch_site(facts.torch, packages))


MAX_RESTARTS = 3  # --max_restarts of every torchrun command the dialects type


def timed_out(facts: Facts, event: Failed, timeout_ms: int) -> Facts:
    """The log's clock from a hang on: the run's peers wait `event.timeout_ms` in the hung
    collective, a framework's `timeout_ms` (its own process groups' timeout), and its watchdog
    fires that long after the collective began (ProcessGroupNCCL.cpp:683's `ran for` counts
    from the work's start): every line from the watchdog's on comes that much later (or
    earlier), and the last step logged stays where it was, before the hang."""
    shift = timedelta(milliseconds=timeout_ms - event.timeout_ms)
    return facts._replace(start=facts.start + shift)


def failure_lines(
    facts: Facts,
    incidentals: Incidentals,
    event: Failed,
    *,
    restarts_left: int = MAX_RESTARTS,
    binary: str = "/usr/bin/python",
    timeout_ms: int | None = None,
    ranks: int = 1,
    agent_info: bool = False,
    numels: tuple[int, int] | None = None,
    collective: Callable[[int], Collective] | None = None,
    tee: int | None = None,
    before: Facts | None = None,
) -> list[Out]:
    """What a torchrun job prints when a collective hangs: each shown local rank's NCCL
    watchdog gives up and takes its process down (SIGABRT), the elastic agent stops the
    node's other workers, and, with restarts left, brings the worker group up again.

    `timeout_ms` is the framework's process-group timeout (the run's when None); `ranks` how
    many local ranks the terminal shows (1 behind `--local-ranks-filter 0`, 8 without);
    the agent's restart messages are INFO, shown only when the command sets LOGLEVEL=INFO;
    `numels`: the framework's own (in, out) sizes of the collective, where it knows them;
    `collective(rank)`: the group it ran on, where that is not the default group; `tee`:
    the rank whose stream `--tee` tags (torchrun.teed: the watchdog's lines, not the agent's);
    `before`: the log's clock before the hang (`facts` is the watchdog's, `timed_out`), on
    which the faulty GPU's process reports its error. A worker that died
    (`event.watchdog` false) is stopped by the agent instead (`stopped_by_agent`).
    """
    source = torchrun.torch_source(facts.torch)
    site = torch_site(facts.torch)
    # The faulty GPU's process, where the terminal shows it (node 0, a shown local rank),
    # prints its CUDA error at the fault (it dies, or is stuck after it).
    shown = event.errors and event.rank < ranks
    faulty = faulty_rank_lines(before or facts, event, event.rank, "site-packages") if shown else []
    faulty = torchrun.teed(faulty, tee)
    if not event.watchdog:
        return [Line(text) for text in faulty] + stopped_by_agent(
            facts, incidentals, event, binary=binary
        )
    limit = event.timeout_ms if timeout_ms is None else timeout_ms
    lines = node_watchdog_lines(facts, event, ranks, limit, numels, collective)
    if shown:  # its own watchdog died with it: no timeout of its own
        lines = [text for text in lines if not text.startswith(f"[rank{event.rank}]:")]
    lines = faulty + torchrun.teed(lines, tee)
    agent = incidentals.agent_pid
    later = facts.moment(event.t + 1.5)
    first = _first_aborted(event)
    for local in range(8):
        if local == first:
            continue
        lines.append(
            torchrun.closing_signal(later, agent, source, incidentals.worker_pids[local], site=site)
        )
    lines.append(
        torchrun.worker_failed(
            facts.moment(event.t + 2.1),
            agent,
            source,
            exitcode=-6,
            local_rank=first,
            pid=incidentals.worker_pids[first],
            binary=binary,
            site=site,
        )
    )
    if restarts_left > 0 and agent_info:
        later = facts.moment(event.t + 2.2)
        lines += [
            torchrun.group_failed(later, agent, source, restarts_left, MAX_RESTARTS, site=site),
            torchrun.stopping(later, agent, source, site=site),
            torchrun.rendezvousing(facts.moment(event.t + 2.3), agent, source, site=site),
        ]
    return [Line(text) for text in lines]


# How long a node's workers take to exit on the agent's SIGTERM (SubprocessContext._close
# waits for them before the agent logs the failed worker), and how soon after the failing
# agent rejoins the rendezvous another node's agent sees it waiting (its next poll).
_EXIT_SECONDS = (0.3, 1.5)
_REJOIN_SECONDS = (0.5, 2.5)


def stopped_by_agent(
    facts: Facts, incidentals: Incidentals, event: Failed, *, binary: str
) -> list[Out]:
    """The shell's node's torchrun after a worker died (`event.watchdog` false): on the
    faulty node, SubprocessContext._poll sees the worker's exit at the agent's next poll
    (every --monitor-interval, 0.1 s) and _close sends the others SIGTERM, then logs the
    failed worker (torch 2.9.0 elastic/multiprocessing/api.py:855-894, 902-908); the agent
    restarts the group (agent/server/api.py:898-910, INFO). Another node's agent sees the
    failed node waiting at the rendezvous (num_nodes_waiting, api.py:915-928) once it has
    stopped its own workers, and stops all of its workers (no failure to log)."""
    source = torchrun.torch_source(facts.torch)
    site = torch_site(facts.torch)
    agent, pids = incidentals.agent_pid, incidentals.worker_pids
    if event.rank >= 8:
        rejoin = Rng(facts.seed * 41 + event.seq).uniform(*_REJOIN_SECONDS)
        stop = facts.moment(event.t + rejoin)
        return [Line(torchrun.closing_signal(stop, agent, source, pid, site=site)) for pid in pids]
    stop = facts.moment(event.t)
    lines = [
        torchrun.closing_signal(stop, agent, source, pid, site=site)
        for local, pid in enumerate(pids)
        if local != event.local_rank
    ]
    lines.append(
        torchrun.worker_failed(
            facts.moment(event.t + _exited(facts, event)),
            agent,
            source,
            exitcode=-6,
            local_rank=event.local_rank,
            pid=pids[event.local_rank],
            binary=binary,
            site=site,
        )
    )
    return [Line(text) for text in lines]


def exit_lines(
    facts: Facts,
    incidentals: Incidentals,
    event: Failed,
    script: str,
    outer: Sequence[torchrun.Frame] = (),
) -> list[Out]:
    """The shell's node's torchrun where the launch ends (`event.exits`). Where its own
    agent has no restart left (`event.gives_up`) it exits with ChildFailedError, its
    failed worker (local rank 0, `failure_lines`) the root cause. Where another node's
    agent gave up and closed the rendezvous, this node's group, failed at its watchdog
    with restarts left, is restarted into the closed rendezvous: RendezvousClosedError.
    After restart rounds on a GPU that needs a reset (`event.retried`), only the agent that
    used its restarts raises it, naming the worker that failed at CUDA initialisation;
    where that is another node's, the shell's node's last round of workers is left waiting
    for it, and nothing ends them on their own: the user's Ctrl-C does
    (`interrupted_hang`, when the command is typed again)."""
    if not event.exits:
        return []
    if event.retried:
        if event.rank // 8:
            return []
        lines = torchrun.child_failed(
            script=script,
            host=facts.hosts[0],
            moment=facts.moment(event.retried[-1] + 0.8),
            rank=event.rank,
            local_rank=event.local_rank,
            pid=incidentals.worker_pids[event.local_rank],
            signum=0,
            outer=outer,
            exitcode=1,
        )
        return [Line(text) for text in lines]
    if event.gives_up and 0 not in event.gives_up:
        return [Line(text) for text in torchrun.rendezvous_closed(outer=outer)]
    # The root cause: the worker whose exit the agent saw first, the one that died
    # (`stopped_by_agent`), else the first to abort on its watchdog (`failure_lines`).
    died = not event.watchdog
    local = event.local_rank if died else _first_aborted(event)
    lines = torchrun.child_failed(
        script=script,
        host=facts.hosts[0],
        moment=facts.moment(event.t + (_exited(facts, event) if died else 2.1)),
        rank=local if not died else event.rank,
        local_rank=local,
        pid=incidentals.worker_pids[local],
        signum=6,
        outer=outer,
    )
    return [Line(text) for text in lines]


def _exited(facts: Facts, event: Failed) -> float:
    """Seconds after the agent's SIGTERMs (at `event.t`) that the failed worker is logged."""
    return Rng(facts.seed * 37 + event.seq).uniform(*_EXIT_SECONDS)


def _first_aborted(event: Failed) -> int:
    """The local rank of node 0 whose watchdog abort the agent sees: 0, unless that is the
    faulty GPU's process, stuck after its error (it never exits by itself)."""
    return 1 if event.errors and event.rank == 0 else 0


def restart_rounds(
    facts: Facts,
    incidentals: Incidentals,
    event: Failed,
    startup: Callable[[float, Incidentals], list[Out]],
    *,
    binary: str = "/usr/bin/python",
) -> tuple[Incidentals, list[Out]]:
    """The shell's node (node 0) in each restart round on a GPU that needs a reset
    (`event.retried`, when the worker on it failed again at CUDA initialisation): torch
    2.9's SimpleElasticAgent._invoke_run restarts every node's workers each round. The
    failing node's agent counts a retry (FAILED branch); every other agent's HEALTHY branch
    sees num_nodes_waiting > 0 and restarts its own workers, which counts none. Either way
    _stop_workers -> SubprocessContext._close warns `Sending process %s closing signal %s`
    for each live worker, and the new workers start again: rank 0 prints its start-up
    (`startup(t, workers)`, the dialect's in-place restart's lines). Returns the last
    round's workers and the lines; ChildFailedError comes after the last round
    (`exit_lines`)."""
    source = torchrun.torch_source(facts.torch)
    site = torch_site(facts.torch)
    here = event.rank // 8 == 0
    # The restart after the hang (`failure_lines`' workers stopped at event.t) brings up
    # the first round's workers.
    workers = incidentals.relaunched(facts, 60_000 + 8 * event.seq, same_agent=True)
    lines: list[Out] = []
    if not (here and event.local_rank == 0):
        lines += startup(event.t + 2.9, workers)
    for retry, at in enumerate(event.retried):
        last = retry == len(event.retried) - 1
        if not here and last:
            break  # the failing agent gives up: no one comes to the rendezvous again
        # On the failing node the worker on the broken GPU has exited with 1 and its agent
        # stops the others; another node's agent stops all its workers once it sees the
        # failing agent waiting at the rendezvous.
        stop = at + (0.4 if here else 0.9)
        lines += map(
            Line,
            torchrun.stopped_workers(
                facts.moment(stop),
                workers.agent_pid,
                source,
                workers.worker_pids,
                failed=event.local_rank if here else None,
                binary=binary,
                site=site,
                failed_at=facts.moment(stop + 0.4),
            ),
        )
        if last:
            break
        workers = workers.relaunched(facts, 60_000 + 8 * event.seq + retry + 1, same_agent=True)
        if not (here and event.local_rank == 0):
            lines += startup(stop + 1.1, workers)
    return workers, lines


HANG_NOTICED = 35.0  # the Ctrl-C this long before the command is typed again


def interrupted_hang(
    facts: Facts,
    incidentals: Incidentals,
    t: float,
    outer: Sequence[torchrun.Frame] = (),
) -> list[Out]:
    """The shell's node's torchrun after another node's agent used its restarts and closed
    the rendezvous (`exit_lines`): its last round's workers wait in NCCL's bootstrap for
    the failed node's ranks, in a blocking accept with no timeout (src/bootstrap.cc:296 at
    NCCL v2.27.5-1; torch 2.9 creates the communicator in blocking mode without a bound
    device, ProcessGroupNCCL::useNonblocking), and its agent sees them healthy. The user's
    Ctrl-C at `t` reaches torchrun alone (its workers run in their own sessions,
    subprocess_handler.py:68): the agent warns and passes SIGINT on (agent/server/api.py:725,
    multiprocessing/api.py:908); a worker blocked in C never runs Python's handler, so 30 s
    later it is killed (multiprocessing/api.py:927, `via 2, forcefully exiting via 9` as real
    logs print it) and torchrun ends with SignalException (`outer`: a launcher's frames)."""
    source = torchrun.torch_source(facts.torch)
    site = torch_site(facts.torch)
    agent, pids = incidentals.agent_pid, incidentals.worker_pids
    lines = torchrun.shut_down(facts.moment(t), agent, source, pids, signum=2, site=site)
    later = facts.moment(t + 30.0)
    lines += [
        torchrun.unable_to_shutdown(later, agent, source, pid, signum=2, site=site) for pid in pids
    ]
    lines += torchrun.signal_exception(agent=agent, signum=2, outer=outer)
    # the terminal's echo of the Ctrl-C, where the cursor was: the line's start
    return [Line("^C" + lines[0]), *(Line(text) for text in lines[1:])]


def interrupted_lines(facts: Facts, incidentals: Incidentals, t: float) -> list[Out]:
    """Ctrl-C in the terminal: torchrun's agent passes SIGINT on to every worker."""
    site = torch_site(facts.torch)
    source = torchrun.torch_source(facts.torch)
    moment = facts.moment(t)
    agent = incidentals.agent_pid
    lines = [torchrun.death_signal(moment, agent, 2, site=site, source=source)]
    lines += [
        torchrun.closing_signal(moment, agent, source, pid, site=site, signal="SIGINT")
        for pid in incidentals.worker_pids
    ]
    return [Line(text) for text in lines]


def listing(facts: Facts, t: float, folder: str, shards: tuple[float, ...]) -> list[str]:
    """`ls -lh` of an exported model: the safetensors shards, their index and the config."""
    names = physics.safetensors_names(len(shards))
    files = [("config.json", 0.7e3), *zip(names, shards, strict=True)]
    if len(shards) > 1:  # one shard is the whole model, with no index
        files.append((physics.SAFE_WEIGHTS_INDEX_NAME, 23.9e3 + 0.2e3 * facts.layers))
    return ls_rows(facts, t, files, folder=folder)


def ls_rows(
    facts: Facts, t: float, files: list[tuple[str, float]], *, folder: str = "x"
) -> list[str]:
    """`ls -lh` rows of `files` (name, bytes) written at `t`, with the total first."""
    moment = facts.moment(t)
    stamp = f"{moment:%b} {moment.day:2d} {moment:%H:%M}"
    sizes = [_human(size) for _, size in files]
    width = max(len(size) for size in sizes)
    owner = facts.user
    total = _human(math.fsum(size for _, size in files))
    rows = [f"total {total}"]
    for (name, _), size in zip(files, sizes, strict=True):
        rows.append(f"-rw-r--r-- 1 {owner} {owner} {size:>{width}} {stamp} {name}")
    return [folder and rows[0], *rows[1:]]


def _human(size: float) -> str:
    """`ls -h`: powers of 1024, one decimal below 10, rounded up as coreutils rounds."""
    units = "KMGT"
    value, unit = size, ""
    for letter in units:
        if value < 1024:
            break
        value /= 1024
        unit = letter
    if not unit:
        return str(int(value))
    if value < 10:
        tenths = -(-round(value * 1000) // 100)  # ceiling, to a tenth
        if tenths < 100:
            return f"{tenths // 10}.{tenths % 10}{unit}"
        value = 10.0
    return f"{-(-round(value * 1000) // 1000)}{unit}"
