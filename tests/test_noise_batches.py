"""Noise drawn in batches (`Noise.many`, `Noise.prefetch`, `Run.prefetch`) is the noise
drawn one at a time: the same 64 bits for every (stream, index), so that a cast does not
change by a byte when a presenter draws its steps' noise ahead."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.noise import Noise
from genact_cast.generator.run import Run
from tests.seed_scan import runnable_from, seed_where

_MASK = (1 << 64) - 1


def splitmix64(key: int, stream: int, index: int) -> int:
    """SplitMix64's finalizer (Steele, Lea and Flood 2014; Vigna's splitmix64.c) of the
    key xor (stream << 48) + index, written out from the reference C with 64-bit wrap."""
    z = ((key ^ ((stream << 48) + index) & _MASK) + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


indices = st.one_of(
    st.integers(0, 10**7),
    st.integers(0, _MASK),  # a whole lane's worth, the carries of + and * at their largest
    st.integers(-(2**70), 2**70),  # outside a lane: drawn one at a time
)


@settings(max_examples=400)
@given(
    seed=st.integers(0, 2**64), stream=st.integers(0, 2**16), wanted=st.lists(indices, max_size=700)
)
def test_a_batch_is_the_draws_one_at_a_time(seed: int, stream: int, wanted: list[int]) -> None:
    noise = Noise(seed)
    expected = [splitmix64(noise._key, stream, i) for i in wanted]
    assert [noise.bits(stream, i) for i in wanted] == expected
    assert noise.many(stream, wanted) == expected
    noise.prefetch(stream, wanted)
    assert [noise.bits(stream, i) for i in wanted] == expected
    assert [noise.normal(stream, i, 0.5) for i in wanted] == [
        Noise(seed).normal(stream, i, 0.5) for i in wanted
    ]


def test_a_run_drawn_ahead_gives_every_step_as_before() -> None:
    """Steps of a run asked with their noise drawn ahead (as the dialects' presenter asks
    them, Run.prefetch) against a run that draws each at its step: equal in every field,
    for the launches of a run with restarts, a model with a router, and a fine-tune."""
    # 40 restarts (two launches), 12 routes through experts, 3 has a z-loss; 74 continues a
    # dense model in one launch, TP 8 x 8 replicas (9 did so on Qwen3-32B until continued
    # pre-training took only released bases, review-realism13 N4: an OLMo-2-7B torchtitan
    # refuses)
    # (Each seed, or the next the framework runs, and for the router the first mixture of
    # experts from 12 torchtitan trains, as the draws move: N10's planned date window.)
    cases = [
        runnable_from(seed, framework=framework, duration=180.0)
        for seed, framework in ((74, "torchtitan"), (17, "megatron"), (40, "deepspeed"), (3, "hf"))
    ]
    moe = seed_where(lambda plan: plan.arch.moe, range(12, 400), framework="torchtitan")
    cases.append(RecordOptions(seed=moe, framework="torchtitan", duration=180.0))
    for options in cases:
        plan = make_plan(options)
        ahead, alone = Run(plan), Run(plan)
        for attempt in sorted(ahead._segments):
            for segment in ahead._segments[attempt]:
                steps = list(range(segment.first, segment.last + 1, 7))
                ahead.prefetch(steps, attempt)
                assert [ahead.step(s, attempt) for s in steps] == [
                    alone.step(s, attempt) for s in steps
                ]
        assert ahead.noise._drawn, "nothing was drawn ahead"
