"""MP4 (H.264) and WebM (VP9) of a cast, with its markers as chapters, through PyAV.

PyAV (`genact-cast[video]`) carries FFmpeg in its wheel and encodes in-process: frames go
to the encoder as they are drawn, each with its own timestamp, so a screen that stays
still for a minute is one frame, not 1,800, and memory stays flat however long the cast.

The video ends where the cast ends, as the SVG does: the last screen is held as long as
the SVG holds it (`svg.LAST_FRAME_SECONDS`), or to the cast's end if that is later; a clip
cut with `--end-at` ends there. Each
frame is given its length explicitly (the time to the next one; the last one's to the
end), so the container's duration is the clip's and a browser seeking to the end shows
the last screen. There are no B-frames: on screens that change rarely they save little,
and reordering them made players cut the end short.
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
from genact_cast.publish.encode_cost import check_video, frame_seconds
from genact_cast.publish.picture_layout import check_picture, layout
from genact_cast.publish.raster import Raster
from genact_cast.publish.raster_work import FRAME_SHARE
from genact_cast.publish.screens import Screen, Timeline
from genact_cast.publish.svg import LAST_FRAME_SECONDS

if TYPE_CHECKING:
    import av.container

MILLIS = Fraction(1, 1000)
BLINK_MS = 600  # asciinema-player 3.18's blink interval
MAX_BLINKS_PER_PAUSE = 1000  # ten minutes of blinking while one screen waits
EXTRA = "video export needs PyAV and Pillow: pip install 'genact-cast[video]'"
MAX_TITLE = 200  # a chapter title longer than this is cut
# Chapters written at most: FFmpeg's Matroska muxer takes time growing as the square of
# their number (80,000 took 14 s of CPU, 200,000 minutes, in C where no signal is
# answered), and a menu of more is of no use. More markers are merged (see `chapters`).
MAX_CHAPTERS = 1000
MAX_RATE = 1000  # frames a second: timestamps are in milliseconds, so no more can differ
# MP4 keeps durations in 32 bits of its time base (here milliseconds): about 49.7 days.
MAX_MP4_MS = 2**32 - 1
# The largest picture: H.264 level 6.2 (and VP9 level 6) decoders take 8192x4352.
MAX_PICTURE = (8192, 4352)


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
        {"preset": "veryfast", "crf": "23", "tune": "stillimage", "bf": "0"},
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
    Past `MAX_CHAPTERS`, runs of neighbouring chapters are merged, evenly by count: each
    merged chapter starts at, and is named after, the first marker of its run.
    """
    points = [(round(t * 1000), label) for t, label in markers if 0 <= t <= end]
    end_ms = round(end * 1000)
    if points and points[0][0] > 0:
        points.insert(0, (0, "Start"))
    spans: list[tuple[int, str]] = []  # (start, label) of each chapter that lasts
    for index, (start, label) in enumerate(points):
        stop = points[index + 1][0] if index + 1 < len(points) else end_ms
        if stop > start:  # two markers at one instant: the later one names the chapter
            spans.append((start, label))
    if len(spans) > MAX_CHAPTERS:
        spans = [spans[len(spans) * k // MAX_CHAPTERS] for k in range(MAX_CHAPTERS)]
    return [
        {
            "id": index + 1,
            "start": start,
            "end": spans[index + 1][0] if index + 1 < len(spans) else end_ms,
            "time_base": MILLIS,
            "metadata": {"title": chapter_title(label)},
        }
        for index, (start, label) in enumerate(spans)
    ]


def write_video(
    timeline: Timeline,
    theme: Theme,
    path: Path,
    kind: str,
    *,
    size: str | int = "1080p",
    frames: int | None = None,
) -> int:
    """Encode the timeline into `path` (a temporary file the caller renames); frame count.
    `frames`, the count the cast was estimated to give, sizes the progress bar."""
    import av

    container_format, codec, codec_options, container_options = CODECS[kind]
    cols, rows = timeline.picture  # the largest size the cast takes, when it is known
    picture = layout(cols, rows, size)
    check_picture(picture.width, picture.height, size, MAX_PICTURE, "video players decode")
    raster = Raster(cols, rows, theme, size)
    # The encoder's nominal rate only guides its rate control: frames carry their own times.
    rate = max(1, min(MAX_RATE, round(timeline.clip.fps)))
    with av.open(str(path), "w", format=container_format, options=container_options) as out:
        stream = out.add_stream(codec, rate=rate, options=codec_options)
        stream.width, stream.height = raster.layout.width, raster.layout.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = MILLIS
        context = stream.codec_context
        context.time_base = MILLIS
        # BT.709 tags, so players convert the colours back as they were meant.
        context.color_primaries = context.color_trc = context.colorspace = 1
        context.color_range = 1  # limited ("TV") range, what every player expects
        pixels = _Pixels(raster)
        muxer = _Muxer(out, kind, raster)
        count = 0
        shown: int | None = None  # the time of the screen in `pixels`, not yet encoded
        last: Screen | None = None
        # Each frame is drawn at most whole once and encoded: bounded by the frame and time
        # limits (checked from the cast before encoding, and here for a cast read once, from
        # standard input or a URL), so the work budget pays for them; what it bounds is the
        # rest (characters shaped, rows drawn again).
        lay = raster.layout
        frame_pixels = lay.width * lay.height
        frame_work = frame_pixels + frame_pixels // FRAME_SHARE
        seconds = 0.0  # the encode's estimated cost so far
        with _progress(frames) as advance:
            for screen in timeline:
                seconds += frame_seconds(frame_pixels, len(screen.changed) / len(screen.rows))
                check_video(count + 1, seconds, kind)
                raster.work.allow(timeline.chars, (count + 1) * frame_work)
                pts = round(screen.time * 1000)
                if shown is not None and last is not None and pts > shown:
                    # Blinking text while this screen lasts, then the screen complete:
                    # encoded before this one is drawn.
                    for toggle in _blink_toggles(pixels, last, shown, pts):
                        muxer.encode(stream, pixels.frame, shown)
                        count += 1
                        shown = toggle
                    muxer.encode(stream, pixels.frame, shown)
                    count += 1
                # Screens within one millisecond: only the last of them is shown.
                shown = pts if shown is None or pts > shown else shown
                raster.blink_hidden = _blink_hidden(shown)
                pixels.update(screen)
                last = screen
                advance(count, screen.time)
            assert shown is not None  # a timeline always yields its first screen
            assert last is not None
            cast_end = end = round(timeline.end * 1000)
            if timeline.clip.end_at is None:  # to the cast's end: held as the SVG holds it
                end = max(end, shown + round(LAST_FRAME_SECONDS * 1000))
            # Blinking goes on to the cast's end, then stays shown (the player has ended);
            # a clip cut with --end-at ends while it still plays.
            stop = min(cast_end, end - round(1000 / rate))
            ended = timeline.clip.end_at is None
            for toggle in _blink_toggles(pixels, last, shown, stop, ended=ended):
                muxer.encode(stream, pixels.frame, shown)
                count += 1
                shown = toggle
            muxer.encode(stream, pixels.frame, shown)
            count += 1
        repeat = end - round(1000 / rate)
        if repeat > shown:  # the held screen once more: the encoder sharpens what stays
            muxer.encode(stream, pixels.frame, repeat)
            count += 1
        muxer.finish(stream, end)
        out.set_chapters(chapters(timeline.markers, end / 1000))
    return count


def _blink_hidden(ms: int) -> bool:
    """Whether SGR 5 text is hidden `ms` into the clip: asciinema-player 3.18 toggles it
    every 0.6 s from when play starts (`setInterval(toggleBlink, 600)`), shown first."""
    return ms // BLINK_MS % 2 == 1


def _blink_toggles(
    pixels: _Pixels, screen: Screen, start: int, stop: int, *, ended: bool = False
) -> Iterator[int]:
    """The times in (start, stop) where the screen's blinking rows change, each drawn in
    `pixels` when its time is given; with `ended`, at `stop` they are shown again and
    stay shown (the player ended, as when paused). Nothing when no row blinks."""
    raster = pixels.raster
    rows = frozenset(y for y, row in enumerate(screen.rows) if any(style[7] for _, style in row))
    if not rows:
        raster.blink_hidden = False if ended else _blink_hidden(stop)
        return
    redraw = Screen(screen.time, screen.rows, screen.cols, rows)
    toggle = (start // BLINK_MS + 1) * BLINK_MS
    # Past ten minutes of one pause the text stays as it is: each toggle is a frame, and
    # a hostile cast's pause of 10^8 s blinked was 1.7x10^8 of them (review-attack16 F5).
    stop_blinking = min(stop, toggle + MAX_BLINKS_PER_PAUSE * BLINK_MS)
    while toggle < stop_blinking:
        yield toggle
        raster.blink_hidden = _blink_hidden(toggle)
        pixels.update(redraw)
        toggle += BLINK_MS
    if stop_blinking < stop and raster.blink_hidden:  # stays shown, as when paused
        yield toggle
        raster.blink_hidden = False
        pixels.update(redraw)
        return
    if ended and raster.blink_hidden:
        if stop > start:
            yield stop
        raster.blink_hidden = False
        pixels.update(redraw)


class _Muxer:
    """Writes packets with their lengths: each lasts until the next, the last to the end.

    Without B-frames packets leave the encoder in presentation order, so holding one back
    until the next arrives gives its length.
    """

    def __init__(self, out: av.container.OutputContainer, kind: str, raster: Raster) -> None:
        self.out, self.kind = out, kind
        self.held: Any = None
        lay = raster.layout
        self.work, self.frame_cost = raster.work, lay.width * lay.height // FRAME_SHARE

    def encode(self, stream: Any, rgb: Any, pts: int) -> None:
        self._check(pts)
        self.work.spend(self.frame_cost)  # converted and encoded: the work budget's share
        # A new frame each time: the encoder may keep it while we draw the next screen.
        frame = rgb.reformat(format="yuv420p", dst_colorspace="itu709", dst_color_range=1)
        frame.pts = pts
        frame.time_base = MILLIS
        for packet in stream.encode(frame):
            self._mux(packet)

    def finish(self, stream: Any, end: int) -> None:
        self._check(end)
        for packet in stream.encode():
            self._mux(packet)
        if self.held is not None:
            self.held.duration = max(1, end - self.held.pts)
            self.out.mux(self.held)
            self.held = None

    def _mux(self, packet: Any) -> None:
        if packet.pts is None:
            return
        if self.held is not None:
            self.held.duration = max(1, packet.pts - self.held.pts)
            self.out.mux(self.held)
        self.held = packet

    def _check(self, ms: int) -> None:
        if self.kind == "mp4" and ms > MAX_MP4_MS:
            raise GenactCastError(
                f"the clip is longer than an MP4 holds ({MAX_MP4_MS / 86_400_000:.1f} days "
                "at millisecond timing): cut it with --end-at, speed it up with --speed or "
                "--idle-time-limit, or write --webm"
            )


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
        if self.raster.cleared:  # a resize: the whole picture changed
            self._copy(0, lay.height)
            return self.frame
        for y in screen.changed:
            top = lay.top + y * lay.cell_height
            if top < lay.height:  # rows past a picture smaller than the screen are not shown
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


@contextlib.contextmanager
def _progress(frames: int | None) -> Iterator[Any]:
    """A progress line on stderr when it is a terminal (a bar to the `frames` estimated,
    when known); nothing otherwise."""
    if sys.stderr is None or not sys.stderr.isatty():  # (None: started with 2>&-)
        yield lambda count, time: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("encoding"), BarColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=frames)
        most = f" of about {frames:,}" if frames is not None else ""

        def advance(count: int, time: float) -> None:
            if count % 10 == 0:
                minutes, seconds = divmod(int(time), 60)
                progress.update(
                    task, completed=count,
                    description=f"{count:,}{most} frames, {minutes}:{seconds:02d}",
                )  # fmt: skip

        yield advance
