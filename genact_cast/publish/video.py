"""MP4 (H.264) and WebM (VP9) of a cast, with its markers as chapters, through PyAV.

PyAV (`genact-cast[video]`) carries FFmpeg in its wheel and encodes in-process: frames go
to the encoder as they are drawn, each with its own timestamp, so a screen that stays
still for a minute is one frame, not 1,800, and memory stays flat however long the cast.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genact_cast.asciicast import Theme
from genact_cast.errors import GenactCastError
from genact_cast.publish.raster import Raster
from genact_cast.publish.screens import Screen, Timeline

if TYPE_CHECKING:
    import av.container

MILLIS = Fraction(1, 1000)
EXTRA = "video export needs PyAV and Pillow: pip install 'genact-cast[video]'"
MAX_TITLE = 200  # a chapter title longer than this is cut


def require_video() -> None:
    """One line naming the extra when its packages are missing."""
    try:
        import av  # noqa: F401
        import PIL  # noqa: F401
        import pyte  # noqa: F401
    except ImportError:
        raise GenactCastError(EXTRA) from None


# Encoder settings: chosen for terminal content (flat colours, sharp text, long stills).
CODECS: dict[str, tuple[str, str, dict[str, str], dict[str, str]]] = {
    # format: (container, codec, codec options, container options)
    "mp4": (
        "mp4",
        "libx264",
        {"preset": "veryfast", "crf": "23", "tune": "stillimage"},
        {"movflags": "+faststart", "fflags": "+bitexact"},
    ),
    "webm": (
        "webm",
        "libvpx-vp9",
        {
            "deadline": "realtime",
            "cpu-used": "8",
            "row-mt": "1",
            "crf": "34",
            "b": "0",
            "lag-in-frames": "0",  # no look-ahead buffer: memory stays low
        },
        {"fflags": "+bitexact"},  # no random segment IDs: the same cast gives the same bytes
    ),
}


def chapter_title(label: str) -> str:
    """A marker's label as a chapter title: one line, no control characters, bounded."""
    text = "".join(c if c.isprintable() else " " for c in label).strip()
    return text[:MAX_TITLE] or "Chapter"


def chapters(markers: list[tuple[float, str]], end: float) -> list[dict[str, Any]]:
    """Chapters from markers: each runs until the next one (or the end of the clip).

    Time before the first marker is a chapter of its own, "Start": MP4's chapter track
    lays chapters end to end from 0, so without it the first marker would move to 0.
    """
    result: list[dict[str, Any]] = []
    points = [(round(t * 1000), label) for t, label in markers if 0 <= t <= end]
    end_ms = round(end * 1000)
    if points and points[0][0] > 0:
        points.insert(0, (0, "Start"))
    for index, (start, label) in enumerate(points):
        stop = points[index + 1][0] if index + 1 < len(points) else end_ms
        if stop <= start:
            continue  # two markers at one instant: the later one names the chapter
        result.append(
            {
                "id": len(result) + 1,
                "start": start,
                "end": stop,
                "time_base": MILLIS,
                "metadata": {"title": chapter_title(label)},
            }
        )
    return result


def write_video(
    timeline: Timeline, theme: Theme, path: Path, kind: str, *, size: str | int = "1080p"
) -> int:
    """Encode the timeline into `path` (a temporary file the caller renames); frame count."""
    import av

    container_format, codec, codec_options, container_options = CODECS[kind]
    header = timeline.header
    raster = Raster(header.cols, header.rows, theme, size)
    fps = timeline.clip.fps
    with av.open(str(path), "w", format=container_format, options=container_options) as out:
        stream = out.add_stream(codec, rate=max(1, round(fps)), options=codec_options)
        stream.width, stream.height = raster.layout.width, raster.layout.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = MILLIS
        context = stream.codec_context
        context.time_base = MILLIS
        # BT.709 tags, so players convert the colours back as they were meant.
        context.color_primaries = context.color_trc = context.colorspace = 1
        context.color_range = 1  # limited ("TV") range, what every player expects
        pixels = _Pixels(raster)
        count = 0
        last_pts = -1
        with _progress() as advance:
            for screen in timeline:
                pts = max(round(screen.time * 1000), last_pts + 1)
                _encode(out, stream, pixels.update(screen), pts)
                last_pts = pts
                count += 1
                advance(count, screen.time)
            # Hold the last screen until the clip ends: one more frame, one frame's
            # length before the end, so the file lasts as long as the clip.
            hold = round((timeline.end - 1 / fps) * 1000)
            if hold > last_pts:
                _encode(out, stream, pixels.frame, hold)
                count += 1
        for packet in stream.encode():
            out.mux(packet)
        out.set_chapters(chapters(timeline.markers, timeline.end))
    return count


class _Pixels:
    """One RGB frame kept between screens: only the bands of changed rows are copied in."""

    def __init__(self, raster: Raster) -> None:
        import av

        self.raster = raster
        lay = raster.layout
        self.frame = av.VideoFrame(lay.width, lay.height, "rgb24")
        self.plane = memoryview(self.frame.planes[0])
        self.stride = self.frame.planes[0].line_size
        self._copy(0, lay.height)

    def update(self, screen: Screen) -> Any:
        lay = self.raster.layout
        self.raster.draw(screen)
        for y in screen.changed:
            top = lay.top + y * lay.cell_height
            self._copy(top, min(top + lay.cell_height, lay.height))
        return self.frame

    def _copy(self, top: int, bottom: int) -> None:
        width = self.raster.layout.width
        data = self.raster.canvas.crop((0, top, width, bottom)).tobytes()
        row = width * 3
        if self.stride == row:
            self.plane[top * row : bottom * row] = data
            return
        for y in range(top, bottom):  # rows padded for alignment
            start = y * self.stride
            self.plane[start : start + row] = data[(y - top) * row : (y - top + 1) * row]


def _encode(out: av.container.OutputContainer, stream: Any, rgb: Any, pts: int) -> None:
    # A new frame each time: the encoder may keep it while we draw the next screen.
    frame = rgb.reformat(format="yuv420p", dst_colorspace="itu709", dst_color_range=1)
    frame.pts = pts
    frame.time_base = MILLIS
    for packet in stream.encode(frame):
        out.mux(packet)


@contextlib.contextmanager
def _progress() -> Iterator[Any]:
    """A progress line on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda count, time: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("encoding"), BarColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=None)

        def advance(count: int, time: float) -> None:
            if count % 10 == 0:
                minutes, seconds = divmod(int(time), 60)
                progress.update(task, description=f"{count} frames, {minutes}:{seconds:02d}")

        yield advance
