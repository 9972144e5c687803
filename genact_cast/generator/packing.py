"""How full trl's packed rows are: its "bfd" packing (Best Fit Decreasing, trl 0.24.0
data_utils.py:575-640) places a fine-tune's examples, truncated to the row, into rows of
`max_length` tokens, each map batch of the dataset on its own (pack_dataset's `dataset.map(
..., batched=True)`, datasets' 1,000 rows a batch), and never cuts an example: every row
keeps what no remaining example fits, and each batch leaves its last rows short. A row holds
the tokens of its examples only (padding-free), which is what SFTTrainer's num_tokens counts
(sft_trainer.py:1127-1134) and what an epoch's rows must hold (review-tt13 N4: every row was
counted full)."""

from __future__ import annotations

import bisect
import functools
import math

from genact_cast.generator.rng import Rng

MAP_BATCH = 1_000  # datasets' Dataset.map batch_size default
BATCHES = 4  # map batches simulated: the mean fill settles within a few
# The spread of examples' lengths about their mean: a log-normal of sigma 0.8 (chat and
# instruction sets run from one-line answers to multi-turn conversations several times the
# mean long). A judgement, not a measurement of each set; the packing itself is trl's.
LENGTH_SIGMA = 0.8


def bins(lengths: list[int], row: int) -> int:
    """Rows Best Fit Decreasing fills with `lengths` (each at most `row`): longest first,
    each into the open row whose free space fits it most tightly, else a new row."""
    spaces: list[int] = []  # free space of the open rows, sorted
    count = 0
    for length in sorted(lengths, reverse=True):
        at = bisect.bisect_left(spaces, length)
        if at < len(spaces):
            space = spaces.pop(at)
        else:
            space, count = row, count + 1
        if space - length > 0:
            bisect.insort(spaces, space - length)
    return count


@functools.cache
def row_fill(tokens_per_example: int, row: int) -> float:
    """The share of a packed row its examples fill, on average, for a set whose examples
    hold `tokens_per_example` tokens on average; 1.0 where nothing is known of them."""
    if tokens_per_example <= 0:
        return 1.0
    draw = Rng(tokens_per_example * 7_919 + row)  # the same rows for the same set and length
    mu = math.log(tokens_per_example) - LENGTH_SIGMA**2 / 2
    held = rows = 0
    for _ in range(BATCHES):
        lengths = [
            max(1, min(row, round(math.exp(draw.normal(mu, LENGTH_SIGMA)))))
            for _ in range(MAP_BATCH)
        ]
        held += sum(lengths)
        rows += bins(lengths, row)
    return held / (rows * row)
