"""Which font Chromium draws each row's text from, in the player and in the SVG.

Chromium's DevTools protocol says which platform fonts it used for a node's text
(`CSS.getPlatformFontsForNode`: the family and how many glyphs came from it). That is the
reference for a glyph's choice (colour emoji or a text glyph, and from which text font),
read exactly, not guessed from the colours of pixels (an emoji can be grey: 👁 🕰).

Each string is written on a row of its own, followed by `|`; a row's fonts are those of
its spans (player) or of the SVG's text drawn for it, less the monospace face itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genact_cast.asciicast import OUTPUT, Event, Header
from genact_cast.publish.svg import render_svg
from tests.player_dom import Player, cast_json

MONO = "DejaVu Sans Mono"  # the player's and the SVG's first font present here
ROWS = 200  # strings a cast
# Fonts loaded and the text laid out with them: a font still loading is not reported.
SETTLED = """async () => { await document.fonts.ready;
  for (let i = 0; i < 2; i++) await new Promise(r => requestAnimationFrame(r)); }"""


def _session(page: Any) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    return cdp


def _fonts(cdp: Any, nodes: list[int]) -> set[str]:
    found = set()
    for node in nodes:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            found.add(font["familyName"])
    return found - {MONO}


def _body(strings: list[str]) -> str:
    return "\x1b[?25l" + "\r\n".join(f"{text}|" for text in strings)


def player_fonts(browser: Any, strings: list[str], cols: int = 12) -> list[set[str]]:
    """The fonts other than the monospace face that the player's text of each row uses."""
    player = Player(browser)
    cdp = _session(player.page)
    found: list[set[str]] = []
    for first in range(0, len(strings), ROWS):
        part = strings[first : first + ROWS]
        player.load(cast_json({"version": 2, "width": cols, "height": len(part)},
                              [[0.1, "o", _body(part)]]))  # fmt: skip
        player.at(0.5)
        player.page.evaluate(SETTLED)
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        lines = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": ".ap-line"})
        rows = player.page.evaluate(
            "() => [...document.querySelectorAll('.ap-line')]"
            ".map(l => Number(l.style.getPropertyValue('--row')))"
        )
        by_row: dict[int, set[str]] = {}
        for node, row in zip(lines["nodeIds"], rows, strict=True):
            spans = cdp.send("DOM.querySelectorAll", {"nodeId": node, "selector": "span"})
            by_row[row] = _fonts(cdp, spans["nodeIds"])
        found += [by_row.get(y, set()) for y in range(len(part))]
    player.close()
    return found


# The SVG keeps each row's text in <defs>, drawn by <use>: a node that is not laid out has
# no fonts, so each <use> is replaced by a copy of what it draws, with its row.
_UNUSE = """() => {
  for (const use of [...document.querySelectorAll('use')]) {
    const drawn = document.getElementById(use.getAttribute('href').slice(1)).cloneNode(true);
    drawn.removeAttribute('id');
    const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    g.setAttribute('transform', `translate(0 ${use.getAttribute('y')})`);
    g.dataset.row = String(Math.round((Number(use.getAttribute('y')) - ROW0) / HEIGHT));
    g.appendChild(drawn);
    use.replaceWith(g);
  }
  document.querySelector('defs').remove();
  return [...document.querySelectorAll('g[data-row] text')]
    .map(t => Number(t.closest('g[data-row]').dataset.row));
}"""


def svg_fonts(browser: Any, strings: list[str], folder: Path, cols: int = 12) -> list[set[str]]:
    """The fonts other than the monospace face that Chromium draws each row of the SVG
    (a still of the same cast) from."""
    from genact_cast.publish.svg_units import BASELINE, LINE_HEIGHT

    page = browser.new_page()
    cdp = _session(page)
    found: list[set[str]] = []
    for first in range(0, len(strings), ROWS):
        part = strings[first : first + ROWS]
        svg = folder / "fonts.svg"
        events = [Event(0, OUTPUT, _body(part))]
        svg.write_text(render_svg(Header(cols=cols, rows=len(part)), events), "utf-8")
        page.goto(svg.as_uri())
        rows = page.evaluate(
            _UNUSE.replace("ROW0", str(BASELINE)).replace("HEIGHT", str(LINE_HEIGHT))
        )
        page.evaluate(SETTLED)
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        texts = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "g[data-row] text"})
        by_row: dict[int, set[str]] = {}
        for node, row in zip(texts["nodeIds"], rows, strict=True):
            tspans = cdp.send("DOM.querySelectorAll", {"nodeId": node, "selector": "tspan"})
            by_row.setdefault(row, set()).update(_fonts(cdp, [node, *tspans["nodeIds"]]))
        found += [by_row.get(y, set()) for y in range(len(part))]
    page.close()
    return found


def png_font(char: str, size: int = 15) -> set[str]:
    """The family the PNG and video draw a character from (publish/glyphs.py), as a set
    like the browser's, empty for the monospace face."""
    from genact_cast.publish import glyphs

    face = glyphs.face(char, False, False, size)
    family = str(face.font.getname()[0])
    return set() if family == MONO else {family}
