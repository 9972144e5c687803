"""The faulty GPU's process: the CUDA error its NCCL watchdog meets (c10's CUDA check, with
its help line and suffix) and the abort it ends in, through c10d_watchdog's words and
c10d_frames' traces."""

from datetime import datetime

from genact_cast.generator.dialects.c10d_frames import (
    CUDA_CHECK,
    CUDA_CHECK_2_9,
    CUDA_CHECK_SOURCE,
    Frames,
    frames_of,
)
from genact_cast.generator.dialects.c10d_watchdog import aborted, c10d_line
from genact_cast.generator.dialects.torchrun import TorchSource

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
    "unknown error": "cudaErrorUnknown",
    "uncorrectable NVLink error detected during the execution": "cudaErrorNvlinkUncorrectable",
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
            c10d_line(rank, moment, nanos, source.terminated, what),
            *message[1:],
            "terminate called after throwing an instance of 'c10::DistBackendError'",
        ]
    line = 44 if source.watchdog_run else 43
    check = [
        f"Exception raised from c10_cuda_check_implementation at {CUDA_CHECK_SOURCE}:{line} "
        "(most recent call first):",
        *frames_of(frames, CUDA_CHECK_2_9 if source.watchdog_run else CUDA_CHECK),
        "",
    ]
    return aborted(rank, moment, nanos, source, message, check, frames)
