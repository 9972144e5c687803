"""The works a DeepSpeed v0.17.5 process enqueues on each of its process groups, step by step,
and so the SeqNum of the collective a hung step waits in and the last work the process had
enqueued by then: what the NCCL watchdog prints (`WorkNCCL(SeqNum=...)`, `last enqueued
work`, `last completed work`).

torch 2.9.0's ProcessGroupNCCL numbers each group's collectives from 1 in each process
(`seqCollective_`), and they run in order on the group's stream, so the last completed work
is the one before the hung one. What follows it depends on where the CPU next waits for the
GPU: ZeRO-3 keeps at most two fetch events (partitioned_param_coordinator.py:132, 332-335)
and two reduce events (stage3.py:388, 1319-1322) outstanding and synchronizes the oldest
before it issues another, so two more works of the hung kind at most are enqueued; and each
micro batch's backward ends in independent_gradient_partition_epilogue's synchronize of the
reduce stream (stage3.py:1151), which waits for the whole micro batch."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import NamedTuple

from genact_cast.generator.dialects import hf_model
from genact_cast.generator.dialects.deepspeed_model import (
    AUTOTP_GROUP,
    AUTOTP_NORM_GROUPS,
    AUTOTP_START_WORKS,
    PREFETCH_BUCKET,
    REDUCE_BUCKET,
    SUB_GROUP,
    ZERO_GROUP,
    backward_numels,
    forward_trace,
    state_dict_tensors,
)
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_watchdog import (
    DATASET_BARRIERS,
    multiples,
    token_count_gathers,
)
from genact_cast.generator.dialects.hf_watchdog import eval_batch_works as trainer_eval_batch
from genact_cast.generator.dialects.rank_watchdog import Collective, collective_numels

# The default group as c10d names it: ZeRO-3's parameters live on the world group zero.Init
# gives them (partition_parameters.py:1016-1017, dist.get_world_group()), torch's default.
DEFAULT_GROUP = "PG ID 0 PG GUID 0(default_pg)"
# stage3_max_reuse_distance's default (zero/config.py; the ds_config sets none): a parameter
# whose next use lies within this many elements of the trace stays gathered after its module
# (partitioned_param_coordinator.py:548-556).
MAX_REUSE_DISTANCE = 1_000_000_000
# Works the CPU can enqueue past a hung one before it waits: the two fetch or reduce events
# it keeps outstanding (see the module's docstring).
AHEAD = 2
# Barriers on the default group before the first step: the script's two main_process_first
# contexts around the dataset's preparation (as hf_watchdog's), stage 3's
# _create_fp16_partitions_with_defragmentation and _setup_for_real_optimizer's two
# (stage3.py:721, 542, 551), torch's barrier being an all-reduce of its own.
_START_BARRIERS = 2 + 3


class Works(NamedTuple):
    """One collective of a step, and what the watchdog prints of it."""

    op: str
    seq: int
    enqueued: int  # the last work of its group the process had enqueued when it hung
    numel_in: int
    numel_out: int


def fetch_batches(numels: Sequence[int], *, first_alone: bool) -> list[list[int]]:
    """The all-gathers ZeRO-3's coordinator issues over a run of parameters (v0.17.5
    partitioned_param_coordinator.py:300-415): where the first module's own parameters are
    not yet available, one gather of them, then prefetches of the next parameters until the
    prefetch passes prefetch_bucket_size (checked before each is added, so by at most one
    parameter), each one coalesced all-gather."""
    if not numels:
        return []
    batches: list[list[int]] = [[numels[0]]] if first_alone else []
    current: list[int] = []
    total = 0
    for numel in numels[1:] if first_alone else numels:
        current.append(numel)
        total += numel
        if total >= PREFETCH_BUCKET:
            batches.append(current)
            current, total = [], 0
    if current:
        batches.append(current)
    return batches


# The trace and its gathers are made once for a run's facts: a hang's watchdogs, saves and
# evaluation batches each count them, up to ten times a failure, and a MoE model's trace is
# tens of thousands of parameters (Qwen3-30B-A3B: 128 experts x 3 x 48 layers). Tuples, as
# what a cache hands out is shared.
@functools.lru_cache(maxsize=8)
def _trace(facts: Facts) -> tuple[int, ...]:
    """The parameters the forward pass gathers, in order (deepspeed_model.forward_trace), or,
    for a family whose config is not tabled, one unit a layer between the embedding and
    the output layer."""
    trace = forward_trace(facts)
    if trace:
        return tuple(trace)
    layer = collective_numels(facts, "_ALLGATHER_BASE")[1]
    embedding = facts.vocab * facts.hidden
    return (embedding, *([layer] * facts.layers), embedding)


@functools.lru_cache(maxsize=8)
def gathers(facts: Facts) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """(forward, backward): the all-gathers of one micro batch once the trace is complete.
    In backward the modules run in reverse; a parameter whose backward use lies within
    MAX_REUSE_DISTANCE elements of its forward one (twice the parameters after it: the rest
    of the forward, then the backward back to it) was never released, and the prefetch
    skips it."""
    trace = _trace(facts)
    forward = fetch_batches(trace, first_alone=True)
    after, kept = 0, []
    for numel in reversed(trace):
        kept.append(2 * after < MAX_REUSE_DISTANCE)
        after += numel
    needed = [numel for numel, keep in zip(reversed(trace), kept, strict=True) if not keep]
    backward = fetch_batches(needed, first_alone=bool(kept) and not kept[0])
    return tuple(map(tuple, forward)), tuple(map(tuple, backward))


def _adapters(facts: Facts) -> int:
    """lora_A and lora_B of each Linear a LoRA run adapts (0 for a full fine-tune)."""
    config = hf_model.config_of(facts)
    if config is None or facts.method == "full" or not facts.lora_rank:
        return 0
    return 2 * len(hf_model.adapted_linears(config))


def parameters(facts: Facts) -> int:
    """The model's parameter tensors: the state dict's and a LoRA's adapters."""
    return state_dict_tensors(facts) + _adapters(facts)


def persistent_parameters(facts: Facts) -> int:
    """Parameters ZeRO-3 keeps gathered (ds_numel at most the persistence threshold: the
    norms, the biases and q/k norms a family has, the small LoRA matrices), each gathered
    again after every step by _post_step (stage3.py:2075-2077), one all_gather_into_tensor
    each (partition_parameters.py:1903-1916, the coalesced path): the model's parameters
    less those the trace fetches."""
    return max(parameters(facts) - len(_trace(facts)), 0)


def start_works(facts: Facts) -> int:
    """The default group's works before the launch's first step: zero.Init broadcasts every
    parameter from rank 0 as it partitions it (partition_parameters.py:1109-1116); loading a
    released model gathers each parameter and broadcasts it back from rank 0
    (transformers 4.57.1 integrations/deepspeed.py:339-346, GatheredParameters with
    modifier_rank=0: partition_parameters.py's per-parameter all_gather_into_tensor and
    broadcast, :2317-2330); then the barriers; then DeepSpeedZeRoOffload's first gather of
    the persistent parameters."""
    tensors = state_dict_tensors(facts)
    loaded = 2 * tensors if facts.kind != "pretrain" else 0
    # a LoRA's adapters, made after the model, are broadcast as the engine converts them
    # (parameter_offload.py's _convert_to_zero_parameters -> _zero_init_param)
    converted = _adapters(facts)
    return tensors + loaded + converted + _START_BARRIERS + persistent_parameters(facts)


def _buckets(facts: Facts) -> list[int]:
    """Each ipg bucket a micro batch's backward reduce-scatters, whole gradients in backward
    order while they fit in reduce_bucket_size (stage3.py:1285-1299), padded to a multiple
    of the world for the scatter; the epilogue flushes the last."""
    sizes, total = [], 0
    for numel in backward_numels(facts):
        if total + numel > REDUCE_BUCKET and total > 0:
            sizes.append(total)
            total = 0
        total += numel
    sizes.append(total)
    world = facts.dp
    return [-(-size // world) * world for size in sizes]


def _sub_groups(facts: Facts) -> int:
    """The norm all-reduces a step adds on ZeRO's group: one a fp16 sub-group of each of the
    Trainer's two parameter groups (stage3.py:1815 through _get_norm_groups, :1893; a group
    splits into sub-groups of sub_group_size partitioned elements, :960-983); bf16 checks no
    overflow (:2055)."""
    trained = facts.adapters if facts.method != "full" else facts.params
    return 1 + max(1, -(-(trained // facts.dp) // SUB_GROUP))


def _at(position: float, count: int) -> int:
    return min(int(position * count), count - 1)


def save_works(facts: Facts) -> int:
    """The default group's works of one of the Trainer's saves under ZeRO-3 with
    stage3_gather_16bit_weights_on_model_save: save_model's consolidated state dict gathers
    each module's parameters and broadcasts them back from rank 0 (engine.py:3886-3913,
    GatheredParameters with modifier_rank=0: a gather of each parameter not kept gathered, a
    broadcast of each), the engine's save_checkpoint its barrier, the tag's two all-reduces
    and its closing barrier (engine.py:3397, 3358-3359, 3459), and _save_checkpoint's
    store_flos (trainer.py:3321 at 4.57.1)."""
    return len(_trace(facts)) + state_dict_tensors(facts) + 4 + 1


def eval_batch_works(facts: Facts) -> int:
    """The default group's works of one evaluation batch: prediction_step's gather of its
    label count, its forward's gathers and the loss's gather (evaluation_loop, as
    hf_watchdog's)."""
    return token_count_gathers(facts) + len(gathers(facts)[0]) + 1


def trainer_works(facts: Facts, resume_step: int, step: int, interval: int, evals: int) -> int:
    """The Trainer's works on the default group in the launch that resumed after
    `resume_step`, before `step`: two at each logging step (`_nested_gather(tr_loss)` and
    store_flos's broadcast, trainer.py:3200, 3215 at 4.57.1, every `interval`), each save's
    (save_works) and each of the `evals` evaluation batches' (eval_batch_works)."""
    done = range(resume_step + 1, step)
    logs = multiples(done, interval)
    saves = multiples(done, facts.checkpoint_every)
    return 2 * logs + saves * save_works(facts) + evals * eval_batch_works(facts)


# One of the Trainer's saves under AutoTP on the default group: the engine's save_checkpoint
# (v0.17.5 engine.py:3397 barrier, _checkpoint_tag_validation's two all-reduces at :3358-3359,
# the closing barrier at :3459) and _save_checkpoint's store_flos (trainer.py:3321 at 4.57.1).
# save_model's consolidated state dict gathers on the TP group (_replace_module_consolidated_
# state_dict, engine.py:3862-3863 -> GatherReplacedLayerParams, module_inject/layers.py:423 and
# :499, group=self.mp_group), and ZeRO-2's optimizer state_dict (stage_1_and_2.py:2279) has
# no collective.
AUTOTP_SAVE_WORKS = 4 + 1


def autotp_default_works(
    facts: Facts, resume_step: int, step: int, interval: int, evals: int
) -> int:
    """The default group's last work (enqueued and completed alike) in the launch that
    resumed after `resume_step`, while an AutoTP all-reduce of `step` hangs on the
    tensor_parallel group. AutoTP trains with ZeRO-2, whose collectives run on the mesh's
    data_parallel group (the engine's _broadcast_model too, engine.py:1267-1272), so the
    default group has the script's dataset barriers (hf_watchdog's), every step's
    label-count gather (the hung one's too, before its forward), two works at each logging
    step, each save's (AUTOTP_SAVE_WORKS) and two a batch of the `evals` evaluation batches
    (their label count and loss; the forward's all-reduces are on the TP group)."""
    done = range(resume_step + 1, step)
    logs = multiples(done, interval)
    saves = multiples(done, facts.checkpoint_every)
    tokens = token_count_gathers(facts) * (len(done) + 1)
    return (
        DATASET_BARRIERS
        + tokens
        + 2 * logs
        + saves * AUTOTP_SAVE_WORKS
        + evals * trainer_eval_batch(facts)
    )


def zero3_gather(facts: Facts, steps: int, within: float, others: int = 0) -> Works:
    """The parameter all-gather a hung ZeRO-3 step waits in, `within` its fetches, in the
    launch's `steps`-th step, on the default group; `others`: the Trainer's works on that
    group in this launch before the step (logs, saves, evaluation batches). Each step the
    Trainer first gathers the batch's token count (trainer.py:5625-5626 at 4.57.1,
    average_tokens_across_devices' default), then each micro batch gathers its forward's
    and its backward's parameters, and the optimizer's _post_step the persistent ones. The
    launch's first micro batch records the trace: it releases every parameter and gathers
    each module's own as it runs, both ways, without prefetch
    (partitioned_param_coordinator.py:228-254, 425-440)."""
    forward, backward = gathers(facts)
    micro = len(forward) + len(backward)
    per_step = token_count_gathers(facts) + facts.grad_accum * micro + persistent_parameters(facts)
    # the trace's micro batch, beyond a usual one: a gather a parameter's module, both ways
    first = 2 * parameters(facts) - micro
    index = _at(within, facts.grad_accum * micro)
    batch_in_micro = index % micro
    before = (
        start_works(facts)
        + others
        + max(steps - 1, 0) * per_step
        + first
        + token_count_gathers(facts)
    )
    seq = before + 1 + index
    last_of_micro = seq + (micro - 1 - batch_in_micro)  # the epilogue's synchronize
    batch = (forward + backward)[batch_in_micro]
    world = facts.dp
    numel_in = sum(-(-numel // world) for numel in batch)
    return Works(
        "_ALLGATHER_BASE", seq, min(seq + AHEAD, last_of_micro), numel_in, numel_in * world
    )


def default_works_at_reduce(facts: Facts, steps: int, within: float, others: int = 0) -> int:
    """The default group's last work (enqueued and completed alike: its gathers do not wait
    on the reduce stream) while a ZeRO-3 reduce-scatter `within` the launch's `steps`-th
    step hangs: the gathers up to the hung micro batch's, its forward's, and its backward's
    as far as the CPU got, through the two reduce events it may leave outstanding."""
    forward, backward = gathers(facts)
    micro = len(forward) + len(backward)
    buckets = len(_buckets(facts))
    index = _at(within, facts.grad_accum * buckets)
    done_micros, bucket = divmod(index, buckets)
    reached = min(1.0, (bucket + 1 + AHEAD) / buckets)
    first = 2 * parameters(facts) - micro
    before = (
        start_works(facts)
        + others
        + max(steps - 1, 0)
        * (token_count_gathers(facts) + facts.grad_accum * micro + persistent_parameters(facts))
    )
    return (
        before
        + first
        + token_count_gathers(facts)
        + done_micros * micro
        + len(forward)
        + int(reached * len(backward))
    )


def zero3_reduce_scatter(facts: Facts, steps: int, within: float) -> Works:
    """The gradient reduce-scatter a hung ZeRO-3 step waits in, `within` its buckets, on
    ZeRO's clone of the world group (engine.py:1337-1339 makes it; stage3.py:1408), counted
    from the launch: every micro batch reduce-scatters its buckets, every step all-reduces
    its sub-groups' norms."""
    buckets = _buckets(facts)
    per_step = facts.grad_accum * len(buckets) + _sub_groups(facts)
    index = _at(within, facts.grad_accum * len(buckets))
    bucket = index % len(buckets)
    seq = max(steps - 1, 0) * per_step + 1 + index
    last_of_micro = seq + (len(buckets) - 1 - bucket)
    padded = buckets[bucket]
    return Works(
        "_REDUCE_SCATTER_BASE",
        seq,
        min(seq + AHEAD, last_of_micro),
        padded,
        padded // facts.dp,
    )


def autotp_all_reduce(facts: Facts, steps: int, within: float) -> Works:
    """The all-reduce a hung AutoTP step waits in, `within` its micro batches' all-reduces
    (deepspeed_model.autotp_collective's count: two in each decoder layer's forward, five in
    its backward), one micro batch's activations."""
    per_micro = (2 + 5) * facts.layers
    per_step = facts.grad_accum * per_micro + AUTOTP_NORM_GROUPS
    index = _at(within, facts.grad_accum * per_micro)
    seq = AUTOTP_START_WORKS + max(steps - 1, 0) * per_step + 1 + index
    last_of_step = AUTOTP_START_WORKS + max(steps - 1, 0) * per_step + per_step
    numel = facts.micro_batch * facts.seq_len * facts.hidden
    return Works("ALLREDUCE", seq, min(seq + AHEAD, last_of_step), numel, numel)


def hung(facts: Facts, op: str, steps: int, within: float, others: int = 0) -> tuple[str, Works]:
    """(group, works) of the collective a DeepSpeed step hangs in: AutoTP's all-reduce on the
    tensor_parallel group where TP > 1 (the data-parallel group's ZeRO-2 collectives are of
    one rank where TP spans the world), else ZeRO-3's reduce-scatter on its clone of the
    world group or its parameter gather on the default group."""
    if facts.tp > 1:
        return AUTOTP_GROUP, autotp_all_reduce(facts, steps, within)
    if op == "_REDUCE_SCATTER_BASE":
        return ZERO_GROUP, zero3_reduce_scatter(facts, steps, within)
    return DEFAULT_GROUP, zero3_gather(facts, steps, within, others)


def collective(
    facts: Facts, op: str, steps: int, within: float, others: int = 0
) -> Callable[[int], Collective]:
    """Each rank's part in the hung collective, as rank_watchdog's watchdog lines take it."""
    group, works = hung(facts, op, steps, within, others)

    def own(rank: int) -> Collective:
        member = rank % facts.tp if facts.tp > 1 else rank
        return Collective(
            group,
            member,
            works.op,
            works.seq,
            works.numel_in,
            works.numel_out,
            works.enqueued,
        )

    return own


def numels(facts: Facts, op: str, within: float = 0.0) -> tuple[int, int]:
    """(NumelIn, NumelOut) of the collective `hung` finds `within` a step."""
    _, works = hung(facts, op, 1, within)
    return works.numel_in, works.numel_out
