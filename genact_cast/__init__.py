"""genact-cast: fake an LLM training run in a terminal and make it a real screencast.

`genact_cast.record(seed=13, framework="torchtitan")` and `genact_cast.load("x.cast")` give a
cast that a notebook shows as a player. Both import what they need when called, so that
`import genact_cast` (and the CLI's start-up) stays as fast as it was.
"""

from __future__ import annotations

# Not `typing.TYPE_CHECKING`: importing typing alone would add ~10 ms to `import genact_cast`.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import os

    from genact_cast.docs.notebook import CastView

__version__ = "0.1.0"


def record(seed: int | None = None, **options: object) -> CastView:
    """A generated run, as `genact-cast record` makes it: `record(seed=7, cols=120)`."""
    from genact_cast.docs.notebook import record as _record

    return _record(seed, **options)


def load(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> CastView:
    """A cast file (v1, v2 or v3), to show in a notebook or save; the path a str, bytes or
    os.PathLike."""
    from genact_cast.docs.notebook import load as _load

    return _load(path)
