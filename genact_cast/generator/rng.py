"""The one source of randomness, reproducible across Python versions.

Only `random.Random.random()` (and integer seeding) is promised to give the same
sequence on every Python; `randrange`, `choice`, `shuffle` and `gauss` are not.
Every helper here is therefore built on `random()` alone.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class Rng:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        # A float in [0, 1): the generator's own method, not a call through one of ours
        # (drawn thousands of times a record).
        self.random: Callable[[], float] = self._random.random

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self._random.random()

    def integer(self, low: int, high: int) -> int:
        """An integer in [low, high], both ends included.

        A float holds 53 bits: a wider range (a 64-bit NCCL id) is drawn 32 bits at a
        time, so that its low bits are as random as its high ones."""
        span = high - low + 1
        if span <= 2**53:
            return low + int(self._random.random() * span)
        value = 0
        for _ in range(-(-span.bit_length() // 32)):
            value = value << 32 | int(self._random.random() * 2**32)
        return low + value % span

    def chance(self, probability: float) -> bool:
        return self._random.random() < probability

    def pick(self, items: Sequence[T]) -> T:
        if not items:
            raise ValueError("cannot pick from an empty sequence")
        return items[int(self._random.random() * len(items))]

    def normal(self, mean: float = 0.0, sigma: float = 1.0) -> float:
        """Box-Muller, so that it rests on `random()` alone."""
        u1 = 1.0 - self._random.random()  # in (0, 1]: log stays finite
        u2 = self._random.random()
        return mean + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def weights(self, count: int, spread: float = 0.4) -> list[float]:
        """`count` positive weights around 1 that sum to 1: for sharing a time budget."""
        raw = [1.0 + spread * (2.0 * self._random.random() - 1.0) for _ in range(count)]
        total = math.fsum(raw)
        return [w / total for w in raw]

    def fork(self) -> Rng:
        """An independent stream, so one phase's draws never shift another's."""
        return Rng(int(self._random.random() * 2**53))
