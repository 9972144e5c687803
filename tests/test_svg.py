"""The animated SVG: safe for GitHub, compact, and showing what a terminal would show."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pyte
import pytest

from genact_cast.asciicast import Event, Header
from genact_cast.publish.svg import frames, render_svg
from genact_cast.sources import open_cast

ROOT = Path(__file__).resolve().parent.parent
NS = {"s": "http://www.w3.org/2000/svg"}
CAST = ROOT / "casts" / "seed7-80x24.cast"


def load(path: Path) -> tuple[Header, list[Event]]:
    with open_cast(str(path)) as reader:
        return reader.header, list(reader.events())


@pytest.fixture(scope="module")
def cast() -> tuple[Header, list[Event]]:
    return load(CAST)


@pytest.fixture(scope="module")
def svg(cast: tuple[Header, list[Event]]) -> str:
    return render_svg(*cast, fps_cap=1000)


def screen_at(header: Header, events: list[Event], t: float) -> list[str]:
    screen = pyte.Screen(header.cols, header.rows)
    stream = pyte.Stream(screen)
    for event in events:
        if event.time > t:
            break
        if event.code == "o":
            stream.feed(event.data)
    return [row.rstrip() for row in screen.display]


G = "{http://www.w3.org/2000/svg}g"


def attr(element: ET.Element, name: str) -> str:
    value = element.get(name)
    assert value is not None
    return value


def line_texts(root: ET.Element) -> dict[str | None, str]:
    return {
        g.get("id"): "".join(g.itertext()).rstrip()
        for g in root.iter(G)
        if g.get("id", "").startswith("l")
    }


def svg_screen_at(svg: str, rows: int, t: float) -> list[str]:
    """The rows the SVG shows at `t` seconds, read from its keyframes and strip."""
    root = ET.fromstring(svg)
    lines = line_texts(root)
    strip = next(g for g in root.iter(G) if g.get("id") == "strip")
    style_element = root.find("s:style", NS)
    assert style_element is not None
    style = style_element.text or ""
    duration = re.search(r"animation:play ([\d.]+)s", style)
    assert duration is not None
    total = float(duration.group(1))
    steps = re.findall(r"([\d.]+)%\{transform:translateY\(-(\d+)px\)\}", style)
    keyframes = [(float(p) / 100 * total, int(y)) for p, y in steps]
    offset = max((y for time, y in keyframes if time <= t), default=0)
    frame_index = offset // (rows * 18)
    frame = list(strip)[frame_index]
    screen = [""] * rows
    for use in frame:
        screen[int(attr(use, "y")) // 18] = lines[attr(use, "href")[1:]]
    return screen


def test_well_formed_with_no_script_smil_or_external_references(svg: str) -> None:
    root = ET.fromstring(svg)
    tags = {element.tag.split("}")[1] for element in root.iter()}
    assert tags <= {"svg", "style", "rect", "defs", "g", "text", "tspan", "use"}
    assert not re.search(r"<script|\son\w+=|<animate|<set|javascript:|url\(|@import", svg)
    hrefs = re.findall(r'href="([^"]*)"', svg)
    assert hrefs
    assert all(h.startswith("#") for h in hrefs)
    assert re.findall(r"https?://[^\s\"']+", svg) == ["http://www.w3.org/2000/svg"]


def test_each_distinct_line_is_stored_once(cast: tuple[Header, list[Event]], svg: str) -> None:
    shown = list(frames(*cast, fps_cap=1000))
    distinct = {line for frame in shown for line in frame.lines if line}
    defined = re.findall(r'<g id="l[0-9a-f]+">', svg)
    assert len(defined) == len(distinct)
    uses = svg.count("<use ")
    assert uses == sum(1 for frame in shown for line in frame.lines if line)
    assert len(defined) < uses / 3  # reuse, not frames x rows of text


@pytest.mark.parametrize("fraction", [0.05, 0.2, 0.33, 0.5, 0.71, 0.9, 1.0])
def test_the_frame_at_t_shows_what_pyte_shows(
    cast: tuple[Header, list[Event]], svg: str, fraction: float
) -> None:
    header, events = cast
    t = events[-1].time * fraction
    assert svg_screen_at(svg, header.rows, t) == screen_at(header, events, t)


def test_frame_rate_is_capped(cast: tuple[Header, list[Event]]) -> None:
    times = [f.time for f in frames(*cast, fps_cap=4)]
    assert all(b - a >= 0.25 - 1e-9 for a, b in itertools.pairwise(times))


def test_a_still_frame_at_t(cast: tuple[Header, list[Event]]) -> None:
    header, events = cast
    still = render_svg(header, events, at=60.0)
    assert "@keyframes" not in still
    root = ET.fromstring(still)
    lines = line_texts(root)
    shown = [""] * header.rows
    for use in root.iter("{http://www.w3.org/2000/svg}use"):
        shown[int(attr(use, "y")) // 18] = lines[attr(use, "href")[1:]]
    expected = screen_at(header, events, 60.0)
    assert shown == expected


def test_loop_or_play_once_and_reduced_motion(cast: tuple[Header, list[Event]]) -> None:
    looping = render_svg(*cast)
    once = render_svg(*cast, loop=False)
    assert "steps(1,end) infinite" in looping
    assert "steps(1,end) 1 forwards" in once
    assert "@media (prefers-reduced-motion:reduce)" in looping


def test_idle_limit_shortens_the_animation(tmp_path: Path) -> None:
    header = Header(cols=20, rows=3)
    events = [Event(0, "o", "a"), Event(60_000_000, "o", "b")]
    svg = render_svg(header, events, idle_time_limit=2.0)
    assert "animation:play 5.000s" in svg  # 2 s of idle, then the last frame held 3 s


def test_it_renders_in_chromium_and_reduced_motion_shows_the_last_frame(
    browser: Any,
    tmp_path: Path,
    cast: tuple[Header, list[Event]],
) -> None:
    path = tmp_path / "demo.svg"
    path.write_text(render_svg(*cast))
    page = browser.new_page(viewport={"width": 720, "height": 460})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.emulate_media(reduced_motion="reduce")
    page.goto(path.as_uri())
    transform = page.evaluate("getComputedStyle(document.getElementById('strip')).transform")
    shown = len(list(frames(*cast)))
    assert transform == f"matrix(1, 0, 0, 1, 0, -{(shown - 1) * cast[0].rows * 18})"
    picture = page.screenshot()
    assert len(picture) > 20_000  # text drawn, not a blank rectangle
    assert errors == []
    page.close()
