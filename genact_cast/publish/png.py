"""A PNG still of a cast: the screen at a moment, or the final one, drawn as the video is."""

from __future__ import annotations

import io

from genact_cast.asciicast import Theme
from genact_cast.publish.raster import still
from genact_cast.publish.screens import Timeline, last_screen


def render_png(timeline: Timeline, theme: Theme, *, size: str | int = "1080p") -> bytes:
    """The last screen of `timeline` (cut with `end_at` for a still at a moment) as PNG."""
    picture = still(last_screen(timeline), theme, size)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
