"""What encoding a video or a GIF will cost, worked out from the cast before it is encoded.

Without it a video's only bound was the work budget (publish/raster_work.py), which grows
with the cast's output, and the frame limit, checked as frames were encoded: `record -o
w.webm --cols 1000 --rows 200 --duration 86400` ran for over 12 minutes with no refusal,
while an ordinary 30-minute 80x24 cast was refused after 45 s (review-attack11 finding 2).
Now the frames are counted from the events' times alone (no terminal model), as the
encoder will take them, and the encode's CPU time is estimated from them:

- a video frame costs its picture's pixels at `VIDEO_PIXEL_SECONDS` when one row of it
  changed (converted to YUV and encoded: 4.1-5.1 ns a pixel for WebM and MP4 at 720p and
  1080p, measured in CPU time on a loaded 2-core machine), and at `SCROLL_PIXEL_SECONDS`
  when it scrolled, every row drawn again (8.5-11.3 ns); before encoding, a frame whose
  output has a line feed, clears the screen or puts the cursor on most rows counts as
  scrolled;
- a GIF frame costs its picture's pixels at `GIF_PIXEL_SECONDS` (publish/gif.py: drawn as
  the video's, the changed rectangle found, given its palette and LZW-coded by Pillow):
  10.5 ns a pixel a frame for a recording of vim and less with few rows changing, 37-41 ns
  for the golden casts' scrolling logs (seed7-80x24, hf-sft), in user CPU of the whole
  `embed --gif` on a loaded 2-core machine: `GIF_PIXEL_SECONDS`, and
  `GIF_SCROLL_PIXEL_SECONDS` for a frame counted as scrolled.

Both are the cheapest a frame of that size was measured to cost, so what is refused
cannot finish within the limit. The frame count is an upper bound of what the encoder
draws (an event that changes nothing on screen counts), so a cast past the frame limit
is refused by it here, not after minutes of encoding.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable

from genact_cast import limits
from genact_cast.asciicast import MARKER, MICROS, OUTPUT, RESIZE, Event, Header
from genact_cast.asciicast.lines import ReadBudget
from genact_cast.errors import GenactCastError
from genact_cast.escape import terminal_text
from genact_cast.publish.clip import Clip, seconds_or_label
from genact_cast.publish.screens import MAX_EVENTS, MAX_FRAMES, parse_size
from genact_cast.publish.terminal import check_size

VIDEO_SECONDS = 600.0  # the longest video or GIF encode allowed, by the estimate
VIDEO_PIXEL_SECONDS = 4e-9
SCROLL_PIXEL_SECONDS = 8e-9
GIF_PIXEL_SECONDS = 8e-9
GIF_SCROLL_PIXEL_SECONDS = 2.5e-8
# The rows a cursor position (CUP, HVP) or a row position (VPA) names: "" is row 1.
_ROW_ADDRESS = re.compile("\x1b\\[(\\d*)(?:;\\d*)?[Hf]|\x1b\\[(\\d*)d")
# The SVG's cheapest frame, per cell: 7.4 ns at 1000x200 (a scroll), 19 ns (one cell
# changed), 72 ns at 80x24, in CPU time on a loaded 2-core machine.
SVG_CELL_SECONDS = 5e-9
# The longest the animated SVG may take to draw, by that estimate: a README picture, not
# an archive. It is a policy bound, as the video's is; at the largest terminal (200,000
# cells) it is 60,000 frames, whose strip alone nears the 64 MB limit once they scroll.
SVG_SECONDS = 60.0


EMBED_WAYS = (
    "cut it with --start-at/--end-at, lower --fps-cap, --speed it up or cap pauses with "
    "--idle-time-limit, use a smaller --size, or export --text or --svg"
)
# `record -o x.webm` takes embed's defaults: the ways out are record's, or embed's options.
RECORD_WAYS = (
    "record a shorter --duration or a smaller terminal, or record a .cast and embed it "
    "with a lower --fps-cap, --start-at/--end-at or a smaller --size, or as --svg"
)
SVG_WAYS = (
    "lower --fps-cap, cap pauses with --idle-time-limit, cut the cast, draw a still with "
    "--at, or export --webm"
)
RECORD_SVG_WAYS = (
    "record a shorter --duration or a smaller terminal, or a still (record a .cast and "
    "embed it with --svg --at), or record a .cast and embed it with a lower --fps-cap"
)
GIF_WAYS = (
    "lower --fps-cap or --font-size, --speed it up or cap pauses with --idle-time-limit, "
    "cut the cast, or export --webm, --text or --svg"
)
RECORD_GIF_WAYS = (
    "record a shorter --duration or a smaller terminal, or record a .cast and embed it "
    "with a lower --fps-cap or --font-size, or as --svg"
)


def _minutes(seconds: float) -> str:
    if seconds >= 5400:
        return f"{seconds / 3600:,.1f} hours"
    return f"{seconds / 60:,.0f} minutes" if seconds >= 90 else f"{seconds:,.0f} s"


class VideoFrames:
    """The frames a video of `clip` will have, counted as events are read, with the
    largest size the cast takes; `add` refuses as soon as the estimate is past a limit.

    The frame rule is the timeline's (publish/screens.py): a frame for the first change
    after the last frame, once the next event comes at least 1/fps later; time runs on
    the clip's clock (pauses capped, from --start-at, to --end-at, divided by speed)."""

    def __init__(
        self, header: Header, clip: Clip, kind: str, size: str | int, ways: str = EMBED_WAYS
    ) -> None:
        self.header, self.clip, self.kind, self.size, self.ways = header, clip, kind, size, ways
        self.cols, self.rows = header.cols, header.rows
        self.pixels = self._pixels()
        start = seconds_or_label(clip.start_at, "--start-at")
        end = seconds_or_label(clip.end_at, "--end-at")
        self.start_label = start if isinstance(start, str) else None
        self.end_label = end if isinstance(end, str) else None
        self.start_us = round(start * MICROS) if isinstance(start, float) else None
        self.end_us = round(end * MICROS) if isinstance(end, float) else None
        self.origin: int | None = 0 if start is None else None
        self.pending: float | None = 0.0 if self.origin is not None else None
        self.gap = 1.0 / clip.fps
        limit = clip.idle_time_limit
        limit = limit if limit is not None else header.idle_time_limit
        self.cap_us = round(limit * MICROS) if limit is not None else None
        self.previous_us = self.shift_us = 0
        self.frames = 0
        self.seconds = 0.0  # the estimate
        self.scrolled = True  # the pending frame redraws most rows: the first draws all
        self.addressed: set[str] = set()  # rows its output put the cursor on
        self.ended = False

    def _pixels(self) -> int:
        from genact_cast.publish.picture_layout import check_picture, layout
        from genact_cast.publish.video import MAX_PICTURE

        picture = layout(self.cols, self.rows, self.size)
        # Too large a picture is that problem, named, not a time estimate (--size 200).
        check_picture(picture.width, picture.height, self.size, MAX_PICTURE, "video players decode")
        return picture.width * picture.height

    def count(self, events: Iterable[Event]) -> tuple[int, int]:
        """Every event read; the largest size."""
        for event in events:
            self.add(event)
        self.finish()
        return self.cols, self.rows

    def add(self, event: Event) -> None:
        """One event of the cast, in order (its pauses capped here, as player/timeline.py's
        `limit_idle` caps them for the timeline)."""
        if self.cap_us is not None:
            gap = event.time_us - self.previous_us
            self.shift_us += max(0, gap - self.cap_us)
            self.previous_us = event.time_us
            event = Event(event.time_us - self.shift_us, event.code, event.data)
        if event.code == RESIZE:
            size = parse_size(event.data)
            if size is not None:
                check_size(*size, where=f"resize at {event.time:.3f} s to")
                if size[0] > self.cols or size[1] > self.rows:
                    self.cols, self.rows = max(self.cols, size[0]), max(self.rows, size[1])
                    self.pixels = self._pixels()
        if self.ended:
            return
        if self.origin is None and self.start_us is not None and event.time_us >= self.start_us:
            self.origin, self.pending = self.start_us, 0.0
        if self.origin is not None:
            if self.end_us is not None and event.time_us > self.end_us:
                self.ended = True
                return
            time = (event.time_us - self.origin) / MICROS / self.clip.speed
            if self.pending is not None and time - self.pending >= self.gap:
                self._frame()
                self.pending = None
            if event.code in (OUTPUT, RESIZE) and self.pending is None:
                self.pending = max(time, 0.0)
            if event.code == RESIZE:
                self.scrolled = True  # the picture is drawn again
            elif event.code == OUTPUT and not self.scrolled:
                self._note_rows(event.data)
        if event.code == MARKER:
            if self.origin is None and event.data == self.start_label:
                self.origin, self.pending = event.time_us, 0.0
            elif self.origin is not None and event.data == self.end_label:
                self.ended = event.time_us > self.origin

    def finish(self) -> None:
        if self.origin is not None:
            self._frame()  # the last screen

    def _note_rows(self, data: str) -> None:
        """The pending frame redraws most rows (priced as a scroll) when its output has a
        line feed, clears the screen, or puts the cursor on more than half the rows: a
        full-screen program repaints by cursor addressing, with no line feed, and the GIF's
        check while drawing (2 x changed rows > rows) priced such frames 3x higher than
        this estimate (review-attack16 F12)."""
        if "\n" in data:
            self.scrolled = True
        elif "\x1b" in data:
            if "\x1b[2J" in data or "\x1bc" in data:
                self.scrolled = True
                return
            for match in _ROW_ADDRESS.finditer(data):
                self.addressed.add(match.group(1) or match.group(2) or "1")
            self.scrolled = 2 * len(self.addressed) > self.rows

    def _frame(self) -> None:
        self.frames += 1
        self.seconds += frame_seconds(self.pixels, 1.0 if self.scrolled else 0.0)
        self.scrolled = False
        self.addressed.clear()
        check_video(self.frames, self.seconds, self.kind, self.ways)


class SvgFrames(VideoFrames):
    """The animated SVG's frames, counted by the timeline's rule as a video's are (its
    clip: --fps-cap and --idle-time-limit), each costing at least `SVG_CELL_SECONDS` a
    cell of the largest size: one past the frame limit or the time limit is refused before
    a frame is drawn, not after minutes of drawing (review-attack12 F6)."""

    def __init__(self, header: Header, clip: Clip, ways: str = SVG_WAYS) -> None:
        super().__init__(header, clip, "SVG", 0, ways)

    def _pixels(self) -> int:
        return self.cols * self.rows  # cells: no picture, no Pillow

    def _frame(self) -> None:
        self.frames += 1
        self.seconds += self.pixels * SVG_CELL_SECONDS
        check_video(
            self.frames, self.seconds, self.kind, self.ways, doing="draw", limit=SVG_SECONDS
        )


def frame_seconds(pixels: int, redrawn: float) -> float:
    """A video frame's estimated cost: `pixels` encoded, a share `redrawn` of them drawn."""
    return pixels * (VIDEO_PIXEL_SECONDS + redrawn * (SCROLL_PIXEL_SECONDS - VIDEO_PIXEL_SECONDS))


def check_video(
    frames: int, seconds: float, kind: str, ways: str = EMBED_WAYS, doing: str = "encode",
    limit: float | None = None,
) -> None:  # fmt: skip
    """One line when `frames` frames, estimated to take `seconds`, are past the frame
    limit or the time limit (`limit`, else VIDEO_SECONDS read at the call, so that one
    constant governs every caller)."""
    if limit is None:
        limit = VIDEO_SECONDS
    if frames > MAX_FRAMES:
        raise GenactCastError(
            f"the {kind} would have more than {MAX_FRAMES:,} frames, the limit; {ways}"
        )
    if seconds > limit:
        raise GenactCastError(
            f"the {kind} would take more than {_minutes(limit)} to {doing} (already "
            f"{frames:,} frames, about {seconds / frames * 1000:.1f} ms each; the limit is "
            f"{_minutes(limit)}); {ways}"
        )


class GifFrames(VideoFrames):
    """The GIF's frames, counted by the timeline's rule as a video's are (its clip:
    publish/gif.py's `gif_clip`), each costing `GIF_PIXEL_SECONDS` a pixel of the
    picture at the largest size the cast takes (`--font-size`): one past the frame limit
    or the time limit is refused before a frame is drawn."""

    def __init__(self, header: Header, clip: Clip, font_size: int, ways: str = GIF_WAYS) -> None:
        super().__init__(header, clip, "GIF", font_size, ways)

    def _pixels(self) -> int:
        from genact_cast.publish.gif import MAX_PICTURE
        from genact_cast.publish.picture_layout import check_picture, layout

        picture = layout(self.cols, self.rows, self.size)
        check_picture(
            picture.width, picture.height, self.size, MAX_PICTURE, "a GIF here holds", "--font-size"
        )
        return picture.width * picture.height

    @staticmethod
    def frame_cost(pixels: int, scrolled: bool = False) -> float:
        return pixels * (GIF_SCROLL_PIXEL_SECONDS if scrolled else GIF_PIXEL_SECONDS)

    def _frame(self) -> None:
        self.frames += 1
        self.seconds += self.frame_cost(self.pixels, self.scrolled)
        self.scrolled = False
        self.addressed.clear()
        check_video(self.frames, self.seconds, self.kind, self.ways)


# The least CPU a byte of a cast costs the terminal model and an export reading it whole
# (review-attack14 low 1: a 99 MB cast ran `--text` 46 s and `--vtt` 64-95 s before writing).
# Measured in user CPU on the loaded 2-core machine, cheapest of two kinds of cast: 10 MB as
# ten 1 MB events of plain text, and 100,000 log lines of 95 bytes: --text 0.24 and 0.41 us
# a byte, --vtt 0.56 and 1.12 us (`/usr/bin/time -f %U genact-cast embed X.cast --text o`).
# The SVG and PNG run the same terminal model over what they read: at least --text's cost.
READ_BYTE_SECONDS = {"text": 0.2e-6, "vtt": 0.5e-6}
MODEL_BYTE_SECONDS = 0.2e-6
READ_SECONDS = 60.0  # the longest an export may read a cast for, by that estimate
# The ways out, by the options each export takes (commands/embed.py HONOURED_BY).
READ_WAYS = {
    "text": "cut it with --start-at/--end-at, or draw a still with --at",
    "png": "cut it with --start-at/--end-at, or draw a still with --at",
    "vtt": "cut it with --start-at/--end-at",
    "SVG": "draw a still with --at, or cut the cast",
}
_BLOCK = 1 << 20


def check_read_cost(path: str, kind: str, shown: str | None = None) -> None:
    """Before an export reads the regular file `path` whole: refused in one line when it is
    past the size limit, holds more events than the terminal model draws (counted as lines
    that start an event, at the speed of a byte search), or would take more than
    READ_SECONDS at the cheapest measured cost a byte. Not a regular file: nothing to do
    (a pipe is bounded as it is read)."""
    ways = READ_WAYS.get(kind, "cut the cast")
    try:
        info = os.stat(path)
    except OSError:
        return  # the reader names the problem
    if not stat.S_ISREG(info.st_mode):
        return
    if info.st_size > limits.MAX_CAST_BYTES:
        raise GenactCastError(too_large(shown or path, info.st_size))
    seconds = info.st_size * READ_BYTE_SECONDS.get(kind, MODEL_BYTE_SECONDS)
    if seconds > READ_SECONDS:
        raise GenactCastError(
            f"the {kind} would take more than {_minutes(READ_SECONDS)} to make from "
            f"{info.st_size:,} bytes of cast (at least {_minutes(seconds)}); {ways}"
        )
    events = 0
    with open(path, "rb") as cast:
        while block := cast.read(_BLOCK):
            events += block.count(b"\n[")
            if events > MAX_EVENTS:
                raise GenactCastError(f"more than {MAX_EVENTS:,} events to draw; {ways}")


def read_budget(kind: str) -> ReadBudget:
    """The bytes `kind` may read within READ_SECONDS at the cheapest measured cost a byte,
    held while it reads: what check_read_cost cannot price first (a pipe, a URL, and a cut
    with --at or --end-at, whose place in the file is not known: review-attack16 F8)."""
    size = int(READ_SECONDS / READ_BYTE_SECONDS.get(kind, MODEL_BYTE_SECONDS))
    return ReadBudget(
        size,
        f"the {kind} would take more than {_minutes(READ_SECONDS)} to make: more than "
        f"{size:,} bytes of cast to read; {READ_WAYS.get(kind, 'cut the cast')}",
    )


def too_large(path: str, size: int) -> str:
    """A regular file past the cast size limit, told before any of it is read."""
    return (
        f"{terminal_text(path)}: {size:,} bytes, larger than the limit of "
        f"{limits.MAX_CAST_BYTES:,} bytes for a cast"
    )
