"""How large a fine-tune's held-out set is: examples of the data set's own validation split,
never more than the split holds, packed into sequences as the training rows are.

A fine-tune's evaluation forwards packed sequences (its `Evaluating on N samples` counts
them, as the Trainer's `Num examples` counts a packed set's rows), so the held-out examples
set how many there are, not the other way round: 2,000 packed WMT16 sequences were 59,500
sentence pairs of a split of 1,999 and took 30 times the forward of the split
(review-realism13 E2). The split's size is the card's (datasets.tsv `validation`); a set
that ships none holds out part of its train split.
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


def sequences(held_out: int, dataset: Dataset, seq_len: int, fill: float) -> int:
    """Packed rows of `seq_len` tokens, filled to `fill`, that hold `held_out` examples."""
    return max(1, math.ceil(held_out * dataset.tokens_per_example / (seq_len * fill)))
