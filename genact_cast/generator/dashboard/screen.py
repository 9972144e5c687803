"""One frame of the dashboard: every pane drawn from a view into a grid."""

from __future__ import annotations

from genact_cast.generator.dashboard import chart, gpus, logtail, throughput, titlebar
from genact_cast.generator.dashboard.grid import Grid
from genact_cast.generator.dashboard.layout import Layout
from genact_cast.generator.dashboard.view import View


def draw(view: View, layout: Layout, *, color: bool = True) -> Grid:
    grid = Grid(layout.cols, layout.rows, color=color)
    titlebar.draw(grid.region(layout.title), view)
    chart.draw(grid.region(layout.loss).box(chart.title(view)), view)
    throughput.draw(grid.region(layout.throughput).box(throughput.title(view)), view)
    gpus.draw(grid.region(layout.gpus).box(gpus.title(view)), view)
    throughput.draw_nccl(grid.region(layout.nccl).box(throughput.nccl_title(view)), view)
    logtail.draw(grid.region(layout.log).box(logtail.title(view)), view)
    return grid
