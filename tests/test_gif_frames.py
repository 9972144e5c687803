"""A GIF frame writes the pixels it changes, not the whole rectangle around them (issue 19
item 3: the dashboard's, megatron's and torchtitan's GIFs were 2.3-2.8x agg's size, their
frames each a full rectangle around changes scattered over the screen).

Pixels of the rectangle that the frame leaves as they were are its transparent index, so
the frame before shows through (disposal 1); the frame is read back here raw (its
indices, as a GIF of its own) and composited (Pillow's reader) against the PNG."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageSequence

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


def test_a_frame_writes_the_cells_it_changes_and_leaves_the_rest_transparent(
    tmp_path: Path,
) -> None:
    # Two cells change at opposite corners: the frame's rectangle is the whole screen.
    cast = tmp_path / "corners.cast"
    events = [[0.1, "o", "\x1b[?25l" + "text on the screen " * 16],
              [1.0, "o", "\x1b[1;1HA\x1b[8;40HZ"]]  # fmt: skip
    header = {"version": 2, "width": 40, "height": 8}
    cast.write_text("\n".join(json.dumps(line) for line in [header, *events]) + "\n")
    out = tmp_path / "corners.gif"
    result = subprocess.run([sys.executable, "-m", "genact_cast", "embed", str(cast), "--gif",
                             str(out), "--font-size", "16"], capture_output=True, text=True,
                            timeout=300, cwd=ROOT)  # fmt: skip
    assert result.returncode == 0, result.stderr
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
