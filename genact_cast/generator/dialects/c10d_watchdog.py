"""c10d's NCCL watchdog lines (ProcessGroupNCCL.cpp): the timeout a rank's watchdog catches,
the exception, the flight recorder's note, the take-down and the C++ stack trace, at each
torch release the dialects run (their line numbers in torchrun.TorchSource). Apart from
the launcher's lines (torchrun.py) because every framework's ranks print these the same
way, whichever launcher started them; rank_watchdog.py puts one rank's block together.
The C++ traces' frames are in c10d_frames.py, the faulty GPU's CUDA error in
c10d_cuda_error.py.
"""

from datetime import datetime
from typing import NamedTuple

from genact_cast.generator.dialects.c10d_frames import (
    CHECK_TIMEOUT,
    CHECK_TIMEOUT_2_9,
    SOURCE_ROOT,
    frames_of,
    raised_from_watchdog,
)
from genact_cast.generator.dialects.c10d_frames import Frames as Frames
from genact_cast.generator.dialects.common import cpp_stamp
from genact_cast.generator.dialects.torchrun import TorchSource


class Timeout(NamedTuple):
    """One collective the NCCL watchdog gave up on."""

    seq: int
    op: str  # ALLREDUCE, _ALLGATHER_BASE, _REDUCE_SCATTER_BASE ...
    numel_in: int
    numel_out: int
    timeout_ms: int
    ran_ms: int
    # works the process had enqueued on the group past this one when its watchdog looked
    ahead: int = 2


def label(local_id: int, guid: int, desc: str) -> str:
    """A process group as c10d names it in its lines (`PG ID 1 PG GUID 1(undefined)`): here
    beside the watchdog's words, which every dialect imports, so that a dialect naming a
    group loads no other framework's modules."""
    return f"PG ID {local_id} PG GUID {guid}({desc})"


def c10d_line(rank: int, moment: datetime, nanos: int, line: int, message: str) -> str:
    return f"[rank{rank}]:[{cpp_stamp('E', moment, nanos)} ProcessGroupNCCL.cpp:{line}] {message}"


def watchdog_timeout(
    rank: int,
    moment: datetime,
    nanos: int,
    source: TorchSource,
    timeout: Timeout,
    member: int | None = None,
) -> str:
    """`member`: the rank's number in the timed-out group (c10d's `[Rank n]`), where the
    group is not the default one."""
    return c10d_line(
        rank,
        moment,
        nanos,
        source.watchdog,
        _caught(rank if member is None else member, timeout),
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
    member: int | None = None,
) -> str:
    rank_in = rank if member is None else member
    if source.traces:
        return c10d_line(
            rank,
            moment,
            nanos,
            source.exception,
            f"[{group} Rank {rank_in}]  failure detected by watchdog at work sequence id: {work} "
            f"PG status: last enqueued work: {enqueued}, last completed work: {completed}",
        )
    return c10d_line(
        rank,
        moment,
        nanos,
        source.exception,
        f"[{group} Rank {rank_in}] Exception (either an error or timeout) detected by watchdog at "
        f"work: {work}, last enqueued NCCL work: {enqueued}, "
        f"last completed NCCL work: {completed}.",
    )


def flight_recorder_off(rank: int, moment: datetime, nanos: int, source: TorchSource) -> str:
    return c10d_line(
        rank,
        moment,
        nanos,
        source.flight_recorder,
        "Stack trace of the failed collective not found, potentially because FlightRecorder is "
        "disabled. You can enable it by setting TORCH_NCCL_TRACE_BUFFER_SIZE to a non-zero value.",
    )


def _caught(rank: int, timeout: Timeout) -> str:
    return (
        f"[Rank {rank}] Watchdog caught collective operation timeout: "
        f"WorkNCCL(SeqNum={timeout.seq}, OpType={timeout.op}, NumelIn={timeout.numel_in}, "
        f"NumelOut={timeout.numel_out}, Timeout(ms)={timeout.timeout_ms}) "
        f"ran for {timeout.ran_ms} milliseconds before timing out."
    )


def watchdog_trace(
    rank: int,
    moment: datetime,
    nanos: int,
    source: TorchSource,
    timeout: Timeout,
    *,
    group: str,
    frames: Frames,
    member: int | None = None,
) -> list[str]:
    """The watchdog thread's exception and the abort it causes: the logged error with its C++
    trace, then `terminate called after throwing an instance of 'c10::DistBackendError'` with
    `what():` and both traces (as torch 2.6 and 2.9 print them)."""
    rank_in = rank if member is None else member
    what = f"[{group} Rank {rank_in}] Process group watchdog thread terminated with exception: " + (
        _caught(rank_in, timeout)
    )
    checking = CHECK_TIMEOUT_2_9 if source.watchdog_run else CHECK_TIMEOUT  # 2.9: a class
    check = [
        f"Exception raised from checkTimeout at {SOURCE_ROOT}:{source.check_timeout} "
        "(most recent call first):",
        *frames_of(frames, checking),
        "",
    ]
    return aborted(rank, moment, nanos, source, [what], check, frames)


def aborted(
    rank: int,
    moment: datetime,
    nanos: int,
    source: TorchSource,
    message: list[str],
    check: list[str],
    frames: Frames,
) -> list[str]:
    """The watchdog thread's end, whatever its error: c10d logs the exception (`message`'s
    lines, then the c10::Error's trace `check`), then the thread rethrows it as a
    DistBackendError that nothing catches, and libstdc++'s verbose terminate handler prints
    its type and `  what():  ` with the whole text (the message, the first trace and the
    thread's own, `Exception raised from run`), as the real logs of both paths show
    (index:54907917001 for a timeout, index:52213460440 for a CUDA error)."""
    first, *rest = message
    return [
        c10d_line(rank, moment, nanos, source.terminated, first),
        *rest,
        *check,
        "terminate called after throwing an instance of 'c10::DistBackendError'",
        f"  what():  {first}",
        *rest,
        *check,
        *raised_from_watchdog(source, frames),
    ]


def watchdog_inconsistency(
    rank: int, moment: datetime, nanos: int, source: TorchSource, member: int | None = None
) -> str:
    return _rank_says(
        rank, moment, nanos, source.inconsistency, member,
        "Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA "
        "kernels, subsequent GPU operations might run on corrupted/incomplete data.",
    )  # fmt: skip


def watchdog_takedown(
    rank: int, moment: datetime, nanos: int, source: TorchSource, member: int | None = None
) -> str:
    return _rank_says(
        rank, moment, nanos, source.takedown, member,
        "To avoid data inconsistency, we are taking the entire process down.",
    )  # fmt: skip


def _rank_says(
    rank: int, moment: datetime, nanos: int, line: int, member: int | None, text: str
) -> str:
    """A watchdog line that names the rank in its group (`member`, else the global rank)."""
    return c10d_line(
        rank, moment, nanos, line, f"[Rank {rank if member is None else member}] {text}"
    )
