"""A dashboard's rows draw the same bars and pane borders beside different text: the SVG
draws such shapes once and places them on every other row by a <use> (issue 19's size
target: at 120x36 the same two bars were drawn 815 times, 273 KB of 1,269); a row's text
is cut in two where its glyphs stay where they are, so that a chart's part is shared by
the rows that show it beside a changing pane; and the picture stays the one drawn in
place (held in Chromium, pixel for pixel)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from genact_cast.asciicast import Header
from genact_cast.asciicast.model import Event
from genact_cast.publish import svg_strip
from genact_cast.publish.screens import BLANK, Style
from genact_cast.publish.svg import render_svg
from genact_cast.publish.svg_lines import LineMarkup
from genact_cast.publish.theme import DEFAULT_THEME
from tests import svg_model
from tests.browser import screenshot

# Sixteen rows of a GPU pane: a different number on each, the same bar and borders (the
# cursor hidden: its block is a shape of its row too).
ROWS = "\x1b[?25l" + "".join(
    f"\x1b[{y + 1};1H\x1b[90m│\x1b[0mgpu {y:2} {40 + 3 * y}% \x1b[32m██▉\x1b[90m░░\x1b[0m"
    f" \x1b[44m{y}\x1b[0m\x1b[90m│\x1b[0m"
    for y in range(16)
)
HEADER = Header(cols=24, rows=16)
EVENTS = [Event(0, "o", ROWS), Event(1_000_000, "o", "\x1b[1;10H9")]


def test_a_bar_on_sixteen_rows_is_drawn_twice() -> None:
    """Drawn in place where first met, given an id where met again, then used."""
    svg = render_svg(HEADER, [Event(0, "o", re.sub(r"\x1b\[44m", "", ROWS)), EVENTS[1]])
    bars = re.findall(r'<path d="[^"]*" fill="#[0-9a-f]{6}" shape-rendering="crispEdges"/>', svg)
    assert len(bars) == 2, bars
    shades = re.findall(r"<path [^>]*fill-opacity", svg)
    assert len(shades) == 2
    defs = svg.split("</defs>")[0]
    assert defs.count("<use href=") >= 16 - 2  # (the bars of the other rows)


def test_the_rows_read_back_the_same_with_their_backgrounds() -> None:
    svg = render_svg(HEADER, EVENTS)
    picture = svg_model.read(svg)
    for screen, fills in zip(picture.screens, picture.backgrounds, strict=True):
        for y, (row, row_fills) in enumerate(zip(screen, fills, strict=True)):
            assert "".join(char for char, _ in row).startswith(f"│gpu {y:2} ")
            assert list(row_fills) == list(range(18, 18 + len(str(y))))


def test_shapes_met_once_or_short_are_drawn_in_place() -> None:
    """Sharing costs an id and a <use> (about 30 bytes): a shape met once is not shared,
    nor one shorter than svg_strip.SHARED_LENGTH."""
    svg = render_svg(Header(cols=12, rows=3), [Event(0, "o", "\x1b[32m██▉\x1b[0m a")])
    assert "<use href" not in svg.split("</defs>")[0]
    assert len('<rect x="0" y="-15" width="9.03" height="20" fill="#cccccc"/>') < (
        svg_strip.SHARED_LENGTH
    )


def test_shared_shapes_draw_the_picture_drawn_in_place(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = render_svg(HEADER, EVENTS, at=1.5)
    monkeypatch.setattr(svg_strip, "SHARED_LENGTH", 10**9)  # (never shared)
    in_place = render_svg(HEADER, EVENTS, at=1.5)
    assert shared != in_place
    assert len(shared) < len(in_place)
    pictures = []
    for name, svg in (("shared", shared), ("in_place", in_place)):
        path = tmp_path / f"{name}.svg"
        path.write_text(svg, "utf-8")
        page = browser.new_page(viewport={"width": 260, "height": 360})
        page.goto(path.as_uri())
        pictures.append(Image.open(io.BytesIO(screenshot(page))).convert("RGB"))
        page.close()
    assert ImageChops.difference(*pictures).getbbox() is None


# Six rows of a chart beside a GPU pane whose numbers change in every frame: the braille
# is stretched to its cells, so the run after it is placed at its column (`x`).
CHART = "\x1b[?25l" + "".join(
    f"\x1b[{y + 1};1H\x1b[90m│\x1b[32m{'⣿⡇' if y % 2 else '⡇⣿'}\x1b[0m \x1b[33m⢸\x1b[90m│\x1b[0m"
    f"gpu {y} {40 + y}%"
    for y in range(6)
)
CHART_EVENTS = [Event(0, "o", CHART)] + [
    Event(second * 1_000_000, "o", "".join(f"\x1b[{y + 1};13H{50 + second + y}" for y in range(6)))
    for second in range(1, 5)
]
CHART_HEADER = Header(cols=24, rows=6)


def _never_cut(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(svg_strip, "SHARED_LENGTH", 10**9)  # (nothing shared, nothing cut)
    return render_svg(CHART_HEADER, CHART_EVENTS)


def test_a_chart_beside_a_changing_pane_is_drawn_twice_then_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row's text is cut before its last placed run once a part was met before: the
    chart's part is drawn in its first row, given an id in its second, then used."""
    svg = render_svg(CHART_HEADER, CHART_EVENTS)
    defs = svg.split("</defs>")[0]
    for chart in ("⣿⡇", "⡇⣿"):
        drawn = defs.count(f'lengthAdjust="spacingAndGlyphs">{chart}</tspan>')
        assert drawn == 2, (chart, drawn)
    assert re.search(r'<text id="[^"]+"><tspan class="[^"]+">│</tspan>', defs)
    assert len(svg) < len(_never_cut(monkeypatch))


def test_rows_cut_in_two_read_back_as_drawn_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    cut = svg_model.read(render_svg(CHART_HEADER, CHART_EVENTS))
    whole = svg_model.read(_never_cut(monkeypatch))
    assert cut.screens == whole.screens
    assert cut.backgrounds == whole.backgrounds
    assert "".join(char for char, _ in cut.screens[-1][5]).endswith("gpu 5 59%")


def test_a_row_is_cut_only_where_its_glyphs_stay_where_they_are() -> None:
    """Not before a run of a fallback font's letters, nor in a row with one or with any
    right-to-left character (the browser reorders them within the whole <text>), nor
    before a mark."""
    markup = LineMarkup(DEFAULT_THEME)
    braille: tuple[tuple[str, Style], ...] = (("⣿", BLANK),)
    _, spans, cut = markup.parts((*braille, ("│ gpu 1", BLANK)))
    assert cut
    assert spans[cut:].startswith('<tspan x="9.03">│')
    assert markup.parts((*braille, ("│ gpu 1", BLANK), ("א", BLANK)))[2] == 0
    assert markup.parts((("א", BLANK), *braille, ("│ gpu 1", BLANK)))[2] == 0
    assert markup.parts((*braille, ("│ gpu 1", BLANK), ("│ א", BLANK)))[2] == 0
    assert markup.parts((*braille, ("│ gpu ١", BLANK)))[2] == 0  # (an Arabic digit: AN)
    assert markup.parts((("\u202eab", BLANK), *braille, ("│ gpu 1", BLANK)))[2] == 0  # (RLO)
    assert markup.parts((("ก", BLANK), *braille, ("│ gpu 1", BLANK)))[2] == 0  # (Thai)
    assert markup.parts((*braille, ("\u0301a", BLANK)))[2] == 0
    assert markup.parts((("│ gpu 1", BLANK),))[2] == 0  # (nothing placed)


def test_rows_cut_in_two_draw_the_picture_drawn_whole(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = (render_svg(CHART_HEADER, CHART_EVENTS), _never_cut(monkeypatch))
    assert documents[0] != documents[1]
    pictures: list[list[Image.Image]] = []
    for index, svg in enumerate(documents):
        path = tmp_path / f"{index}.svg"
        path.write_text(svg, "utf-8")
        page = browser.new_page(viewport={"width": 260, "height": 160})
        page.goto(path.as_uri())
        shots = []
        for second in (0.5, 1.5, 2.5, 3.5, 4.5):
            page.evaluate(
                "(ms) => document.getAnimations().forEach(a => { a.pause(); a.currentTime = ms; })",
                second * 1000,
            )
            shots.append(Image.open(io.BytesIO(screenshot(page))).convert("RGB"))
        pictures.append(shots)
        page.close()
    for cut, whole in zip(*pictures, strict=True):
        assert ImageChops.difference(cut, whole).getbbox() is None


def test_a_bars_unseen_text_is_one_tspan_that_draws_as_its_runs_did(
    browser: Any, tmp_path: Path
) -> None:
    """A bar's blocks and shades (two colours) are drawn as shapes; their text stays,
    unseen, for search: one tspan without a class, where each run was a tspan in its
    colour. The picture (and the text after the bar) is the same in Chromium."""
    bar = "\x1b[?25l" + "".join(
        f"\x1b[{y + 1};1Hgpu{y} \x1b[32m{'█' * (y + 1)}▉\x1b[90m{'░' * (6 - y)}\x1b[0m {y}0%"
        for y in range(6)
    )
    svg = render_svg(Header(cols=18, rows=6), [Event(0, "o", bar)], at=0.5)
    unseen = re.findall(r"<tspan[^>]*opacity=\"0\"[^>]*>[^<]*</tspan>", svg)
    assert len(unseen) == 6
    assert all(re.fullmatch(r'<tspan opacity="0">█+▉░+</tspan>', span) for span in unseen)
    picture = svg_model.read(svg)
    assert [row.rstrip() for row in picture.screens_text(0)] == [
        f"gpu{y} {'█' * (y + 1)}▉{'░' * (6 - y)} {y}0%" for y in range(6)
    ]
    green, grey = DEFAULT_THEME.palette[2], DEFAULT_THEME.palette[8]
    apart = re.sub(
        r'<tspan opacity="0">(█+▉)(░+)</tspan>',
        rf'<tspan fill="{green}" opacity="0">\1</tspan><tspan fill="{grey}" opacity="0">\2</tspan>',
        svg,
    )
    pictures = []
    for name, drawn in (("one", svg), ("apart", apart), ("none", re.sub("[█▉░]", "", svg))):
        path = tmp_path / f"{name}.svg"
        path.write_text(drawn, "utf-8")
        page = browser.new_page(viewport={"width": 200, "height": 160})
        page.goto(path.as_uri())
        pictures.append(Image.open(io.BytesIO(screenshot(page))).convert("RGB"))
        page.close()
    assert ImageChops.difference(pictures[0], pictures[1]).getbbox() is None
    # (and the unseen text places the text after it: without it, "0%" moves left)
    assert ImageChops.difference(pictures[0], pictures[2]).getbbox() is not None
