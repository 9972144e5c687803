"""c10d's NCCL watchdog lines (ProcessGroupNCCL.cpp): the timeout a rank's watchdog catches,
the exception, the flight recorder's note, the take-down and the C++ stack trace, at each
torch release the dialects run (their line numbers in torchrun.TorchSource). Apart from
the launcher's lines (torchrun.py) because every framework's ranks print these the same
way, whichever launcher started them; rank_watchdog.py puts one rank's block together.
"""

from datetime import datetime
from typing import NamedTuple

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


def label(local_id: int, guid: int, desc: str) -> str:
    """A process group as c10d names it in its lines (`PG ID 1 PG GUID 1(undefined)`): here
    beside the watchdog's words, which every dialect imports, so that a dialect naming a
    group loads no other framework's modules."""
    return f"PG ID {local_id} PG GUID {guid}({desc})"


def _c10d(rank: int, moment: datetime, nanos: int, line: int, message: str) -> str:
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
    return _c10d(
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
        return _c10d(
            rank,
            moment,
            nanos,
            source.exception,
            f"[{group} Rank {rank_in}]  failure detected by watchdog at work sequence id: {work} "
            f"PG status: last enqueued work: {enqueued}, last completed work: {completed}",
        )
    return _c10d(
        rank,
        moment,
        nanos,
        source.exception,
        f"[{group} Rank {rank_in}] Exception (either an error or timeout) detected by watchdog at "
        f"work: {work}, last enqueued NCCL work: {enqueued}, "
        f"last completed NCCL work: {completed}.",
    )


def flight_recorder_off(rank: int, moment: datetime, nanos: int, source: TorchSource) -> str:
    return _c10d(
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


class Frames(NamedTuple):
    """Where the process's libraries were loaded: a C++ trace's addresses come from them."""

    site: str  # ".../site-packages/torch/lib"
    libc10: int
    libtorch_cuda: int
    libtorch: int
    libc: int
    libstdcxx: int = 0
    libc10_cuda: int = 0  # c10's CUDA check (a CUDA error's trace shows it)


SOURCE_ROOT = "/pytorch/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp"


def _frames(frames: Frames, rows: list[tuple[str, int, str, int]]) -> list[str]:
    """`frame #N: symbol + 0xOFF (0xADDR in LIB)` rows; ADDR is the library's base + OFF."""
    bases = {
        "libc10.so": (frames.libc10, f"{frames.site}/libc10.so"),
        "libtorch_cuda.so": (frames.libtorch_cuda, f"{frames.site}/libtorch_cuda.so"),
        "libtorch.so": (frames.libtorch, f"{frames.site}/libtorch.so"),
        "libc.so.6": (frames.libc, "/lib/x86_64-linux-gnu/libc.so.6"),
        "libstdc++.so.6": (frames.libstdcxx, "/lib/x86_64-linux-gnu/libstdc++.so.6"),
        "libc10_cuda.so": (frames.libc10_cuda, f"{frames.site}/libc10_cuda.so"),
    }
    out = []
    for index, (symbol, offset, library, base_offset) in enumerate(rows):
        base, path = bases[library]
        address = base + base_offset
        out.append(f"frame #{index}: {symbol} + 0x{offset:x} (0x{address:x} in {path})")
    return out


# The symbols and offsets of torch 2.6's trace (index:16079656415).
_CHECK_TIMEOUT = [
    ("c10::Error::Error(c10::SourceLocation, std::string)", 0x96, "libc10.so", 0x9B1B6),
    (
        "c10d::ProcessGroupNCCL::WorkNCCL::checkTimeout(std::optional<std::chrono::duration<long, "
        "std::ratio<1l, 1000l> > >)",
        0x2B4,
        "libtorch_cuda.so",
        0xDFEC74,
    ),
    ("c10d::ProcessGroupNCCL::watchdogHandler()", 0x890, "libtorch_cuda.so", 0xE007D0),
    ("c10d::ProcessGroupNCCL::ncclCommWatchdog()", 0x14D, "libtorch_cuda.so", 0xE016ED),
    ("<unknown function>", 0x145C0, "libtorch.so", 0x145C0),
    ("<unknown function>", 0x9CAA4, "libc.so.6", 0x9CAA4),
    ("<unknown function>", 0x129C6C, "libc.so.6", 0x129C6C),
]
_COMM_WATCHDOG = [
    ("c10::Error::Error(c10::SourceLocation, std::string)", 0x96, "libc10.so", 0x9B1B6),
    ("<unknown function>", 0xE5C6FC, "libtorch_cuda.so", 0xE5C6FC),
    ("<unknown function>", 0x145C0, "libtorch.so", 0x145C0),
    ("<unknown function>", 0x9CAA4, "libc.so.6", 0x9CAA4),
    ("<unknown function>", 0x129C6C, "libc.so.6", 0x129C6C),
]


# torch 2.9's (index:54907917001): the Watchdog class's frames, and std::thread's start in
# libstdc++ before libc's.
_ERROR_2_9 = (
    "c10::Error::Error(c10::SourceLocation, std::__cxx11::basic_string<char, "
    "std::char_traits<char>, std::allocator<char> >)",
    0x80,
    "libc10.so",
    0x9AB80,
)
_THREAD_2_9 = [
    ("<unknown function>", 0xECDB4, "libstdc++.so.6", 0xECDB4),
    ("<unknown function>", 0x9CAA4, "libc.so.6", 0x9CAA4),
    ("<unknown function>", 0x129C6C, "libc.so.6", 0x129C6C),
]
_CHECK_TIMEOUT_2_9 = [
    _ERROR_2_9,
    (
        "c10d::ProcessGroupNCCL::WorkNCCL::checkTimeout(std::optional<std::chrono::duration<long, "
        "std::ratio<1l, 1000l> > >)",
        0x247,
        "libtorch_cuda.so",
        0xE8D9D7,
    ),
    ("c10d::ProcessGroupNCCL::Watchdog::runLoop()", 0x1691, "libtorch_cuda.so", 0xE925E1),
    ("c10d::ProcessGroupNCCL::Watchdog::run()", 0xDF, "libtorch_cuda.so", 0xE9382F),
    *_THREAD_2_9,
]
_RUN_2_9 = [
    _ERROR_2_9,
    ("<unknown function>", 0xE69B51, "libtorch_cuda.so", 0xE69B51),
    ("<unknown function>", 0x951271, "libtorch_cuda.so", 0x951271),
    *_THREAD_2_9,
]


# A CUDA error reaches the watchdog as the c10::Error that C10_CUDA_CHECK raises in
# WorkNCCL::finishedGPUExecutionInternal (its CUDA event's query), and that error's what()
# carries its own trace, `Exception raised from c10_cuda_check_implementation at
# /pytorch/c10/cuda/CUDAException.cpp:44` (line 44, the symbols' order and
# ProcessGroupNCCL.cpp:2057/2063 beside them: a real torch 2.9.0 log, index:52213460440).
# That log is an aarch64 build, whose offsets inside a function are not x86-64's: the frames
# between c10::Error and Watchdog::run are where the x86-64 wheel (2.9.0 cu128) returns to,
# from review-tt13's disassembly (tests/data/disassembly/torch290_cuda_check.tsv): the error
# is built in c10_cuda_check_implementation's local `.cold` clone, which dladdr cannot name
# (`<unknown function>` + its place in libc10_cuda.so), and isCompleted is inlined into
# runLoop, so it has no frame. c10::Error and Watchdog::run are the x86-64 timeout log's
# (index:54907917001), whose build places runLoop at 0xe90f50 (its `runLoop() + 0x1691` at
# 0xe925e1); finishedGPUExecutionInternal is put at the cu128 wheel's distance below it.
_RUN_LOOP_2_9 = 0xE925E1 - 0x1691
CUDA_CHECK_SOURCE = "/pytorch/c10/cuda/CUDAException.cpp"
_CUDA_CHECK_2_9 = [
    _ERROR_2_9,
    ("<unknown function>", 0x11FB7, "libc10_cuda.so", 0x11FB7),
    (
        "c10d::ProcessGroupNCCL::WorkNCCL::finishedGPUExecutionInternal() const",
        0x50,
        "libtorch_cuda.so",
        _RUN_LOOP_2_9 - (0xE5A980 - 0xE47B10) + 0x50,
    ),
    (
        "c10d::ProcessGroupNCCL::Watchdog::runLoop()",
        0x13BA,
        "libtorch_cuda.so",
        _RUN_LOOP_2_9 + 0x13BA,
    ),
    ("c10d::ProcessGroupNCCL::Watchdog::run()", 0xDF, "libtorch_cuda.so", 0xE9382F),
    *_THREAD_2_9,
]
# torch 2.6's (the build of _CHECK_TIMEOUT: the same c10::Error and ncclCommWatchdog
# addresses), from a real log of the path (index:47333925588, CUDAException.cpp:43):
# torchCheckFail still a frame of its own, watchdogHandler for the loop.
_CUDA_CHECK = [
    ("c10::Error::Error(c10::SourceLocation, std::string)", 0x96, "libc10.so", 0x9B1B6),
    (
        "c10::detail::torchCheckFail(char const*, char const*, unsigned int, std::string const&)",
        0x64,
        "libc10.so",
        0x44A76,
    ),
    (
        "c10::cuda::c10_cuda_check_implementation(int, char const*, char const*, int, bool)",
        0x118,
        "libc10_cuda.so",
        0x1E918,
    ),
    (
        "c10d::ProcessGroupNCCL::WorkNCCL::finishedGPUExecutionInternal() const",
        0x56,
        "libtorch_cuda.so",
        0xDF1556,
    ),
    ("c10d::ProcessGroupNCCL::WorkNCCL::isCompleted()", 0xA0, "libtorch_cuda.so", 0xDFE8C0),
    ("c10d::ProcessGroupNCCL::watchdogHandler()", 0x617, "libtorch_cuda.so", 0xE00557),
    ("c10d::ProcessGroupNCCL::ncclCommWatchdog()", 0x14D, "libtorch_cuda.so", 0xE016ED),
    *_CHECK_TIMEOUT[-3:],
]


def _raised_from_watchdog(source: TorchSource, frames: Frames) -> list[str]:
    """The trace of the DistBackendError the watchdog thread throws on (2.9: from
    Watchdog::run, before: from ncclCommWatchdog), ending in its blank line."""
    if source.watchdog_run:
        raised_in, raised_at, raising = "run", source.watchdog_run, _RUN_2_9
    else:
        raised_in, raised_at, raising = "ncclCommWatchdog", source.comm_watchdog, _COMM_WATCHDOG
    return [
        f"Exception raised from {raised_in} at {SOURCE_ROOT}:{raised_at} (most recent call first):",
        *_frames(frames, raising),
        "",
    ]


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
    checking = _CHECK_TIMEOUT_2_9 if source.watchdog_run else _CHECK_TIMEOUT  # 2.9: a class
    check = [
        f"Exception raised from checkTimeout at {SOURCE_ROOT}:{source.check_timeout} "
        "(most recent call first):",
        *_frames(frames, checking),
        "",
    ]
    return _aborted(rank, moment, nanos, source, [what], check, frames)


def _aborted(
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
        _c10d(rank, moment, nanos, source.terminated, first),
        *rest,
        *check,
        "terminate called after throwing an instance of 'c10::DistBackendError'",
        f"  what():  {first}",
        *rest,
        *check,
        *_raised_from_watchdog(source, frames),
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
    return _c10d(rank, moment, nanos, line, f"[Rank {rank if member is None else member}] {text}")


# c10's CUDA check (c10_cuda_check_implementation) appends to the runtime's error string
# what every torch 2.x CUDA error carries, with CUDA_LAUNCH_BLOCKING unset and without
# device-side assertions compiled in (c10/cuda/CUDAMiscFunctions.cpp get_cuda_check_suffix,
# CUDADeviceAssertionHost's retrieval; real torch.AcceleratorError logs, e.g.
# index-tts/index-tts#677, show the three lines).
CUDA_ERROR_SUFFIX = (
    "CUDA kernel errors might be asynchronously reported at some other API call, so the "
    "stacktrace below might be incorrect.",
    "For debugging consider passing CUDA_LAUNCH_BLOCKING=1",
    "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.",
)


# c10's CUDA check in torch 2.9 puts a help line between the runtime's error string and that
# suffix, naming the error's enum (cudaGetErrorName): a real torch 2.9.0 log,
# tests/data/real_logs/torch29_cuda_error.txt. The enums of the errors a run here dies of
# (cudaGetErrorString's text -> cudaGetErrorName's).
CUDA_ERROR_NAMES = {
    "uncorrectable ECC error encountered": "cudaErrorECCUncorrectable",
    "an illegal memory access was encountered": "cudaErrorIllegalAddress",
}


def cuda_error_help(error: str) -> str:
    return (
        f"Search for `{CUDA_ERROR_NAMES[error]}' in "
        "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html for more "
        "information."
    )


def cuda_error(
    rank: int,
    moment: datetime,
    nanos: int,
    source: TorchSource,
    error: str,
    *,
    group: str,
    frames: Frames,
) -> list[str]:
    """The faulty GPU's process: its watchdog thread's next query of a work's CUDA event
    returns the error, which ends the thread and, uncaught, the process (std::terminate's
    SIGABRT): the logged exception with c10's suffix, then the C++ runtime's `terminate
    called` line, as a real log of Xid 48 shows them (torchrun job, August 2026: `[rank1]:
    [E810 15:36:05.945860779 ProcessGroupNCCL.cpp:...] [PG ID 0 PG GUID 0(default_pg) Rank 1]
    Process group watchdog thread terminated with exception: CUDA error: uncorrectable ECC
    error encountered`, then `terminate called after throwing an instance of
    'c10::DistBackendError'`). The line is torch's `terminated` one (2.9: :2057). From 2.6
    (`source.traces`) the error's C++ trace follows and the terminate handler's `what():`
    repeats it all with the thread's own trace, as for a timeout (index:52213460440, a
    torch 2.9.0 log of this path); before, the watchdog's own lines only."""
    what = (
        f"[{group} Rank {rank}] Process group watchdog thread terminated with exception: "
        f"CUDA error: {error}"
    )
    # c10's help line naming the error's enum is 2.9's (the 2.6 log has none).
    helped = [cuda_error_help(error)] if source.watchdog_run else []
    message = [what, *helped, *CUDA_ERROR_SUFFIX, ""]
    if not source.traces:
        return [
            _c10d(rank, moment, nanos, source.terminated, what),
            *message[1:],
            "terminate called after throwing an instance of 'c10::DistBackendError'",
        ]
    line = 44 if source.watchdog_run else 43
    check = [
        f"Exception raised from c10_cuda_check_implementation at {CUDA_CHECK_SOURCE}:{line} "
        "(most recent call first):",
        *_frames(frames, _CUDA_CHECK_2_9 if source.watchdog_run else _CUDA_CHECK),
        "",
    ]
    return _aborted(rank, moment, nanos, source, message, check, frames)
