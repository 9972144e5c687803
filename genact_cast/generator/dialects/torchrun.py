"""torchrun: its launch command, the OMP_NUM_THREADS banner, and the elastic agent's failure
and restart messages; c10d's NCCL watchdog lines, which every torchrun job prints the same way."""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from genact_cast.generator.dialects.common import cpp_stamp, glog_stamp

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


# Every number here is the source line a real log of that release shows
# (tests/data/real_logs/torchrun.tsv holds them). Where no log of a release was found for a
# message, the nearest release's line is used: 2.3 takes 2.4's watchdog lines, 2.6-2.8 take
# 2.5's watchdog timeout and exception lines, and every release takes the elastic agent's
# lines of the 2.5-2.7 logs (api.py:869/897/889/699/677).
_ELASTIC = (869, 897, 889, 699, 677)
_SOURCES = {
    "2.3": TorchSource(757, True, 607, 1664, 684, 698, *_ELASTIC),
    "2.4": TorchSource(779, True, 607, 1664, 684, 698, *_ELASTIC),
    "2.5": TorchSource(793, False, 616, 1785, 684, 698, *_ELASTIC),
    "2.6": TorchSource(792, False, 616, 1785, 684, 698, *_ELASTIC),
    "2.7": TorchSource(766, False, 616, 1785, 684, 698, *_ELASTIC),
    "2.8": TorchSource(774, False, 616, 1785, 684, 698, *_ELASTIC),
}


def torch_source(torch_version: str) -> TorchSource:
    """The source lines of a torch release given as '2.5.1+cu124' (or '2.5.1', '2.5')."""
    key = ".".join(torch_version.split("+")[0].split(".")[:2])
    if key not in _SOURCES:
        raise ValueError(f"no log layout known for torch {torch_version}")
    return _SOURCES[key]


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


def death_signal(moment: datetime, agent: int, signum: int, *, site: str = "") -> str:
    """The agent's answer to Ctrl-C (2) or a scheduler's SIGTERM (15)."""
    return glog_line(
        "W",
        moment,
        agent,
        "agent/server/api.py:719",
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


class Timeout(NamedTuple):
    """One collective the NCCL watchdog gave up on."""

    seq: int
    op: str  # ALLREDUCE, _ALLGATHER_BASE, _REDUCE_SCATTER_BASE ...
    numel_in: int
    numel_out: int
    timeout_ms: int
    ran_ms: int


def _c10d(rank: int, moment: datetime, nanos: int, line: int, message: str) -> str:
    return f"[rank{rank}]:[{cpp_stamp('E', moment, nanos)} ProcessGroupNCCL.cpp:{line}] {message}"


def watchdog_timeout(
    rank: int, moment: datetime, nanos: int, source: TorchSource, timeout: Timeout
) -> str:
    return _c10d(
        rank,
        moment,
        nanos,
        source.watchdog,
        f"[Rank {rank}] Watchdog caught collective operation timeout: "
        f"WorkNCCL(SeqNum={timeout.seq}, OpType={timeout.op}, NumelIn={timeout.numel_in}, "
        f"NumelOut={timeout.numel_out}, Timeout(ms)={timeout.timeout_ms}) "
        f"ran for {timeout.ran_ms} milliseconds before timing out.",
    )


def watchdog_exception(
    rank: int,
    moment: datetime,
    nanos: int,
    source: TorchSource,
    *,
    group: str,
    work: int,
    enqueued: int,
    completed: int,
) -> str:
    return _c10d(
        rank,
        moment,
        nanos,
        source.exception,
        f"[{group} Rank {rank}] Exception (either an error or timeout) detected by watchdog at "
        f"work: {work}, last enqueued NCCL work: {enqueued}, "
        f"last completed NCCL work: {completed}.",
    )


def watchdog_inconsistency(rank: int, moment: datetime, nanos: int, source: TorchSource) -> str:
    return _c10d(
        rank,
        moment,
        nanos,
        source.inconsistency,
        f"[Rank {rank}] Some NCCL operations have failed or timed out. Due to the asynchronous "
        "nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.",
    )


def watchdog_takedown(rank: int, moment: datetime, nanos: int, source: TorchSource) -> str:
    return _c10d(
        rank,
        moment,
        nanos,
        source.takedown,
        f"[Rank {rank}] To avoid data inconsistency, we are taking the entire process down.",
    )


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
