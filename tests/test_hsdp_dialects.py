"""HSDP in the framework's own lines (issue 17): where the plan shards within a node and
replicates across (HSDP), torchtitan v0.2.0 is configured and logs it as such."""

from __future__ import annotations

import functools
import re

import pytest

from genact_cast.generator import RecordOptions, make_plan
from tests.cast_text import replay
from tests.helpers import arch_of, events_of, output_of
from tests.seed_scan import seeds_where


# Seeds whose plan uses HSDP: a user's own config (88, Qwen3-32B pre-trained on 512 GPUs, TP 4
# x 16 replicas), shipped configs (69; 19 with TP 4). 1 and 28 draw Gemma 3 and Llama 4, which
# torchtitan refuses; 9 (Qwen3-32B continued, TP 8 x 4 replicas) continues OLMo-2-7B, which it
# does not build, since continued pre-training takes only released bases (review-realism13 N4).
# Found by their plans, as the draws move (N10's planned date window): the first 3 dense
# runs of 0-299 (a mixture of experts splits dp_shard by its experts).
@functools.cache
def hsdp_seeds() -> list[int]:
    return seeds_where(
        lambda plan: plan.layout.replicas > 1 and not plan.arch.moe,
        count=3,
        seeds=range(300),
        framework="torchtitan",
    )


@pytest.mark.parametrize("index", range(3))
def test_torchtitan_configures_and_logs_hsdp(index: int) -> None:
    seed = hsdp_seeds()[index]
    layout = make_plan(RecordOptions(seed=seed, framework="torchtitan")).layout
    assert layout.replicas > 1, "the seed no longer plans HSDP: pick another"
    shard = layout.dp // layout.replicas
    lines = replay(output_of(events_of(seed=seed, framework="torchtitan", color=False))).lines
    text = "\n".join(lines)
    # parallel_dims.py at v0.2.0: the mesh's dp_replicate before dp_shard
    mesh = re.search(r"Building \d-D device mesh with \[(.*?)\], \[(.*?)\]", text)
    assert mesh is not None
    names = [n.strip(" '") for n in mesh.group(1).split(",")]
    sizes = [int(s) for s in mesh.group(2).split(",")]
    assert dict(zip(names, sizes, strict=True))["dp_replicate"] == layout.replicas
    assert dict(zip(names, sizes, strict=True))["dp_shard"] == shard
    # models/llama3/infra/parallelize.py:130 at v0.2.0
    assert "- Applied HSDP to the model" in text
    assert "- Applied FSDP to the model" not in text
    command = lines[0]
    if "./torchtitan/models/" in command:  # a shipped config: the degrees on the command line
        assert f"--parallelism.data_parallel_replicate_degree={layout.replicas}" in command
        assert f"--parallelism.data_parallel_shard_degree={shard}" in command


def test_flat_fsdp_keeps_its_own_line() -> None:
    seed = next(
        s for s in range(40)
        if arch_of(options := RecordOptions(seed=s, framework="torchtitan"))
        and make_plan(options).layout.replicas == 1
    )  # fmt: skip
    text = output_of(events_of(seed=seed, framework="torchtitan", color=False))
    assert "Applied FSDP to the model" in text
    assert "Applied HSDP" not in text
