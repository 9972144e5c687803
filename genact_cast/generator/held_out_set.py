"""How large a fine-tune's held-out set is: examples of the data set's own validation split,
never more than the split holds, packed into sequences as the training rows are.

A fine-tune's evaluation forwards packed sequences (its `Evaluating on N samples` counts
them, as the Trainer's `Num examples` counts a packed set's rows), so the held-out examples
set how many there are, not the other way round: 2,000 packed WMT16 sequences were 59,500
sentence pairs of a split of 1,999 and took 30 times the forward of the split
(review-realism13 E2). The split's size is the card's (datasets.tsv `validation`).

A set that ships a train split alone (datasets.tsv hub_splits `train,-`) holds its examples
out of that split, and trains on the rest: trl 0.24.0's sft.py evaluates on
`dataset[script_args.dataset_test_split]` ('test', sft.py:141), a KeyError on such a set, so
its script splits it first, `dataset["train"].train_test_split(test_size=N, seed=...)`
(hf_script). The held-out examples are then no longer trained on: an epoch is the train
split less them, whichever dialect shows the run.
"""

from __future__ import annotations

import math

from genact_cast.generator.catalog import Dataset

# Examples a fine-tune holds out to evaluate on: alignment-handbook's recipes and the
# Trainer examples evaluate on one to a few thousand (a judgement of their configs).
HELD_OUT_EXAMPLES = (1_000, 2_000, 5_000)


def examples(drawn: int, dataset: Dataset) -> int:
    """The held-out examples: the drawn count, capped by the card's validation split."""
    return min(drawn, dataset.validation) if dataset.validation else drawn


def split_from_train(dataset: Dataset) -> bool:
    """Whether a fine-tune on `dataset` holds its examples out of the train split, the one
    split the set ships (datasets.tsv hub_splits)."""
    return dataset.kind == "sft" and dataset.hub_splits[1] == "-"


def trained(dataset: Dataset, held_out: int) -> Dataset:
    """The examples a fine-tune on `dataset` trains on: the train split, less the
    `held_out` examples a set of no held-out split of its own gives up to evaluate on."""
    if not split_from_train(dataset):
        return dataset
    examples = dataset.examples - held_out
    return dataset._replace(examples=examples, tokens=examples * dataset.tokens_per_example)


def sequences(held_out: int, dataset: Dataset, seq_len: int, fill: float) -> int:
    """Packed rows of `seq_len` tokens, filled to `fill`, that hold `held_out` examples."""
    return max(1, math.ceil(held_out * dataset.tokens_per_example / (seq_len * fill)))
