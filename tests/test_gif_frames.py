"""A GIF frame writes the pixels it changes, not the whole rectangle around them (issue 19
item 3: the dashboard's, megatron's and torchtitan's GIFs were 2.3-2.8x agg's size, their
frames each a full rectangle around changes scattered over the screen).

Pixels of the rectangle that the frame leaves as they were are its transparent index, so
the frame before shows through (disposal 1); the frame is read back here raw (its
indices, as a GIF of its own) and composited (Pillow's reader) against the PNG."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageSequence

from genact_cast.publish.gif import paletted

ROOT = Path(__file__).resolve().parent.parent


def _frames(data: bytes) -> list[bytes]:
    """Each frame of the GIF as a GIF of its own: the header and global colour table, the
    frame's extensions, descriptor, local colour table and image data, and the trailer."""
    flags = data[10]
    start = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    head, at, pending, frames = data[:start], start, b"", []
    while at < len(data) and data[at] != 0x3B:
        begin = at
        if data[at] == 0x21:  # an extension: label, sub-blocks
            at += 2
            while data[at]:
                at += data[at] + 1
            at += 1
            if data[begin + 1] == 0xF9:  # the graphic control extension of the next frame
                pending = data[begin:at]
            continue
        packed = data[at + 9]
        at += 10 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0) + 1
        while data[at]:
            at += data[at] + 1
        at += 1
        frames.append(head + pending + data[begin:at] + b";")
        pending = b""
    return frames


def _gif_of(cast: Path, events: list[list[object]]) -> Path:
    """`events` written as a 40x8 cast at `cast`, and its GIF as `embed --gif` writes it at
    16 px, beside it."""
    header = {"version": 2, "width": 40, "height": 8}
    cast.write_text("\n".join(json.dumps(line) for line in [header, *events]) + "\n")
    out = cast.with_suffix(".gif")
    result = subprocess.run([sys.executable, "-m", "genact_cast", "embed", str(cast), "--gif",
                             str(out), "--font-size", "16"], capture_output=True, text=True,
                            timeout=300, cwd=ROOT)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def test_a_frame_writes_the_cells_it_changes_and_leaves_the_rest_transparent(
    tmp_path: Path,
) -> None:
    # Two cells change at opposite corners: the frame's rectangle is the whole screen.
    cast = tmp_path / "corners.cast"
    events = [[0.1, "o", "\x1b[?25l" + "text on the screen " * 16],
              [1.0, "o", "\x1b[1;1HA\x1b[8;40HZ"]]  # fmt: skip
    out = _gif_of(cast, events)
    frames = _frames(out.read_bytes())
    raw = Image.open(io.BytesIO(frames[-1]))
    assert raw.mode == "P"
    extent = raw.tile[0][1]  # the frame's rectangle
    assert extent is not None
    indices = raw.crop(extent)
    transparent = raw.info.get("transparency")
    assert transparent is not None, "the frame has no transparent index"
    written = sum(count for count, index in (indices.getcolors(256) or []) if index != transparent)
    area = indices.width * indices.height
    cell = area / (40 * 8)  # about one cell's pixels: the rectangle is near the screen
    assert written <= 2 * cell, f"{written} of the rectangle's {area} pixels written"
    # and what the frames show is the picture: the last frame against the PNG at that time
    png = tmp_path / "end.png"
    command = ["embed", str(cast), "--png", str(png), "--at", "2.5", "--size", "16"]
    result = subprocess.run([sys.executable, "-m", "genact_cast", *command],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)  # fmt: skip
    assert result.returncode == 0, result.stderr
    shown = [f.convert("RGB").copy() for f in ImageSequence.Iterator(Image.open(out))][-1]
    expected = Image.open(png).convert("RGB")
    assert shown.size == expected.size
    assert ImageChops.difference(shown, expected).getbbox() is None  # not one pixel differs


def test_erased_cells_show_the_background_exactly_in_a_frame_of_many_colours(
    tmp_path: Path,
) -> None:
    """A frame that erases text while it draws text in many colours has more than a
    palette's 255: the background's palette colour was the mean of a box of colours with
    the glyphs' antialiased edges, 2 levels darker, so the erased text stayed as its
    outline in that colour, frame after frame (review-exports23 WARN 6)."""

    def colourful(y: int, bold: str) -> str:  # a row of 40 letters in 40 colours
        return f"\x1b[{y};1H{bold}" + "".join(
            f"\x1b[38;5;{16 + (y * 40 + x) % 216}m{chr(65 + (x + y) % 26)}" for x in range(40)
        )

    cast = tmp_path / "erase.cast"
    events = [
        [0.1, "o", "\x1b[?25l\x1b[?7l" + "".join(colourful(y, "") for y in range(1, 9))],
        [1.0, "o", "".join(f"\x1b[{y};1H\x1b[2K" for y in range(1, 5))
                   + "".join(colourful(y, "\x1b[1m") for y in range(5, 9))],
        [2.0, "o", "\x1b[0m\x1b[8;1HZ"],
    ]  # fmt: skip
    out = _gif_of(cast, events)
    shown = [f.convert("RGB").copy() for f in ImageSequence.Iterator(Image.open(out))]
    assert len(shown) == 4  # (the blank screen at 0, then the cast's three)
    png = tmp_path / "erased.png"
    command = ["embed", str(cast), "--png", str(png), "--at", "1.5", "--size", "16"]
    result = subprocess.run([sys.executable, "-m", "genact_cast", *command],
                            capture_output=True, text=True, timeout=300, cwd=ROOT)  # fmt: skip
    assert result.returncode == 0, result.stderr
    expected = Image.open(png).convert("RGB")
    background = expected.getpixel((0, 0))
    # (the erasing frame changes every row: its rectangle has more colours than a
    # palette holds)
    assert expected.getcolors(255) is None
    erased = (0, 0, expected.width, expected.height // 2)  # rows 1-4 and the padding above
    assert expected.crop(erased).getcolors(1) == [(erased[2] * erased[3], background)]
    for frame in shown[2:]:
        assert frame.crop(erased).getcolors(1) == [(erased[2] * erased[3], background)]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(*[st.integers(0, 255)] * 3), min_size=256, max_size=400, unique=True),
    st.tuples(*[st.integers(0, 255)] * 3),
    st.integers(0, 2**32 - 1),
)
def test_a_colour_holding_most_of_a_picture_stays_exact_past_the_palette(
    others: list[tuple[int, int, int]], background: tuple[int, int, int], seed: int
) -> None:
    """gif.paletted: past 255 colours, a colour that is most of the picture (a screen's
    background) is written as it is; under them every colour is."""
    pixels = [background] * (2 * len(others) + 1) + others  # the background is most of it
    random.Random(seed).shuffle(pixels)
    picture = Image.frombytes("RGB", (len(pixels), 1), bytes(v for pixel in pixels for v in pixel))
    shown = paletted(picture).convert("RGB").tobytes()
    drawn = {
        tuple(shown[at : at + 3]) for at in range(0, len(shown), 3) if pixels[at // 3] == background
    }
    assert drawn == {background}
    few = picture.crop((len(pixels) - 24, 0, len(pixels), 1))  # (24 colours: all exact)
    assert paletted(few).convert("RGB").tobytes() == few.tobytes()
