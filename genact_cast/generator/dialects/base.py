"""What every framework dialect shares: its output items, the incidental draws (process ids,
NCCL addresses), the torchrun banner, Ctrl-C and `ls -lh`; the NCCL start-up lines come
from nccl_startup, a failure's agent lines from agent_failures (imported where a run fails)."""

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from genact_cast.generator import physics
from genact_cast.generator.dialects import torchrun
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.torchrun import torch_site as torch_site
from genact_cast.generator.rng import Rng

# The five kinds of output are tuples of one field (a Line and an Above of two), as
# NamedTuples would be (equal, hashed and unpacked as tuples), built without
# typing.NamedTuple's class machinery: a NamedTuple class costs about 0.1 ms to create, and
# every framework dialect's record imports these five (issue 18: a dialect's fixed cost
# against genact's own look).


# A Line's `at` for lines that print no stamp: the log's clock does not move.
UNSTAMPED = float("-inf")


class Line(tuple[str, float | None]):
    """A line that scrolls: written, then a new line. A logger writes it straight to the
    terminal: where a tqdm bar is drawn, right after the bar (glued to it), and the bar is
    not drawn again until tqdm draws it.

    `at`: the time its stamp prints, in the log clock's whole seconds (common.clock_second:
    the stamp's date and second, as presenters/log_clock.py reads a dated stamp), handed on
    with the text by the dialect that stamped it, so that the presenter need not find the
    stamp in the text again (issue 18's speed bar); UNSTAMPED for lines without a stamp,
    None where the text is to be read (a stamp the dialect did not hand on, glog's without a
    year). Where the text holds several lines (`\r\n`), all print that one second."""

    __slots__ = ()

    def __new__(cls, text: str, at: float | None = None) -> "Line":
        return tuple.__new__(cls, (text, at))

    @property
    def text(self) -> str:
        return self[0]

    @property
    def at(self) -> float | None:
        return self[1]


class Above(tuple[str, float | None]):
    """tqdm.write's line: the bars cleared, the line printed, the bars drawn again below it
    (`at` as a Line's)."""

    __slots__ = ()

    def __new__(cls, text: str, at: float | None = None) -> "Above":
        return tuple.__new__(cls, (text, at))

    @property
    def text(self) -> str:
        return self[0]

    @property
    def at(self) -> float | None:
        return self[1]


class Redraw(tuple[str]):
    """A progress line redrawn in place (tqdm): replaces the current line, no new line."""

    __slots__ = ()

    def __new__(cls, text: str) -> "Redraw":
        return tuple.__new__(cls, (text,))

    @property
    def text(self) -> str:
        return self[0]


class Close(tuple[bool]):
    """tqdm's close: the progress line drawn once more and left, output going on below it;
    `leave` False: the bar's process is gone (killed), and nothing draws it again."""

    __slots__ = ()

    def __new__(cls, leave: bool = True) -> "Close":
        return tuple.__new__(cls, (leave,))

    @property
    def leave(self) -> bool:
        return self[0]


class SubBar(tuple[str]):
    """tqdm's second bar (position 1), drawn on the line below the first and the cursor moved
    back up to it; empty: the bar cleared (a close with leave=False)."""

    __slots__ = ()

    def __new__(cls, text: str) -> "SubBar":
        return tuple.__new__(cls, (text,))

    @property
    def text(self) -> str:
        return self[0]


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
        self.attempt = attempt
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
        # the viewer's Ctrl-C after the last line the processes logged (answered_at)
        self.answer_delay = rng.uniform(0.05, 0.6)
        # PCI bus ids of the eight GPUs of an HGX board, as NCCL prints them.
        self.bus_ids = ["18000", "2a000", "3a000", "5d000", "9a000", "ab000", "ba000", "db000"]

    @property
    def launch_key(self) -> int:
        """What a launch's NCCL set-up draws its times from (each process's Init timings,
        its communicators'): the first launch's agent pid, a later launch's first worker pid.
        torchrun restarting its workers keeps its own pid, and a draw keyed on that gave each
        restart the same set-up times to the hundredth (Megatron seed 12, --failures 2: rank
        28's world `Init timings` total 1.39 s on both restarts)."""
        return self.agent_pid if self.attempt == 0 else self.worker_pids[0]

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
    facts: Facts,
    moment: datetime,
    incidentals: Incidentals,
    packages: str = "site-packages",
    delay: float | None = None,
) -> list[str]:
    """`packages`: the folder torch is installed in, as the run's stack frames name it;
    `delay`: from torchrun's start to its warning (the launch's own draw if None)."""
    source = torchrun.torch_source(facts.torch)
    process = incidentals.agent_pid
    if source.thread_ids:
        process = 139_000_000_000_000 + incidentals.agent_pid * 4096
    later = moment + timedelta(seconds=incidentals.banner_delay if delay is None else delay)
    return torchrun.banner(later, process, source, site=torch_site(facts.torch, packages))


def answered_at(
    t: float,
    incidentals: Incidentals,
    *,
    launched_at: float = float("-inf"),
    printed: float = float("-inf"),
) -> float:
    """When torchrun's agent answers a Ctrl-C the viewer pressed at `t`: the processes
    print in order, so its warning comes after torchrun's own banner (banner_delay after
    its start, `launched_at`) and after the last line the workers logged (`printed`, the
    dialect's Clock), a moment later, as the key comes after the last line shown."""
    if t < launched_at + incidentals.banner_delay:
        t += incidentals.banner_delay
    if t < printed:
        t = printed + incidentals.answer_delay
    return t


MAX_RESTARTS = 3  # --max_restarts of every torchrun command the dialects type


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


def interrupted_lines(
    facts: Facts,
    incidentals: Incidentals,
    t: float,
    outer: Sequence[torchrun.Frame] = (),
    workers: Sequence[str] = (),
) -> list[Out]:
    """Ctrl-C in the terminal during a healthy run: the SIGINT reaches torchrun alone (its
    workers run in their own sessions, subprocess_handler.py:68). Its agent warns and passes
    SIGINT on to every worker (agent/server/api.py:725, multiprocessing/api.py:908); once
    they are gone launch_agent re-raises the SignalException (launcher/api.py:301-305),
    which nothing above torch's `run` catches: torchrun (or `outer`, a launcher that calls
    `run` itself) ends with its traceback, as the recorded interrupt of a hung restart
    (`interrupted_hang`) and Megatron-LM's (megatron_interrupt) end. `workers`: the
    workers' own lines as each ends on its SIGINT, between the two."""
    site = torch_site(facts.torch)
    source = torchrun.torch_source(facts.torch)
    agent = incidentals.agent_pid
    lines = torchrun.shut_down(
        facts.moment(t), agent, source, incidentals.worker_pids, signum=2, site=site
    )
    lines += [*workers, *torchrun.signal_exception(agent=agent, signum=2, outer=outer)]
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
