"""Read back what an animated SVG of ours shows: the screen of every frame, and when.

An independent reader of the document (ElementTree, not the renderer's own data), so
tests can compare the picture with pyte's screen at any time t.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from genact_cast.publish.player_layout import ADVANCING_MARKS
from genact_cast.publish.svg_units import BASELINE, CELL_WIDTH, LINE_HEIGHT

SVG = "{http://www.w3.org/2000/svg}"

Cell = tuple[str, str]  # the character, and the class of its <tspan> ("" for none)


@dataclass(frozen=True)
class Picture:
    rows: int
    starts: list[float]  # when each frame starts showing, in seconds
    screens: list[list[list[Cell]]]  # per frame, per row, the cells drawn (trailing blanks cut)
    backgrounds: list[list[dict[int, str]]] = field(default_factory=list)  # column: fill
    classes: dict[str, str] = field(default_factory=dict)  # class: its CSS rules
    default_fill: str = ""

    def index_at(self, t: float) -> int:
        return max((i for i, start in enumerate(self.starts) if start <= t + 1e-9), default=0)

    def text_at(self, t: float) -> list[str]:
        return self.screens_text(self.index_at(t))

    def screens_text(self, index: int) -> list[str]:
        return ["".join(c for c, _ in row).rstrip() for row in self.screens[index]]


def _flag_letter(text: str) -> bool:
    """A lone regional indicator (two in a row are drawn as one flag)."""
    return len(text) == 1 and 0x1F1E6 <= ord(text) <= 0x1F1FF


def _texts(element: ET.Element, nodes: dict[str | None, ET.Element]) -> list[ET.Element]:
    """The <text> elements a leaf draws its row with, in order: its own, or the parts of
    it that it shares with other leaves by a <use> without `y` (a block's <use> of a leaf
    always has one: the baseline). None for a block."""
    if element.tag == SVG + "text":
        return [element]
    texts = []
    for child in element:
        if child.tag == SVG + "use" and child.get("y") is None:
            child = nodes[child.get("href", "")[1:]]
        if child.tag == SVG + "text":
            texts.append(child)
    return texts


def _leaf_cells(texts: list[ET.Element]) -> list[Cell]:
    """A row's characters at the columns the document places them: a <tspan> with `x`
    starts at its column, and a code point a browser gives no advance (a combining mark,
    a variation selector, ZWJ, ZWSP, a soft hyphen) is drawn on the character before it.
    A row in two <text> goes on where the first ends (the second starts with an `x`)."""
    cells: list[Cell] = []
    leading: list[str] = []  # format characters before a row's first character

    def put(chars: str, name: str, placed: bool = False) -> None:
        """`placed`: the text starts a <tspan> with `x` (its first character is no part of
        a cluster before it)."""
        for index, c in enumerate(chars):
            if not cells and unicodedata.category(c) == "Cf":
                leading.append(c)  # (the LRO opening a reordered span: no advance)
            elif _flag_letter(c) and cells and _flag_letter(cells[-1][0]):
                cells[-1] = (cells[-1][0] + c, cells[-1][1])  # a flag: one glyph, two cells
                cells.append((" ", name))
            elif c in ADVANCING_MARKS and cells and not (placed and index == 0):
                # Laid out with an advance of its own (measured in the player): the
                # browser counts it with the character before it, and a column after.
                cells[-1] = (cells[-1][0] + c, cells[-1][1])
                cells.append((" ", name))
            elif unicodedata.category(c) in ("Mn", "Me", "Cf") and cells:
                if c in ADVANCING_MARKS:  # opening a placed run: a cell of its own
                    cells.append((c, name))
                else:
                    cells[-1] = (cells[-1][0] + c, cells[-1][1])
            else:
                cells.append(("".join(leading) + c if not cells else c, name))
                leading.clear()

    for index, text in enumerate(texts):
        if index:  # (cut where its glyphs stay where they are: at a placed <tspan>)
            assert not text.text, "a row's text cut before a run not placed"
            assert len(text), "a row's text cut at its end"
            assert text[0].get("x") is not None, "a row's text cut before a run not placed"
        put(text.text or "", "")
        for span in text:
            assert span.tag == SVG + "tspan", span.tag
            if span.get("x") is not None:
                column = round(float(span.get("x", "0")) / CELL_WIDTH)
                del cells[column:]
                cells.extend([(" ", "")] * (column - len(cells)))
            put(span.text or "", span.get("class", ""), span.get("x") is not None)
            put(span.tail or "", "")
    return cells


def _leaf_backgrounds(element: ET.Element, nodes: dict[str | None, ET.Element]) -> dict[int, str]:
    """The fill of each column a leaf's background rectangles cover (its own, or those of
    the shapes it shares with other leaves by a <use>)."""
    fills: dict[int, str] = {}
    rects = element.findall(SVG + "rect") + element.findall(f"{SVG}g/{SVG}rect")
    for use in element.findall(SVG + "use"):
        rects += nodes[use.get("href", "")[1:]].findall(SVG + "rect")
    for rect in rects:
        first = round(float(rect.get("x", "0")) / CELL_WIDTH)
        count = round(float(rect.get("width", "0")) / CELL_WIDTH)
        for column in range(first, first + count):
            fills[column] = rect.get("fill", "")
    return fills


def read(svg: str) -> Picture:
    root = ET.fromstring(svg)
    defs = root.find(SVG + "defs")
    assert defs is not None
    nodes = {element.get("id"): element for element in defs}
    # (a leaf's shapes shared with other leaves are drawn by id where first drawn)
    nodes.update((e.get("id"), e) for e in defs.iter() if e.get("id") and e.get("id") not in nodes)
    inner = root.find(SVG + "svg")
    assert inner is not None
    rows = int(inner.get("height", "0")) // LINE_HEIGHT
    strip = inner.find(SVG + "g")
    assert strip is not None
    assert strip.get("id") == "strip"

    def place(ident: str, y: float, screen: dict[int, list[Cell]], depth: int) -> None:
        assert depth < 16, "blocks nested too deep"
        element = nodes[ident]
        texts = _texts(element, nodes)
        if texts:
            row, rest = divmod(y - BASELINE, LINE_HEIGHT)
            assert rest == 0, f"line {ident} placed off the row grid at y={y}"
            if 0 <= row < rows:
                assert int(row) not in screen, f"row {row} drawn twice"
                screen[int(row)] = _leaf_cells(texts)
                fills[int(row)] = _leaf_backgrounds(element, nodes)
            return
        for use in element:
            assert use.tag == SVG + "use"
            place(use.get("href", "")[1:], y + float(use.get("y", "0")), screen, depth + 1)

    screens = []
    backgrounds = []
    fills: dict[int, dict[int, str]] = {}
    for index, frame in enumerate(strip):
        assert frame.tag == SVG + "svg"
        assert float(frame.get("y", "0")) == index * rows * LINE_HEIGHT
        drawn: dict[int, list[Cell]] = {}
        fills = {}
        for use in frame:
            place(use.get("href", "")[1:], float(use.get("y", "0")), drawn, 0)
        screens.append([drawn.get(row, []) for row in range(rows)])
        backgrounds.append([fills.get(row, {}) for row in range(rows)])

    style = root.find(SVG + "style")
    css = style.text if style is not None and style.text else ""
    duration = re.search(r"animation:play ([\d.]+)s", css)
    starts = [0.0] * len(screens)
    if duration:
        total = float(duration.group(1))
        for percent, offset in re.findall(r"([\d.]+)%\{transform:translateY\(-(\d+)px\)\}", css):
            index = int(offset) // (rows * LINE_HEIGHT)
            if index < len(screens) and float(percent) < 100:
                starts[index] = float(percent) / 100 * total
    classes = dict(re.findall(r"\.([A-Za-z][\w-]*)\{([^}]*)\}", css))
    default = re.search(r"text\{fill:(#[0-9a-f]{6})", css)
    return Picture(rows, starts, screens, backgrounds, classes, default.group(1) if default else "")
