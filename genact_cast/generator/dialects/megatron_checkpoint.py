"""Megatron-LM core_v0.14.0's checkpoint lines: what save_checkpoint prints at a save, and
what load_checkpoint, the distributed optimizer and the scheduler print when a launch reads
a checkpoint back (or a fine-tune's first launch reads --pretrained-checkpoint). Kept apart
from the presenter because the load block follows checkpointing.py's own branches, and the
scheduler's values are derived from the saving run's flags.
"""

from __future__ import annotations

from genact_cast.generator.dialects.common import py_float
from genact_cast.generator.dialects.megatron_tee import Tee

STORING_OPTIMIZER = "Storing distributed optimizer sharded state of type fully_sharded_model_space"
STORING_OPTIMIZER_FSDP = "Storing distributed optimizer sharded state of type fsdp_dtensor"
LOADING_OPTIMIZER = (
    "INFO:megatron.core.optimizer.distrib_optimizer:Loading distributed optimizer sharded "
    "state of type fully_sharded_model_space"
)


def saving(iteration: int, path: str, fmt: str = "torch_dist") -> str:
    return f"saving checkpoint at iteration {iteration:7d} to {path} in {fmt} format"


def saved(iteration: int, path: str, tensor: int, pipeline: int) -> str:
    return (
        f"  successfully saved checkpoint from iteration {iteration:7d} to {path} "
        f"[ t 1/{tensor}, p 1/{pipeline} ]"
    )


def loading(path: str, iteration: int, fsdp: bool = False) -> str:
    """checkpointing.py:1076-1083: "distributed " for torch_dist only (Megatron-FSDP's
    fsdp_dtensor checkpoints are loaded without it)."""
    infix = "" if fsdp else "distributed "
    return f" loading {infix}checkpoint from {path} at iteration {iteration}"


def loading_release(path: str, fsdp: bool = False) -> str:
    infix = "" if fsdp else "distributed "
    return f" loading release {infix}checkpoint from {path}"


def finetune_from(load: str, pretrained: str) -> str:
    return (
        f"Checkpoint file not found in load directory {load} attempting to finetune with "
        f"checkpoint in {pretrained}"
    )


SCHEDULER_LOGGER = "INFO:megatron.core.optimizer_param_scheduler:"
CHECKPOINT_VERSION = " checkpoint version 3.0"  # checkpointing.py:1617; torch_dist saves 3.0
NO_CHECKPOINT_ARGS = "could not find arguments in the checkpoint ..."


def content_metadata(args: dict[str, str]) -> str:
    """`sharded_state_dict metadata loaded from the checkpoint: {...}` (checkpointing.py:1422):
    the dict _build_sharded_state_dict_metadata (checkpointing.py:358-379) saved with the
    checkpoint, from the saving run's flags, which are this run's."""
    metadata = ""
    if args["use_distributed_optimizer"] == "True":
        sharding = (
            "fully_sharded_model_space"
            if args["ckpt_fully_parallel_save"] == "True"
            else "dp_zero_gather_scatter"
        )
        metadata = f"'distrib_optim_sharding_type': '{sharding}', "
    metadata += "'chained_optim_avoid_prefix': True, 'singleton_local_shards': False"
    return f"sharded_state_dict metadata loaded from the checkpoint: {{{metadata}}}"


def scheduler_values(args: dict[str, str]) -> list[str]:
    """OptimizerParamScheduler.load_state_dict's `_check_and_set` on each saved value, in its
    order (optimizer_param_scheduler.py:236, 248-302): the values get_optimizer_param_scheduler
    gave the saving run (training.py:978-1030), counted in samples for an iteration-based run;
    the weight decay's four only because the state has `start_wd`."""
    batch = int(args["global_batch_size"])
    iters = args["lr_decay_iters"]
    decay = (int(args["train_iters"]) if iters == "None" else int(iters)) * batch
    fraction = args["lr_warmup_fraction"]
    warmup = (
        py_float(float(fraction) * decay)
        if fraction != "None"
        else str(int(args["lr_warmup_iters"]) * batch)
    )
    values = [
        (py_float(float(args["lr"])), "learning rate"),
        (args["min_lr"], "minimum learning rate"),
        (warmup, "warmup iterations"),
        (str(decay), "total number of iterations"),
        (args["lr_decay_style"], "learning rate decay style"),
        (args["start_weight_decay"], "start weight decay"),
        (args["end_weight_decay"], "end weight decay"),
        (str(int(args["train_iters"]) * batch), "total number of weight decay iterations"),
        (args["weight_decay_incr_style"], "weight decay incr style"),
    ]
    return [f"{SCHEDULER_LOGGER} > using checkpoint value {v} for {name}" for v, name in values]


def loaded(path: str, iteration: int, tensor: int, pipeline: int) -> str:
    return (
        f"  successfully loaded checkpoint from {path} [ t 1/{tensor}, p 1/{pipeline} ] "
        f"at iteration {iteration}"
    )


def storing(fsdp: bool) -> list[str]:
    """save_checkpoint names the distributed optimizer's sharding before it saves (the
    tag's default, --ckpt-fully-parallel-save: fully_sharded_model_space; under
    Megatron-FSDP, whose runs type --use-distributed-optimizer too, fsdp_dtensor:
    checkpointing.py:371-372, 484-486)."""
    return [STORING_OPTIMIZER_FSDP if fsdp else STORING_OPTIMIZER]


def save_lines(step: int, save: str, *, fsdp: bool, tensor: int, pipeline: int) -> list[str]:
    """One save: its start, the optimizer's sharding, its end (the timer is the caller's).
    Megatron-FSDP saves in fsdp_dtensor format through torch.distributed.checkpoint
    (checkpointing.py:436, 539-548 at core_v0.14.0), without the distributed optimizer's
    sharding line."""
    fmt = "fsdp_dtensor" if fsdp else "torch_dist"
    return [saving(step, save, fmt), *storing(fsdp), saved(step, save, tensor, pipeline)]


def load_lines(
    *,
    loaded_from: str | None,
    save: str,
    base: str | None,
    resume_step: int,
    args: dict[str, str],
    tensor: int,
    pipeline: int,
    fsdp: bool,
    tee: Tee,
) -> list[str]:
    """What a launch prints about the checkpoint it starts from, if any: rank 0's lines and
    every rank's optimizer load, as the console shows them (`tee`)."""
    if loaded_from is None:
        metadata = f"{save}/latest_checkpointed_iteration.txt"
        return tee.rank0(
            [
                f"WARNING: could not find the metadata file {metadata}",
                "    will not load any checkpoints and will start from random",
            ]
        )
    if resume_step == 0 and base is not None:
        # The first launch of a fine-tune: nothing in --load yet, so the released
        # weights of --pretrained-checkpoint (a release checkpoint: iteration 0). With
        # args.finetune set (checkpointing.py:1363) neither the checkpoint's args nor the
        # optimizer and scheduler are read (:1581, :1621).
        # (the content metadata is read and printed for torch_dist checkpoints only,
        # checkpointing.py:1392-1422; fsdp_dtensor ones take :1509's branch)
        return tee.rank0(
            [
                finetune_from(save, base),
                *([] if fsdp else [content_metadata(args)]),
                loading_release(base, fsdp),
                NO_CHECKPOINT_ARGS,
                CHECKPOINT_VERSION,
                loaded(base, 0, tensor, pipeline),
            ]
        )
    # load_checkpoint (checkpointing.py:1422, 1083, 1617), then the optimizer's
    # load_state_dict, where every rank's distributed optimizer reads its shard of the
    # parameter state (distrib_optimizer.py:840), then the scheduler's (:1649).
    return [
        *tee.rank0(
            [
                *([] if fsdp else [content_metadata(args)]),
                loading(save, resume_step, fsdp),
                CHECKPOINT_VERSION,
            ]
        ),
        *([] if fsdp else tee.every_rank(LOADING_OPTIMIZER)),
        *tee.rank0([*scheduler_values(args), loaded(save, resume_step, tensor, pipeline)]),
    ]
