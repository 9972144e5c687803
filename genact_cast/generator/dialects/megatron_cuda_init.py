"""The worker on a GPU that needs a reset, each time torchrun starts it again under
Megatron-LM core_v0.14.0: its first CUDA call fails and, uncaught, Python prints the
exception before the process exits with 1 (the failure torchrun then logs).

That call is torch.cuda.set_device in _initialize_distributed (megatron/training/
initialize.py:318), reached from pretrain_gpt.py's `pretrain(` (:396; without
--inprocess-restart, maybe_wrap_for_inprocess_restart returns pretrain itself), pretrain's
`initialize_megatron(` (training.py:573), `finish_mpu_init()` (initialize.py:156) and its
`_initialize_distributed(...)` (:121). torch 2.9.0's set_device calls
`torch._C._cuda_setDevice(device)` at torch/cuda/__init__.py:567, whose CUDA check raises
torch.AcceleratorError with c10's help line and suffix (c10d_cuda_error.cuda_error_help,
CUDA_ERROR_SUFFIX), the message ending in a newline. A GPU with an uncorrectable ECC error
pending its reset fails every new process so (real logs: "any CUDA allocation on it dies
with torch.AcceleratorError: CUDA error: uncorrectable ECC error encountered ... Clearing it
needs a GPU reset", index:65960138382; jobs on such a node "died during setup",
index:61930068580). Python 3.12 prints no carets under these frames: each call spans its
whole line (a multi-line call shows its first line). The script and the megatron package
are under the job's ~/llm-train, as the dialect's warnings name them; torch under the NGC
container's dist-packages. Every fatal Xid fails it with its own CUDA error (xids.tsv): a
GPU fallen off the bus or whose GSP stopped answering with cudaErrorUnknown, an NVLink
fault with cudaErrorNvlinkUncorrectable.
"""

from __future__ import annotations

from genact_cast.generator.dialects.c10d_cuda_error import CUDA_ERROR_SUFFIX, cuda_error_help

# (file under ~/llm-train, line at core_v0.14.0, function, the line's code)
_MEGATRON = (
    ("pretrain_gpt.py", 396, "<module>", "pretrain("),
    ("megatron/training/training.py", 573, "pretrain", "initialize_megatron("),
    ("megatron/training/initialize.py", 156, "initialize_megatron", "finish_mpu_init()"),
    (
        "megatron/training/initialize.py",
        121,
        "finish_mpu_init",
        "_initialize_distributed(get_embedding_ranks, get_position_embedding_ranks, store)",
    ),
    (
        "megatron/training/initialize.py",
        318,
        "_initialize_distributed",
        "torch.cuda.set_device(args.local_rank)",
    ),
)
SET_DEVICE_LINE = 567  # torch/cuda/__init__.py at v2.9.0
TORCH = "/usr/local/lib/python3.12/dist-packages/torch"


def set_device_failed(user: str, error: str) -> list[str]:
    """The traceback the worker on the broken GPU prints, ending in its blank line."""
    root = f"/home/{user}/llm-train"
    lines = ["Traceback (most recent call last):"]
    for path, number, function, code in _MEGATRON:
        lines += [f'  File "{root}/{path}", line {number}, in {function}', f"    {code}"]
    lines += [
        f'  File "{TORCH}/cuda/__init__.py", line {SET_DEVICE_LINE}, in set_device',
        "    torch._C._cuda_setDevice(device)",
        f"torch.AcceleratorError: CUDA error: {error}",
        cuda_error_help(error),
        *CUDA_ERROR_SUFFIX,
        "",
    ]
    return lines
