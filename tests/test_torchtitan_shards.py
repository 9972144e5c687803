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
    assert shards.hf_shard_counts()["DeepSeek-V3"] == 163
    written = shards.export_shards("DeepSeek-V3", [5e9] * 10, 671_026_404_352)
    assert len(written) == 163
    assert sum(written) == pytest.approx(4 * 671_026_404_352)
