"""The genact log's FSDP watchdog line moves one decoder layer of the released model
(review-realism7 FAIL 9): its exact parameters from config.json, with the output layer left
out only where it is a layer of its own (tie_word_embeddings false), padded to the shard
group as FSDP's flat parameter is. The figures below are computed here from the configs,
not read from the catalogue:

- meta-llama/Llama-3.2-3B config.json: hidden_size 3072, intermediate_size 8192, 24 heads,
  8 key/value heads, head_dim 128, tie_word_embeddings true: q/k/v/o 3072 x (3072 + 2 x 1024)
  + 3072 x 3072, MLP 3 x 3072 x 8192, two RMSNorms of 3072: 100,669,440 (the Trainer's FSDP
  line of the same run prints it).
- allenai/OLMo-2-1124-7B config.json: hidden_size 4096, intermediate_size 11008, 32 heads,
  32 key/value heads, q/k norms over the whole projections: 4 x 4096^2 + 3 x 4096 x 11008 +
  2 x 4096 (q/k norms) + 2 x 4096 (post-attention and post-feedforward norms): 202,391,552.
"""

from __future__ import annotations

import re

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.events import Failed
from genact_cast.generator.presenters.genact.failure import collective_numels
from genact_cast.generator.run import Run
from genact_cast.generator.run_plan import RunPlan
from tests.helpers import events_of, output_of, plain
from tests.seed_scan import seed_where

LLAMA_3_2_3B_LAYER = 3072 * (3072 + 2 * 1024) + 3072 * 3072 + 3 * 3072 * 8192 + 2 * 3072
OLMO_2_7B_LAYER = 4 * 4096**2 + 3 * 4096 * 11008 + 2 * 4096 + 2 * 4096


def _reduce_scatter_hang(plan: RunPlan) -> bool:
    failed = next((e for e in Run(plan).events if isinstance(e, Failed)), None)
    return (
        failed is not None
        and failed.watchdog
        and failed.op == "_REDUCE_SCATTER_BASE"
        and plan.layout.tp == 1
    )


def test_the_watchdog_moves_one_released_layer_of_a_tied_model() -> None:
    """Seed 9630 trained the Llama-3.2-3B architecture (tied embeddings) over DP 128 and
    timed out on a reduce-scatter: it showed 86,499,712 = (3.21e9 - 2 x 394,002,432) / 28.
    Its failure became a death in 7ac6b14 (no watchdog), and 9636's moved with the failure
    placement of 3968896; seed 9740 trains the same architecture and its peers time out on a
    reduce-scatter on main. In the date window of N10 its draws moved: the model is pinned
    and the seed is the first from 9740 whose peers time out on a reduce-scatter of FSDP
    without TP."""
    assert LLAMA_3_2_3B_LAYER == 100_669_440
    seed = seed_where(_reduce_scatter_hang, seeds=range(9740, 9940), model="Llama-3.2-3B")
    text = plain(output_of(events_of(seed=seed, model="Llama-3.2-3B")))
    caught = re.search(r"OpType=_REDUCE_SCATTER_BASE, NumelIn=(\d+),\s*NumelOut=(\d+)", text)
    assert caught is not None
    numel_in, numel_out = int(caught[1]), int(caught[2])
    group = numel_in // numel_out
    assert numel_in == numel_out * group
    assert numel_out == -(-LLAMA_3_2_3B_LAYER // group)


def test_an_untied_model_leaves_out_its_output_layer_exactly() -> None:
    plan = make_plan(RecordOptions(seed=1, model="OLMo-2-7B", kind="pretrain"))
    numel_in, numel_out = collective_numels(plan, "_ALLGATHER_BASE")
    group = plan.layout.shard_group
    assert plan.layout.tp == 1
    shard = -(-OLMO_2_7B_LAYER // group)
    assert (numel_in, numel_out) == (shard, shard * group)  # an all-gather: shard in, layer out


# OLMo-2-7B with LoRA r 16 on every linear layer (q, k, v, o, gate, up, down; PEFT's shapes:
# lora_A r x in, lora_B out x r): one block's adapters, each padded on dim 0 to the shard
# group as FSDP2 shards it (torch 2.9.0 fsdp/_fully_shard/_fsdp_param.py:362-369, chunks of
# dim 0 padded to the first's), reduce-scattered together (_fsdp_collectives.py:503-507).
OLMO_2_7B_LINEARS = [(4096, 4096)] * 4 + [(4096, 11008), (4096, 11008), (11008, 4096)]


def _olmo_adapters_padded(rank: int, group: int) -> int:
    def pad(rows: int) -> int:
        return -(-rows // group) * group

    return sum(pad(rank) * into + pad(out) * rank for into, out in OLMO_2_7B_LINEARS)


def _olmo_watchdog_numels(seed: int, method: str, op: str) -> tuple[int, list[tuple[str, str]]]:
    """`--seed SEED --model OLMo-2-7B --method METHOD --failures 2` (OLMo-2-7B on 16 A100): its
    FSDP shard group and the (NumelIn, NumelOut) of every watchdog line naming `op`."""
    options = RecordOptions(seed=seed, model="OLMo-2-7B", method=method, failures=2)
    text = plain(output_of(events_of(**options._replace(cols=250)._asdict())))
    caught = re.findall(rf"OpType={op}, NumelIn=(\d+), NumelOut=(\d+)", text)
    assert caught
    plan = make_plan(options)
    return plan.layout.shard_group, caught


def _olmo_hang(method: str, op: str, start: int) -> int:
    """The first seed from `start` whose `--model OLMo-2-7B --method METHOD --failures 2` run
    trains on 16 GPUs and has a watchdog time out on `op` (the date window of N10 moves
    which seeds do)."""

    def wanted(plan: RunPlan) -> bool:
        failed = [e for e in Run(plan).events if isinstance(e, Failed)]
        return plan.gpus == 16 and any(f.watchdog and f.op == op for f in failed)

    return seed_where(
        wanted, seeds=range(start, start + 300), model="OLMo-2-7B", method=method, failures=2
    )


def test_a_lora_watchdog_names_only_what_the_run_reduces() -> None:
    """review-realism12 W1: `--seed 41203 --failures 2` (OLMo-2-7B LoRA r 16, 16 A100) showed
    `[NCCL] ... ReduceScatter: 0.21ms` (adapter gradients) beside a watchdog's
    `_REDUCE_SCATTER_BASE, NumelIn=202391552`: the frozen block's gradient, which LoRA never
    computes. The adapters of a block are 39,976,960 / 32 = 1,249,280 (the review's).
    41203's peers time out on an all-gather since this session's plan changes
    (N4-N7); 41212 trains the same model on 16 A100 with LoRA and its peers time out on the
    adapters' reduce-scatter (in the date window of N10 the first from 41212 that does: 41221,
    on 16 H100)."""
    assert _olmo_adapters_padded(16, 16) == 39_976_960 // 32
    seed = _olmo_hang("lora", "_REDUCE_SCATTER_BASE", 41212)  # 41221 in the date window
    group, caught = _olmo_watchdog_numels(seed, "lora", "_REDUCE_SCATTER_BASE")
    for numel_in, numel_out in caught:
        assert int(numel_in) == _olmo_adapters_padded(16, group)
        assert int(numel_out) * group == int(numel_in)
    # a larger group pads each lora_A's 16 rows, as FSDP2's chunks do
    assert _olmo_adapters_padded(16, 32) > 39_976_960 // 32


def test_a_qlora_watchdog_gathers_the_packed_4_bit_weights() -> None:
    """QLoRA's frozen Linears are NF4 packed in bf16 storage: (n + 1) // 4 elements for n
    weights (bitsandbytes' quantize_4bit), the norms whole: 4 x 4096 (post-attention,
    post-feedforward, q and k norms). The step line's AllGather moves those bytes; the
    watchdog named the bf16 block (`--seed 41203 --method qlora --failures 2`). 41203's peers
    time out on a reduce-scatter since this session's plan changes (N4-N7); 41210 trains the same
    model on 16 A100 with QLoRA and its peers time out on the all-gather."""
    packed = sum((i * o + 1) // 4 for i, o in OLMO_2_7B_LINEARS) + 4 * 4096
    group, caught = _olmo_watchdog_numels(41210, "qlora", "_ALLGATHER_BASE")
    for numel_in, numel_out in caught:
        assert (int(numel_in), int(numel_out)) == (-(-packed // group), -(-packed // group) * group)
