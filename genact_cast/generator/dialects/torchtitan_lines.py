"""torchtitan v0.2.0's line formats: each function or constant is one format string of the
tag (its file:line in presenters/frameworks/torchtitan/catalogue.tsv), filled with numbers.
The flow that prints them is `torchtitan.Log`."""

from __future__ import annotations

from datetime import datetime

from genact_cast.generator.dialects.common import logging_stamp

# --job.dump_folder ./outputs (the shipped configs'), --checkpoint.folder checkpoint: saves go
# to step-N below it.
FOLDER = "./outputs/checkpoint"


class Colors:
    """torchtitan's `utils.Color` (tools/utils.py:130), or `NoColor` when colour is off."""

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


def line(moment: datetime, message: str, *, level: str = "INFO", rank: int | None = 0) -> str:
    """One logged line (tools/logging.py:21); `rank=None` for a run without torchrun's tee."""
    return stamped(logging_stamp(moment), message, level=level, rank=rank)


def stamped(stamp: str, message: str, *, level: str = "INFO", rank: int | None = 0) -> str:
    """`line` with its `%(asctime)s` given (common.LoggingStamps)."""
    tag = "" if rank is None else f"[rank{rank}]:"
    return f"{tag}[titan] {stamp} - root - {level} - {message}"


def step(
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
    """components/metrics.py:440, logged at step 1 and every `metrics.log_freq` steps."""
    c = colors
    return (
        f"{c.red}step: {step:2}  {c.green}loss: {loss:7.4f}  "
        f"{c.orange}grad_norm: {grad_norm:7.4f}  "
        f"{c.turquoise}memory: {memory_gib:5.2f}GiB({memory_pct:.2f}%)  "
        f"{c.blue}tps: {round(tps):,}  {c.cyan}tflops: {tflops:,.2f}  "
        f"{c.magenta}mfu: {mfu_pct:.2f}%{c.reset}"
    )


def stamped_step_format(colors: Colors = PLAIN) -> str:
    """`stamped(stamp, step(...))` of rank 0 at INFO as one %-format of the stamp and the
    step's numbers in `step`'s order, the thousands-separated tps and tflops given as text
    (`format(round(tps), ",")`, `format(tflops, ",.2f")`, which %-formats lack): the line
    a run logs a thousand times or more, made by one format instead of two f-strings and a
    call by keywords. %-formats give format()'s text for these conversions (both go through
    PyOS_double_to_string); the colours hold no `%`."""
    c = colors
    return stamped("%s", "") + (
        f"{c.red}step: %2d  {c.green}loss: %7.4f  "
        f"{c.orange}grad_norm: %7.4f  "
        f"{c.turquoise}memory: %5.2fGiB(%.2f%%)  "
        f"{c.blue}tps: %s  {c.cyan}tflops: %s  "
        f"{c.magenta}mfu: %.2f%%{c.reset}"
    )


def validate(
    *,
    step: int,
    loss: float,
    memory_gib: float,
    memory_pct: float,
    tps: float,
    colors: Colors = PLAIN,
) -> str:
    """components/metrics.py:477."""
    c = colors
    return (
        f"{c.yellow}validate step: {step:2}  {c.green}loss: {loss:7.4f}  "
        f"{c.turquoise}memory: {memory_gib:5.2f}GiB({memory_pct:.2f}%)  "
        f"{c.blue}tps: {round(tps):,}{c.reset}"
    )


def starting_job(description: str) -> str:
    return f"Starting job: {description}"


ENV_OVERRIDE = (
    "ENV[TORCH_NCCL_ASYNC_ERROR_HANDLING] = 1 will be overridden to 3 based on job config"
)


def device_mesh(names: list[str], sizes: list[int]) -> str:
    quoted = ", ".join(f"'{name}'" for name in names)
    return f"Building {len(names)}-D device mesh with [{quoted}], {sizes}"


def gc(reason: str, seconds: float) -> str:
    """tools/utils.py:64: `[GC] %s took %.2f seconds`."""
    return f"[GC] {reason} took {seconds:.2f} seconds"


GC_INITIAL = "Initial GC collection"
GC_PERIODIC = "Performing periodic GC collection"
GC_CHECKPOINTER = "GC collection invoked by checkpointer."
GC_LOADING = "GC collection for checkpoint loading."  # components/checkpoint.py:630


def initial_path_ignored() -> str:
    """components/checkpoint.py:600-604: a restart with --checkpoint.initial_load_path finds
    the run's own checkpoint folder and loads from it."""
    return (
        "checkpoint.initial_load_path is provided but the checkpoint.folder exists. "
        f"Checkpointer will use the checkpoints from the checkpoint.folder {FOLDER}."
    )


def cuda_capacity(device_name: str, capacity_gib: float) -> str:
    return f"CUDA capacity: {device_name} with {capacity_gib:.2f}GiB memory"


def peak_flops(flops: float) -> str:
    return f"Peak FLOPS used for computing MFU: {flops:.3e}"


# config/job_config.py:856 (the default) and every shipped toml: c4's validation split,
# whose DATASETS entry reads allenai/c4 (datasets/hf_datasets.py:46-50)
VALIDATION_DATASET = "c4_validation"
VALIDATION_PATH = "allenai/c4"


def preparing_dataset(name: str, path: str) -> str:
    return f"Preparing {name} dataset from {path}"


def building(name: str, flavor: str, args: str) -> str:
    return f"Building {name} {flavor} with {args}"


def model_size(name: str, flavor: str, params: int, colors: Colors = PLAIN) -> str:
    """train.py:176."""
    c = colors
    return f"{c.blue}Model {name} {flavor} {c.red}size: {params:,} total parameters{c.reset}"


def seq_len_exceeds(seq_len: int, maximum: int) -> str:
    """models/qwen3/model/args.py:53: a WARNING when the run's sequence outgrows the flavor's."""
    return f"Sequence length {seq_len} exceeds original maximum {maximum}."


def moe_param_count(dense: int, sparse: int, active: int) -> str:
    """models/utils.py:427, from get_moe_model_nparams_and_flops (every qwen3 flavor)."""
    return f"Total parameter count: dense {dense:,}, sparse {sparse:,}, active {active:,}"


FLOAT8_ACTIVE = "Float8 tensorwise scaled training active"  # quantization/float8.py:99
COMPILING_LOSS = "Compiling the loss function with torch.compile"  # components/loss.py:30
APPLIED_FLOAT8_TP = "Applied Float8 tensorwise Tensor Parallelism to the model"  # parallelize:233
ASYNC_TP = "Async TP is enabled"  # distributed/tensor_parallel.py:27
COMPILING_BLOCKS = "Compiling each TransformerBlock with torch.compile"  # parallelize.py:250


def float8_swapped(fsdp_all_gather: bool) -> str:
    """quantization/float8.py:156, when the converter swaps the model's Linear layers."""
    return f"Swapped to Float8Linear layers with enable_fsdp_float8_all_gather={fsdp_all_gather}"


def applied_ac(mode: str) -> str:
    """distributed/activation_checkpoint.py:325."""
    return f"Applied {mode} activation checkpointing to the model"


APPLIED_TP = "Applied Tensor Parallelism to the model"
APPLIED_FSDP = "Applied FSDP to the model"
APPLIED_HSDP = "Applied HSDP to the model"
MIXED_PRECISION = "Mixed precision training is handled by fully_shard"
# distributed/utils.py:226-230: no FSDP (dp_shard 1, no CP) but TP or PP
AMP_UNSUPPORTED = (
    "Mixed precision training with TP or PP is only supported when FSDP/HSDP/CP is enabled."
)
AMP_DISABLED = "Mixed precision training is disabled"
LOADING_TOKENIZER = "Loading tokenizer from tokenizer.json"


def model_memory(gib: float, pct: float) -> str:
    return f"CUDA memory usage for model: {gib:.2f}GiB({pct:.2f}%)"


def trainer_initialized(
    *, local_batch: int, global_batch: int, grad_accum: int, seq_len: int, steps: int, warmup: int
) -> str:
    """train.py:362."""
    return (
        f"Trainer is initialized with local batch size {local_batch}, global batch size "
        f"{global_batch}, gradient accumulation steps {grad_accum}, sequence length {seq_len}, "
        f"total steps {steps} (warmup {warmup})"
    )


def training_starts(step: int) -> str:
    return f"Training starts at step {step}"


def checkpointing_active(folder: str) -> str:
    return f"Checkpointing active. Checkpoints will be loaded from and saved to {folder}"


def loading_checkpoint(path: str) -> str:
    return f"Loading the checkpoint from {path}."


def loaded_checkpoint(seconds: float) -> str:
    return f"Finished loading the checkpoint in {seconds:.2f} seconds."


SAVING = "Saving the checkpoint (or staging if async is enabled)."


def saved(seconds: float) -> str:
    # The missing space before "in" is torchtitan's own (components/checkpoint.py:529).
    return (
        f"Finished saving the checkpoint (or staging if async is enabled)in {seconds:.2f} seconds."
    )


def saving_model_only(step: int, dtype: str = "torch.float32") -> str:
    """components/checkpoint.py:768: the shipped configs' last_save_model_only = true."""
    return f"Saving a model only checkpoint in {dtype} at last step, step {step}."


def sync_timeout(timeout: str) -> str:
    return f"Synchronizing and adjusting timeout for all ProcessGroups to {timeout}"


KEEP_LATEST_K = 10  # checkpoint.keep_latest_k (config/job_config.py:544); no shipped toml sets it


def purge_deleting(path: str) -> str:
    """components/checkpoint.py:106, the purge thread taking a stale save off the queue."""
    return f"Checkpointer is deleting {path}."


def purge_deleted(path: str, seconds: float) -> str:
    """components/checkpoint.py:109-113."""
    return f"Checkpointer deleted {path} in {seconds:.2f} seconds."


# components/checkpoint.py:115, as CheckpointManager.close() ends the thread (train.py:661)
PURGE_DESTROYED = "Destroying the purge thread."

SLEEPING = "Sleeping 2 seconds for other ranks to complete"
TRAINING_COMPLETED = "Training completed"
PROCESS_GROUP_DESTROYED = "Process group destroyed"

TRAIN_TIMEOUT_SECONDS = 100  # comm.train_timeout_seconds (config/job_config.py:761)
LOG_FREQ = 10  # metrics.log_freq (config/job_config.py:66)


def command(*, nodes: int, endpoint: str, args: list[str], max_restarts: int = 0) -> list[str]:
    """`run_train.sh`'s torchrun line: a c10d rendezvous at `endpoint` (host:port), only rank
    0's output, each line tagged with its rank."""
    words = ["torchrun", "--nproc_per_node=8"]
    if nodes > 1:
        words.append(f"--nnodes={nodes}")
    words += ["--rdzv_backend", "c10d", f"--rdzv_endpoint={endpoint}"]
    if max_restarts:
        words.append(f"--max_restarts={max_restarts}")
    words += ["--local-ranks-filter", "0", "--role", "rank", "--tee", "3"]
    return [*words, "-m", "torchtitan.train", *args]


# convert_to_hf.py calls dcp.load and dcp.save with no process group: torch 2.9.0 warns
# through Python's warnings at the warnings.warn call (the 2.9.0 wheel's
# torch/distributed/checkpoint/state_dict_loader.py:160 and state_dict_saver.py:184, no
# stacklevel), under python:3.12's site-packages.
_DCP = "/usr/local/lib/python3.12/site-packages/torch/distributed/checkpoint"
_SINGLE = "torch.distributed is disabled, unavailable or uninitialized, assuming the intent is to"


def dcp_single_process_warnings() -> list[str]:
    return [
        f"{_DCP}/state_dict_loader.py:160: UserWarning: {_SINGLE} load in a single process.",
        "  warnings.warn(",
        f"{_DCP}/state_dict_saver.py:184: UserWarning: {_SINGLE} save in a single process.",
        "  warnings.warn(",
    ]
