"""Animated GIFs drawn from the one terminal model, as the PNG and the video are.

The screens are the terminal model's (publish/screens.py Timeline: asciinema-player's
semantics, resizes, wide and combining characters, fonts by fontconfig), drawn by the
same Raster as the PNG and the video: a frame is the PNG of that moment, pixel for
pixel, before its colours are reduced to a GIF's palette. They were agg's drawing, which
left CJK, emoji, flags, Hangul and powerline symbols blank, put combining marks in cells
of their own and ignored resizes (review-exports13 finding 4).

The rule, kept from agg (1.4.3, src/lib.rs) so that a GIF lasts what it did:
- pauses are capped at --idle-time-limit, else at the cast's `idle_time_limit`, else at
  5 s (agg's default; the player, the PNG and the video cap none unless told);
- times are divided by --speed; a frame is made for the first change after the last one
  once the next change is at least 1/--fps-cap later (the video's rule), and no faster
  than 50 a second: a GIF's delays are in hundredths of a second and browsers show a
  frame of less than 2 for a tenth;
- the last screen is held 3 s (the SVG's and the video's hold, agg's default);
- --loop (the default) repeats it for ever, --no-loop plays it once;
- --font-size is the PNG's --size given as a number: the font size in pixels, the
  picture the terminal plus padding, at the largest size the cast takes (as the video).

Each frame is the rectangle that changed since the one before, with a palette of its
own: exact when it has at most 255 colours (a terminal's screen mostly has), else the
closest 255 Pillow finds. Frames are written as they are made, through Pillow's GIF
writer (`getheader`, `getdata`), so memory stays flat however long the cast. It needs
what the PNG and the video need: `genact-cast[video]` (`genact-cast[gif]` is the same).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from genact_cast.asciicast import Header, Theme
from genact_cast.atomic import atomic_output
from genact_cast.output_target import check_writable
from genact_cast.publish.encode_cost import GifFrames, check_read_cost, check_video
from genact_cast.publish.raster_work import FRAME_SHARE
from genact_cast.publish.screens import Clip, Screen, Timeline
from genact_cast.publish.svg_strip import LAST_FRAME_SECONDS
from genact_cast.publish.terminal import check_size
from genact_cast.sources import is_url, open_cast, replayable

if TYPE_CHECKING:  # Pillow is the video extra's: imported by the functions that draw
    from PIL import Image

    from genact_cast.publish.raster import Raster

IDLE_SECONDS = 5.0  # agg's idle limit when neither the option nor the cast gives one
MIN_DELAY = 2  # hundredths: browsers show a frame given less for 10
MAX_DELAY = 0xFFFF  # hundredths: a frame's delay is 16 bits (655.35 s); a longer hold
# is that frame then unchanged one-pixel frames, as gifsicle splits one
# The video's bound, a memory bound: the picture, the last frame's and the quantizer's
# buffers are each whole pictures (review-attack16 F9: GIF's own 16-bit limit let a
# three-frame GIF of 14640x8700 take 2.6 GB).
MAX_PICTURE = (8192, 4352)
COLOURS = 255  # at most, in a frame's palette
TRANSPARENT = 255  # the index left free: a pixel the frame leaves as it was


def gif_clip(header: Header, *, speed: float, fps_cap: int, idle_time_limit: float | None) -> Clip:
    """The GIF's clip: the video's, with agg's idle limit when none is given."""
    limit = idle_time_limit if idle_time_limit is not None else header.idle_time_limit
    return Clip(speed=speed, fps=min(fps_cap, 100 / MIN_DELAY),
                idle_time_limit=limit if limit is not None else IDLE_SECONDS)  # fmt: skip


def render_gif(
    source: str,
    output: Path,
    *,
    overwrite: bool,
    theme: str | None = None,
    speed: float = 1.0,
    font_size: int = 14,
    fps_cap: int = 30,
    idle_time_limit: float | None = None,
    loop: bool = True,
) -> None:
    """The GIF of the cast file `source` in `output`: its frames counted and its cost
    estimated first (refused in one line past a limit), then drawn and encoded."""
    from genact_cast.extras import require
    from genact_cast.publish.theme import resolve_theme

    check_writable(output, overwrite=overwrite)
    require("video")
    # Read twice (frames counted, then drawn): standard input is spooled and a URL
    # downloaded once (8027b39: `embed - --gif` read the header from stdin, then found it
    # empty), and messages still name <stdin>.
    shown = "<stdin>" if source == "-" else source if is_url(source) else None
    with replayable(source) as path:
        # The whole cast is read: its cost first, as every other whole-cast export's
        # (review-attack16 F7: 300 MB at one moment was one frame, past every count).
        check_read_cost(path, "GIF", shown)
        with open_cast(path, shown=shown) as reader:
            check_size(reader.header.cols, reader.header.rows)
            clip = gif_clip(reader.header, speed=speed, fps_cap=fps_cap,
                            idle_time_limit=idle_time_limit)  # fmt: skip
            counter = GifFrames(reader.header, clip, font_size)
            largest = counter.count(reader.events())
        with open_cast(path, shown=shown) as reader:
            palette = resolve_theme(reader.header, theme)
            timeline = Timeline(reader.header, reader.events(), clip, largest=largest)
            # Streamed into the output's own temporary file, beside it (review-attack16
            # F13: written whole in $TMPDIR first, a small /tmp failed it).
            with atomic_output(output, overwrite=overwrite) as stream:
                write_gif(timeline, palette, stream, font_size=font_size, loop=loop,
                          frames=counter.frames)  # fmt: skip


def write_gif(
    timeline: Timeline,
    theme: Theme,
    out: BinaryIO,
    *,
    font_size: int = 14,
    loop: bool = True,
    frames: int | None = None,
) -> int:
    """Encode the timeline into `out` as a GIF, frame by frame; the frame count."""
    from genact_cast.publish.picture_layout import check_picture, layout
    from genact_cast.publish.raster import Raster
    from genact_cast.publish.video import _blink_hidden, _blink_toggles, _progress

    cols, rows = timeline.picture
    picture = layout(cols, rows, font_size)
    check_picture(
        picture.width, picture.height, font_size, MAX_PICTURE, "a GIF here holds", "--font-size"
    )
    raster = Raster(cols, rows, theme, font_size)
    lay = raster.layout
    frame_pixels = lay.width * lay.height
    frame_work = frame_pixels + frame_pixels // FRAME_SHARE
    canvas = _Canvas(raster)
    encoder = _Encoder(out, canvas, loop)
    count = 0
    shown: int | None = None  # when the screen on the canvas starts, not yet encoded
    last: Screen | None = None
    seconds = 0.0
    with _progress(frames) as advance:
        for screen in timeline:
            seconds += GifFrames.frame_cost(frame_pixels, 2 * len(screen.changed) > rows)
            check_video(count + 1, seconds, "GIF")
            raster.work.allow(timeline.chars, (count + 1) * frame_work)
            at = round(screen.time * 100)
            if shown is not None and last is not None and at >= shown + MIN_DELAY:
                # Blinking text while the waiting screen lasts (video.py's, in ms):
                # each toggle a frame, counted and costed as any other (a long pause
                # of a blinking screen is thousands: review-attack16 F5).
                for toggle in _blink_toggles(canvas, last, shown * 10, at * 10):  # type: ignore[arg-type]
                    seconds += GifFrames.frame_cost(frame_pixels, False)
                    check_video(count + 2, seconds, "GIF")
                    raster.work.allow(timeline.chars, (count + 2) * frame_work)
                    count += encoder.encode(shown)
                    shown = toggle // 10
                count += encoder.encode(shown)
                shown = at
            # A screen under 2/100 s after the one waiting replaces it (drawn over it).
            shown = at if shown is None else shown
            raster.blink_hidden = _blink_hidden(shown * 10)
            canvas.update(screen)
            last = screen
            advance(count, screen.time)
        assert shown is not None  # a timeline yields a first screen
        assert last is not None
        end = max(round(timeline.end * 100), shown + round(LAST_FRAME_SECONDS * 100))
        # Blinking stops where the cast ends, as the player's does; the hold after it is
        # steady (review-exports14 item 4: it blinked on, then ended on a 20 ms frame).
        ended = max(shown, round(timeline.end * 100))
        for toggle in _blink_toggles(canvas, last, shown * 10, ended * 10, ended=True):  # type: ignore[arg-type]
            seconds += GifFrames.frame_cost(frame_pixels, False)
            check_video(count + 2, seconds, "GIF")
            raster.work.allow(timeline.chars, (count + 2) * frame_work)
            count += encoder.encode(shown)
            shown = toggle // 10
        count += encoder.encode(shown)
    encoder.finish(end)
    return count


class _Canvas:
    """The raster, and the band of rows drawn again since the last frame was taken (as
    video.py's pixels are copied: a screen changes only its changed rows' bands)."""

    def __init__(self, raster: Raster) -> None:
        self.raster = raster
        self.height = raster.layout.height
        self.band: tuple[int, int] | None = (0, self.height)

    def update(self, screen: Screen) -> None:
        raster = self.raster
        raster.draw(screen)
        lay = raster.layout
        if raster.cleared:  # a resize: the whole picture changed
            self._add(0, self.height)
            return
        for y in screen.changed:
            top = lay.top + y * lay.cell_height
            if top < self.height:
                self._add(top, min(top + lay.cell_height, self.height))

    def _add(self, top: int, bottom: int) -> None:
        band = self.band
        self.band = (top, bottom) if band is None else (min(band[0], top), max(band[1], bottom))

    def take(self) -> tuple[int, int] | None:
        band, self.band = self.band, None
        return band


class _Encoder:
    """Frames written as they come, through Pillow's GIF writer (`getheader`, `getdata`):
    each is the rectangle that changed since the last one, with a palette of its own,
    drawn over the last (disposal 1); it is written once the next frame's time gives
    its length (the last one's: to the end)."""

    def __init__(self, out: BinaryIO, canvas: _Canvas, loop: bool) -> None:
        self.out, self.canvas, self.loop = out, canvas, loop
        self.previous: Image.Image | None = None  # the picture the frames so far make
        self.held: tuple[Image.Image, tuple[int, int], int] | None = None
        self.work = canvas.raster.work
        lay = canvas.raster.layout
        self.cost = lay.width * lay.height // FRAME_SHARE
        self.holds = 0  # one-pixel frames that hold a picture past MAX_DELAY

    def encode(self, at: int) -> int:
        from PIL import GifImagePlugin, ImageChops

        picture = self.canvas.raster.canvas
        band = self.canvas.take()
        if self.previous is None:
            self.previous = picture.copy()
            first = paletted(picture)
            # GIF89a (frame delays) with the looping extension, or without it to play once
            first.info["version"] = b"89a"
            header, _ = GifImagePlugin.getheader(first, info={"loop": 0} if self.loop else {})
            self.out.writelines(header)
            self._hold(first, (0, 0), at)
            return 1
        box = None
        if band is not None:
            top, bottom = band
            area = (0, top, picture.width, bottom)
            self.work.spend(picture.width * (bottom - top) // FRAME_SHARE)
            found = ImageChops.difference(self.previous.crop(area), picture.crop(area)).getbbox()
            if found is not None:
                box = (found[0], found[1] + top, found[2], found[3] + top)
        if box is None:  # nothing changed: one pixel, as it is, for the frame's time
            box = (0, 0, 1, 1)
        changed = picture.crop(box)
        unchanged = _same_pixels(self.previous.crop(box), changed)
        self.previous.paste(changed, box[:2])
        frame = paletted(changed)
        if unchanged is not None:
            # Pixels the frame leaves as they were are the transparent index (the one
            # COLOURS leaves free): the last frame shows through (disposal 1), and LZW
            # packs their runs, where the rectangle of a dashboard's scattered changes
            # was written whole (the size against agg's: docs/benchmarks.md).
            frame.putpalette((frame.getpalette() or [])[: 3 * COLOURS] + [0] * 3 * (256 - COLOURS))
            frame.paste(TRANSPARENT, (0, 0), unchanged)
            frame.info["transparency"] = TRANSPARENT
        self._hold(frame, box[:2], at)
        return 1

    def finish(self, end: int) -> None:
        self._write(end)
        self.out.write(b";")  # the trailer

    def _hold(self, image: Image.Image, offset: tuple[int, int], at: int) -> None:
        self._write(at)
        self.held = (image, offset, at)

    def _write(self, until: int) -> None:
        from PIL import GifImagePlugin

        if self.held is None:
            return
        self.work.spend(self.cost)
        image, offset, at = self.held
        length = max(MIN_DELAY, until - at)
        first = offset == (0, 0) and image.size == self.canvas.raster.canvas.size
        clear = {"transparency": TRANSPARENT} if "transparency" in image.info else {}
        delay = min(length, MAX_DELAY) * 10  # (Pillow takes milliseconds)
        data = GifImagePlugin.getdata(image, offset, duration=delay, disposal=1,
                                      include_color_table=not first, **clear)  # fmt: skip
        self.out.writelines(data)
        self.held = None
        rest = length - delay // 10
        if rest <= 0 or self.previous is None:
            return
        # The same picture held on (review-attack16 F1: Pillow's 16-bit field overflowed
        # in a traceback past 655.35 s): its top-left pixel, unchanged, counted as frames.
        self.holds += -(-rest // MAX_DELAY)
        check_video(self.holds, 0.0, "GIF")
        pixel = paletted(self.previous.crop((0, 0, 1, 1)))
        while rest > 0:
            part = max(MIN_DELAY, min(rest, MAX_DELAY))
            held = GifImagePlugin.getdata(
                pixel, (0, 0), duration=part * 10, disposal=1, include_color_table=True
            )
            self.out.writelines(held)
            rest -= part


def _same_pixels(before: Image.Image, after: Image.Image) -> Image.Image | None:
    """A mask of the pixels that are the same in both (255), or None if there is none."""
    from PIL import ImageChops

    red, green, blue = ImageChops.difference(before, after).split()
    mask = ImageChops.lighter(ImageChops.lighter(red, green), blue).point(
        lambda v: 255 if v == 0 else 0
    )
    return mask if mask.getbbox() is not None else None


def paletted(picture: Image.Image) -> Image.Image:
    """The picture with a palette of at most COLOURS colours, without dithering (text
    stays sharp): Pillow's maximum coverage, which keeps every colour of a frame that has
    no more (exact: a terminal's screen mostly has), and is the closest of Pillow's
    methods past that (at most 7 levels off on emoji, median cut 36, octree 13).

    Past COLOURS, each of its colours stands for a box of the picture's colours and is
    their mean, so a box of the background and the antialiased edges of glyphs drawn on
    it was 2 levels darker than the background: erased text stayed as its outline, the
    pixels the erasing frame wrote, while the rest of the background showed through from
    earlier frames (review-exports23 WARN 6). A box's colour is its most frequent one
    where that is at least half its pixels: the background and text colours are exact."""
    from PIL import Image

    try:
        frame = picture.quantize(
            COLOURS, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE
        )
    except ValueError as exc:  # Pillow's word for a failed allocation (ulimit -v)
        if "quantization error" in str(exc):
            raise MemoryError from None
        raise
    if picture.getcolors(COLOURS) is None:
        _most_frequent(picture, frame)
    return frame


def _most_frequent(picture: Image.Image, frame: Image.Image) -> None:
    """Each of the frame's palette colours made the most frequent picture colour it
    stands for, where that colour is at least half of the pixels it stands for."""
    from PIL import Image

    palette = frame.getpalette() or []
    indices = Image.frombytes("L", frame.size, frame.tobytes())  # (the indices, as bytes)
    keyed = Image.merge("RGBA", (*picture.split(), indices))
    counted = keyed.getcolors(picture.width * picture.height) or []
    totals = [0] * 256
    best: dict[int, tuple[int, tuple[int, int, int]]] = {}
    for count, pixel in counted:
        red, green, blue, index = pixel  # type: ignore[misc]  # (RGBA: a tuple)
        totals[index] += count
        mode = (count, (red, green, blue))
        if index not in best or mode > best[index]:
            best[index] = mode
    for index, (count, colour) in best.items():
        if 2 * count >= totals[index]:
            palette[3 * index : 3 * index + 3] = colour
    frame.putpalette(palette)
