"""Keyed noise: a random number as a pure function of (seed, what, index).

The run's numbers must not depend on how many random numbers were drawn before them
(how many steps a presenter shows, how wide the terminal is), so each one is a hash
of what it is for and which step it belongs to. SplitMix64's finalizer is the hash:
fast in pure Python, well mixed, and the same on every Python version.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_UNIT = 1.0 / 2.0**53
_SQRT3 = 3.0**0.5


def _mix(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class Noise:
    def __init__(self, seed: int) -> None:
        # Mixed twice: the key must not share low bits with the (stream, index) it meets.
        self._key = _mix(_mix(seed & _MASK))

    def bits(self, stream: int, index: int) -> int:
        """64 random bits for (`stream`, `index`)."""
        z = (self._key ^ ((stream << 48) + index) & _MASK) + 0x9E3779B97F4A7C15 & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return z ^ (z >> 31)

    def unit(self, stream: int, index: int) -> float:
        """A float in [0, 1) for (`stream`, `index`)."""
        return (self.bits(stream, index) >> 11) * _UNIT

    def uniform(self, stream: int, index: int, low: float, high: float) -> float:
        return low + (high - low) * (self.bits(stream, index) >> 11) * _UNIT

    def normal(self, stream: int, index: int, sigma: float = 1.0) -> float:
        """About normal (Irwin-Hall: four 16-bit uniforms from one hash), within ±3.5σ."""
        b = self.bits(stream, index)
        total = (b & 0xFFFF) + (b >> 16 & 0xFFFF) + (b >> 32 & 0xFFFF) + (b >> 48)
        return sigma * (total / 65536.0 - 2.0) * _SQRT3
