"""Where torchtitan v0.2.0 trains in float32: its maybe_enable_amp (distributed/utils.py:
218-236) leaves mixed precision to fully_shard when data-parallel sharding is on
(parallel_dims.fsdp_enabled: dp_shard > 1, or CP), uses autocast for DDP or one device, and
with tensor or pipeline parallelism but no sharding warns `Mixed precision training with TP
or PP is only supported when FSDP/HSDP/CP is enabled.` and trains in float32: parameters
and every matmul in IEEE fp32 (nothing under torchtitan/ turns TF32 on). A run planned at
bf16 throughput and memory is not what torchtitan makes of that layout, so the seed is
refused under torchtitan, as Megatron refuses a layout it cannot hold (review-tt12 N7: seed
8454 `--gpus 8`, Qwen3-32B on ['tp'], [8])."""

from __future__ import annotations

from genact_cast.generator.layout import Layout


def why_torchtitan_runs_fp32(layout: Layout) -> str | None:
    """Why torchtitan would not train `layout` in bf16, if it would not."""
    if layout.shard_group > 1 or (layout.tp == 1 and layout.pp == 1):
        return None
    return (
        f"torchtitan v0.2.0 trains this layout ({layout.describe()}) in float32: mixed "
        "precision with TP or PP needs FSDP/HSDP/CP (distributed/utils.py:226-231), and the "
        "run is planned in bf16"
    )
