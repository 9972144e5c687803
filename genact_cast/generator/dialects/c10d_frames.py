"""Where c10's C++ backtraces of the NCCL watchdog point (c10/util/Backtrace.cpp's `frame #N:
symbol + 0xOFF (0xADDR in LIB)`): each torch build's frames on the watchdog's two ends (a
timeout, a CUDA error) and the watchdog thread's own, as real logs and the 2.9.0 wheel's
disassembly show them. Apart from c10d_watchdog.py, which words the messages around them.
"""

from typing import NamedTuple

from genact_cast.generator.dialects.torchrun import TorchSource


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


def frames_of(frames: Frames, rows: list[tuple[str, int, str, int]]) -> list[str]:
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
CHECK_TIMEOUT = [
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
COMM_WATCHDOG = [
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
CHECK_TIMEOUT_2_9 = [
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
RUN_2_9 = [
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
CUDA_CHECK_2_9 = [
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
# torch 2.6's (the build of CHECK_TIMEOUT: the same c10::Error and ncclCommWatchdog
# addresses), from a real log of the path (index:47333925588, CUDAException.cpp:43):
# torchCheckFail still a frame of its own, watchdogHandler for the loop.
CUDA_CHECK = [
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
    *CHECK_TIMEOUT[-3:],
]


def raised_from_watchdog(source: TorchSource, frames: Frames) -> list[str]:
    """The trace of the DistBackendError the watchdog thread throws on (2.9: from
    Watchdog::run, before: from ncclCommWatchdog), ending in its blank line."""
    if source.watchdog_run:
        raised_in, raised_at, raising = "run", source.watchdog_run, RUN_2_9
    else:
        raised_in, raised_at, raising = "ncclCommWatchdog", source.comm_watchdog, COMM_WATCHDOG
    return [
        f"Exception raised from {raised_in} at {SOURCE_ROOT}:{raised_at} (most recent call first):",
        *frames_of(frames, raising),
        "",
    ]
