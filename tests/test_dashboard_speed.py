"""The dashboard's cost per frame does not grow with the run (review-attack8 item 12):
`record --layout dashboard --duration 86400` took 474 s, since every frame read every
point shown so far (the loss chart's axes, the throughput's median). Counted here in
points read rather than seconds, so that a loaded machine cannot make it pass or fail."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, SupportsIndex, overload

from genact_cast.generator.dashboard import screen
from genact_cast.generator.dashboard.layout import layout_for
from genact_cast.generator.dashboard.view import Point
from tests.dashboard_views import view


class Counted(list[Point]):
    """A series that counts the points read from it."""

    reads = 0

    def __iter__(self) -> Iterator[Point]:
        Counted.reads += len(self)
        return super().__iter__()

    @overload
    def __getitem__(self, index: SupportsIndex) -> Point: ...
    @overload
    def __getitem__(self, index: slice) -> list[Point]: ...
    def __getitem__(self, index: Any) -> Any:
        got = super().__getitem__(index)
        Counted.reads += len(got) if isinstance(index, slice) else 1
        return got


def _points_read(frames: int, per_frame: int = 5) -> tuple[int, Any, Any]:
    """Points read while drawing `frames` frames of a run whose series grow by `per_frame`
    points a frame, as the presenter's lists do; the last view and its frame."""
    layout = layout_for(100, 30)
    frames_of = screen.Screen(layout)
    train, lr, tokens = Counted(), Counted(), Counted()
    base = view(6000)
    Counted.reads = 0
    grid = None
    for frame in range(frames):
        for step in range(frame * per_frame + 1, (frame + 1) * per_frame + 1):
            train.append(Point(step, 2.0 + 9.7 * math.exp(-step / 300)))
            lr.append(Point(step, 3e-4 * min(1.0, step / 500)))
            tokens.append(Point(step, 3.4e6 * (0.99 + 0.02 * math.sin(7 * step))))
        shown = base._replace(step=step, train=train, lr=lr, tokens_per_second=tokens)
        grid = frames_of.draw(shown)
    return Counted.reads, shown, grid


def test_doubling_the_run_at_most_doubles_the_points_read_per_frame() -> None:
    short, _, _ = _points_read(150)
    long, last, grid = _points_read(300)
    # Each frame reads its new points and the throughput's visible tail: linear. Reading
    # every point at each frame was quadratic: 4x for twice the frames.
    assert long <= 2.2 * short, (short, long)
    # Drawn frame by frame, the last frame is the one drawn from scratch.
    fresh = screen.draw(last._replace(train=list(last.train), lr=list(last.lr),
                                      tokens_per_second=list(last.tokens_per_second)),
                        layout_for(100, 30))  # fmt: skip
    assert grid is not None
    assert (grid.chars, grid.styles) == (fresh.chars, fresh.styles)
