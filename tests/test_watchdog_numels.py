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
from genact_cast.generator.presenters.genact.failure import collective_numels
from tests.helpers import events_of, output_of, plain

LLAMA_3_2_3B_LAYER = 3072 * (3072 + 2 * 1024) + 3072 * 3072 + 3 * 3072 * 8192 + 2 * 3072
OLMO_2_7B_LAYER = 4 * 4096**2 + 3 * 4096 * 11008 + 2 * 4096 + 2 * 4096


def test_the_watchdog_moves_one_released_layer_of_a_tied_model() -> None:
    """Seed 9630 trained the Llama-3.2-3B architecture (tied embeddings) over DP 128 and
    timed out on a reduce-scatter: it showed 86,499,712 = (3.21e9 - 2 x 394,002,432) / 28.
    Its failure became a death in 7ac6b14 (no watchdog), and 9636's moved with the failure
    placement of 3968896; seed 9740 trains the same architecture and its peers time out on a
    reduce-scatter."""
    assert LLAMA_3_2_3B_LAYER == 100_669_440
    text = plain(output_of(events_of(seed=9740)))
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
