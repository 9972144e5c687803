"""Each mixture of experts is laid out and timed by its own router (issue 17, review-realism9
F5): experts spread across nodes only under DeepSeek-V3's node-limited routing, and an EP
rank's experts are sharded and gathered over the ranks holding the same ones only.

F5: `--seed 8108 --model Qwen3-30B-A3B` ran EP 64 over InfiniBand with all-to-alls of half the
bytes its router sends: Qwen3-30B-A3B's config.json has num_experts 128 and
num_experts_per_tok 8 and no n_group/topk_group, so each token goes to 8 experts wherever
they sit; only DeepSeek-V3 limits a token to 4 nodes (report 2.1.2; config.json n_group 8,
topk_group 4). Tried at EP 8 in session 9, MFU fell to 8.2 % because the plan gathered 1/8
of the experts every micro step over the whole shard group. torchtitan v0.2.0 shards them
over dp_shard_mod_ep, the ranks holding the same experts (review-realism20 FAIL 6), and
Megatron-Core's distributed optimizer keeps them whole on their EP rank, sharding the
optimizer state over the expert data-parallel group (layout.distributed_state)."""

from __future__ import annotations

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, catalog, make_plan, moe, physics
from genact_cast.generator.plan_speed import mfu_floor
from genact_cast.generator.traffic import traffic


def _arch(name: str) -> catalog.Architecture:
    return next(a for a in catalog.architectures() if a.name == name)


@pytest.mark.parametrize("model", ["Qwen3-30B-A3B", "Llama-4-Scout-17B-16E", "Mixtral-8x7B"])
def test_a_plain_top_k_router_keeps_its_experts_in_a_node(model: str) -> None:
    seen = 0
    for seed in range(8100, 8130):
        for gpus in (None, 256, 1024):
            try:
                plan = make_plan(RecordOptions(seed=seed, model=model, gpus=gpus))
            except (BadOption, SeedRefused):
                continue
            if plan.moe is None or plan.moe.ep <= 1:
                continue
            seen += 1
            assert plan.moe.ep <= physics.GPUS_PER_NODE, seed
            assert plan.moe.link == "NVLink", seed
            floor = mfu_floor(plan.arch, plan.gpu, "full", plan.layout.checkpointing)
            assert plan.mfu >= floor * 0.97, (seed, gpus, plan.mfu)
    assert seen >= 20


def test_deepseek_v3_spreads_its_experts_over_nodes_with_node_limited_copies() -> None:
    plan = make_plan(RecordOptions(seed=8130, model="DeepSeek-V3", gpus=2048, gpu="H200"))
    assert plan.moe is not None
    assert plan.moe.ep == 64
    assert plan.moe.link == "IB"
    a = plan.arch
    tokens = plan.micro_batch * plan.seq_len
    sent = tokens * a.hidden * 4 * physics.BF16_BYTES  # 4 nodes a token (report 2.1.2)
    # an all-to-all over 8 nodes: 8/7 x one NIC (nccl-tests#130)
    assert plan.links.experts == pytest.approx(8 / 7 * plan.links.nic)
    assert plan.moe.all_to_all == pytest.approx(63 / 64 * sent / (plan.links.experts * physics.GB))


def test_a_plain_top_k_all_to_all_across_nodes_sends_every_copy() -> None:
    """The review's arithmetic: 65,536 tokens x 2,048 x 8 x 2 bytes, (EP-1)/EP of it over IB."""
    qwen = _arch("Qwen3-30B-A3B")
    timed = moe.plan(qwen, 64, 1, 8, 1, 8192, 24.0)
    assert timed is not None
    sent = 65536 * 2048 * 8 * 2
    assert timed.all_to_all == pytest.approx(63 / 64 * sent / 24e9)


def test_an_ep_rank_gathers_its_experts_over_the_ranks_holding_the_same_ones() -> None:
    """The block's FSDP unit gathers its dense weights over the shard group; the experts are an
    FSDP unit of their own, sharded and gathered over the ranks holding the same experts
    (torchtitan v0.2.0 models/llama4/infra/parallelize.py:334-356, dp_shard_mod_ep), so an
    EP rank holds 16 B x N / shard of them, never its experts' bf16 weights and gradients
    whole (review-realism20 FAIL 6: Scout on 128 H200 showed 54.9 GiB of state)."""
    qwen = _arch("Qwen3-30B-A3B")
    assert moe.sharded_params(qwen, 8) == pytest.approx(qwen.params - qwen.routed)
    plan = make_plan(RecordOptions(seed=8108, model="Qwen3-30B-A3B"))
    assert plan.moe is not None
    assert plan.moe.ep == 8
    layers = plan.arch.layers
    dense = (plan.arch.params - plan.arch.routed) / layers
    group = plan.layout.shard_group
    link = plan.links.shard * physics.GB
    expected = physics.all_gather_seconds(group, physics.BF16_BYTES * dense, link)
    assert plan.traffic.all_gather == pytest.approx(expected)
    assert group > plan.moe.ep
    assert plan.layout.memory.state == pytest.approx(16 * plan.arch.params / group, rel=1e-3)
    # the whole experts' bf16 weights and gradients the review caught are not held
    assert plan.layout.memory.state < 2 * physics.BF16_BYTES * plan.arch.routed / 8


def test_the_experts_gathers_cost_the_step_what_they_move() -> None:
    """Gathering the experts each micro step over the holders' link is a cost the step pays
    where its compute cannot hide it: on a slower link the same layout is exposed longer."""
    plan = make_plan(RecordOptions(seed=8108, model="Qwen3-30B-A3B", gpus=256))
    layout = plan.layout
    assert layout.ep > 1
    assert layout.shard_group > layout.ep
    fast = traffic(plan.arch, layout, plan.seq_len, plan.links, 1e-3)
    slow_links = plan.links._replace(expert_sync=1.0)
    slow = traffic(plan.arch, layout, plan.seq_len, slow_links, 1e-3)
    assert slow.exposed > fast.exposed
    # and nothing of them under no EP (a flat framework gathers them in the block)
    assert moe.expert_block_bytes(plan.arch, 1, plan.arch.layers) == 0.0
