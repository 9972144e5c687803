"""trl_metrics' means are of float32 values as a float32 tensor's `.item()` gives them: the
array of C floats that rounds them (a speed change) gives, value for value, what packing
each double into IEEE single precision gives (struct's '<f', common.float32), including
ties, subnormals and the ceiling."""

from __future__ import annotations

import struct

import pytest

from genact_cast.generator.dialects import trl_metrics
from genact_cast.generator.rng import Rng


def packed_mean(level: float, calls: int, *, spread: float, key: int, ceiling: float) -> float:
    """window_mean's draws, each value rounded through struct's IEEE single precision."""
    rng = Rng(key)
    strays = [spread * (2.0 * rng.random() - 1.0) for _ in range(max(1, calls))]
    centre = sum(strays) / len(strays)
    values = [
        struct.unpack("<f", struct.pack("<f", min(ceiling, max(0.0, level * (1.0 + s - centre)))))[
            0
        ]
        for s in strays
    ]
    return float(sum(values) / len(values))


@pytest.mark.parametrize("level", [0.0, 1e-42, 0.43, 0.9999999, 1.0, 1.9093962386250496, 7.5e5])
@pytest.mark.parametrize("ceiling", [1.0, float("inf")])
def test_window_mean_rounds_as_float32(level: float, ceiling: float) -> None:
    for key in range(40):
        for calls in (0, 1, 7, 64):
            for spread in (0.0, 0.02, 0.04):
                got = trl_metrics.window_mean(level, calls, spread=spread, key=key, ceiling=ceiling)
                want = packed_mean(level, calls, spread=spread, key=key, ceiling=ceiling)
                assert got.hex() == want.hex(), (level, ceiling, key, calls, spread)


def test_ties_round_to_even() -> None:
    """A double halfway between two floats rounds to the even one, as IEEE's cast does."""
    one_ulp = 2.0**-23
    for tie in (1.0 + one_ulp / 2, 1.0 + 3 * one_ulp / 2):
        got = trl_metrics.window_mean(tie, 1, spread=0.0, key=1, ceiling=float("inf"))
        assert got == struct.unpack("<f", struct.pack("<f", tie))[0]
    assert trl_metrics.window_mean(1.0 + one_ulp / 2, 1, spread=0.0, key=1, ceiling=2.0) == 1.0
