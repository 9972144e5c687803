"""review-dialects20b W2: trl 0.24.0's SFTTrainer reads a set as conversations (`messages`,
or ShareGPT `conversations` it converts itself) or as text (`text`, or prompt/completion);
anything else raises KeyError: 'text' (sft_trainer.py:1019). WMT16's `translation`,
CNN-DailyMail's article/highlights, XSum's document/summary and MetaMathQA's query/response
are neither, and UltraChat's string `prompt` beside its `messages` makes trl take its rows
for prompt-completion (:950). train.py (trl's scripts/sft.py) gives each such set what it
needs, for every fine-tuning set of the data files (sft_records.tsv, hf_script): a
formatting function, whose map and the EOS map (:905, :929) draw their bars before the
tokenizing, or a dropped column, which draws none."""

from __future__ import annotations

import re

import pytest

from genact_cast.generator import RecordOptions, catalog, generate, make_plan
from genact_cast.generator.dialects import hf_script
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.helpers import output_of, plain

SFT_SETS = [d.name for d in catalog.datasets() if d.kind == "sft"]
# the maps trl draws on world rank 0 for each layout of records, per split
MAPS = {
    "messages": ["Tokenizing", "Packing"],
    "prompt_messages": ["Tokenizing", "Packing"],
    "from_value": ["Converting", "Tokenizing", "Packing"],
    "fields": ["Applying formatting function to", "Adding EOS to", "Tokenizing", "Packing"],
}


def test_every_fine_tuning_set_has_its_records_layout() -> None:
    """The whole class: each set a fine-tune may draw is tabled, and trl 0.24.0 reads each
    as the script hands it over (the Hub columns of the four sets of their own fields, and
    UltraChat's prompt column, are what review-dialects20b found)."""
    layouts = {name: hf_script.records(name) for name in SFT_SETS}
    assert set(layouts.values()) <= set(MAPS)
    assert {n for n, r in layouts.items() if r == "fields"} == {
        "WMT16-ro-en",
        "CNN-DailyMail",
        "XSum",
        "MetaMathQA",
    }
    assert layouts["UltraChat-200k"] == "prompt_messages"
    assert {n for n, r in layouts.items() if r == "from_value"} == {"OpenHermes-2.5", "SlimOrca"}


@pytest.mark.parametrize("index", range(len(SFT_SETS)))
def test_each_set_is_prepared_as_trl_reads_it(index: int) -> None:
    dataset = SFT_SETS[index]
    framework = ("hf", "deepspeed")[index % 2]
    options = RecordOptions(
        seed=47300 + index, framework=framework, kind="sft", dataset=dataset, duration=60.0
    )
    assert facts_for(make_plan(options)).dataset == dataset
    text = plain(output_of(generate(options._replace(cols=1000, color=False)).events))
    rows = re.split(r"\r\n|\r|\n", text)
    bar = re.compile(r"(?:[\w-]+: )?(\w+(?: \w+)*) (train|eval) dataset(?: to ChatML)?: 100%")
    found = [m.groups() for row in rows if (m := bar.match(row))]
    maps = MAPS[hf_script.records(dataset)]
    assert found == [(verb, split) for split in ("train", "eval") for verb in maps]
    # the dataset trl is given is the Hub's, by its id: the script, not the command, adapts it
    hub = next(d.hub for d in catalog.datasets() if d.name == dataset)
    assert f"--dataset_name {hub}" in text


def test_the_script_s_added_lines_move_the_lines_a_traceback_quotes() -> None:
    """sft.py's `trainer.train()` (147) and `main(...)` (178) at v0.24.0, below the lines a
    set's records need: a formatting function (two lines, two blank ones, the keyword in the
    SFTTrainer call), a dropped column (one line) and the train_test_split of a set that
    ships a train split alone (one line)."""
    assert hf_script.script_line(hf_script.TRAIN_CALL, "CNN-DailyMail") == 152
    assert hf_script.script_line(hf_script.TRAIN_CALL, "Tulu-3-SFT-Mix") == 148
    assert hf_script.script_line(hf_script.MAIN_CALL, "SlimOrca") == 179
    assert hf_script.script_line(hf_script.TRAIN_CALL, "UltraChat-200k") == 148
    assert hf_script.script_line(hf_script.MAIN_CALL, "MetaMathQA") == 184
    with pytest.raises(KeyError):
        hf_script.records("FineWeb")
