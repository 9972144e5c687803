"""The GIF shows what asciinema-player 3.18 shows: a recording made here (vim editing CJK
and emoji, a resize under vim and one at the prompt), each GIF frame read back from the
file and compared with the player in Chromium cell by cell, as the PNG's pixels are
(tests/test_player_parity.py), and with the PNG of the same moment pixel by pixel.

The GIF was agg's drawing (review-exports13 finding 4): CJK, emoji and flags blank,
combining marks in cells of their own, resizes ignored.
"""

from __future__ import annotations

import shutil
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genact_cast.asciicast import OUTPUT, RESIZE
from genact_cast.publish.gif import render_gif
from genact_cast.publish.picture_layout import layout
from genact_cast.publish.raster import still
from genact_cast.publish.screens import largest_size
from genact_cast.publish.theme import resolve_theme
from tests.player_dom import Player, PlayerScreen
from tests.pty_session import BashRecording
from tests.screen_parity import Cells, differences, model_cells, pixel_cells, screen_at
from tests.test_player_parity import as_painted, load, quiet_moments

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

ImageChops = pytest.importorskip("PIL.ImageChops")

FONT_SIZE = 14
TEXT = "第三行 中文字符 漢字\nemoji 🎉 row 👍🏽\nañadido ünïcödé e\u0301 ✓\n한국어 Hangul\n"


def record(folder: Path) -> Path:
    """vim on a file of CJK, emoji, a flag, combining marks and Hangul, the terminal
    resized under vim and at the prompt, recorded by asciinema in a pseudo-terminal."""
    cast = folder / "vim_cjk.cast"
    (folder / "notes.txt").write_text(TEXT, "utf-8")
    bash = BashRecording(folder, cast, 16, 60)
    bash.typed("vim -u NONE -N notes.txt\r", wait="Hangul")
    time.sleep(0.5)
    bash.typed("jjA — edited\x1b", wait=None)
    time.sleep(0.5)
    bash.resize(12, 44)  # vim redraws at the new size
    time.sleep(0.8)
    bash.typed(":q!\r")
    time.sleep(0.3)
    bash.typed("printf '%s\\n' 漢字 🎉 🇯🇵 'e\u0301'\r")
    time.sleep(0.4)
    bash.resize(18, 70)
    time.sleep(0.6)
    bash.typed("echo done\r")
    bash.exit()
    return cast


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shutil.which("vim"), "vim is a test dependency (scripts/test installs it)"
    return record(tmp_path_factory.mktemp("gif"))


def frames_of(path: Path) -> Iterator[tuple[float, Any]]:
    """A GIF's frames as (start in seconds, RGB picture), read back by Pillow."""
    from PIL import Image

    with Image.open(path) as gif:
        start = 0.0
        for index in range(getattr(gif, "n_frames", 1)):
            gif.seek(index)
            yield start, gif.convert("RGB")
            start += gif.info.get("duration", 0) / 1000


def frame_at(frames: list[tuple[float, Any]], t: float) -> Any:
    return max((f for f in frames if f[0] <= t + 1e-6), key=lambda f: f[0])[1]


def inked(picture: Any, lay: Any, x: int, y: int) -> bool:
    """Whether a cell of the picture holds any pixel other than its background."""
    left, top = lay.left + x * lay.cell_width, lay.top + y * lay.cell_height
    tile = picture.crop((left, top, left + lay.cell_width, top + lay.cell_height))
    return len(tile.getcolors(lay.cell_width * lay.cell_height) or [0, 0]) > 1


def test_a_gif_of_vim_with_cjk_emoji_and_resizes_shows_what_the_player_shows(
    recorded: Path, player: Player
) -> None:
    header, events = load(recorded)
    assert sum(e.code == RESIZE for e in events) == 2
    assert "\x1b[?1049h" in "".join(e.data for e in events if e.code == OUTPUT)
    gif = recorded.parent / "vim_cjk.gif"
    # No pause capped (the player caps none): the GIF's times are the cast's.
    render_gif(str(recorded), gif, overwrite=True, font_size=FONT_SIZE, idle_time_limit=1e6)
    frames = list(frames_of(gif))
    cols, rows = largest_size(header, events)
    lay = layout(cols, rows, FONT_SIZE)
    assert {picture.size for _, picture in frames} == {(lay.width, lay.height)}
    theme = resolve_theme(header)
    player.load(recorded.read_text("utf-8"))
    problems: list[str] = []
    moments = quiet_moments(events, 6)
    assert len(moments) >= 5
    for t in moments:
        expected: PlayerScreen = as_painted(player.at(t))
        screen = screen_at(header, events, t)
        picture = frame_at(frames, t)
        # The terminal model's text is the player's (the GIF draws it) ...
        problems += [f"model at {t:.3f}: {p}" for p in differences(expected, model_cells(screen))]
        # ... the frame is the PNG of that moment, within the palette's rounding ...
        png = still(screen, theme, FONT_SIZE)
        crop = picture.crop((0, 0, *png.size))
        worst = max(high for _, high in ImageChops.difference(crop, png).getextrema())
        if worst > 24:
            problems.append(f"GIF at {t:.3f}: {worst} levels off the PNG")
        # ... its cells carry the player's colours (a glyph's colour read where it is
        # an ASCII letter or digit the browser left in its column, a background where no
        # emoji or CJK glyph covers the pixel it is read from) ...
        found = pixel_cells(picture, lay, expected.cols, expected.rows)
        plain: Cells = [[(c, None, None) if c.isascii() and c.isalnum() else ("", None, None)
                         for c in row] for row in expected.shown]  # fmt: skip
        for y, row in enumerate(found):
            for x, cell in enumerate(row):
                if not expected.shown[y][x].isascii() or (
                    x and not expected.shown[y][x - 1].isascii()
                ):
                    row[x] = (cell[0], cell[1], None)
        problems += [
            f"GIF at {t:.3f}: {p}"
            for p in differences(expected, found, text=False, tolerance=24, ink_only_for=plain)
        ]
        # ... and ink wherever the browser draws a character (agg left CJK and emoji
        # blank), but a mark's or joiner's column (drawn with the character before it).
        for y, shown in enumerate(expected.shown):
            for x, char in enumerate(shown):
                visible = "".join(c for c in char if unicodedata.category(c)[0] not in "MC")
                if visible.strip() and not inked(picture, lay, x, y):
                    problems.append(f"GIF at {t:.3f}: row {y} col {x} {char!r} is blank")
    assert problems == [], "\n".join(problems[:12])
