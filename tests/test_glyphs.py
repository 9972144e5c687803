"""The PNG and video glyphs against outside references: asciinema-player 3.18 drawing the
same cells in Chromium, Chromium's italics, and the fonts fontconfig names.

scripts/test installs the fonts these need: fonts-wqy-microhei (CJK) and
fonts-noto-color-emoji.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont, ImageStat

from genact_cast.publish import glyphs, vectors
from tests.browser import screenshot
from tests.player_dom import player_assets

ROOT = Path(__file__).resolve().parent.parent
GENACT = [sys.executable, "-m", "genact_cast"]
# Drawn by the player (block elements on its canvas, powerline, triangles and diagonal
# blocks as vectors), in two lines. A vector shape's outline stroke reaches a little into
# the cell on its right, so the diagonal blocks come before █ or at a line's end.
DRAWN = (
    "┃╹╻\U0001fb4b█▁▂▃▄▅▆▇▉▊▋▌▍▎▏▐▀▔▕▖▗\U0001fb4f",
    "▘▙▚▛▜▝▞▟■\U0001fb00\U0001fb0b\U0001fb1e\ue0b0\ue0b2\ue0b8\ue0ba\ue0bc\ue0be◢◣◤◥\U0001fb68",
)
# Drawn by the browser from the player's text: a mark in its own (blank) cell composed on
# the character before it, and a pictograph with VS16 in colour over two cells.
COMPOSED = "e\u0301 n\u0303 a\u0308 \u2764\ufe0f"
FG, BG = (255, 255, 255), (0, 0, 0)


def cast_file(path: Path, line: str, cols: int) -> Path:
    """One line of white on black, cursor hidden, in a cast of its own."""
    header = {
        "version": 2,
        "width": cols,
        "height": 2,
        "theme": {"fg": "#ffffff", "bg": "#000000", "palette": ":".join(["#000000"] * 8)},
    }
    body = [0.1, "o", "\x1b[?25l" + line]
    path.write_text(json.dumps(header) + "\n" + json.dumps(body) + "\n", "utf-8")
    return path


def png_cells(cast: Path, count: int, size: int = 24, mode: str = "L") -> list[Image.Image]:
    """Our PNG of the cast, cut into its first `count` cells of row 0 (grey, or `mode`)."""
    from genact_cast.publish.picture_layout import layout

    out = cast.with_suffix(".png")
    result = subprocess.run([*GENACT, "embed", str(cast), "--png", str(out), "--size", str(size)],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lay = layout(json.loads(cast.read_text().splitlines()[0])["width"], 2, size)
    picture = Image.open(out).convert(mode)
    return [
        picture.crop((lay.left + i * lay.cell_width, lay.top,
                      lay.left + (i + 1) * lay.cell_width, lay.top + lay.cell_height))
        for i in range(count)
    ]  # fmt: skip


def player_cells(
    browser: Any, cast: Path, count: int, tmp_path: Path, mode: str = "L"
) -> list[Image.Image]:
    """asciinema-player's picture of the same cells, from a screenshot of its terminal."""
    script, style = player_assets()  # the pinned package, checked against its hashes
    cols = json.loads(cast.read_text().splitlines()[0])["width"]
    page_path = tmp_path / "player.html"
    page_path.write_text(
        f"<html><head><style>{style}</style></head><body style='margin:0'><div id=p></div>"
        f"<script>{script}</script><script>window.player = AsciinemaPlayer.create("
        f"{{data: {json.dumps(cast.read_text())}}}, document.getElementById('p'), "
        f"{{poster: 'npt:0:1', fit: false, terminalFontSize: '32px', controls: false}});"
        f"</script></body></html>", "utf-8")  # fmt: skip
    page = browser.new_page(viewport={"width": 1600, "height": 400})
    page.goto(page_path.as_uri())
    page.wait_for_selector(".ap-term canvas")
    page.wait_for_timeout(500)
    term = page.query_selector(".ap-term-text")
    assert term is not None
    box = term.bounding_box()
    assert box is not None
    shot = Image.open(io.BytesIO(screenshot(page, clip=box))).convert(mode)
    page.close()
    cell_w, cell_h = shot.width / cols, shot.height / 2
    return [
        shot.crop((round(i * cell_w), 0, round((i + 1) * cell_w), round(cell_h)))
        for i in range(count)
    ]


def svg_cells(
    browser: Any, cast: Path, count: int, scale: int = 4, mode: str = "L"
) -> list[Image.Image]:
    """Our SVG still of the cast as Chromium draws it, cut into its first `count` cells."""
    from genact_cast.publish.svg import CELL_WIDTH, LINE_HEIGHT, PADDING, render_svg
    from genact_cast.sources import open_cast

    with open_cast(str(cast)) as reader:
        svg = render_svg(reader.header, list(reader.events()), at=1.0)
    page = browser.new_page(viewport={"width": 1600, "height": 200}, device_scale_factor=scale)
    page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
    shot = Image.open(io.BytesIO(screenshot(page))).convert(mode)
    page.close()
    return [
        shot.crop((round((PADDING + i * CELL_WIDTH) * scale), PADDING * scale,
                   round((PADDING + (i + 1) * CELL_WIDTH) * scale),
                   (PADDING + LINE_HEIGHT) * scale))
        for i in range(count)
    ]  # fmt: skip


def coverage(cell: Image.Image) -> tuple[float, float, float]:
    """Share of the cell inked, and the ink's centre (x, y) as fractions of the cell."""
    stat = ImageStat.Stat(cell)
    total = stat.sum[0]
    if total == 0:
        return 0.0, 0.5, 0.5
    width, height = cell.size
    data = cell.tobytes()
    cx = sum(v * (i % width) for i, v in enumerate(data)) / total / width
    cy = sum(v * (i // width) for i, v in enumerate(data)) / total / height
    return total / 255 / (width * height), cx, cy


def test_drawn_shapes_cover_their_cells_as_the_player_draws_them(
    browser: Any, tmp_path: Path
) -> None:
    line = "".join(DRAWN)
    vector = [vectors.vector(char) for char in line]
    # Two lines of half the shapes: the player's cells are a fraction of a pixel wide, so
    # cutting a long line's screenshot into cells drifts.
    for part in DRAWN:
        _compare_shapes(browser, tmp_path, part)
    # 10 powerline and triangles, 30 block elements with ■, 3 sextants, ┃ ╹ ╻ and 3
    # diagonal blocks: the SVG draws them all as shapes too
    assert sum(vector) == len(line) == 49


def _compare_shapes(browser: Any, tmp_path: Path, line: str) -> None:
    cast = cast_file(tmp_path / f"shapes{ord(line[0]):x}.cast", line, len(line) + 2)
    ours = png_cells(cast, len(line))
    theirs = player_cells(browser, cast, len(line), tmp_path)
    # The SVG draws the player's vector symbols as paths too (not a font's glyph, which a
    # viewer without a powerline font sees as a box).
    in_svg = svg_cells(browser, cast, len(line))
    for char, mine, player, svg in zip(line, ours, theirs, in_svg, strict=True):
        for who, cell in (("PNG", mine), ("SVG", svg)):
            if who == "SVG" and not vectors.vector(char):
                continue
            (a, ax, ay), (b, bx, by) = coverage(cell), coverage(player)
            assert abs(a - b) < 0.08, (
                f"{who} {char!r} {ord(char):x}: {a:.2f} of the cell, player {b:.2f}"
            )
            if a > 0.05:
                assert abs(ax - bx) < 0.08, (who, char, (ax, ay), (bx, by))
                assert abs(ay - by) < 0.08, (who, char, (ax, ay), (bx, by))


def test_wide_characters_in_the_svg_take_their_two_cells_as_in_the_player(
    browser: Any, tmp_path: Path
) -> None:
    line = "\U0001f600 \u4e2d\u6587 x"  # 😀, 中文: each two cells in the player
    cast = cast_file(tmp_path / "wide.cast", line, 12)
    cells = 9
    ours, theirs = svg_cells(browser, cast, cells), player_cells(browser, cast, cells, tmp_path)
    for x, (mine, player) in enumerate(zip(ours, theirs, strict=True)):
        (a, ax, _), (b, bx, _) = coverage(mine), coverage(player)
        assert abs(a - b) < 0.1, f"cell {x}: {a:.2f} of the cell inked, player {b:.2f}"
        if a > 0.05:  # (the CJK glyph may come from another fallback face than the player's)
            assert abs(ax - bx) < 0.2, (x, ax, bx)


def test_combining_marks_and_emoji_presentation_are_drawn_as_the_browser_draws_them(
    tmp_path: Path,
) -> None:
    """The player keeps a mark in a cell of its own, but the browser lays its text out:
    é (as U+00E9 is drawn, NFC) and the rest of the span one column left, not `e◌`;
    ❤️ in the colour font."""
    ours = png_cells(cast_file(tmp_path / "composed.cast", COMPOSED, 14), len(COMPOSED))
    precomposed = unicodedata.normalize("NFC", COMPOSED)  # "é ñ ä ❤️": the same columns
    same = png_cells(cast_file(tmp_path / "nfc.cast", precomposed, 14), len(COMPOSED))
    for x, char in enumerate(precomposed[:6]):
        assert ours[x].tobytes() == same[x].tobytes(), f"{char}+mark is not drawn as NFC"
    from genact_cast.publish.picture_layout import layout

    lay, x = layout(14, 2, 24), precomposed.index("\u2764")
    heart = Image.open(tmp_path / "composed.png").convert("RGB").crop(
        (lay.left + x * lay.cell_width, lay.top,
         lay.left + (x + 2) * lay.cell_width, lay.top + lay.cell_height))  # fmt: skip
    red, green, blue = (sum(band.tobytes()) for band in heart.split())
    assert red > 2 * green, "❤️ not drawn in colour"
    assert red > 2 * blue, "❤️ not drawn in colour"


def test_lone_and_stacked_marks_are_drawn_as_the_player_shows_them(
    browser: Any, tmp_path: Path
) -> None:
    """A mark that opens a line (U+0301 then a) lies over the next character, as the
    browser draws the player's span; a base with marks the mono face lacks (Z U+0351
    U+0315, Zalgo text) keeps them: the ink above the x-height is the player's, and the
    comma's ink past the cell's edge is not cut."""
    line = "\u0301a Z\u0351\u0315 x\u0300\u0301\u0302"
    cast = cast_file(tmp_path / "marks.cast", line, 14)
    ours, theirs = png_cells(cast, 5), player_cells(browser, cast, 5, tmp_path)
    for x in (0, 2, 4):
        mine, player = (cell.crop((0, 0, cell.width, cell.height * 2 // 5)) for cell in
                        (ours[x], theirs[x]))  # fmt: skip
        (a, ax, _), (b, bx, _) = coverage(mine), coverage(player)
        assert b > 0.02, (x, b)  # the player draws marks there
        assert abs(a - b) < 0.5 * b, f"cell {x}: {a:.3f} of the top inked, player {b:.3f}"
        assert abs(ax - bx) < 0.15, (x, ax, bx)
    # U+0315's comma reaches into the cell after Z, over its background, as in the browser
    (a, ax, _), (b, bx, _) = coverage(ours[3]), coverage(theirs[3])
    assert b > 0.01, b
    assert abs(a - b) < 0.5 * b, f"overhang: {a:.3f} of the next cell inked, player {b:.3f}"
    assert abs(ax - bx) < 0.15, (ax, bx)


def test_right_to_left_letters_in_the_svg_appear_in_the_players_order(
    browser: Any, tmp_path: Path
) -> None:
    """The player's browser applies the bidi algorithm inside each span: Hebrew and Arabic
    letters are shown right to left there (and Arabic joined); the SVG leaves its runs to
    the browser too, each run its own text chunk, so it shows the same order. (Bidi
    controls stay neutralised, as ZWSP: tests/test_svg.py.)"""
    # (what follows the Hebrew in its span is left out: the player's fallback font for it
    # is not monospaced, so the rest of the span drifts off its columns)
    line = "xy ab \u05e9\u05dc\u05d5\u05dd"
    cast = cast_file(tmp_path / "rtl.cast", line, 16)
    cells = len(line)
    theirs = player_cells(browser, cast, cells, tmp_path)
    _same_ink("SVG", svg_cells(browser, cast, cells), theirs)
    _same_ink("PNG", png_cells(cast, cells), theirs)


def test_right_to_left_letters_in_the_png_appear_in_the_players_order(
    browser: Any, tmp_path: Path
) -> None:
    """The PNG (and the video, same raster) lays out a span with Hebrew or Arabic letters
    as Chromium lays out the player's: reordered within the span (a left-to-right
    paragraph: 'שלום abc' keeps the Hebrew on the left), digits after Hebrew inside its
    run, Arabic joined, and the rest of the span after the Hebrew's own width."""
    hebrew, arabic = "\u05e9\u05dc\u05d5\u05dd", "\u0633\u0644\u0627\u0645 \u0639\u0644\u064a\u0643"
    line = f"{hebrew} ab 12 \u05e2\u05d5 cd {arabic}"
    cast = cast_file(tmp_path / "rtl2.cast", line, len(line) + 2)
    cells = len(line)
    _same_ink("PNG", png_cells(cast, cells), player_cells(browser, cast, cells, tmp_path))


def test_a_digram_is_drawn_on_one_cell_with_its_span_moved_left_as_in_the_player(
    browser: Any, tmp_path: Path
) -> None:
    """⚏ (U+268F) is two cells wide in avt, but the player draws it as a vector symbol on
    its first cell and its span's text goes on from the next cell: 'a⚏x|' shows x and |
    one cell left of the terminal's columns, in the PNG and the SVG as in the player."""
    line = "a\u268fx|"
    cast = cast_file(tmp_path / "digram.cast", line, 8)
    theirs = player_cells(browser, cast, 6, tmp_path)
    assert coverage(theirs[4])[0] == 0 < coverage(theirs[3])[0]  # | on cell 3
    _same_ink("SVG", svg_cells(browser, cast, 6), theirs)
    _same_ink("PNG", png_cells(cast, 6), theirs)
    # More than one in a span: each symbol on avt's first cell of its own two (the player
    # places a vector symbol by its cell's column), not where the span's text has reached.
    for name, line in (("digrams", "a\u268f\u268fx\u268fy|"),
                       ("marked", "a\u268fb\u0301\u2590\u268f\u2590|")):  # fmt: skip
        cast = cast_file(tmp_path / f"{name}.cast", line, 12)
        theirs = player_cells(browser, cast, 11, tmp_path)
        _same_ink("SVG", svg_cells(browser, cast, 11), theirs)
        _same_ink("PNG", png_cells(cast, 11), theirs)


def _same_ink(
    who: str, ours: list[Image.Image], theirs: list[Image.Image], centre: float = 0.15
) -> None:
    for x, (mine, player) in enumerate(zip(ours, theirs, strict=True)):
        (a, ax, _), (b, bx, _) = coverage(mine), coverage(player)
        assert abs(a - b) < 0.08, f"{who} cell {x}: {a:.3f} of the cell inked, player {b:.3f}"
        if min(a, b) > 0.05:
            assert abs(ax - bx) < centre, (who, x, ax, bx)


def slant(cell: Image.Image) -> float:
    """How far the ink of the top third lies right of the bottom third's, in cell heights."""
    width, height = cell.size
    data = cell.tobytes()

    def centre(rows: range) -> float:
        weights = [(x, data[y * width + x]) for y in rows for x in range(width)]
        total = sum(w for _, w in weights) or 1
        return sum(x * w for x, w in weights) / total

    third = height // 3
    return (centre(range(third)) - centre(range(2 * third, height))) / height


def test_italic_text_slants_as_chromium_slants_it(browser: Any, tmp_path: Path) -> None:
    """An `I` (upright, symmetric) in italics leans right; Chromium's DejaVu Sans Mono
    italic is the reference for how far."""
    cast = cast_file(tmp_path / "italic.cast", "\x1b[3mI\x1b[0m I", 6)
    italic, upright = png_cells(cast, 3, size=48)[::2]
    page = browser.new_page(viewport={"width": 300, "height": 200})
    page.set_content("<body style='margin:0;background:#000'><span id=s style=\"color:#fff;"
                     "font:italic 96px 'DejaVu Sans Mono';\">I</span></body>")  # fmt: skip
    span = page.query_selector("#s")
    assert span is not None
    box = span.bounding_box()
    assert box is not None
    reference = Image.open(io.BytesIO(screenshot(page, clip=box))).convert("L")
    page.close()
    assert abs(slant(upright)) < 0.02
    assert slant(reference) > 0.05  # the reference leans
    assert slant(italic) == pytest.approx(slant(reference), rel=0.35)


def fc_file(char: str, color: bool = False) -> str:
    pattern = f":charset={ord(char):x}" + (":color=true" if color else "")
    return subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                          text=True, timeout=30, check=True).stdout  # fmt: skip


def test_cjk_comes_from_the_font_fontconfig_names(tmp_path: Path) -> None:
    assert shutil.which("fc-match"), "fontconfig is a test dependency (scripts/test)"
    path = fc_file("中")
    assert "wqy" in path.lower() or "cjk" in path.lower(), f"no CJK font installed: {path}"
    cast = cast_file(tmp_path / "cjk.cast", "中", 4)
    cell = png_cells(cast, 2, size=24)
    drawn = Image.new("L", (cell[0].width * 2, cell[0].height))
    drawn.paste(cell[0], (0, 0))
    drawn.paste(cell[1], (cell[0].width, 0))
    # The reference: the same character from the file fontconfig names, on the baseline.
    from genact_cast.publish.picture_layout import layout

    lay = layout(4, 2, 24)
    expected = Image.new("L", drawn.size)
    ImageDraw.Draw(expected).text((0, lay.ascent), "中", fill=255,
                                  font=ImageFont.truetype(path, 24), anchor="ls")  # fmt: skip
    missing = Image.new("L", drawn.size)
    mono = glyphs.mono(False, False, 24)
    ImageDraw.Draw(missing).text((0, lay.ascent), "中", fill=255, font=mono, anchor="ls")
    assert drawn.tobytes() == expected.tobytes()
    assert drawn.tobytes() != missing.tobytes()


def test_an_emoji_comes_in_colour_from_the_colour_font_fontconfig_names(tmp_path: Path) -> None:
    assert "emoji" in fc_file("😀", color=True).lower(), "fonts-noto-color-emoji (scripts/test)"
    cast = cast_file(tmp_path / "emoji.cast", "😀", 4)
    out = cast.with_suffix(".png")
    subprocess.run([*GENACT, "embed", str(cast), "--png", str(out), "--size", "24"], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    hsv = Image.open(out).convert("HSV").tobytes()
    saturated = sum(1 for i in range(0, len(hsv), 3) if hsv[i + 1] > 120 and hsv[i + 2] > 120)
    assert saturated > 50  # yellow, not a grey outline


def test_a_character_no_font_has_is_the_missing_glyph_box_and_nothing_breaks() -> None:
    found = glyphs.face("\U000e0fff", False, False, 20)
    assert found.font is glyphs.mono(False, False, 20)


def test_fontconfig_is_asked_once_and_its_pick_is_fc_matchs() -> None:
    """Thousands of characters no font has (a fuzzed cast) cost one fontconfig call, and
    the font picked for a character is the one `fc-match ':charset=XXXX'` names (Chromium's
    fallback asks fontconfig so), for a sample of the code points the machine's fonts
    hold, colour or not."""
    import random
    import time

    from genact_cast.publish import font_lookup

    font_lookup._sorted_fonts.cache_clear()
    font_lookup.font_file.cache_clear()
    start = time.monotonic()
    for code in range(0xF0000, 0xF0000 + 3000):  # private use: in no installed font
        glyphs.face(chr(code), False, False, 12)
    assert time.monotonic() - start < 30
    assert font_lookup._sorted_fonts.cache_info().misses == 1
    held = sorted(
        {
            code
            for font in font_lookup._sorted_fonts()
            for low, high in zip(font.starts, font.ends, strict=True)
            for code in range(low, high + 1)
        }
    )
    sample = [*random.Random(7).sample(held, 150), 0x2103, 0x2934, 0x6F22, 0x1F600]
    for code in sample:
        want = fc_file(chr(code))
        assert font_lookup.font_file(chr(code)) == want, f"U+{code:04X}"
        # fc-match names the colour font for `:color=true` even when it lacks the
        # character (colour outranks the character set): the pick is it when it holds it.
        colour = fc_file(chr(code), color=True)
        holds = any(f.path == colour and f.holds(code) for f in font_lookup._sorted_fonts())
        assert (font_lookup.font_file(chr(code), color=True) == colour) == holds, f"U+{code:04X}"


def test_the_svg_keeps_combined_characters_as_wide_as_their_glyphs() -> None:
    """é (e + U+0301) is one glyph in one cell and what follows it in its span one column
    left, as the browser lays the player's text out: not a run of 12 glyphs stretched
    over 15 cells."""
    import re

    from genact_cast.asciicast import OUTPUT, Event, Header
    from genact_cast.publish.svg import CELL_WIDTH, render_svg

    svg = render_svg(Header(30, 2), [Event(100_000, OUTPUT, "\x1b[?25l" + COMPOSED)], at=1.0)
    spans = re.findall(r'<tspan x="([\d.]+)"(?: textLength="([\d.]+)")?[^>]*>([^<]*)</tspan>', svg)
    found = {
        text: (float(x) / CELL_WIDTH, float(length or 0) / CELL_WIDTH) for x, length, text in spans
    }
    shown = unicodedata.normalize("NFC", COMPOSED)  # "é ñ ä ❤️": a column a character
    for x, char in enumerate(COMPOSED):
        if char in "ena":
            column = shown.index(unicodedata.normalize("NFC", COMPOSED[x : x + 2]))
            assert found[COMPOSED[x : x + 2]] == pytest.approx((column, 1)), found
    # ❤️ at its column in its glyph's own width, as the player draws an emoji (not stretched)
    assert found["\u2764\ufe0f"] == pytest.approx((shown.index("\u2764"), 0)), found
    placed = sorted(round(x) for x, _ in found.values())
    assert placed == sorted(set(placed))  # no two runs on one cell


def test_a_flag_is_one_colour_glyph_over_two_cells_as_the_player_draws_it(
    tmp_path: Path,
) -> None:
    """Two regional indicators: one cell each in the player's grid, one flag over both
    as Chromium draws it (not two letter boxes, 4 cells); what follows keeps its cell
    (drawn 0.07 columns right of it: the flag's advance is 2.07 columns, and the browser
    lays the rest of the span out after it, publish/player_layout.as_laid_out)."""
    from genact_cast.publish.picture_layout import layout

    line = "\U0001f1eb\U0001f1f7|x"  # 🇫🇷|x
    cells = png_cells(cast_file(tmp_path / "flag.cast", line, 8), 4)
    (ink, x, _), (bar, bar_x, _) = (
        coverage(cells[2]),
        coverage(png_cells(cast_file(tmp_path / "bar.cast", "  |x", 8), 4)[2]),
    )
    assert abs(ink - bar) < 0.01, (ink, bar)
    assert 0 <= x - bar_x < 0.1, (x, bar_x)
    lay = layout(8, 2, 24)
    flag = Image.open(tmp_path / "flag.png").convert("RGB").crop(
        (lay.left, lay.top, lay.left + 2 * lay.cell_width, lay.top + lay.cell_height))  # fmt: skip
    data = flag.tobytes()
    pixels = {tuple(data[i : i + 3]) for i in range(0, len(data), 3)}
    colours = {p for p in pixels if max(p) - min(p) > 100}
    assert any(b > 2 * r for r, _, b in colours), "no blue: not the 🇫🇷 emoji"
    assert any(r > 2 * b for r, _, b in colours), "no red: not the 🇫🇷 emoji"


def test_shades_are_flat_fills_in_the_svg_as_the_player_paints_them() -> None:
    """░▒▓ and DEC graphics' `a` (▒): the player fills the cell at 25, 50, 75 % opacity
    (Terminal.js `drawBlockGlyph`, `globalAlpha`), not a font's dithered glyph."""
    import re

    from genact_cast.asciicast import OUTPUT, Event, Header
    from genact_cast.publish.svg import render_svg

    events = [Event(100_000, OUTPUT, "\x1b[?25l\u2591\u2592\u2593\x1b(0a\x1b(B")]
    svg = render_svg(Header(10, 2), events, at=1.0)
    fills = re.findall(r'<path d="M[^"]*Z" fill="[^"]+" fill-opacity="([\d.]+)"[^>]*/>', svg)
    assert fills == ["0.25", "0.5", "0.75", "0.5"], svg
    assert re.search(r'<tspan[^>]*opacity="0"[^>]*>\u2591\u2592\u2593\u2592</tspan>', svg), svg


@pytest.mark.parametrize("emoji", ["\u2b50", "\u2139\ufe0f", "1\ufe0f\u20e3"])
def test_emoji_presentation_and_vs16_and_keycaps_come_in_colour(tmp_path: Path, emoji: str) -> None:
    """⭐ (Emoji_Presentation), ℹ️ (a text symbol with VS16) and the keycap 1️⃣ are colour
    emoji in the player (Chromium takes them from the colour font): not a box or a "1"."""
    cast = cast_file(tmp_path / "e.cast", emoji, 4)
    out = cast.with_suffix(".png")
    subprocess.run([*GENACT, "embed", str(cast), "--png", str(out), "--size", "24"], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    hsv = Image.open(out).convert("HSV").tobytes()
    saturated = sum(1 for i in range(0, len(hsv), 3) if hsv[i + 1] > 80 and hsv[i + 2] > 80)
    assert saturated > 50, f"{emoji!r} not drawn in colour"


def test_a_lone_regional_indicator_takes_two_columns_as_in_the_player(
    browser: Any, tmp_path: Path
) -> None:
    """Chromium pairs regional indicators into a flag within the player's span, counted
    from the start of their run; one left alone (🇫 in `a🇫b`, the third of three, 🇦 at
    a line's end; vim writes 🇫🇷 as `🇫 🇷`) is the colour font's
    letter glyph, 2.07 columns (scripts/wide_glyphs.py), and the rest of its span moves
    right: the PNG and the SVG draw each where the player does."""
    f, r, d = "\U0001f1eb", "\U0001f1f7", "\U0001f1e9"
    # (each group a span of its own, bold or not: a span's drift below half a column, which
    # the player's text accumulates, is not followed on the grid)
    line = f"a{f}b|  \x1b[1m{f}{r}{d}x|  \x1b[22m{f} {r}|  \x1b[1m\U0001f1e6"
    cast = cast_file(tmp_path / "letters.cast", line, 30)
    cells = 26
    theirs = player_cells(browser, cast, cells, tmp_path)
    # (the player lays `|` after 🇫🇷🇩x out 0.14 columns right of its cell: the pictures
    # keep the grid there, hence the wider tolerance for where a cell's ink lies)
    _same_ink("PNG", png_cells(cast, cells), theirs, centre=0.2)
    _same_ink("SVG", svg_cells(browser, cast, cells), theirs, centre=0.2)
