"""Megatron-LM core_v0.14.0's line shapes for start-up, the iteration line, timers, validation
and memory: one function or constant per format string of that tag, with nothing of the run
in them, so test_dialect_formats can hold each against the catalogue
(presenters/frameworks/megatron/catalogue.tsv lists them with their file:line). The
presenter, megatron.py, decides when each is printed; checkpoint lines are in
megatron_checkpoint.py, the launch and validate_args' lines in megatron_startup.py.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator import catalog
from genact_cast.generator.dialects import megatron_parsed_args as parsed_args
from genact_cast.generator.dialects.common import py_float, seconds_stamp
from genact_cast.generator.dialects.facts import Facts

ARGUMENTS_HEADER = "------------------------ arguments ------------------------"
ARGUMENTS_FOOTER = "-------------------- end of arguments ---------------------"
TIMERS_HEADER = "(min, max) time across ranks (ms):"
RERUN_LOGGER = "WARNING:megatron.core.rerun_state_machine:"
# initialize_megatron builds the rerun state machine (initialize.py:106) in --rerun-mode's
# mode, disabled by default; its constructor and set_mode log on rank 0
# (rerun_state_machine.py:238, :244), the mode an Enum member in the f-string.
RERUN_INITIALIZED = f"{RERUN_LOGGER}RerunStateMachine initialized in mode RerunMode.DISABLED"
RERUN_SET_MODE = f"{RERUN_LOGGER}Setting RerunStateMachine mode RerunMode.DISABLED"


def argument(name: str, value: str) -> str:
    """One row of the argument table: the name, dots to column 50, the value."""
    dots = "." * (48 - len(name))
    return f"  {name} {dots} {value}"


def arguments(values: Sequence[tuple[str, str]]) -> list[str]:
    return parsed_args.dump(dict(values))


def world_size(*, world: int, data: int, context: int, tensor: int, pipeline: int) -> str:
    """validate_args (arguments.py:375); hierarchical context parallelism is never set."""
    return (
        f"using world size: {world}, data-parallel size: {data}, context-parallel size: {context}, "
        f"hierarchical context-parallel sizes: None, tensor-model-parallel size: {tensor}, "
        f"pipeline-model-parallel size: {pipeline}"
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
CORE_ATTN_RECOMPUTE_WARNING = (
    "If you are using transformer_engine as the transformer implementation, the core_attn is "
    "from transformer_engine and may be the fused version. For fused attention, you have no "
    "need to set 'core_attn' to recompute. Please check that the core_attn recompute is "
    "really needed."
)
DATASETS_BUILDING = "> building train, validation, and test datasets ..."
DATASETS_BUILDING_GPT = "> building train, validation, and test datasets for GPT ..."
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
    extra_losses: Sequence[tuple[str, float]] = (),
    stamp: str | None = None,
) -> str:
    """The iteration line; `moment` is the stamp (None for releases before core 0.8), or
    `stamp` its text where the caller has it (common.LoggingStamps' first 19 characters:
    seconds_stamp of the same moment)."""
    template = _iteration_format(
        train_iters,
        global_batch,
        loss_scale,
        skipped,
        nans,
        lr_digits,
        stamped=moment is not None or stamp is not None,
        throughput=tflops is not None,
        grad=grad_norm is not None,
        extra=tuple(name for name, _ in extra_losses),
    )
    if stamp is None and moment is not None:
        stamp = seconds_stamp(moment)
    values: list[object] = [stamp] if stamp is not None else []
    values += [iteration, consumed_samples, elapsed_ms]
    if tflops is not None:
        values.append(tflops)
    values += [learning_rate, lm_loss, *(value for _, value in extra_losses)]
    if grad_norm is not None:
        values.append(grad_norm)
    return template % tuple(values)


@functools.lru_cache(maxsize=16)
def _iteration_format(
    train_iters: int,
    global_batch: int,
    loss_scale: float,
    skipped: int,
    nans: int,
    lr_digits: int,
    *,
    stamped: bool,
    throughput: bool,
    grad: bool,
    extra: tuple[str, ...],
) -> str:
    """The iteration line as one %-format, what stays the same over a run filled in: a run
    logs a thousand or more of them, and twelve f-strings joined a line cost half again
    as much as one format of its changing numbers (callgrind). %-formats give format()'s
    text for these conversions (both go through PyOS_double_to_string)."""

    def fixed(text: str) -> str:
        return text.replace("%", "%%")

    text = " [%s]" if stamped else ""
    text += " iteration %8d" + fixed(f"/{train_iters:8d} |")
    text += " consumed samples: %12d |"
    text += " elapsed time per iteration (ms): %.1f |"
    if throughput:
        text += " throughput per GPU (TFLOP/s/GPU): %.1f |"
    text += f" learning rate: %.{lr_digits}E |"
    text += fixed(f" global batch size: {global_batch:5d} |")
    text += " lm loss: %.6E |"
    for name in extra:  # MoE: each tracked auxiliary loss, in tracking order
        text += fixed(f" {name}: ") + "%.6E |"
    text += fixed(f" loss scale: {loss_scale:.1f} |")
    if grad:
        text += " grad norm: %.3f |"
    text += fixed(f" number of skipped iterations: {skipped:3d} |")
    text += fixed(f" number of nan iterations: {nans:3d} |")
    return text


def validation(label: str, loss: float, ppl: float) -> list[str]:
    """The validation block: a rule as long as the line, the line, the rule again.

    `label` is e.g. 'iteration 100' or 'the end of training for val data'.
    """
    text = f" validation loss at {label} | lm loss value: {loss:.6E} | lm loss PPL: {ppl:.6E} | "
    rule = "-" * (len(text) + 1)
    return [rule, text, rule]


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


def evaluating_on(samples: int) -> str:
    return f"Evaluating on {samples} samples"


def evaluating_iter(index: int, total: int) -> str:
    return f"Evaluating iter {index}/{total}"


def moe_losses(facts: Facts, aux_loss: float | None) -> list[tuple[str, float]]:
    """What `track_moe_metrics` logs (moe_utils.py at the tag): the tracked loss divided
    by its coefficient (router.py's `save_to_aux_losses_tracker(name, aux_loss /
    aux_loss_coeff, ...)`), averaged over the MoE layers: the balance term itself, 1.0 at
    perfect balance, named `load_balancing_loss` for aux_loss and
    `seq_load_balancing_loss` for seq_aux_loss (DeepSeek-V3's)."""
    f = facts
    if not f.experts or aux_loss is None:
        return []
    rule = catalog.routers()[f.arch]
    name = "seq_load_balancing_loss" if rule.balance == "seq_aux_loss" else "load_balancing_loss"
    return [(name, aux_loss / rule.coeff)]
