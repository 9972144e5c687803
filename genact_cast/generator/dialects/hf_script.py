"""A fine-tune's train.py: trl 0.24.0's scripts/sft.py (its flags are the command's), with
the one change a set whose records the SFTTrainer cannot read as they are needs
(data/sft_records.tsv; review-dialects20b W2):

- `prompt_messages` (a string `prompt` beside the `messages`): one line after the load,
  before `# Initialize the SFT trainer` (sft.py:137),
  `dataset = dataset.remove_columns(["prompt", "prompt_id"])`, as trl's own
  examples/scripts/sft_gemma3.py drops the `prompt` beside open-r1/codeforces-cots'
  `messages` (`train_dataset.remove_columns("prompt")`);
- `fields` (the set's own columns): a module-level function before `def main` (sft.py:94),
  two lines and PEP 8's two blank lines, that writes the example's text, e.g. for
  MetaMathQA

      def formatting_func(example):
          return f"{example['query']}\\n\\n{example['response']}"

  and `formatting_func=formatting_func,` in the SFTTrainer call (sft.py:138-144).

A set that ships a train split alone (datasets.tsv hub_splits `train,-`: OpenHermes-2.5,
SlimOrca, Tulu-3, MetaMathQA) has no 'test' for sft.py:141's
`dataset[script_args.dataset_test_split]` to read while the run evaluates (KeyError), so the
script holds the run's held-out examples out of it, one line after the load (held_out_set):

    dataset = dataset["train"].train_test_split(test_size=2000, seed=training_args.seed)

a DatasetDict of `train` and `test`, the splits sft.py asks for by default. The seed (the
TrainingArguments', 42 unless given) makes every rank draw the same split: without one each
process would draw its own from NumPy's global state (datasets 4.4.1
arrow_dataset.py:4829-4834), which the Trainer seeds only later (trainer.py:452 at 4.57.1).
It prints nothing: its only messages are datasets' logger.info (`Caching indices mapping
at`, arrow_dataset.py:4239), under datasets' WARNING default, which --log_level (the
Trainer's transformers verbosity) does not change.

Each moves the lines below it: `trainer.train()` (sft.py:147) and the `main(...)` call
(sft.py:178), which a worker's traceback quotes."""

from __future__ import annotations

import functools

from genact_cast.generator import catalog, held_out_set, tables

# sft.py at v0.24.0: the lines of the script a worker's traceback passes through
TRAIN_CALL = 147  # trainer.train()
MAIN_CALL = 178  # main(script_args, training_args, model_args, dataset_args)
# the lines each layout of records adds above both
ADDED_LINES = {"messages": 0, "from_value": 0, "prompt_messages": 1, "fields": 5}
SPLIT_LINES = 1  # the train_test_split of a set that ships a train split alone


@functools.cache
def _records() -> dict[str, str]:
    return tables.mapping(tables.GENERATOR / "data" / "sft_records.tsv")


def records(dataset: str) -> str:
    """How the fine-tuning set `dataset` lays out its records on the Hub (sft_records.tsv)."""
    found = _records().get(dataset)
    if found is None or found not in ADDED_LINES:
        raise KeyError(f"no record layout is tabled for the fine-tuning set {dataset}")
    return found


def formats(dataset: str) -> bool:
    """Whether the script passes a formatting_func for `dataset`'s records."""
    return records(dataset) == "fields"


def conversational(dataset: str) -> bool:
    """Whether trl reads `dataset` (as the script hands it over) as conversations."""
    return records(dataset) != "fields"


def splits(dataset: str) -> bool:
    """Whether the script splits `dataset`'s one train split into train and test."""
    found = next((d for d in catalog.datasets() if d.name == dataset), None)
    return found is not None and held_out_set.split_from_train(found)


def script_line(line: int, dataset: str) -> int:
    """Line `line` of sft.py in the script that fine-tunes on `dataset`."""
    return line + ADDED_LINES[records(dataset)] + (SPLIT_LINES if splits(dataset) else 0)
