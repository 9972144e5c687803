"""Keyed noise: a random number as a pure function of (seed, what, index).

The run's numbers must not depend on how many random numbers were drawn before them
(how many steps a presenter shows, how wide the terminal is), so each one is a hash
of what it is for and which step it belongs to. SplitMix64's finalizer is the hash:
fast in pure Python, well mixed, and the same on every Python version.
"""

from __future__ import annotations

import math

_MASK = (1 << 64) - 1


def _mix(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class Noise:
    def __init__(self, seed: int) -> None:
        self._key = _mix(seed & _MASK)

    def unit(self, stream: int, index: int) -> float:
        """A float in [0, 1) for (`stream`, `index`)."""
        return (_mix(self._key ^ _mix((stream << 40) ^ (index & _MASK))) >> 11) / 2.0**53

    def uniform(self, stream: int, index: int, low: float, high: float) -> float:
        return low + (high - low) * self.unit(stream, index)

    def normal(self, stream: int, index: int, sigma: float = 1.0) -> float:
        """Box-Muller on two keyed units."""
        u1 = 1.0 - self.unit(stream, 2 * index)
        u2 = self.unit(stream, 2 * index + 1)
        return sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
