"""A PNG still of a cast: the screen at a moment, or the final one, drawn as the video is."""

from __future__ import annotations

import io

from genact_cast.asciicast import Theme
from genact_cast.publish.picture_layout import check_picture, layout
from genact_cast.publish.raster import still
from genact_cast.publish.screens import Screen, Timeline, last_screen

# 16384 pixels a side: about 800 MB of RGB at most, and what browsers display.
MAX_PICTURE = (16384, 16384)


def render_png(timeline: Timeline, theme: Theme, *, size: str | int = "1080p") -> bytes:
    """The last screen of `timeline` (cut with `end_at` for a still at a moment) as PNG."""
    return screen_png(last_screen(timeline), theme, size=size)


def screen_png(screen: Screen, theme: Theme, *, size: str | int = "1080p") -> bytes:
    """One screen as PNG."""
    planned = layout(screen.cols, len(screen.rows), size)
    check_picture(planned.width, planned.height, size, MAX_PICTURE, "a PNG here holds")
    picture = still(screen, theme, size)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
