"""Where Chromium lays out each code point of a row: in asciinema-player 3.18 (its
`.ap-line` spans) and in our SVG still of the same moment, in columns from the row's left.

The browser's own layout is the reference here, read exactly (a DOM Range around each
code point, its bounding box), not guessed from pixels: a glyph from a fallback font at
its own advance, a right-to-left word reordered within its span, a mark on its letter.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from tests.player_dom import Player

Box = tuple[str, float, float]  # code point, left edge and width, in columns

# Each code point's box in a row; `line` is the row's element, `left` its x origin in
# pixels, `cell` a column's width in pixels.
_BOXES = """(args) => { const [selector, svg] = args; const out = {};
  const range = document.createRange();
  for (const line of document.querySelectorAll(selector)) {
    let row, left, cell;
    if (svg) {
      row = Number(line.dataset.row);
      left = document.querySelector('svg').getBoundingClientRect().left + svg.padding;
      cell = svg.cell;
    } else {
      row = Number(line.style.getPropertyValue('--row'));
      left = line.getBoundingClientRect().left;
      const canvas = document.querySelector('.ap-term canvas');
      cell = canvas.getBoundingClientRect().width / Math.round(canvas.width / 8);
    }
    const found = [];
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      let at = 0;
      for (const ch of node.data) {
        range.setStart(node, at); range.setEnd(node, at + ch.length); at += ch.length;
        const box = range.getBoundingClientRect();
        found.push([ch, (box.left - left) / cell, box.width / cell]);
      }
    }
    out[row] = (out[row] || []).concat(found);
  }
  return out; }"""

# The SVG keeps each row's text in <defs>, drawn by <use>: a node that is not laid out has
# no box, so each <use> is replaced by a copy of what it draws, with its row.
_UNUSE = """(args) => { const [row0, height] = args;
  for (const use of [...document.querySelectorAll('use')]) {
    const drawn = document.getElementById(use.getAttribute('href').slice(1)).cloneNode(true);
    drawn.removeAttribute('id');
    const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
    g.setAttribute('transform', `translate(0 ${use.getAttribute('y')})`);
    g.dataset.row = String(Math.round((Number(use.getAttribute('y')) - row0) / height));
    g.appendChild(drawn);
    use.replaceWith(g);
  }
  document.querySelector('defs').remove(); }"""
_SETTLED = """async () => { await document.fonts.ready;
  for (let i = 0; i < 2; i++) await new Promise(r => requestAnimationFrame(r)); }"""


def _rows(found: dict[str, list[list[Any]]]) -> dict[int, list[Box]]:
    return {
        int(row): [(c, float(x), float(w)) for c, x, w in boxes] for row, boxes in found.items()
    }


def player_boxes(browser: Any, cast: str, t: float) -> dict[int, list[Box]]:
    """Each row's code points where the player lays them out at `t` (cast: its text)."""
    player = Player(browser)
    player.load(cast)
    player.at(t)
    player.page.evaluate(_SETTLED)
    found = player.page.evaluate(_BOXES, [".ap-line", None])
    player.close()
    return _rows(found)


def svg_boxes(browser: Any, cast: Path, t: float) -> dict[int, list[Box]]:
    """Each row's code points where Chromium lays out our SVG still of `cast` at `t`."""
    from genact_cast.publish.svg import render_svg
    from genact_cast.publish.svg_units import BASELINE, CELL_WIDTH, LINE_HEIGHT, PADDING
    from genact_cast.sources import open_cast

    with open_cast(str(cast)) as reader:
        svg = render_svg(reader.header, list(reader.events()), at=t)
    still = cast.with_suffix(".boxes.svg")
    still.write_text(svg, "utf-8")
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.goto(still.as_uri())
    page.evaluate(_UNUSE, [BASELINE, LINE_HEIGHT])
    page.evaluate(_SETTLED)
    found = page.evaluate(_BOXES, ["g[data-row]", {"padding": PADDING, "cell": CELL_WIDTH}])
    page.close()
    return _rows(found)


def visible(char: str) -> bool:
    """A code point with ink of its own (not a space, a control or a format character)."""
    return bool(char.strip()) and unicodedata.category(char) not in ("Cf", "Cc", "Zs")


def misplaced(
    ours: dict[int, list[Box]], theirs: dict[int, list[Box]], tolerance: float = 0.1
) -> list[str]:
    """The visible code points whose left edge in our SVG is more than `tolerance` columns
    from the player's (matched in order within each row), and those one of them lacks."""
    off = []
    for row in sorted(set(ours) | set(theirs)):
        mine = [box for box in ours.get(row, []) if visible(box[0])]
        player = [box for box in theirs.get(row, []) if visible(box[0])]
        if [c for c, _, _ in mine] != [c for c, _, _ in player]:
            off.append(f"row {row}: {''.join(c for c, _, _ in mine)!r} where the player has "
                       f"{''.join(c for c, _, _ in player)!r}")  # fmt: skip
            continue
        for (char, x, _), (_, px, _) in zip(mine, player, strict=True):
            if abs(x - px) > tolerance:
                off.append(f"row {row}: {char!r} U+{ord(char):04X} at column {x:.2f}, "
                           f"the player's {px:.2f}")  # fmt: skip
    return off
