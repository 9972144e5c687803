"""review-tt11 finding 6: trl 0.24.0's SFTTrainer._prepare_dataset converts a ShareGPT set
(`conversations` of {"from", "value"} turns: is_conversational_from_value, data_utils.py:782)
to ChatML before it tokenizes (sft_trainer.py:913-923, desc `Converting {name} dataset to
ChatML`), and a set in ChatML then needs no EOS step (:926-929). OpenHermes-2.5's and
SlimOrca's records are from/value (teknium/OpenHermes-2.5's openhermes2_5.json features,
Open-Orca/SlimOrca's card); Tulu 3's SFT mix is role/content messages."""

from __future__ import annotations

import re

import pytest

from genact_cast.generator import RecordOptions, generate, make_plan
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.helpers import output_of, plain

SHAREGPT = {"OpenHermes-2.5", "SlimOrca"}


@pytest.mark.parametrize(
    ("seed", "framework"), [(8202, "hf"), (8218, "hf"), (8245, "hf"), (8202, "deepspeed")]
)
def test_a_sharegpt_set_is_converted_to_chatml_before_it_is_tokenized(
    seed: int, framework: str
) -> None:
    options = RecordOptions(seed=seed, framework=framework, kind="sft", duration=60.0)
    dataset = facts_for(make_plan(options)).dataset
    text = plain(output_of(generate(options._replace(cols=1000, color=False)).events))
    rows = re.split(r"\r\n|\r|\n", text)
    bar = re.compile(r"(?:[\w-]+: )?(\w+(?: \w+)*) (train|eval) dataset( to ChatML)?: 100%")
    bars = [m.groups() for row in rows if (m := bar.match(row))]
    steps = [(verb, split, bool(chatml)) for verb, split, chatml in bars]
    first = ["Converting"] if dataset in SHAREGPT else []
    expected = [
        (verb, split, verb == "Converting")
        for split in ("train", "eval")
        for verb in [*first, "Tokenizing", "Packing"]
    ]
    assert steps[: len(expected)] == expected
