"""docs/dialects.md says what each dialect shows at its `Export` marker; the casts hold to it
(review-mg14 X1: the page said every dialect converts its last checkpoint and lists the
safetensors shards, while Megatron's run prints no conversion: core_v0.14.0's
tools/checkpoint/ has no Hugging Face saver for a GPT model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from genact_cast.generator import RecordOptions, generate
from tests.helpers import output_of, plain

DOC = Path(__file__).resolve().parent.parent / "docs" / "dialects.md"
# The page's own examples: seed 13 under torchtitan and 6 under Megatron, 7 elsewhere.
SEEDS = {"torchtitan": 13, "megatron": 6, "deepspeed": 7, "hf": 7}
# What each kind of export leaves in the log after the marker.
CONVERTS = re.compile(r"convert_to_hf\.py|tools/checkpoint/convert\.py")
SHARDS = re.compile(r"safetensors|checkpoint shards")


def export_sentence() -> str:
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    found = re.search(r"At `Export` (.*?)\. `genact-cast run", text)
    assert found, "docs/dialects.md: no sentence on what the Export marker shows"
    return found.group(1)


def after_export(framework: str) -> str:
    options = RecordOptions(
        seed=SEEDS[framework], duration=30, framework=framework, cols=1000, color=False
    )
    events = list(generate(options).events)
    start = next(i for i, e in enumerate(events) if e.code == "m" and e.data == "Export")
    return plain(output_of(events[start:]))


@pytest.mark.parametrize("framework", sorted(SEEDS))
def test_the_export_is_the_one_the_page_describes(framework: str) -> None:
    sentence = export_sentence()
    clauses = {
        "torchtitan": r"torchtitan runs the tag's `scripts/checkpoint_conversion/convert_to_hf",
        "megatron": r"Megatron-LM converts nothing",
        "deepspeed": r"the Trainer \(`hf`, `deepspeed`\) saves the final model itself",
        "hf": r"the Trainer \(`hf`, `deepspeed`\) saves the final model itself",
    }
    assert re.search(clauses[framework], sentence), sentence
    shown = after_export(framework)
    if framework == "megatron":
        assert not CONVERTS.search(shown)
        assert not SHARDS.search(shown)
        assert "[after training is done]" in shown
    else:
        assert SHARDS.search(shown)
        assert bool(CONVERTS.search(shown)) == (framework == "torchtitan")
