"""trl 0.24.0's dataset preparation as the hf dialect's terminal shows it: the datasets
`map` bars SFTTrainer._prepare_dataset draws on world rank 0."""

from __future__ import annotations

from genact_cast.generator.dialects import hf_script
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_lines import bar
from genact_cast.generator.rng import Rng


def prepare_bars(
    f: Facts, split: str, examples: int, index: int, ncols: int | None
) -> tuple[list[str], float]:
    """SFTTrainer._prepare_dataset's maps on world rank 0, inside main_process_first
    (trl 0.24.0 sft_trainer.py:894): the script's formatting function (:905, a set of its own
    columns, hf_script), ShareGPT from/value turns converted to ChatML (:917), EOS added to a
    dataset that is not conversational (:929), tokenizing (:947, one example a call) and
    packing (:1045, batched), each a datasets map bar (`hf_tqdm(unit=" examples",
    desc=...)`) left at its last state; and the seconds they took."""
    rng = Rng(f.seed * 53 + index)
    layout = hf_script.records(f.dataset)
    maps = (
        []
        if hf_script.conversational(f.dataset)
        else [("Adding EOS to", rng.uniform(20_000.0, 60_000.0))]
    )
    if layout == "from_value":
        maps.insert(0, ("Converting", rng.uniform(15_000.0, 45_000.0)))
    maps += [("Tokenizing", rng.uniform(1_500.0, 4_000.0))]
    maps += [("Packing", rng.uniform(40_000.0, 120_000.0))]
    if layout == "fields":
        # drawn from its own stream: the other bars keep the rates they had
        rate = Rng(f.seed * 59 + index).uniform(30_000.0, 90_000.0)
        maps.insert(0, ("Applying formatting function to", rate))
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
