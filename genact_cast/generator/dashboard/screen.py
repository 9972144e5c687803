"""Frames of the dashboard: every pane drawn from a view into a grid."""

from __future__ import annotations

from genact_cast.generator.dashboard import chart, gpus, logtail, throughput, titlebar
from genact_cast.generator.dashboard.grid import Grid
from genact_cast.generator.dashboard.layout import Layout
from genact_cast.generator.dashboard.view import View


class Screen:
    """Draws successive views of one run at one size.

    The borders are drawn once; the chart keeps its canvas while its axes hold. A
    frame is the same grid as `draw` gives for the same view.
    """

    def __init__(self, layout: Layout, *, color: bool = True) -> None:
        self.layout = layout
        self._background = Grid(layout.cols, layout.rows, color=color)
        for name, rect in layout.panes().items():
            if name != "title":
                self._background.region(rect).border()
        self._chart = chart.LossChart()
        self._steady = throughput.Steady()

    def draw(self, view: View) -> Grid:
        layout, grid = self.layout, self._background.copy()
        titlebar.draw(grid.region(layout.title), view)
        self._chart.draw(grid.region(layout.loss).titled(chart.title(view)), view)
        pane = grid.region(layout.throughput).titled(throughput.title(view))
        throughput.draw(pane, view, self._steady)
        gpus.draw(grid.region(layout.gpus).titled(gpus.title(view)), view)
        throughput.draw_nccl(grid.region(layout.nccl).titled(throughput.nccl_title(view)), view)
        logtail.draw(grid.region(layout.log).titled(logtail.title(view)), view)
        return grid


def draw(view: View, layout: Layout, *, color: bool = True) -> Grid:
    """One frame, from scratch."""
    return Screen(layout, color=color).draw(view)
