"""The days a run can be dated: the window in which every release the dialects pin is current.

One window for every dialect, the genact log too, so that a seed's run is the same run
whichever dialect shows it (issue 17 N10: a log of 2026 naming torch 2.9.0 reads as stale).
"""

import functools
from datetime import date, timedelta
from typing import NamedTuple

from genact_cast.generator import catalog, tables


class Successor(NamedTuple):
    """The release that ends a pinned release's time as the one its users run."""

    package: str
    pinned: str  # the pinned release's version (frameworks.tsv)
    version: str
    released: date


class Window(NamedTuple):
    first: date
    last: date
    closed_by: Successor  # the successor whose release ends the window

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last

    def __str__(self) -> str:
        return f"{self.first:%Y-%m-%d} to {self.last:%Y-%m-%d}"


@functools.cache
def successors() -> tuple[Successor, ...]:
    rows = tables.rows(catalog.DATA / "successors.tsv")
    return tuple(Successor(r[0], r[1], r[2], date.fromisoformat(r[3])) for r in rows)


@functools.cache
def window() -> Window:
    """From the day after the newest pinned release (catalog.release_floor) to the day before
    the first successor that came out after it. A successor that came out before the newest
    pin (deepspeed 0.18.0) cannot be avoided by any day: its pin lags, as teams' pins do
    (successors.tsv)."""
    first = catalog.release_floor()
    after = [s for s in successors() if s.released >= first]
    closing = min(after, key=lambda s: s.released)
    return Window(first, closing.released - timedelta(days=1), closing)


def refusal(day: date) -> str:
    """The line that refuses a run dated `day`, outside the window."""
    span = window()
    ends = span.closed_by
    return (
        f"no run can be dated {day:%Y-%m-%d}: runs are dated {span}, while every release "
        f"the dialects name is current ({ends.package} {ends.version} came out on "
        f"{ends.released:%Y-%m-%d}); use a --start in that window, or leave the date to the seed"
    )
