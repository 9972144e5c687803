"""Where c10's C++ backtraces of the NCCL watchdog point (c10/util/Backtrace.cpp's `frame #N:
symbol + 0xOFF (0xADDR in LIB)`): each torch build's frames on the watchdog's two ends (a
timeout, a CUDA error) and the watchdog thread's own, as real logs and the 2.9.0 wheel's
disassembly show them. Apart from c10d_watchdog.py, which words the messages around them.
"""

from typing import NamedTuple

from genact_cast.generator.dialects.torchrun import TorchSource
from genact_cast.generator.rng import Rng

_PAGE = 4096
# Where x86-64 Linux starts a process's mmap area (top-down, below the stack): 28 bits of
# page-granular randomness (ASLR) under 0x7fxxxxxxxxxx.
_MMAP_TOP = 0x7E00_0000_0000
# What a process maps between its libraries, top-down in the order the dynamic loader maps
# them (python's libc first; `import torch` maps libtorch's NEEDED libraries one below the
# other): (library, bytes below the previous one, at least, and up to that more). The sizes
# are the 2.9.0 cu128 wheel's (readelf -l: libtorch_cuda.so's LOAD segments span 0x3c2dc000,
# libc10.so's 0x121000; libtorch_cpu.so's ~0x1d000000 lies between) and Ubuntu 22.04's libc
# and libstdc++; real traces put them so: libc10 0x7ff9a0afb969 above libstdc++
# 0x7ff9a06b0253 above libtorch_cuda 0x7ff93bea04e1 (Megatron-LM#935), libc10
# 0x7ff38bd6c446 over libtorch_cuda 0x7ff3417cc772 (sglang#3424): within ~2 GB of each other.
_LAYOUT = (
    ("libc", 0, 0x20_0000),
    ("libc10", 0x0800_0000, 0x2000_0000),  # python's and numpy's modules between
    ("libstdcxx", 0x0026_0000, 0x0080_0000),
    ("libc10_cuda", 0x000B_0000, 0x0040_0000),
    ("libtorch", 0x0004_0000, 0x0040_0000),
    ("libtorch_cuda", 0x3C2D_C000 + 0x1D00_0000, 0x0800_0000),  # under libtorch_cpu
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


def process_frames(site: str, seed: int) -> Frames:
    """One process's library bases, page-aligned, in one mmap area that ASLR places anew for
    every process (so every rank's trace has its own addresses); `seed` a draw of the
    caller's."""
    draw = Rng(seed)
    at = _MMAP_TOP + draw.integer(0, 2**28) * _PAGE
    bases: dict[str, int] = {}
    for name, below, more in _LAYOUT:
        at -= below + draw.integer(0, more // _PAGE) * _PAGE
        bases[name] = at
    return Frames(site, **bases)


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


# torch 2.9's: the Watchdog class's frames, and std::thread's start in libstdc++ before
# libc's, as the x86-64 timeout log shows them (index:54907917001), at the 2.9.0 cu128
# wheel's addresses (objdump -d, review-tt14 T1b; tests/data/disassembly/
# torch290_watchdog_frames.tsv): a frame's place in its library is its function's start
# (nm -D) + its printed offset, or the printed offset where dladdr names no function. (That
# log's build put the same functions elsewhere: its named and unnamed frames of one library
# mixed with the wheel's implied a base that is not page-aligned.)
_ERROR_2_9 = (
    "c10::Error::Error(c10::SourceLocation, std::__cxx11::basic_string<char, "
    "std::char_traits<char>, std::allocator<char> >)",
    0x80,
    "libc10.so",
    0x9DB00 + 0x80,
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
        0xE571C0 + 0x247,
    ),
    ("c10d::ProcessGroupNCCL::Watchdog::runLoop()", 0x1691, "libtorch_cuda.so", 0xE5A980 + 0x1691),
    ("c10d::ProcessGroupNCCL::Watchdog::run()", 0xDF, "libtorch_cuda.so", 0xE5D180 + 0xDF),
    *_THREAD_2_9,
]
# Watchdog::run's catch builds the DistBackendError in run's `.cold` clone (its call at
# 0x9501fa), whose constructor (0xe336b0, a local symbol) calls c10::Error's at 0xe336cc:
# neither has a name dladdr finds.
RUN_2_9 = [
    _ERROR_2_9,
    ("<unknown function>", 0xE336D1, "libtorch_cuda.so", 0xE336D1),
    ("<unknown function>", 0x9501FF, "libtorch_cuda.so", 0x9501FF),
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
# (index:54907917001), at the cu128 wheel's addresses as CHECK_TIMEOUT_2_9's.
_RUN_LOOP_2_9 = 0xE5A980
CUDA_CHECK_SOURCE = "/pytorch/c10/cuda/CUDAException.cpp"
CUDA_CHECK_2_9 = [
    _ERROR_2_9,
    ("<unknown function>", 0x11FB7, "libc10_cuda.so", 0x11FB7),
    (
        "c10d::ProcessGroupNCCL::WorkNCCL::finishedGPUExecutionInternal() const",
        0x50,
        "libtorch_cuda.so",
        0xE47B10 + 0x50,
    ),
    (
        "c10d::ProcessGroupNCCL::Watchdog::runLoop()",
        0x13BA,
        "libtorch_cuda.so",
        _RUN_LOOP_2_9 + 0x13BA,
    ),
    ("c10d::ProcessGroupNCCL::Watchdog::run()", 0xDF, "libtorch_cuda.so", 0xE5D180 + 0xDF),
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
