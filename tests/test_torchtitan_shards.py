"""The safetensors files a torchtitan v0.2.0 export writes: as many as the Hub repo's
model.safetensors.index.json names (convert_to_hf.py's HuggingFaceStorageWriter takes its
fqn_to_index_mapping from --hf_assets_path), for every model torchtitan trains here
(review-tt15: DeepSeek-V3's 163 files were missing, so its export fell back to a 5 GB
packing the Hub repo does not have). The counts and their sources are hf_shards.tsv's."""

from __future__ import annotations

import pytest

from genact_cast.generator import lineup
from genact_cast.generator.dialects import torchtitan_shards as shards
from genact_cast.generator.dialects.torchtitan_job import repo_name
from tests.seed_scan import seed_where


def test_every_model_torchtitan_trains_has_its_repos_shard_count() -> None:
    trained = [a.name for a in lineup.models() if lineup.why_not(a, "torchtitan") is None]
    assert "DeepSeek-V3" in trained
    assert "Llama-3-8B" in trained
    counts = shards.hf_shard_counts()
    missing = [name for name in trained if repo_name(name) not in counts]
    assert missing == []
    # no row for a model the catalogue does not hold (a misspelt repo would never be read)
    assert set(counts) <= {repo_name(name) for name in trained}


def test_deepseek_v3_exports_the_163_files_of_its_index() -> None:
    from genact_cast.generator import RecordOptions, make_plan
    from genact_cast.generator.presenters.dialect_choice import facts_for

    assert shards.hf_shard_counts()["DeepSeek-V3"] == 163
    facts = facts_for(make_plan(RecordOptions(seed=42026, framework="torchtitan")))
    assert facts.arch.startswith("DeepSeek-V3")
    written = shards.export_shards(facts, "DeepSeek-V3", [5e9] * 10, 671_026_404_352)
    assert len(written) == 163
    assert sum(written) == pytest.approx(4 * 671_026_404_352)


# A seed of each Qwen3 model torchtitan trains here (`record --framework torchtitan`).
QWEN3_SEEDS = {"Qwen3-8B": 42024, "Qwen3-32B": 42003, "Qwen3-30B-A3B": 42120}


@pytest.mark.parametrize(("repo", "seed"), QWEN3_SEEDS.items())
def test_qwen3_exports_its_hub_files_tensors(repo: str, seed: int) -> None:
    """Qwen published its files packed at 4 GB (hf_shards.tsv): each exported file holds
    the tensors the Hub's index maps to it, in float32 (review-tt16 T9a: an even split)."""
    from genact_cast.generator import RecordOptions, make_plan
    from genact_cast.generator.dialects import torchtitan_release as release
    from genact_cast.generator.presenters.dialect_choice import facts_for

    # the seed, or the first after it that trains the model (in the date window of N10 42024
    # draws Qwen3-32B)
    seed = seed_where(
        lambda plan: repo_name(facts_for(plan).arch) == repo,
        seeds=range(seed, seed + 400),
        framework="torchtitan",
    )
    plan = make_plan(RecordOptions(seed=seed, framework="torchtitan"))
    facts = facts_for(plan)
    assert repo_name(facts.arch) == repo
    params = release.model_params(facts)
    written = shards.export_shards(facts, repo, list(plan.export_shards), params)
    assert len(written) == shards.hf_shard_counts()[repo]
    assert sum(written) == pytest.approx(4 * params)
    # Each Hub file at most 4 GB in bf16: 8 GB in float32, and never two files alike.
    assert max(written) <= 2 * 4e9
    assert len(set(written)) > 2
    embedding = facts.vocab * facts.hidden
    # save_pretrained's order: embed_tokens and layer 0 open the first file, lm_head ends
    # the last (Qwen3-32B's index); Qwen3-8B's last file is lm_head alone.
    first_layer = sum(shards.qwen3_tensors(facts)[1:]) // facts.layers
    assert written[0] >= 4 * (embedding + first_layer)
    assert written[-1] >= 4 * embedding
    if repo == "Qwen3-8B":
        assert written[-1] == 4 * embedding
    # the same packing at save_pretrained's default 5 GB makes other counts
    assert len(shards.packed(shards.qwen3_tensors(facts), 5e9)) != len(written)
