"""What a checkpoint save writes, by whom, and so how long each part takes: the bytes of
each part over the bandwidth of its writers (REALISM.md, "Checkpoints and storage": a
parallel file system gives 2-10 GB/s a node, 50-500 GB/s aggregate).

- torch.distributed.checkpoint (the genact log, torchtitan, Megatron's torch_dist): every
  rank writes its shard of the weights and the optimizer state, at the aggregate bandwidth.
- The HF Trainer on FSDP (accelerate 1.11.0's fsdp_version 1, FULL_STATE_DICT by default:
  utils/dataclasses.py:1988-1992): `Trainer.save_model` gathers the full bf16 state dict to
  rank 0 (`accelerator.get_state_dict`), whose `save_pretrained` writes every shard, and
  `save_fsdp_optimizer` gathers the full optimizer state to rank 0 too, which writes it with
  one `torch.save` (utils/fsdp_utils.py:233-268): one process, one node's bandwidth.
- The Trainer on DeepSpeed ZeRO-3 (`stage3_gather_16bit_weights_on_model_save`): the bf16
  weights gathered to rank 0 and written by it as above, then the engine's
  `save_checkpoint` writes each rank's partition of the weights and the optimizer state
  (`zero_pp_rank_N_mp_rank_00_*_states.pt`) from every rank at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from genact_cast.generator import physics

if TYPE_CHECKING:
    from genact_cast.generator.plan import RunPlan


class Write(NamedTuple):
    """One part of a save: its bytes, at its writers' bandwidth (bytes a second)."""

    size: float
    bandwidth: float

    @property
    def seconds(self) -> float:
        return self.size / self.bandwidth


def node_bandwidth(plan: RunPlan) -> float:
    """What one node writes: its share of the file system's aggregate bandwidth (the plan
    draws 2-10 GB/s a node and caps the aggregate at 500 GB/s)."""
    return plan.storage_gbps * physics.GB / plan.nodes


def writes(plan: RunPlan) -> tuple[Write, ...]:
    """The parts of one save, in the order they are written: for the Trainer, the
    consolidated weights first (their last shard's line is logged when it is written)."""
    aggregate = plan.storage_gbps * physics.GB
    framework = plan.options.framework
    if plan.lora is not None or framework not in ("hf", "deepspeed"):
        return (Write(plan.checkpoint_bytes, aggregate),)
    weights = Write(plan.weights_bytes, node_bandwidth(plan))
    if framework == "hf":
        return (weights, Write(plan.optimizer_bytes, node_bandwidth(plan)))
    return (weights, Write(plan.checkpoint_bytes, aggregate))


def export_bandwidth(plan: RunPlan) -> float:
    """The final export's writers: the Trainer's `save_model` writes the consolidated
    safetensors from rank 0 alone (one node's bandwidth); the other frameworks' exports
    are planned at the aggregate, as before."""
    if plan.options.framework in ("hf", "deepspeed"):
        return node_bandwidth(plan)
    return plan.storage_gbps * physics.GB
