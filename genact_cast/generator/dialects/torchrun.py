"""torchrun: its launch command, the OMP_NUM_THREADS banner, and the elastic agent's failure
and restart messages, with the torch release's source lines they cite (TorchSource). c10d's
NCCL watchdog lines, which every rank prints the same way, are in c10d_watchdog.py; the
tracebacks a torchrun ends with (ChildFailedError, SignalException) in torchrun_tracebacks.py."""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from genact_cast.generator.dialects.common import cpp_stamp, glog_stamp
from genact_cast.generator.dialects.torchrun_tracebacks import SIGNALS
from genact_cast.generator.dialects.torchrun_tracebacks import Frame as Frame
from genact_cast.generator.dialects.torchrun_tracebacks import child_failed as child_failed
from genact_cast.generator.dialects.torchrun_tracebacks import (
    rendezvous_closed as rendezvous_closed,
)
from genact_cast.generator.dialects.torchrun_tracebacks import signal_exception as signal_exception

BANNER_RULE = "*" * 41
OMP_WARNING = (
    "Setting OMP_NUM_THREADS environment variable for each process to be 1 in default, "
    "to avoid your system being overloaded, please further tune the variable for optimal "
    "performance in your application as needed. "
)


class TorchSource(NamedTuple):
    """Where one torch release logs from: the source lines its messages carry."""

    run_py: int  # torch/distributed/run.py, the OMP banner
    thread_ids: bool  # 2.3 and 2.4 print the thread id in the glog prefix, later the pid
    watchdog: int  # ProcessGroupNCCL.cpp: "Watchdog caught collective operation timeout"
    exception: int  # ProcessGroupNCCL.cpp: "Exception (either an error or timeout) ..."
    inconsistency: int  # ProcessGroupNCCL.cpp: "Some NCCL operations have failed ..."
    takedown: int  # ProcessGroupNCCL.cpp: "To avoid data inconsistency ..."
    mp_failed: int  # elastic/multiprocessing/api.py: "failed (exitcode: ...)"
    mp_sigterm: int  # elastic/multiprocessing/api.py: "Sending process ... closing signal"
    agent_failed: int  # elastic/agent/server/api.py: "Worker group FAILED ..."
    agent_stopping: int
    agent_rendezvous: int
    # From 2.6 the watchdog reports "failure detected by watchdog at work sequence id" (the
    # `exception` line), says the flight recorder is off, and the thread's exception ends
    # the process with the `terminate called after throwing` trace.
    flight_recorder: int = 0  # "Stack trace of the failed collective not found ..."
    terminated: int = 0  # "Process group watchdog thread terminated with exception: ..."
    check_timeout: int = 0  # "Exception raised from checkTimeout at ...:N"
    comm_watchdog: int = 0  # "Exception raised from ncclCommWatchdog at ...:N"
    # From 2.9 the watchdog is a class: the trace runs through Watchdog::runLoop() and
    # Watchdog::run(), and the second exception is raised "from run at ...:N".
    watchdog_run: int = 0
    agent_death: int = 719  # elastic/agent/server/api.py: "Received N death signal ..."
    # distributed_c10d.py: barrier()'s warning when no device is bound (0: not read for it)
    barrier_warning: int = 0
    # ProcessGroupNCCL.cpp: "Guessing device ID based on global rank" (0: not read for it)
    guess_device: int = 0
    # elastic/multiprocessing/api.py: "Unable to shutdown process %s via %s, forcefully
    # exiting via %s", 30 s after a closing signal a worker did not end on (0: not read)
    mp_unable: int = 0

    @property
    def traces(self) -> bool:
        return self.terminated > 0


# Every number here is the source line a real log of that release shows
# (tests/data/real_logs/torchrun.tsv holds them). Where no log of a release was found for a
# message, the nearest release's line is used: 2.3 takes 2.4's watchdog lines, 2.6-2.8 take
# 2.5's watchdog timeout and exception lines, and every release takes the elastic agent's
# lines of the 2.5-2.7 logs (api.py:869/897/889/699/677) but 2.9, whose elastic lines are
# read from torch 2.9.0's own Python files (the wheel's torch/distributed/elastic/
# multiprocessing/api.py:882/908, agent/server/api.py:900/705/679/725; 2.9.1's are the
# same; tests/data/real_logs/torch290_elastic.tsv). 2.9's banner line is that of a
# torchtitan log of 2025-11-25 (NCCL 2.27.5, index:39298784851); its c10d lines are those of
# torch 2.9's (ProcessGroupNCCL.cpp:683/2241/744/758, flight recorder 730, terminated 2057,
# checkTimeout at 686, run at 2063) are those of two real logs with the Watchdog class:
# an sglang v0.5.9 image (sglang 0.5.9 requires torch==2.9.1; index:54907917001) and a
# Python 3.12 accelerate run with the same lines (index:68430319905).
_ELASTIC = (869, 897, 889, 699, 677)
_ELASTIC_2_9 = (882, 908, 900, 705, 679)
_C10D_2_9 = (683, 2241, 744, 758, *_ELASTIC_2_9, 730, 2057, 686, 0, 2063, 725)
_SOURCES = {
    "2.3": TorchSource(757, True, 607, 1664, 684, 698, *_ELASTIC),
    "2.4": TorchSource(779, True, 607, 1664, 684, 698, *_ELASTIC),
    "2.5": TorchSource(793, False, 616, 1785, 684, 698, *_ELASTIC),
    "2.6": TorchSource(792, False, 616, 1785, 684, 698, *_ELASTIC),
    "2.7": TorchSource(766, False, 616, 1785, 684, 698, *_ELASTIC),
    "2.8": TorchSource(774, False, 616, 1785, 684, 698, *_ELASTIC),
    # 2.9.0's barrier() warns at distributed_c10d.py:4876 (read in the 2.9.0 wheel; a
    # Megatron log of NVIDIA/Megatron-LM#1880 shows the same line).
    # Its ProcessGroupNCCL guesses the device at :5072 when a communicator comes up with none
    # bound, right after barrier()'s warning: real torch 2.9 logs with the same
    # distributed_c10d.py:4876 (index:56419797769, index:57129709323).
    "2.9": TorchSource(
        803, False, *_C10D_2_9, barrier_warning=4876, guess_device=5072, mp_unable=927
    ),
}


def torch_source(torch_version: str) -> TorchSource:
    """The source lines of a torch release given as '2.5.1+cu124' (or '2.5.1', '2.5')."""
    key = ".".join(torch_version.split("+")[0].split(".")[:2])
    if key not in _SOURCES:
        raise ValueError(f"no log layout known for torch {torch_version}")
    return _SOURCES[key]


def torch_site(torch_version: str, packages: str = "site-packages") -> str:
    """What precedes `torch/` in a logged path. From 2.5 torch logs a module's path relative
    to the first sys.path entry holding it (torch/_logging/_internal.py,
    make_module_path_relative): a pip install under python:3.12's /usr/local/lib/python3.12
    (itself on sys.path, before site-packages) gives `site-packages/torch/...`; the NGC
    containers' /usr/local/lib/python3.12/dist-packages is on sys.path and the stdlib is
    /usr/lib/python3.12, so their path starts at `torch/`."""
    major, minor = (int(part) for part in torch_version.split("+")[0].split(".")[:2])
    return "site-packages/" if (major, minor) >= (2, 5) and packages == "site-packages" else ""


BARRIER_WARNING = (
    "barrier(): using the device under current context. "
    "You can specify `device_id` in `init_process_group` to mute this warning."
)


def barrier_warning(torch_version: str, packages: str) -> list[str]:
    """What torch.distributed.barrier() prints through Python's warnings module when
    init_process_group was given no device_id: only the group's rank 0 warns, once (the
    default filter), as `path:line: UserWarning: text` and the call's source line."""
    line = torch_source(torch_version).barrier_warning
    if not line:
        raise ValueError(f"no barrier warning line known for torch {torch_version}")
    path = f"/usr/local/lib/python3.12/{packages}/torch/distributed/distributed_c10d.py"
    return [f"{path}:{line}: UserWarning: {BARRIER_WARNING}", "  warnings.warn(  # warn only once"]


GUESS_DEVICE = (
    "Guessing device ID based on global rank. This can cause a hang if rank to GPU mapping "
    "is heterogeneous. You can specify device_id in init_process_group()"
)


def device_guess_warning(torch_version: str, moment: datetime, nanos: int) -> list[str]:
    """The world communicator's rank 0, created lazily with no device_id, warns that it
    guesses its GPU from the global rank (a c10 WARNING, once; [] where not known)."""
    line = torch_source(torch_version).guess_device
    if not line:
        return []
    return [f"[rank0]:[{cpp_stamp('W', moment, nanos)} ProcessGroupNCCL.cpp:{line}] {GUESS_DEVICE}"]


def banner_line(moment: datetime, process: int, run_py: int, text: str, *, site: str = "") -> str:
    """One line of the banner; `site` is what precedes `torch/` in the logged path (from 2.5 a
    pip or conda install logs `site-packages/torch/...`)."""
    return f"{glog_stamp('W', moment)} {process} {site}torch/distributed/run.py:{run_py}] {text}"


def banner(moment: datetime, process: int, source: TorchSource, *, site: str = "") -> list[str]:
    """The four-line OMP_NUM_THREADS warning torchrun prints once per node at launch."""
    return [
        banner_line(moment, process, source.run_py, text, site=site)
        for text in ("", BANNER_RULE, OMP_WARNING, BANNER_RULE)
    ]


def glog_line(
    level: str, moment: datetime, process: int, where: str, message: str, *, site: str = ""
) -> str:
    stamp = glog_stamp(level, moment)
    return f"{stamp} {process} {site}torch/distributed/elastic/{where}] {message}"


def worker_failed(
    moment: datetime,
    agent: int,
    source: TorchSource,
    *,
    exitcode: int,
    local_rank: int,
    pid: int,
    binary: str,
    site: str = "",
) -> str:
    return glog_line(
        "E",
        moment,
        agent,
        f"multiprocessing/api.py:{source.mp_failed}",
        f"failed (exitcode: {exitcode}) local_rank: {local_rank} (pid: {pid}) of binary: {binary}",
        site=site,
    )


def closing_signal(
    moment: datetime,
    agent: int,
    source: TorchSource,
    pid: int,
    *,
    site: str = "",
    signal: str = "SIGTERM",
) -> str:
    return glog_line(
        "W",
        moment,
        agent,
        f"multiprocessing/api.py:{source.mp_sigterm}",
        f"Sending process {pid} closing signal {signal}",
        site=site,
    )


def stopped_workers(
    moment: datetime,
    agent: int,
    source: TorchSource,
    worker_pids: Sequence[int],
    *,
    failed: int | None,
    binary: str,
    site: str = "",
    failed_at: datetime,
    exitcode: int = 1,
) -> list[str]:
    """One agent's lines as it stops its workers in a restart round: a closing signal for
    each live worker, then, where one of them (local rank `failed`) exited (with 1, or
    `exitcode`), its failure (SubprocessContext._close and the FAILED branch of
    _invoke_run)."""
    lines = [
        closing_signal(moment, agent, source, pid, site=site)
        for local, pid in enumerate(worker_pids)
        if local != failed
    ]
    if failed is not None:
        lines.append(
            worker_failed(
                failed_at,
                agent,
                source,
                exitcode=exitcode,
                local_rank=failed,
                pid=worker_pids[failed],
                binary=binary,
                site=site,
            )
        )
    return lines


def death_signal(
    moment: datetime,
    agent: int,
    signum: int,
    *,
    site: str = "",
    source: TorchSource | None = None,
) -> str:
    """The agent's answer to Ctrl-C (2) or a scheduler's SIGTERM (15)."""
    line = (source or _SOURCES["2.5"]).agent_death
    return glog_line(
        "W",
        moment,
        agent,
        f"agent/server/api.py:{line}",
        f"Received {signum} death signal, shutting down workers",
        site=site,
    )


def group_failed(
    moment: datetime, agent: int, source: TorchSource, left: int, total: int, *, site: str = ""
) -> str:
    return glog_line(
        "I",
        moment,
        agent,
        f"agent/server/api.py:{source.agent_failed}",
        f"[default] Worker group FAILED. {left}/{total} attempts left; will restart worker group",
        site=site,
    )


def stopping(moment: datetime, agent: int, source: TorchSource, *, site: str = "") -> str:
    return glog_line(
        "I",
        moment,
        agent,
        f"agent/server/api.py:{source.agent_stopping}",
        "[default] Stopping worker group",
        site=site,
    )


def rendezvousing(moment: datetime, agent: int, source: TorchSource, *, site: str = "") -> str:
    return glog_line(
        "I",
        moment,
        agent,
        f"agent/server/api.py:{source.agent_rendezvous}",
        "[default] Rendezvous'ing worker group",
        site=site,
    )


def teed(worker_lines: Sequence[str], tee_rank: int | None) -> list[str]:
    """A worker's lines as the terminal shows them. torch tags each of its own log records
    in-process: c10's MessageLogger writes `[rankN]:` before the record once distributed has
    set the global rank (c10/util/Logging.cpp), so only a record's first line carries it and
    its `Exception raised ...`, `frame #` and `terminate called` lines none
    (tests/data/real_logs/torch29_watchdog.txt). torchrun's `--tee 3 --role rank` then tags
    every line of the worker's stream with its own `[rankN]:`, in front of torch's: the two
    stack (`[rank0]:[rank0]:W0819 ...`, tests/data/real_logs/tee_prefix.txt). `tee_rank`:
    the rank whose stream the tee shows; None where the launcher does not tee (accelerate
    launch: its `--tee` defaults to "0", commands/launch.py:312-313 at v1.11.0)."""
    if tee_rank is None:
        return list(worker_lines)
    return [f"[rank{tee_rank}]:{text}" for text in worker_lines]


def command(
    *,
    nodes: int,
    master: str,
    port: int,
    script: Sequence[str],
    max_restarts: int = 0,
    extra: Sequence[str] = (),
) -> list[str]:
    """The torchrun command as shell words; one node is --standalone, more use a c10d rendezvous."""
    if nodes == 1:
        launcher = ["torchrun", "--standalone", "--nproc_per_node=8"]
    else:
        launcher = [
            "torchrun",
            f"--nnodes={nodes}",
            "--nproc_per_node=8",
            "--rdzv_backend=c10d",
            f"--rdzv_endpoint={master}:{port}",
        ]
    if max_restarts:
        launcher.append(f"--max_restarts={max_restarts}")
    return [*launcher, *extra, *script]


def shut_down(
    moment: datetime,
    agent: int,
    source: TorchSource,
    worker_pids: Sequence[int],
    *,
    signum: int,
    site: str = "",
) -> list[str]:
    """An agent's first lines on a death signal: the warning (agent/server/api.py:725) and,
    as LocalElasticAgent._shutdown closes the workers, a closing signal for each (the
    same signal, multiprocessing/api.py:908)."""
    return [
        death_signal(moment, agent, signum, site=site, source=source),
        *(
            closing_signal(moment, agent, source, pid, site=site, signal=SIGNALS[signum])
            for pid in worker_pids
        ),
    ]


def unable_to_shutdown(
    moment: datetime, agent: int, source: TorchSource, pid: int, *, signum: int, site: str = ""
) -> str:
    """SubprocessContext._close 30 s after a closing signal the worker did not end on (one
    blocked in a C++ call, as in NCCL's bootstrap): SIGKILL (`via %s` of the Signals
    members, numbers under Python 3.12; real logs: `via 2, forcefully exiting via 9`)."""
    if not source.mp_unable:
        raise ValueError("no 'Unable to shutdown' line known for this torch release")
    return glog_line(
        "W",
        moment,
        agent,
        f"multiprocessing/api.py:{source.mp_unable}",
        f"Unable to shutdown process {pid} via {signum}, forcefully exiting via 9",
        site=site,
    )
