"""Whether Megatron-LM core_v0.14.0 can hold a plan's layout (issue 17, realism7 FAIL 7).

The plan is one run whatever the framework (issue 18: every dialect shows the same run), so
Megatron takes the plan's layout as it can. Where the plan shards weights, gradients and
optimizer state over data parallelism on a dense model without pipeline stages, Megatron
runs Megatron-FSDP (--use-megatron-fsdp, optim_grads_params), which holds what the plan
counts. Elsewhere (pipeline stages, experts: the tag's Megatron-FSDP adapter passes no
expert data-parallel group, mcore_fsdp_adapter.py, and MegatronFSDP then raises
"Megatron Expert Parallelism is enabled, but no expt_dp_group is provided") it keeps the
distributed optimizer: bf16 weights and fp32 gradients of its TP x PP (x EP for experts)
shard whole on every rank, 6 bytes a parameter, and 12 of fp32 master weights and Adam
moments sharded over one optimizer instance (theoretical_memory_usage.py's 6 + 12/DP).
A layout whose distributed-optimizer state and activations do not fit is one Megatron
does not run: the seed is refused for it, never shown over the GPU's memory.
"""

from genact_cast.generator import physics
from genact_cast.generator.catalog import Architecture, Gpu
from genact_cast.generator.layout import MEMORY_CEILING, Layout, distributed_state


def megatron_fsdp(arch: Architecture, layout: Layout) -> bool:
    """Whether Megatron runs this layout with Megatron-FSDP (the dialect's rule too)."""
    return runs_megatron_fsdp(pp=layout.pp, moe=arch.moe, dp=layout.dp)


def runs_megatron_fsdp(*, pp: int, moe: bool, dp: int) -> bool:
    """Megatron-FSDP's rule, one for the plan and the dialect: where the plan shards weights,
    gradients and optimizer state over data parallelism (FSDP, or HSDP within each optimizer
    instance) on a dense model without pipeline stages, Megatron runs what core_v0.14.0
    offers for that (--use-megatron-fsdp with --data-parallel-sharding-strategy
    optim_grads_params, docs/source/api-guide/custom_fsdp.md at the tag), so its memory is the
    plan's, as every other dialect prints it. Pipeline stages and experts keep the
    distributed optimizer: the tag's Megatron-FSDP adapter (distributed/fsdp/
    mcore_fsdp_adapter.py) builds its mesh from the data-parallel and tensor groups alone."""
    return pp == 1 and not moe and dp > 1


def distributed_optimizer_bytes(arch: Architecture, layout: Layout) -> float:
    """The distributed optimizer's state on one rank of `layout` (layout.distributed_state)."""
    return distributed_state(arch, layout.tp, layout.pp, layout.ep, layout.shard_group)


def megatron_peak_bytes(arch: Architecture, layout: Layout) -> float:
    """What one rank allocates at the step's peak under Megatron: the plan's memory under
    Megatron-FSDP, else the distributed optimizer's state plus the plan's activations,
    logits and buffers."""
    if megatron_fsdp(arch, layout):
        return layout.memory.total
    transient = layout.memory.total - layout.memory.state
    return distributed_optimizer_bytes(arch, layout) + transient


def why_megatron_cannot_hold(arch: Architecture, layout: Layout, gpu: Gpu) -> str | None:
    """Why Megatron cannot run `layout` on `gpu`, if it cannot."""
    need = megatron_peak_bytes(arch, layout)
    if need <= MEMORY_CEILING * gpu.memory_gib * physics.GIB:
        return None
    return (
        f"Megatron-LM core_v0.14.0 would need {need / physics.GIB:.0f} GiB a GPU on this "
        f"layout ({layout.describe()}): its distributed optimizer keeps 6 bytes a parameter "
        "on every rank, and its Megatron-FSDP takes no "
        + ("experts" if arch.moe else "pipeline stages")
    )
