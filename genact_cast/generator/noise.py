"""Keyed noise: a random number as a pure function of (seed, what, index).

The run's numbers must not depend on how many random numbers were drawn before them
(how many steps a presenter shows, how wide the terminal is), so each one is a hash
of what it is for and which step it belongs to. SplitMix64's finalizer is the hash:
fast in pure Python, well mixed, and the same on every Python version.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable

_MASK = (1 << 64) - 1
_UNIT = 1.0 / 2.0**53
_SQRT3 = 3.0**0.5
_GOLDEN = 0x9E3779B97F4A7C15
_MUL1 = 0xBF58476D1CE4E5B9
_MUL2 = 0x94D049BB133111EB
# `Noise.many`'s batches: lanes of 128 bits, a 64-bit value with room above it for its
# product, up to 256 of them (a long int of 4 KiB).
_BATCH = 256
_NONE: dict[int, int] = {}  # no stream drawn ahead


@functools.lru_cache(maxsize=16)
def _lanes(size: int) -> tuple[int, int, int]:
    """For a batch of `size` lanes: a 1 in each lane, each lane's low 64 bits set, and
    the golden gamma in each lane."""
    ones = int.from_bytes((b"\x01" + bytes(15)) * size, "little")
    return ones, _MASK * ones, _GOLDEN * ones


def _mix(z: int) -> int:
    z = (z + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * _MUL1) & _MASK
    z = ((z ^ (z >> 27)) * _MUL2) & _MASK
    return z ^ (z >> 31)


class Noise:
    def __init__(self, seed: int) -> None:
        # Mixed twice: the key must not share low bits with the (stream, index) it meets.
        self._key = _mix(_mix(seed & _MASK))
        self._keys: dict[int, int] = {}  # by batch size: the key in each lane (`many`)
        # Bits worked out ahead by `prefetch`: by stream, then by index.
        self._drawn: dict[int, dict[int, int]] = {}

    def bits(self, stream: int, index: int) -> int:
        """64 random bits for (`stream`, `index`)."""
        if self._drawn:  # anything drawn ahead (a dialect's steps; genact's log draws none)
            cached = self._drawn.get(stream, _NONE).get(index)
            if cached is not None:
                return cached
        z = (self._key ^ ((stream << 48) + index) & _MASK) + _GOLDEN & _MASK
        z = ((z ^ (z >> 30)) * _MUL1) & _MASK
        z = ((z ^ (z >> 27)) * _MUL2) & _MASK
        return z ^ (z >> 31)

    def prefetch(self, stream: int, indices: Iterable[int]) -> None:
        """Work out `bits(stream, i)` for every i of `indices` at once, for `bits` to look
        up: a run's logged steps draw thousands, and one hash costs 7k instructions on
        Python's ints, where a batch costs about one (`many`)."""
        wanted = list(indices)
        drawn = self._drawn.setdefault(stream, {})
        drawn.update(zip(wanted, self.many(stream, wanted), strict=True))

    def many(self, stream: int, indices: Iterable[int]) -> list[int]:
        """`[bits(stream, i) for i in indices]`, hashed together.

        SplitMix64's finalizer as `bits` mixes it, on a batch at once: each input is a
        128-bit lane of one long int, so that every shift, xor and multiply of the mix is
        one operation in C over the whole batch. A lane's upper 64 bits hold the product of
        two 64-bit values; the bits a right shift brings in from the lane above are masked
        off before the lane is multiplied."""
        from array import array  # here: genact's own log never batches, nor pays the import

        wanted = list(indices)
        try:
            words = array("Q", wanted)
        except OverflowError:  # an index below 0 or past 64 bits: one at a time
            return [self.bits(stream, i) for i in wanted]
        n = len(wanted)
        out: list[int] = []
        base = stream << 48
        for start in range(0, n, _BATCH):
            size = min(_BATCH, n - start)
            width = 1 << max(3, (size - 1).bit_length())  # a batch's lanes: a power of two
            ones, lanes, goldens = _lanes(width)
            keys = self._keys.get(width)
            if keys is None:
                keys = self._keys[width] = self._key * ones
            padded = array("Q", bytes(16 * width))
            padded[: 2 * size : 2] = words[start : start + size]
            if sys.byteorder == "big":
                padded.byteswap()
            z = int.from_bytes(padded.tobytes(), "little") + base * ones & lanes
            z = (z ^ keys) + goldens & lanes
            z = ((z ^ (z >> 30)) & lanes) * _MUL1 & lanes
            z = ((z ^ (z >> 27)) & lanes) * _MUL2 & lanes
            z ^= (z >> 31) & lanes
            mixed = array("Q", z.to_bytes(16 * width, "little"))
            if sys.byteorder == "big":
                mixed.byteswap()
            out += mixed[: 2 * size : 2].tolist()
        return out

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
