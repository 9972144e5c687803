"""A fine-tune's packed rows hold its examples' tokens, a little short of full (review-tt13
N4: trl's num_tokens counted every packed row full). trl 0.24.0 packs with Best Fit
Decreasing (data_utils.py:575-640), which never cuts an example, so rows keep what no
remaining example fits; SFTTrainer's num_tokens adds each padding-free batch's
`position_ids.size(1)`, its examples' tokens (sft_trainer.py:1127-1134). An epoch is the set
once, in as many rows as the packing makes."""

from __future__ import annotations

import functools
import re
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, generate, make_plan, packing
from genact_cast.generator.plan import RunPlan
from tests.helpers import output_of, plain

NUM_TOKENS = re.compile(r"'num_tokens': (\d+)\.0")


def best_fit_decreasing(lengths: list[int], row: int) -> int:
    """The rows of trl's _pack_bfd, written as its loop reads: longest first, each into the
    bin whose free space is the smallest that fits it (its segment tree's search), else a
    new bin."""
    free: list[int] = []
    for length in sorted(lengths, reverse=True):
        fits = [i for i, space in enumerate(free) if space >= length]
        if fits:
            best = min(fits, key=lambda i: free[i])
            free[best] -= length
        else:
            free.append(row - length)
    return len(free)


@settings(max_examples=300)
@given(
    lengths=st.lists(st.integers(1, 64), min_size=1, max_size=60), row=st.sampled_from([64, 100])
)
def test_the_packing_makes_trls_rows(lengths: list[int], row: int) -> None:
    assert packing.bins(lengths, row) == best_fit_decreasing(lengths, row)


@functools.cache
def fine_tunes() -> list[RunPlan]:
    found = []
    for seed in range(200):
        try:
            plan = make_plan(RecordOptions(seed=seed, kind="sft"))
        except (BadOption, SeedRefused):
            continue
        found.append(plan)
    return found


def test_an_epoch_is_the_set_in_rows_short_of_full() -> None:
    """Over seeds 0-199's fine-tunes: every row holds less than its length on average, and
    an epoch's steps are the fewest whose rows hold the set's tokens."""
    plans = fine_tunes()
    assert len(plans) >= 100
    for plan in plans:
        tokens = int(plan.dataset.tokens)
        assert plan.row_tokens < plan.seq_len, plan.options.seed
        batch = plan.global_batch * plan.row_tokens
        steps = plan.steps_per_epoch
        assert (steps - 1) * batch < tokens <= steps * batch, plan.options.seed
        assert plan.tokens_after(steps) == tokens
    # a set of short examples in long rows leaves more of each row empty
    fills = {round(p.row_tokens / p.seq_len, 4) for p in plans}
    assert min(fills) < 0.995 < max(fills), fills


def test_trls_num_tokens_counts_the_rows_examples() -> None:
    """Printed by the hf and deepspeed dialects (every SFT command packs): num_tokens after
    k steps is the tokens of the examples seen, not k full batches of rows, so hardly a
    count is a multiple of a batch of full rows (each was, on main)."""
    checked = 0
    for seed, framework in product(range(0, 40, 4), ("hf", "deepspeed")):
        options = RecordOptions(seed=seed, framework=framework, kind="sft", cols=1000)
        try:
            plan = make_plan(options)
        except (BadOption, SeedRefused):
            continue
        text = plain(output_of(generate(options).events))
        counts = [int(m) for m in NUM_TOKENS.findall(text)]
        assert counts, seed
        full = plan.global_batch * plan.seq_len
        whole = [c for c in counts if c % full == 0]
        assert len(whole) <= len(counts) // 10, (seed, framework, whole[:3])
        assert counts == sorted(counts) or plan.failures, seed  # one launch: it only rises
        checked += 1
    assert checked >= 10, checked
