"""A run that loads released weights counts the files of the model's Hub repository (its
model.safetensors.index.json, data/hub_shards.tsv), not a 5 GB packing of the model
(review-realism19 hf-shard-count: Llama-3-70B loaded in 29 shards, its repository has 30;
Qwen2.5-72B in 30 of 37; Qwen3-8B in 4 of 5)."""

from __future__ import annotations

import re

import pytest

from genact_cast.generator import RecordOptions, released_shards, tables
from genact_cast.generator.catalog import DATA, architectures
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.release_catalogue import release_lines
from tests.seed_scan import plans

TABLE = DATA / "hub_shards.tsv"
BAR = re.compile(r"Loading checkpoint shards: 100%\|[^|]*\| (\d+)/(\d+) ")


def test_every_released_checkpoint_has_a_row_and_each_count_its_source() -> None:
    """Every catalogue model a run can load has its repository's row: a count whose
    repository the table's sources name, or `-` (no public listing found)."""
    rows = dict(tables.rows(TABLE))
    comments = "\n".join(t for t in TABLE.read_text("utf-8").splitlines() if t.startswith("#"))
    for arch in architectures():
        repo = released_shards.repository(arch.name)
        if arch.base == "-":
            assert repo is None
            continue
        assert repo in rows, repo
        name = repo.split("/")[1]
        assert name in comments, f"{repo}: no source"
        if rows[repo] != "-":
            assert int(rows[repo]) >= 1
    # the review's figures, from the repositories' listings
    assert released_shards.released_files("Llama-3-70B") == 30
    assert released_shards.released_files("Qwen2.5-72B") == 37
    assert released_shards.released_files("Qwen3-8B") == 5


@pytest.mark.parametrize("framework", ["hf", "deepspeed"])
@pytest.mark.parametrize("kind", ["sft", "continue"])
def test_a_cast_s_shards_bar_counts_the_repository_s_files(framework: str, kind: str) -> None:
    """Seeds by plan: for each model drawn (one seed a model), every `Loading checkpoint
    shards` bar ends at the repository's count; a repository of one file (no bar,
    `if len(args_list) > 1`, modeling_utils.py:5464 at 4.57.1) or of no public listing
    prints none, and names model.safetensors alone where it is one file. Casts that open past
    the loading are passed over."""
    seen: dict[str, int] = {}
    for seed, plan in plans(range(120), framework=framework, kind=kind):
        arch = facts_for(plan).arch
        if arch in seen or len(seen) >= 4:
            continue
        found = release_lines(RecordOptions(seed=seed, framework=framework, kind=kind))
        weights = [t for t in found if "loading weights file " in t]
        if not weights:  # a cast that opens past the loading (or on a resumed launch)
            continue
        seen[arch] = seed
        counts = {m.groups() for t in found if (m := BAR.search(t))}
        expected = released_shards.released_files(arch)
        if expected is None or expected < 2:
            assert not counts, (seed, arch)
        else:
            assert counts == {(str(expected), str(expected))}, (seed, arch, counts)
        single = "/model.safetensors" if expected == 1 else "/model.safetensors.index.json"
        assert all(t.endswith(single) for t in weights), (seed, arch)
    assert seen, (framework, kind)
