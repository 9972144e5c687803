"""trl 0.24.0's dataset preparation as the hf dialect's terminal shows it: the datasets
`map` bars SFTTrainer._prepare_dataset draws on world rank 0."""

from __future__ import annotations

import functools

from genact_cast.generator import catalog, tables
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_lines import bar
from genact_cast.generator.rng import Rng


@functools.cache
def _from_value() -> frozenset[str]:
    """The fine-tuning sets stored as ShareGPT from/value turns (data/sft_records.tsv)."""
    table = tables.mapping(tables.GENERATOR / "data" / "sft_records.tsv")
    return frozenset(name for name, records in table.items() if records == "from_value")


def prepare_bars(
    f: Facts, split: str, examples: int, index: int, ncols: int | None
) -> tuple[list[str], float]:
    """SFTTrainer._prepare_dataset's maps on world rank 0, inside main_process_first
    (trl 0.24.0 sft_trainer.py:894): ShareGPT from/value turns converted to ChatML (:917),
    EOS added to a dataset that is not conversational (:929), tokenizing (:947, one example
    a call) and packing (:1045, batched), each a datasets map bar
    (`hf_tqdm(unit=" examples", desc=...)`) left at its last state; and the seconds they took."""
    rng = Rng(f.seed * 53 + index)
    chat = next((d.task == "chat" for d in catalog.datasets() if d.name == f.dataset), True)
    maps = [] if chat else [("Adding EOS to", rng.uniform(20_000.0, 60_000.0))]
    if f.dataset in _from_value():
        maps.insert(0, ("Converting", rng.uniform(15_000.0, 45_000.0)))
    maps += [("Tokenizing", rng.uniform(1_500.0, 4_000.0))]
    maps += [("Packing", rng.uniform(40_000.0, 120_000.0))]
    lines, seconds = [], 0.0
    for verb, rate in maps:
        took = examples / rate
        seconds += took
        desc = (
            f"{verb} {split} dataset to ChatML: "
            if verb == "Converting"
            else f"{verb} {split} dataset: "
        )
        lines.append(bar(examples, examples, took, rate, ncols, desc=desc, unit=" examples"))
    return lines, seconds
