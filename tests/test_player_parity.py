"""Every export shows what asciinema-player 3.18 shows, cell by cell, at several moments.

The reference is the player itself in Chromium (tests/player_dom.py), on two kinds of
cast: small hand-made ones for the places where terminals differ (tests/data/screens:
alternate screens, resizes both ways, the 16 colours however addressed, wide,
combining and zero-width characters, payloads and malformed sequences), and a
recording made here and now of real full-screen programs (vim, less, htop, and a
resize) with asciinema in a real pseudo-terminal. Each export is read back on its own
terms (the SVG's markup, the PNG's and the video's pixels, the text file).
"""

from __future__ import annotations

import io
import itertools
import shutil
import time
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from genact_cast.asciicast import OUTPUT, RESIZE, Event, Header
from genact_cast.publish.exports import export
from genact_cast.publish.picture_layout import layout
from genact_cast.publish.screens import Clip, largest_size
from genact_cast.publish.svg import render_svg
from genact_cast.publish.terminal import char_width
from genact_cast.publish.text import plain
from genact_cast.sources import open_cast
from tests.browser import screenshot
from tests.player_dom import Player, PlayerScreen, cast_json
from tests.pty_session import BashRecording
from tests.screen_parity import (
    SYMBOLS,
    attr_differences,
    differences,
    model_attrs,
    model_cells,
    pixel_cells,
    png_picture,
    screen_at,
    svg_attrs,
    svg_cells,
    with_symbols,
)

# Recorded in a real pty with fixed pauses: a loaded machine can draw a frame late; a
# failure is tried once more (pytest-rerunfailures), a fault of the code fails twice.
pytestmark = pytest.mark.flaky(reruns=1, reruns_delay=1)

ROOT = Path(__file__).resolve().parent.parent
HAND_MADE = sorted((ROOT / "tests" / "data" / "screens").glob("*.cast"))


def load(path: Path) -> tuple[Header, list[Event]]:
    with open_cast(str(path)) as reader:
        return reader.header, list(reader.events())


def text_rows(lines: list[str]) -> list[str]:
    """Rows as the text export writes them: controls dropped, blank rows at the end cut."""
    rows = [plain(line).rstrip() for line in lines]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def without_right_halves(row: list[tuple[str, Any, Any]]) -> str:
    """A player row as text: a wide character once (the player leaves its right half blank)."""
    text, skip = [], False
    for char, _, _ in row:
        if not skip:
            text.append(char)
        skip = not skip and char_width(char[:1] or " ") == 2  # the player's table, not Python's
    return "".join(text)


def check_moment(
    path: Path, header: Header, events: list[Event], t: float, expected: PlayerScreen
) -> list[str]:
    """The terminal model, the SVG still and the text export at t against the player."""
    screen = screen_at(header, events, t)
    problems = [f"model: {p}" for p in differences(expected, model_cells(screen))]
    problems += [f"model: {p}" for p in attr_differences(expected, model_attrs(screen))]
    svg = render_svg(header, events, at=t)
    found = svg_cells(svg, screen.cols, len(screen.rows))
    expected = with_symbols(expected, screen)
    # The SVG's text where the browser lays out the player's: a zero-width code point on
    # the character before it, the rest of its span one column left.
    drawn = replace(
        expected,
        cells=[
            [
                (visible(grid if symbol(grid) else c), fg, bg)
                for c, (grid, fg, bg) in zip(shown, row, strict=True)
            ]
            for shown, row in zip(expected.shown, expected.cells, strict=True)
        ],
    )
    found = [[(visible(c), fg, bg) for c, fg, bg in row] for row in found]
    for y, row in enumerate(expected.cells):
        if right_to_left(row):
            # (the player's cells are its spans' text, in logical order: with a bidi
            # control the browser shows another order, held against its screenshots in
            # tests/test_bidi_pictures.py; here the same characters are drawn)
            explicit = any("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069"
                           for cell in row for c in cell[0])  # fmt: skip
            order = sorted if explicit else list
            if order(ink(row)) != order(ink(found[y])):
                problems.append(f"SVG: row {y} {ink(found[y])!r} for {ink(row)!r}")
            drawn.cells[y] = [(f[0], fg, bg) for f, (_, fg, bg) in zip(found[y], row, strict=True)]
    problems += [f"SVG: {p}" for p in differences(drawn, found)]
    attrs = svg_attrs(svg, screen.cols, len(screen.rows))
    problems += [f"SVG: {p}" for p in attr_differences(expected.as_drawn(), attrs)]
    out = path.parent / f"{path.stem}-{t:.3f}.txt"
    export(str(path), out, "text", overwrite=True, clip=Clip(), at=t)
    written = out.read_text("utf-8").split("\n\nChapters\n")[0].split("\n")
    shown = text_rows([without_right_halves(row) for row in expected.cells])
    if text_rows(written) != shown:
        problems.append(f"text: {text_rows(written)} for {shown}")
    return [f"at {t:.3f} s: {p}" for p in problems]


RIGHT_TO_LEFT = frozenset({"R", "AL", "RLE", "RLO", "RLI", "PDF", "PDI"})


def right_to_left(row: list[tuple[str, Any, Any]]) -> bool:
    """A row the browser reorders (right-to-left letters or controls): the PNG and video
    keep a terminal's logical order there (documented), so only its text is compared."""
    return any(unicodedata.bidirectional(c) in RIGHT_TO_LEFT for cell in row for c in cell[0])


def ink(row: list[tuple[str, Any, Any]]) -> str:
    return "".join(visible(c) for c, _, _ in row).replace(" ", "")


def visible(text: str) -> str:
    """A cell's text without its invisible format characters (ZWJ, ZWSP, bidi controls,
    which the SVG writes as ZWSP: an RLO kept in SVG text would reverse the run, which
    the terminal never does): which cell holds one is not seen. Nor is a blank the
    browser lays out under a character (a span moved right by an emoji's advance ends
    under the next span: publish/player_layout.py), nor a variation selector: it picks the
    glyph of the character before it, if any (VS16 that opens a span after ☔ or ♥ picks
    none: the SVG leaves it out), and the pictures are compared for glyphs."""
    shown = "".join(
        c for c in text if unicodedata.category(c) != "Cf" and not "\ufe00" <= c <= "\ufe0f"
    )
    shown = unicodedata.normalize("NFC", shown)  # ≠ and ≠ are one glyph to the browser
    return (shown.replace(" ", "") if len(shown) > 1 else shown) or " "


def symbol(char: str) -> bool:
    """A block the player paints on its canvas (its text has a space there)."""
    return len(char) == 1 and ord(char) in SYMBOLS


def quiet_moments(events: list[Event], count: int) -> list[float]:
    """Moments 0.1 s into pauses of over 0.25 s: a video's frame (taken when output
    settles, at most 30 a second) shows there what the player shows."""
    changes = [e.time for e in events if e.code in (OUTPUT, RESIZE)]
    quiet = [a + 0.1 for a, b in itertools.pairwise(changes) if b - a > 0.25]
    step = max(1, len(quiet) // count)
    return quiet[step - 1 :: step][:count]


def moments(events: list[Event], count: int) -> list[float]:
    """Just after `count` output or resize events spread over the cast, and at its end."""
    changes = [e.time for e in events if e.code in (OUTPUT, RESIZE)]
    step = max(1, len(changes) // count)
    picked = [t + 0.0005 for t in changes[step - 1 :: step]][:count]
    return [*picked, changes[-1] + 0.5]


@pytest.mark.parametrize("path", HAND_MADE, ids=[p.stem for p in HAND_MADE])
def test_a_hand_made_cast_looks_as_in_the_player(
    path: Path, player: Player, tmp_path: Path
) -> None:
    header, events = load(path)
    local = tmp_path / path.name
    shutil.copy(path, local)
    player.load(path.read_text("utf-8"))
    problems: list[str] = []
    for t in sorted({e.time + 0.05 for e in events}):
        problems += check_moment(local, header, events, t, player.at(t))
    assert problems == [], "\n".join(problems[:12])


def record(folder: Path) -> Path:
    """vim, less and htop in a clean shell, recorded by asciinema in a pseudo-terminal,
    the terminal resized twice (once under vim), keys sent as a person would type them."""
    cast = folder / "programs.cast"
    sample = folder / "sample.txt"
    sample.write_text(
        "".join(
            f"\x1b[3{n % 8}mline {n}\x1b[0m \x1b[1mbold\x1b[0m text {n * n}\n" for n in range(80)
        )
    )
    bash = BashRecording(folder, cast, 24, 80, {"LESS": "", "HTOPRC": str(folder / "htoprc")})
    bash.typed("ls -la --color=always sample.txt\r")
    bash.typed(f"vim -u NONE -N -c 'syntax on' -c 'set hlsearch' {sample.name}\r", wait="line 1")
    time.sleep(0.5)
    bash.typed("Go\x16u4e2d x\u00e9 \x1b", wait=None)
    time.sleep(0.3)
    bash.resize(20, 70)  # a resize under vim: vim redraws at the new size
    time.sleep(0.6)
    bash.typed(":q!\r")
    bash.typed("less -R sample.txt\r", wait="line 1")
    time.sleep(0.3)
    bash.typed(" ", wait=None)
    time.sleep(0.4)
    bash.typed("q", wait="$ ")
    bash.resize(30, 100)
    time.sleep(0.3)
    bash.typed("htop -d 5\r", wait=None)
    time.sleep(2.5)
    bash.typed("q", wait="$ ")
    bash.typed("echo done\r")
    bash.exit()
    return cast


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for program in ("vim", "less", "htop"):
        assert shutil.which(program), f"{program} is a test dependency (scripts/test installs it)"
    return record(tmp_path_factory.mktemp("programs"))


def test_vim_less_and_htop_recorded_here_look_as_in_the_player(
    recorded: Path, player: Player
) -> None:
    header, events = load(recorded)
    assert any(e.code == RESIZE for e in events)
    data = "".join(e.data for e in events if e.code == OUTPUT)
    assert "\x1b[?1049h" in data  # the programs did use the alternate screen
    player.load(recorded.read_text("utf-8"))
    problems: list[str] = []
    for t in moments(events, 14):
        problems += check_moment(recorded, header, events, t, player.at(t))
    assert problems == [], "\n".join(problems[:12])


def as_painted(expected: PlayerScreen) -> PlayerScreen:
    """The player's colours as they reach the pixels: a span's opacity (0.5 for ap-faint)
    blends its text's colour into the background."""
    cells = [
        [
            (c, tuple(round(b + (f - b) * o) for f, b in zip(fg, bg, strict=True)), bg)
            for (c, fg, bg), o in zip(row, opacity, strict=True)
        ]
        for row, opacity in zip(expected.cells, expected.opacity, strict=True)
    ]
    return replace(expected, cells=cells)  # type: ignore[arg-type]


def luma(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """A colour's brightness as a grey (BT.601, as the video's encoder computes Y)."""
    r, g, b = colour
    y = round(0.299 * r + 0.587 * g + 0.114 * b)
    return (y, y, y)


@pytest.mark.slow  # a video of the recording: about 20 s on a loaded machine
def test_the_pixels_of_png_and_video_have_the_players_colours(
    recorded: Path, player: Player
) -> None:
    pytest.importorskip("av")
    import av

    header, events = load(recorded)
    player.load(recorded.read_text("utf-8"))
    size = 16
    video = recorded.parent / "programs.mp4"
    export(str(recorded), video, "mp4", overwrite=True, clip=Clip(), size=str(size))
    with av.open(str(video)) as container:
        decoded = [(frame.time, frame.to_image()) for frame in container.decode(video=0)]
    problems: list[str] = []
    for t in quiet_moments(events, 4):
        expected = as_painted(player.at(t))
        cols, rows = expected.cols, expected.rows
        png = recorded.parent / f"at-{t:.3f}.png"
        export(str(recorded), png, "png", overwrite=True, clip=Clip(), size=str(size), at=t)
        picture = png_picture(png.read_bytes())
        model = model_cells(screen_at(header, events, t))
        found = pixel_cells(picture, layout(cols, rows, size), cols, rows)
        problems += [
            f"PNG at {t:.3f}: {p}"
            for p in differences(expected, found, text=False, tolerance=24, ink_only_for=model)
        ]
        frame = max((f for f in decoded if f[0] <= t), key=lambda f: f[0])[1]
        lay = layout(*largest_size(header, events), size)  # the video is the largest size
        # 4:2:0 video keeps a quarter of the colour: a thin glyph's colour is not kept
        # (an inked pixel is its fg's brightness with its neighbours' tint); backgrounds are.
        # Its 2x2 colour blocks also straddle two cells where a cell starts on an odd pixel,
        # tinting a background with the ink above it; brightness is kept for every pixel, so
        # the video's backgrounds are compared as brightness (the PNG's carry the colours).
        found = [
            [(c, None, None if bg is None else luma(bg)) for c, _, bg in row]
            for row in pixel_cells(frame, lay, cols, rows)
        ]
        bright = replace(
            expected, cells=[[(c, fg, luma(bg)) for c, fg, bg in row] for row in expected.cells]
        )
        problems += [
            f"video at {t:.3f}: {p}"
            for p in differences(bright, found, text=False, tolerance=24, ink_only_for=model)
        ]
    assert problems == [], "\n".join(problems[:12])


def ink_rows(picture: Any, left: float, top: float, width: float, height: float) -> list[int]:
    """Rows (from the cell's top) of a cell where anything differs from its corner pixel."""
    box = (round(left), round(top), round(left + width), round(top + height))
    cell = picture.crop(box)
    back = cell.getpixel((0, 0))

    def inked(x: int, y: int) -> bool:
        return bool(sum(abs(a - b) for a, b in zip(cell.getpixel((x, y)), back, strict=True)) > 60)

    return [y for y in range(cell.height) if any(inked(x, y) for x in range(1, cell.width - 1))]


def test_faint_and_strikethrough_pixels_as_in_the_player(player: Player, tmp_path: Path) -> None:
    """Faint as the player blends it (its text at opacity 0.5 over the background) and the
    line-through where Chromium draws it, in the PNG, at the player's font size (15 px)."""
    path = ROOT / "tests" / "data" / "screens" / "colors.cast"
    _, events = load(path)
    player.load(path.read_text("utf-8"))
    t = events[-1].time + 0.05
    expected = player.at(t)
    shot = player.picture()
    size = 15
    png = tmp_path / "colors.png"
    export(str(path), png, "png", overwrite=True, clip=Clip(), size=str(size), at=t)
    picture = png_picture(png.read_bytes()).convert("RGB")
    lay = layout(expected.cols, expected.rows, size)
    found = pixel_cells(picture, lay, expected.cols, expected.rows)
    y = next(i for i, row in enumerate(expected.text()) if row.startswith("faint bf"))
    problems = []
    faint = 0
    painted = as_painted(expected).cells[y]
    for x, ((char, _, _), opacity) in enumerate(
        zip(expected.cells[y], expected.opacity[y], strict=True)
    ):
        if not char.isalnum():
            continue
        shown = painted[x][1]
        faint += opacity < 1
        ink = found[y][x][1]
        if ink is None or any(abs(a - b) > 24 for a, b in zip(ink, shown, strict=True)):
            problems.append(f"col {x} {char!r} (opacity {opacity}): ink {ink} for {shown}")
    assert faint >= 5, "the cast's faint text is not faint in the player"
    # The line-through on a struck space ("strike  it"), measured from the baseline (the
    # bottom of the ink of `n` in "faint", which has no descender, + 1) in both pictures.
    row = expected.text()[y]
    space, letter = row.index("strike  it") + 6, row.index("n")
    cell_w, cell_h = shot.width / expected.cols, shot.height / expected.rows
    player_line = ink_rows(shot, space * cell_w, y * cell_h, cell_w, cell_h)
    player_base = ink_rows(shot, letter * cell_w, y * cell_h, cell_w, cell_h)[-1] + 1
    left, top = lay.left + space * lay.cell_width, lay.top + y * lay.cell_height
    png_line = ink_rows(picture, left, top, lay.cell_width, lay.cell_height)
    left = lay.left + letter * lay.cell_width
    png_base = ink_rows(picture, left, top, lay.cell_width, lay.cell_height)[-1] + 1
    assert player_line, "no line-through in the player"
    assert png_line, "no line-through in the PNG"
    above = player_base - player_line[0], png_base - png_line[0]
    assert abs(above[0] - above[1]) <= 1, f"line-through {above[1]} px up, the player's {above[0]}"
    assert len(png_line) <= len(player_line) + 1
    # Underline with strike ("us": SGR 4;9): the player's CSS shows the strike alone (both
    # classes set text-decoration; the later wins), so no ink below the baseline there.
    under = row.index("us")
    assert expected.lines[y][under] == (False, True), "the player shows another line there"
    player_below = [
        r for r in ink_rows(shot, under * cell_w, y * cell_h, cell_w, cell_h) if r >= player_base
    ]
    png_below = [
        r
        for r in ink_rows(
            picture, lay.left + under * lay.cell_width, top, lay.cell_width, lay.cell_height
        )
        if r >= png_base
    ]
    assert player_below == []
    assert png_below == [], f"an underline in the PNG at rows {png_below} of the cell"
    assert problems == [], "\n".join(problems)


def _ink_columns(
    picture: Any, cell_width: float, row_height: float, cells: int
) -> tuple[float, float]:
    """The first and last inked columns of a picture's first row, in cells (0 = the left edge)."""
    background = picture.getpixel((int(picture.width - cell_width / 2), int(row_height * 1.5)))
    inked = [
        x
        for x in range(int(cells * cell_width))
        for y in range(int(row_height))
        if sum(abs(a - b) for a, b in zip(picture.getpixel((x, y)), background, strict=True)) > 60
    ]
    assert inked, "nothing drawn"
    return min(inked) / cell_width, max(inked) / cell_width


@pytest.mark.parametrize("char", ["\u2615", "\u26a1", "\u4e2d", "\u231a"])  # ☕ ⚡ 中 ⌚
def test_a_wide_character_in_the_svg_is_as_wide_as_in_the_player(
    char: str, player: Player, browser: Any, tmp_path: Path
) -> None:
    """A wide character's glyph keeps its own width in its two cells, as the player draws
    it; stretched over both, ☕ and ⚡ were twice their width (review-exports8 finding 6)."""
    from PIL import Image

    from genact_cast.publish.svg import CELL_WIDTH, LINE_HEIGHT, PADDING

    body = "\x1b[?25l\x1b[32m" + char
    player.load(cast_json({"version": 2, "width": 10, "height": 2}, [[0.1, "o", body]]))
    player.at(0.5)
    shown = player.picture()
    expected = _ink_columns(shown, shown.width / 10, shown.height / 2, 2)
    svg = tmp_path / "wide.svg"
    svg.write_text(render_svg(Header(cols=10, rows=2), [Event(0, OUTPUT, body)]), "utf-8")
    page = browser.new_page(viewport={"width": 400, "height": 200})
    page.goto(svg.as_uri())
    shot = Image.open(io.BytesIO(screenshot(page))).convert("RGB")  # no clip: it can fail
    page.close()
    width, height = 10 * CELL_WIDTH, 2 * LINE_HEIGHT
    drawn = shot.crop(
        (round(PADDING), round(PADDING), round(PADDING + width), round(PADDING + height))
    )
    found = _ink_columns(drawn, drawn.width / 10, drawn.height / 2, 2)
    assert found == pytest.approx(expected, abs=0.3), (found, expected)


@pytest.mark.parametrize("char", ["\u2591", "\u2592", "\u2593"])  # ░ ▒ ▓
def test_a_row_of_shades_in_the_svg_is_one_even_tone_as_in_the_player(
    char: str, player: Player, browser: Any, tmp_path: Path
) -> None:
    """Shades side by side are one even grey in the player; a translucent rectangle per
    cell showed darker seams where their anti-aliased edges overlapped (review-exports9
    item 15)."""
    from PIL import Image

    from genact_cast.publish.svg import CELL_WIDTH, LINE_HEIGHT, PADDING

    body = "\x1b[?25l" + char * 6
    player.load(cast_json({"version": 2, "width": 10, "height": 1}, [[0.1, "o", body]]))
    player.at(0.5)
    shown = player.picture()
    row = [shown.getpixel((x, shown.height // 2))[0] for x in range(shown.width * 6 // 10)]
    assert max(row[2:-2]) - min(row[2:-2]) <= 2, row  # the reference: even in the player
    svg = tmp_path / "shades.svg"
    svg.write_text(render_svg(Header(cols=10, rows=1), [Event(0, OUTPUT, body)]), "utf-8")
    page = browser.new_page(viewport={"width": 400, "height": 100})
    page.goto(svg.as_uri())
    shot = Image.open(io.BytesIO(screenshot(page))).convert("RGB")
    page.close()
    y = round(PADDING + LINE_HEIGHT / 2)
    left, right = round(PADDING) + 2, round(PADDING + 6 * CELL_WIDTH) - 2
    drawn = list(shot.getchannel(0).crop((left, y, right, y + 1)).getdata())
    assert max(drawn) - min(drawn) <= 2, drawn
    assert abs(sum(drawn) / len(drawn) - sum(row[2:-2]) / len(row[2:-2])) <= 12


@pytest.mark.parametrize("char", ["\u2462", "\U0001d401"])  # ③ 𝐁: fallback glyphs wider than a cell
def test_a_glyph_wider_than_its_cell_is_drawn_whole_in_the_png(
    char: str, player: Player, tmp_path: Path
) -> None:
    """The browser draws a fallback glyph wider than its cell whole, over its neighbours;
    the PNG (and the video) clipped it to its cell (review-exports9 item 14)."""
    body = "\x1b[?25l  " + char
    cast = tmp_path / "wide_glyph.cast"
    cast.write_text(cast_json({"version": 2, "width": 10, "height": 2}, [[0.1, "o", body]]))
    player.load(cast.read_text("utf-8"))
    player.at(0.5)
    shown = player.picture()
    expected = _ink_columns(shown, shown.width / 10, shown.height / 2, 6)
    png = tmp_path / "wide_glyph.png"
    export(str(cast), png, "png", overwrite=True, clip=Clip(), size="16", at=0.5)
    picture = png_picture(png.read_bytes())
    lay = layout(10, 2, 16)
    drawn = picture.crop((lay.left, lay.top, lay.left + 10 * lay.cell_width, lay.height))
    found = _ink_columns(drawn, lay.cell_width, lay.cell_height, 6)
    assert expected[1] > 3.0, expected  # the reference: past its cell in the player
    assert found == pytest.approx(expected, abs=0.25), (found, expected)


def _band(picture: Any, box: tuple[float, float, float, float], rows: range) -> list[int]:
    """The ink of each pixel column of a run of cells, over some of its pixel rows."""
    left, top, right, bottom = (round(v) for v in box)
    part = picture.convert("L").crop((left, top, right, bottom))
    back = part.getpixel((0, 0))
    return [sum(abs(part.getpixel((x, y)) - back) for y in rows) for x in range(part.width)]


def _shift(moved: list[int], still: list[int]) -> int:
    """The pixels `moved` is right of `still`, where their ink profiles best agree."""

    def cost(s: int) -> int:
        return sum(abs(moved[x] - (still[x - s] if 0 <= x - s < len(still) else 0))
                   for x in range(len(moved)))  # fmt: skip

    return min(range(-8, 9), key=cost)


def test_bold_and_italic_cjk_are_synthesised_in_the_png_as_in_the_player(
    player: Player, tmp_path: Path
) -> None:
    """The CJK font (one Regular face) drawn bold and slanted where the player's Chromium
    synthesises them (review-exports10 item 12): the ink bold adds, and how far italic
    moves the top third of the glyphs (and not the bottom), against the regular row."""
    cast = tmp_path / "cjk.cast"
    cast.write_text(
        cast_json({"version": 2, "width": 20, "height": 3},
                  [[0.2, "o", "中文字体\r\n\x1b[1m中文字体\x1b[0m\r\n\x1b[3m中文字体\x1b[0m"]]),
        "utf-8",
    )  # fmt: skip
    player.load(cast.read_text("utf-8"))
    expected = player.at(0.5)
    shot = player.picture()
    png = tmp_path / "cjk.png"
    export(str(cast), png, "png", overwrite=True, clip=Clip(), size="15", at=0.5)
    picture = png_picture(png.read_bytes())
    lay = layout(expected.cols, expected.rows, 15)
    found = []
    for pic, left, top, w, h in (
        (shot, 0.0, 0.0, shot.width / expected.cols, shot.height / expected.rows),
        (picture, lay.left, lay.top, lay.cell_width, lay.cell_height),
    ):
        rows = [(left, top + y * h, left + 9 * w, top + (y + 1) * h) for y in range(3)]
        whole = range(round(h))
        ink = [sum(_band(pic, box, whole)) for box in rows]
        third = round(h) // 3
        top_rows, bottom_rows = range(third), range(round(h) - third, round(h))
        lean = [
            _shift(_band(pic, rows[2], band), _band(pic, rows[0], band))
            for band in (top_rows, bottom_rows)
        ]
        found.append((ink[1] / ink[0], lean))
    (player_bold, player_lean), (png_bold, png_lean) = found
    assert player_bold > 1.05, "the player draws bold CJK regular"
    assert player_lean[0] >= 2, "the player draws italic CJK upright"
    assert abs(png_bold - player_bold) < 0.5 * (player_bold - 1), (png_bold, player_bold)
    assert all(abs(p - q) <= 1 for p, q in zip(png_lean, player_lean, strict=True)), (
        png_lean,
        player_lean,
    )


def _footprint(picture: Any, box: tuple[float, float, float, float]) -> tuple[int, int, bool]:
    """How many pixel rows and columns of a box have ink, and whether any is yellow."""
    left, top, right, bottom = (round(v) for v in box)
    part = picture.convert("RGB").crop((left, top, right, bottom))
    back = part.getpixel((0, 0))
    inked = {
        (x, y)
        for x in range(part.width)
        for y in range(part.height)
        if sum(abs(a - b) for a, b in zip(part.getpixel((x, y)), back, strict=True)) > 90
    }
    yellow = any((lambda r, g, b: r > 180 and g > 120 and b < 90)(*part.getpixel(p)) for p in inked)
    return len({y for _, y in inked}), len({x for x, _ in inked}), yellow


def test_text_presentation_and_emoji_font_symbols_in_the_png_as_in_the_player(
    player: Player, tmp_path: Path
) -> None:
    """☔︎ and ⌚︎ (a wide symbol, then VS15 in its own cell): the bar after them drawn,
    no missing-glyph box for the selector; 〰 and 〽, which only the colour emoji font
    has, drawn from it as Chromium draws them (review-exports10 item 13)."""
    cast = tmp_path / "vs15.cast"
    cast.write_text(
        cast_json({"version": 2, "width": 12, "height": 2},
                  [[0.2, "o", "\u2614\ufe0e|\u231a\ufe0e|\r\n\u3030\u303d|"]]),
        "utf-8",
    )  # fmt: skip
    player.load(cast.read_text("utf-8"))
    expected = player.at(0.5)
    shot = player.picture()
    png = tmp_path / "vs15.png"
    export(str(cast), png, "png", overwrite=True, clip=Clip(), size="15", at=0.5)
    picture = png_picture(png.read_bytes())
    lay = layout(expected.cols, expected.rows, 15)
    cells = [(0, 2, 1), (0, 5, 1), (1, 0, 2), (1, 2, 2), (1, 4, 1)]  # row, column, width
    found = []
    for pic, left, top, w, h in (
        (shot, 0.0, 0.0, shot.width / expected.cols, shot.height / expected.rows),
        (picture, lay.left, lay.top, lay.cell_width, lay.cell_height),
    ):
        found.append(
            [
                _footprint(pic, (left + x * w, top + y * h, left + (x + n) * w, top + (y + 1) * h))
                for y, x, n in cells
            ]
        )
    seen, drawn = found
    assert seen[3][2], "the player draws 〽 from a colour font"
    problems = [
        f"cell {cell}: {got} for {want}"
        for cell, want, got in zip(cells, seen, drawn, strict=True)
        if abs(want[0] - got[0]) > 3 or abs(want[1] - got[1]) > 2 or want[2] != got[2]
    ]
    assert problems == [], "\n".join(problems)


def _colourful(picture: Any, box: tuple[float, float, float, float]) -> bool:
    """Whether a box has a saturated pixel (a colour emoji; text here is grey on black)."""
    part = picture.convert("RGB").crop(tuple(round(v) for v in box))
    return any(max(p) - min(p) > 40 for p in part.getdata())


def test_a_symbol_emoji_only_on_request_is_text_in_the_svg_as_in_the_player(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    """A bare ℹ U+2139 (Emoji_Presentation=No) is the text glyph in the player; ℹ️ (VS16)
    the colour one. The SVG drew both in colour (review-exports10 item 13)."""
    from PIL import Image

    from genact_cast.publish.svg import CELL_WIDTH, LINE_HEIGHT, PADDING

    body = "\x1b[?25l\u2139 \u203c \u2139\ufe0f"  # ℹ ‼ ℹ️
    cells = ((0, 1), (2, 3), (4, 6))  # each one's first and end column
    player.load(cast_json({"version": 2, "width": 10, "height": 1}, [[0.1, "o", body]]))
    player.at(0.5)
    shown = player.picture()
    cell = shown.width / 10
    seen = [_colourful(shown, (x * cell, 0, y * cell, shown.height)) for x, y in cells]
    svg = tmp_path / "info.svg"
    svg.write_text(render_svg(Header(cols=10, rows=1), [Event(0, OUTPUT, body)]), "utf-8")
    page = browser.new_page(viewport={"width": 400, "height": 200})
    page.goto(svg.as_uri())
    shot = Image.open(io.BytesIO(screenshot(page))).convert("RGB")
    page.close()
    drawn = [
        _colourful(
            shot,
            (
                PADDING + x * CELL_WIDTH,
                PADDING,
                PADDING + y * CELL_WIDTH,
                PADDING + LINE_HEIGHT,
            ),
        )
        # (the player's cells: ℹ is 0.63 columns wide, and the browser lays ‼ and ℹ️ out
        # 0.37 columns left of theirs, as the SVG does; two cells from ‼'s would take in
        # the left of ℹ️)
        for x, y in cells
    ]
    assert seen == [False, False, True], "the player's ℹ, ‼ and ℹ️ are not text, text, emoji"
    assert drawn == seen


def inked_cells(picture: Any, left: float, top: float, cell: tuple[float, float], cols: int) -> str:
    """A row of cells as `#` (ink inside the cell, off its edge columns) or `.`."""
    return "".join(
        "#" if ink_rows(picture, left + x * cell[0], top, cell[0], cell[1]) else "."
        for x in range(cols)
    )


def test_a_symbol_only_the_emoji_font_has_is_drawn_as_the_player_draws_it(
    player: Player, tmp_path: Path
) -> None:
    """review-exports11 item 9: 🛠 🗑 ⏸ (one cell in avt, no text font has them) are drawn
    by the player's browser from the colour emoji font about two cells wide, and the rest
    of the span one column right. The PNG (and so the video) inks the same cells as the
    player's screenshot, at its font size (15 px): it drew a small emoji in one cell and
    the text after it one column left."""
    path = ROOT / "tests" / "data" / "screens" / "emoji_font_only.cast"
    _, events = load(path)
    player.load(path.read_text("utf-8"))
    t = events[-1].time + 0.05
    expected = player.at(t)
    shot = player.picture()
    png = tmp_path / "emoji.png"
    export(str(path), png, "png", overwrite=True, clip=Clip(), size="15", at=t)
    picture = png_picture(png.read_bytes()).convert("RGB")
    lay = layout(expected.cols, expected.rows, 15)
    cell = shot.width / expected.cols, shot.height / expected.rows
    for y in range(3):  # 🛠 Building app / 🗑 Removed 3 files / ⏸ Paused  ⏹ Stopped
        want = inked_cells(shot, 0, y * cell[1], cell, 20)
        got = inked_cells(picture, lay.left, lay.top + y * lay.cell_height,
                          (lay.cell_width, lay.cell_height), 20)  # fmt: skip
        assert want.startswith("##.#"), f"row {y}: the player inks {want}"
        assert got == want, f"row {y}: the PNG inks {got}, the player {want}"


def _redness(picture: Any, box: tuple[float, float, float, float]) -> int:
    """How red the reddest pixel of a box is (a red emoji heart: over 100; a grey one: 0)."""
    part = picture.crop(tuple(round(v) for v in box)).convert("RGB")
    return int(max(r - (g + b) // 2 for r, g, b in part.getdata()))


Picture = tuple[Any, float, float, tuple[float, float]]  # image, left, top, cell size


def three_pictures(
    player: Player, browser: Any, tmp_path: Path, body: str, cols: int, rows: int
) -> dict[str, Picture]:
    """One screen as the player draws it (a screenshot), and as the SVG (in Chromium) and
    the PNG (at the player's font size, 15 px) draw it, with where their cells are."""
    from PIL import Image

    from genact_cast.publish.svg import CELL_WIDTH, LINE_HEIGHT, PADDING

    size = 15
    player.load(cast_json({"version": 2, "width": cols, "height": rows}, [[0.1, "o", body]]))
    player.at(0.5)
    shot = player.picture()
    svg = tmp_path / "screen.svg"
    svg.write_text(render_svg(Header(cols=cols, rows=rows), [Event(0, OUTPUT, body)]), "utf-8")
    page = browser.new_page(viewport={"width": 600, "height": 300})
    page.goto(svg.as_uri())
    drawn = Image.open(io.BytesIO(screenshot(page))).convert("RGB")
    page.close()
    cast = tmp_path / "screen.cast"
    cast.write_text(cast_json({"version": 2, "width": cols, "height": rows}, [[0.1, "o", body]]))
    png = tmp_path / "screen.png"
    export(str(cast), png, "png", overwrite=True, clip=Clip(), size=str(size))
    picture = png_picture(png.read_bytes()).convert("RGB")
    lay = layout(cols, rows, size)
    return {
        "player": (shot, 0.0, 0.0, (shot.width / cols, shot.height / rows)),
        "SVG": (drawn, PADDING, PADDING, (CELL_WIDTH, LINE_HEIGHT)),
        "PNG": (picture, lay.left, lay.top, (lay.cell_width, lay.cell_height)),
    }


def test_a_heart_with_vs16_is_the_players_grey_text_heart(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    """review-exports11 item 10: ♥️ (U+2665 U+FE0F). U+2665 is a span of its own in the
    player (its standalone list), so VS16 opens the next span: the browser draws the grey
    text heart and lays the rest of that span one column left. The SVG drew a red emoji
    heart two cells wide, the PNG left a blank cell after the heart. Both are compared
    with the player's screenshot: the cells that have ink, and no red."""
    cols = 12
    body = "\x1b[?25l\u2665\ufe0f|x\r\nI \u2665\ufe0f u|x"
    found = {}
    for name, (image, left, top, (w, h)) in three_pictures(
        player, browser, tmp_path, body, cols, 2
    ).items():
        rows = [inked_cells(image, left, top + y * h, (w, h), cols) for y in range(2)]
        heart = (left, top, left + w, top + h), (left + 2 * w, top + h, left + 3 * w, top + 2 * h)
        found[name] = rows, [_redness(image, box) for box in heart]
    # ♥ | x and I ♥ u | x: each `|` one column left of its cell in the terminal.
    assert [row.rstrip(".") for row in found["player"][0]] == ["###", "#.#.###"], found["player"]
    assert max(found["player"][1]) < 40, "the player's heart is red"
    for name in ("SVG", "PNG"):
        assert found[name][0] == found["player"][0], (name, found[name][0])
        assert max(found[name][1]) < 40, f"a red heart in the {name}: {found[name][1]}"


def test_overlay_marks_take_a_cell_of_their_own_as_in_the_player(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    """review-exports11 item 11: the browser lays out U+0336 (a̶b̶c̶, chat's strikethrough),
    U+0335, U+0332 and U+20DD (no font has it: a missing-glyph box) with an advance of
    their own, each drawn in the cell after its letter (publish/data/advancing_marks.json,
    measured in the player); é ä ñ take no room. The SVG squeezed letter and mark into one
    cell, the PNG drew them over the letter: both now ink the player's cells."""
    cols = 14
    body = "\x1b[?25lo\u0332 Z\u0335 x\u20dd|\r\ne\u0301 a\u0308 n\u0303|\r\na\u0336b\u0336c\u0336|"
    found = {
        name: [inked_cells(image, left, top + y * h, (w, h), cols) for y in range(3)]
        for name, (image, left, top, (w, h)) in three_pictures(
            player, browser, tmp_path, body, cols, 3
        ).items()
    }
    assert [row.rstrip(".") for row in found["player"]] == ["##.##.###", "#.#.##", "#######"]
    assert found["SVG"] == found["player"], found
    assert found["PNG"] == found["player"], found


def test_vs16_after_a_wide_character_and_the_hangul_filler_as_in_the_player(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    """The last two picture differences of review-exports10: VS16 after a wide character
    (☔️ 中️, a span of its own in the player) opens the next span and takes no room there,
    so the rest is one column left of its cell; U+3164 (one cell in avt) is drawn blank
    1 em wide, the rest of its span one column right (publish/data/wide_glyphs.json:
    0.66 column in the player, so after a letter the next one straddles two cells; the
    markup of tests/data/screens/wide_vs16_fillers.cast is compared at whole columns).
    The SVG and the PNG ink the player's cells."""
    cols = 10
    body = "\x1b[?25l\u2614\ufe0f|x\r\na\u4e2d\ufe0fb|x\r\n\u3164|x"
    found = {
        name: [inked_cells(image, left, top + y * h, (w, h), cols) for y in range(3)]
        for name, (image, left, top, (w, h)) in three_pictures(
            player, browser, tmp_path, body, cols, 3
        ).items()
    }
    want = ["#.##", "######", "..##"]
    assert [row.rstrip(".") for row in found["player"]] == want, found["player"]
    assert found["SVG"] == found["player"], found
    assert found["PNG"] == found["player"], found


def test_a_symbol_the_cjk_font_draws_blank_is_drawn_as_in_the_player(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    """review-exports12 item 7: WenQuanYi Micro Hei maps ℃ and ℉ to empty glyphs. The
    player's font list lacks them and Chromium's fallback draws them from DejaVu Sans; the
    SVG named the CJK faces before DejaVu Sans (℃ blank), and the PNG took them from the
    CJK font a character before (漢) had found (blank too). Each row: where the ink after
    漢 and a blank starts, in the player, the SVG (in Chromium) and the PNG."""
    cols = 10
    body = "\x1b[?25l\u6f22 \u2103\r\n\u6f22 \u2109"
    starts = {}
    for name, (image, left, top, (w, h)) in three_pictures(
        player, browser, tmp_path, body, cols, 2
    ).items():
        starts[name] = [
            _ink_columns(image.crop((round(left + 3 * w), round(top + y * h),
                                     round(left + cols * w), round(top + (y + 2) * h))),
                         w, h, 3)[0]
            for y in range(2)
        ]  # fmt: skip
    for name in ("SVG", "PNG"):
        assert starts[name] == pytest.approx(starts["player"], abs=0.3), starts


def test_an_ideographic_variation_selector_is_drawn_as_in_the_player(
    player: Player, tmp_path: Path
) -> None:
    """review-exports12 item 9: 葛 U+E0100 (VS17, an ideographic variant) has no glyph of
    its own; the PNG (and so the video) drew it as a missing-glyph box. The PNG inks the
    cells the player's screenshot inks."""
    body = "\x1b[?25lK \u845b\U000e0100\u845b IVS|x"
    cast = tmp_path / "ivs.cast"
    cast.write_text(cast_json({"version": 2, "width": 20, "height": 2}, [[0.1, "o", body]]))
    player.load(cast.read_text("utf-8"))
    expected = player.at(0.5)
    shot = player.picture()
    png = tmp_path / "ivs.png"
    export(str(cast), png, "png", overwrite=True, clip=Clip(), size="15", at=0.5)
    picture = png_picture(png.read_bytes()).convert("RGB")
    lay = layout(expected.cols, expected.rows, 15)
    want = inked_cells(shot, 0, 0, (shot.width / 20, shot.height / 2), 14)
    got = inked_cells(picture, lay.left, lay.top, (lay.cell_width, lay.cell_height), 14)
    assert got == want, f"the PNG inks {got}, the player {want}"


def test_a_symbol_emoji_only_on_request_is_text_in_the_png_as_in_the_player(
    player: Player, browser: Any, tmp_path: Path
) -> None:
    """review-exports12 item 8: ⚧ (U+26A7, Emoji_Presentation=No, no VS16) is the player's
    grey text glyph (Chromium's fallback takes DejaVu Sans); the PNG (and the video) drew
    the orange colour emoji. ⏸ (no text font has it) stays the colour emoji, two cells.
    (The player lays the text ⚧ out wider than its cell, moving the `|` right; the SVG and
    PNG keep it in its cell: the colours are compared here, not the inked cells.)"""
    cols = 10
    body = "\x1b[?25l\u26a7|x\r\n\u23f8|x"
    found = {}
    for name, (image, left, top, (w, h)) in three_pictures(
        player, browser, tmp_path, body, cols, 2
    ).items():
        rows = [inked_cells(image, left, top + y * h, (w, h), cols) for y in range(2)]
        boxes = [(left, top + y * h, left + 2 * w, top + (y + 1) * h) for y in range(2)]
        found[name] = rows, [_redness(image, box) for box in boxes]
    assert found["player"][1][0] < 40 < found["player"][1][1], found["player"]
    for name in ("SVG", "PNG"):
        assert found[name][1][0] < 40 < found[name][1][1], (name, found[name][1])
