"""torchtitan's log: Python logging with the `[titan]` format, tagged `[rankN]:` by torchrun's
`--local-ranks-filter 0 --role rank --tee 3`, and metrics in colour.

The layout follows the torch release the run names (torchtitan tracks torch closely):
`Layout.V1` is early 2025 (no `[titan]` tag, no tflops), `V2` mid 2025 (tflops), `V3` from
torch 2.8 (grad_norm in the step line).
"""

from __future__ import annotations

import enum
from datetime import datetime

from genact_cast.generator.dialects.common import logging_stamp


class Layout(enum.Enum):
    V1 = 1
    V2 = 2
    V3 = 3


def layout_for(torch_version: str) -> Layout:
    major, minor = (int(part) for part in torch_version.split("+")[0].split(".")[:2])
    if (major, minor) >= (2, 8):
        return Layout.V3
    if (major, minor) >= (2, 7):
        return Layout.V2
    return Layout.V1


class Colors:
    """torchtitan's `utils.Color` (or `NoColor` with --metrics.disable_color_printing)."""

    def __init__(self, *, enabled: bool) -> None:
        on = enabled
        self.red = "\x1b[31m" if on else ""
        self.green = "\x1b[32m" if on else ""
        self.yellow = "\x1b[33m" if on else ""
        self.blue = "\x1b[34m" if on else ""
        self.magenta = "\x1b[35m" if on else ""
        self.cyan = "\x1b[36m" if on else ""
        self.reset = "\x1b[39m" if on else ""
        self.orange = "\x1b[38;2;180;60;0m" if on else ""
        self.turquoise = "\x1b[38;2;54;234;195m" if on else ""


PLAIN = Colors(enabled=False)


def line(
    layout: Layout, moment: datetime, message: str, *, level: str = "INFO", rank: int | None = 0
) -> str:
    """One logged line; `rank=None` for a run without torchrun's rank tag."""
    tag = "" if rank is None else f"[rank{rank}]:"
    titan = "" if layout is Layout.V1 else "[titan] "
    return f"{tag}{titan}{logging_stamp(moment)} - root - {level} - {message}"


def step(
    layout: Layout,
    *,
    step: int,
    loss: float,
    grad_norm: float,
    memory_gib: float,
    memory_pct: float,
    tps: float,
    tflops: float,
    mfu_pct: float,
    colors: Colors = PLAIN,
) -> str:
    """The metrics line, logged at step 1 and every `metrics.log_freq` steps."""
    c = colors
    head = f"{c.red}step: {step:2}  {c.green}loss: {loss:7.4f}  "
    if layout is Layout.V3:
        head += f"{c.orange}grad_norm: {grad_norm:7.4f}  "
    memory_color = c.turquoise if layout is Layout.V3 else c.yellow
    memory = f"{memory_color}memory: {memory_gib:5.2f}GiB({memory_pct:.2f}%)  "
    throughput = f"{c.blue}tps: {round(tps):,}  "
    flops = "" if layout is Layout.V1 else f"{c.cyan}tflops: {tflops:,.2f}  "
    return f"{head}{memory}{throughput}{flops}{c.magenta}mfu: {mfu_pct:.2f}%{c.reset}"


def validate(
    *,
    step: int,
    loss: float,
    memory_gib: float,
    memory_pct: float,
    tps: float,
    colors: Colors = PLAIN,
) -> str:
    c = colors
    return (
        f"{c.yellow}validate step: {step:2}  {c.green}loss: {loss:7.4f}  "
        f"{c.turquoise}memory: {memory_gib:5.2f}GiB({memory_pct:.2f}%)  "
        f"{c.blue}tps: {round(tps):,}{c.reset}"
    )


def starting_job(description: str) -> str:
    return f"Starting job: {description}"


def device_mesh(names: list[str], sizes: list[int]) -> str:
    quoted = ", ".join(f"'{name}'" for name in names)
    return f"Building {len(names)}-D device mesh with [{quoted}], {sizes}"


def cuda_capacity(device_name: str, capacity_gib: float) -> str:
    return f"CUDA capacity: {device_name} with {capacity_gib:.2f}GiB memory"


def peak_flops(flops: float) -> str:
    return f"Peak FLOPS used for computing MFU: {flops:.3e}"


def preparing_dataset(name: str, path: str) -> str:
    return f"Preparing {name} dataset from {path}"


def model_size(flavor: str, params: int, colors: Colors = PLAIN) -> str:
    return f"Model {flavor} {colors.red}size: {params:,} total parameters{colors.reset}"


APPLIED_AC = "Applied selective activation checkpointing to the model"
APPLIED_FULL_AC = "Applied full activation checkpointing to the model"
APPLIED_FSDP = "Applied FSDP to the model"


def model_memory(gib: float, pct: float) -> str:
    return f"CUDA memory usage for model: {gib:.2f}GiB({pct:.2f}%)"


def trainer_initialized(
    layout: Layout,
    *,
    local_batch: int,
    global_batch: int,
    grad_accum: int,
    seq_len: int,
    steps: int,
    warmup: int,
) -> str:
    """V2 and V3 announce the batch here; V1 says it in `training_starts`."""
    return (
        f"Trainer is initialized with local batch size {local_batch}, global batch size "
        f"{global_batch}, gradient accumulation steps {grad_accum}, sequence length {seq_len}, "
        f"total steps {steps} (warmup {warmup})" + ("" if layout is Layout.V3 else ".")
    )


def training_starts(
    layout: Layout,
    step: int,
    *,
    local_batch: int = 0,
    global_batch: int = 0,
    seq_len: int = 0,
    steps: int = 0,
    warmup: int = 0,
) -> str:
    if layout is Layout.V1:
        return (
            f"Training starts at step {step}, with local batch size {local_batch}, global batch "
            f"size {global_batch}, sequence length {seq_len}, total steps {steps} (warmup {warmup})"
        )
    return f"Training starts at step {step}" + ("" if layout is Layout.V3 else ".")


def checkpointing_active(folder: str) -> str:
    return f"Checkpointing active. Checkpoints will be loaded from and saved to {folder}"


def loading_checkpoint(path: str) -> str:
    return f"Loading the checkpoint from {path}."


def loaded_checkpoint(seconds: float) -> str:
    return f"Finished loading the checkpoint in {seconds:.2f} seconds."


SAVING = "Saving the checkpoint (or staging if async is enabled)."


def saved(seconds: float) -> str:
    # The missing space before "in" is torchtitan's own.
    return (
        f"Finished saving the checkpoint (or staging if async is enabled)in {seconds:.2f} seconds."
    )


def saving_last(step: int) -> str:
    return f"Saving a full checkpoint at last step, step {step}."


def gc_periodic(seconds: float) -> str:
    # "Peforming" is torchtitan's spelling in the releases of 2025.
    return f"[GC] Peforming periodical GC collection. {seconds:.2f} seconds."


def gc_checkpointer(seconds: float) -> str:
    return f"[GC] GC collection invoked by checkpointer. {seconds:.2f} seconds."


def sync_timeout(timeout: str) -> str:
    return f"Synchronizing and adjusting timeout for all ProcessGroups to {timeout}"


SLEEPING = "Sleeping 2 seconds for other ranks to complete"
TRAINING_COMPLETED = "Training completed"
PROCESS_GROUP_DESTROYED = "Process group destroyed"


def command(*, nodes: int, endpoint: str, config: str, max_restarts: int = 0) -> list[str]:
    """`run_train.sh`'s torchrun line: a c10d rendezvous at `endpoint` (host:port), only rank
    0's output, each line tagged with its rank."""
    words = ["torchrun", "--nproc_per_node=8"]
    if nodes > 1:
        words.append(f"--nnodes={nodes}")
    words += ["--rdzv_backend", "c10d", f"--rdzv_endpoint={endpoint}"]
    if max_restarts:
        words.append(f"--max_restarts={max_restarts}")
    words += ["--local-ranks-filter", "0", "--role", "rank", "--tee", "3"]
    return [*words, "-m", "torchtitan.train", "--job.config_file", config]
