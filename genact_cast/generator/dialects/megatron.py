"""Megatron-LM's log: `print_rank_0` / `print_rank_last` lines without a logger prefix, the
argument table, `(min, max) time across ranks` timers, and the iteration line every
`--log-interval` iterations.

From core 0.8 (2024) the iteration line starts with a ` [YYYY-mm-dd HH:MM:SS]` stamp
(`stamped=True`); earlier releases start it with a bare space.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator.dialects import torchrun
from genact_cast.generator.dialects.common import py_float

ARGUMENTS_HEADER = "------------------------ arguments ------------------------"
ARGUMENTS_FOOTER = "-------------------- end of arguments ---------------------"
TIMERS_HEADER = "(min, max) time across ranks (ms):"


def argument(name: str, value: str) -> str:
    """One row of the argument table: the name, dots to column 50, the value."""
    dots = "." * (48 - len(name))
    return f"  {name} {dots} {value}"


def arguments(values: Sequence[tuple[str, str]]) -> list[str]:
    rows = [argument(name, value) for name, value in sorted(values)]
    return [ARGUMENTS_HEADER, *rows, ARGUMENTS_FOOTER]


def world_size(*, world: int, data: int, context: int, tensor: int, pipeline: int) -> str:
    return (
        f"using world size: {world}, data-parallel size: {data}, context-parallel size: {context}, "
        f"tensor-model-parallel size: {tensor}, encoder-tensor-model-parallel size: 0, "
        f"pipeline-model-parallel size: {pipeline}, encoder-pipeline-model-parallel size: 0"
    )


def microbatches(count: int) -> str:
    return (
        "INFO:megatron.core.num_microbatches_calculator:setting number of microbatches to "
        f"constant {count}"
    )


def building_tokenizer(kind: str) -> str:
    return f"> building {kind} tokenizer ..."


def padded_vocab(size: int, padded: int) -> str:
    return f" > padded vocab (size: {size}) with {padded - size} dummy tokens (new size: {padded})"


def initialized_parallel(kind: str, size: int) -> str:
    """kind: 'tensor' or 'pipeline'."""
    return f"> initialized {kind} model parallel with size {size}"


def random_seeds(seed: int) -> str:
    return f"> setting random seeds to {seed} ..."


def time_to_initialize(seconds: float) -> str:
    return f"time to initialize megatron (seconds): {seconds:.3f}"


def datetime_marker(what: str, moment: datetime) -> str:
    """`[after megatron is initialized] datetime: 2025-04-13 23:41:00 `, trailing space and all."""
    return f"[{what}] datetime: {moment:%Y-%m-%d %H:%M:%S} "


BUILDING_MODEL = "building GPT model ..."
DATASETS_BUILDING = "> building train, validation, and test datasets ..."
DATASETS_DONE = "> finished creating GPT datasets ..."
SETUP_DONE = "done with setup ..."
TRAINING = "training ..."


def parameters(tensor_rank: int, pipeline_rank: int, count: int) -> str:
    return (
        " > number of parameters on (tensor, pipeline) model parallel rank "
        f"({tensor_rank}, {pipeline_rank}): {count}"
    )


def timer(name: str, low_ms: float, high_ms: float) -> str:
    """One timer row: the name and a space dotted out to 48 columns, then (min, max) in ms."""
    return f"    {(name + ' ').ljust(48, '.')}: ({low_ms:.2f}, {high_ms:.2f})"


def iteration(
    *,
    moment: datetime | None,
    iteration: int,
    train_iters: int,
    consumed_samples: int,
    elapsed_ms: float,
    learning_rate: float,
    global_batch: int,
    lm_loss: float,
    loss_scale: float,
    grad_norm: float | None,
    skipped: int,
    nans: int,
    lr_digits: int = 6,
    tflops: float | None = None,
) -> str:
    """The iteration line; `moment` is the stamp (None for releases before core 0.8)."""
    head = f" [{moment:%Y-%m-%d %H:%M:%S}]" if moment is not None else ""
    text = f"{head} iteration {iteration:8d}/{train_iters:8d} |"
    text += f" consumed samples: {consumed_samples:12d} |"
    text += f" elapsed time per iteration (ms): {elapsed_ms:.1f} |"
    if tflops is not None:
        text += f" throughput per GPU (TFLOP/s/GPU): {tflops:.1f} |"
    text += f" learning rate: {learning_rate:.{lr_digits}E} |"
    text += f" global batch size: {global_batch:5d} |"
    text += f" lm loss: {lm_loss:.6E} |"
    text += f" loss scale: {loss_scale:.1f} |"
    if grad_norm is not None:
        text += f" grad norm: {grad_norm:.3f} |"
    text += f" number of skipped iterations: {skipped:3d} |"
    text += f" number of nan iterations: {nans:3d} |"
    return text


def validation(label: str, loss: float, ppl: float) -> list[str]:
    """The validation block: a rule as long as the line, the line, the rule again.

    `label` is e.g. 'iteration 100' or 'the end of training for val data'.
    """
    text = f" validation loss at {label} | lm loss value: {loss:.6E} | lm loss PPL: {ppl:.6E} | "
    rule = "-" * (len(text) + 1)
    return [rule, text, rule]


def saving(iteration: int, path: str, fmt: str = "torch_dist") -> str:
    return f"saving checkpoint at iteration {iteration:7d} to {path} in {fmt} format"


def saved(iteration: int, path: str, tensor: int, pipeline: int) -> str:
    return (
        f"  successfully saved checkpoint from iteration {iteration:7d} to {path} "
        f"[ t 1/{tensor}, p 1/{pipeline} ]"
    )


def loading(path: str, iteration: int) -> str:
    return f" loading distributed checkpoint from {path} at iteration {iteration}"


def loaded(path: str, iteration: int, tensor: int, pipeline: int) -> str:
    return (
        f"  successfully loaded checkpoint from {path} [ t 1/{tensor}, p 1/{pipeline} ] "
        f"at iteration {iteration}"
    )


def memory(
    rank: int,
    after: int,
    allocated: float,
    max_allocated: float,
    reserved: float,
    max_reserved: float,
) -> str:
    """Printed once, after the first logged iteration; MB values as torch reports them."""
    return (
        f"[Rank {rank}] (after {after} iterations) memory (MB) | allocated: {_mb(allocated)} | "
        f"max allocated: {_mb(max_allocated)} | reserved: {_mb(reserved)} | "
        f"max reserved: {_mb(max_reserved)}"
    )


def _mb(value: float) -> str:
    return py_float(value)


def theoretical_memory(mb: float) -> str:
    return f"Theoretical memory footprints: weight and optimizer={mb:.2f} MB"


def command(
    *, nodes: int, master: str, port: int, max_restarts: int, args: Sequence[str]
) -> list[str]:
    return torchrun.command(
        nodes=nodes,
        master=master,
        port=port,
        max_restarts=max_restarts,
        script=["pretrain_gpt.py", *args],
    )
