"""asciinema-player 3.18 in Chromium as the reference screen: seek to t, read every cell.

The player (from npm, checked against the pinned integrity as tests/test_html.py does)
draws text as spans placed by column (`--offset`) in one `.ap-line` per row, and
backgrounds (and block glyphs) on a canvas at 8x24 pixels a cell. A cell read here is
(character, foreground, background) as the browser computes them: the span's computed
colour, and the canvas pixel in the middle of the cell (transparent is the theme's
background).
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from genact_cast.publish.player_assets import pinned, sri
from tests.browser import screenshot

ROOT = Path(__file__).resolve().parent.parent
RGB = tuple[int, int, int]
DomCell = tuple[str, RGB, RGB]


def pinned_tarball() -> Path:
    """The pinned asciinema-player package, fetched with npm (a test dependency) and kept."""
    p = pinned()
    folder = ROOT / ".cache" / "npm"
    tarball = folder / f"{p['package']}-{p['version']}.tgz"
    if not tarball.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "pack", f"{p['package']}@{p['version']}", "--pack-destination", str(folder)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return tarball


def player_assets() -> tuple[str, str]:
    """The pinned player's JavaScript and CSS, from its npm package (fetched once, kept)."""
    p = pinned()
    tarball = pinned_tarball()
    assert sri(tarball.read_bytes(), "sha512") == p["tarball_integrity"]
    texts = []
    with tarfile.open(tarball) as archive:
        for kind in ("js", "css"):
            member = archive.extractfile(p[kind]["path"])
            assert member is not None
            data = member.read()
            assert sri(data, "sha384") == p[kind]["integrity"]
            texts.append(data.decode("utf-8"))
    return texts[0], texts[1]


READ = """async (t) => {
  await window.player.seek(t);
  for (let i = 0; i < 3; i++) await new Promise(r => requestAnimationFrame(r));
  const term = document.querySelector('.ap-term');
  const canvas = term.querySelector('canvas');
  const ctx = canvas.getContext('2d');
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  const cols = Math.round(canvas.width / 8), rows = Math.round(canvas.height / 24);
  const bgOf = (x, y) => {
    const i = ((y * 24 + 12) * canvas.width + x * 8 + 4) * 4;
    return pixels[i + 3] === 0 ? null : [pixels[i], pixels[i + 1], pixels[i + 2]];
  };
  const out = [], shown = [];
  const cw = canvas.getBoundingClientRect().width / cols;
  const range = document.createRange();
  const lines = [...term.querySelectorAll('.ap-line')];
  for (let y = 0; y < rows; y++) {
    const row = [];
    for (let x = 0; x < cols; x++) row.push([' ', null, bgOf(x, y), '', 1, 'none']);
    const line = lines.find(l => Number(l.style.getPropertyValue('--row')) === y);
    if (line) for (const span of line.children) {
      let x = Number(span.style.getPropertyValue('--offset'));
      const computed = getComputedStyle(span);
      const color = computed.color, opacity = Number(computed.opacity);
      const lines = computed.textDecorationLine;
      for (const ch of span.textContent) {
        if (x < cols) {
          row[x][0] = ch; row[x][1] = color; row[x][3] = span.className; row[x][4] = opacity;
          row[x][5] = lines;
        }
        x += 1;
      }
    }
    out.push(row);
    // Where the browser lays each code point out: one with no advance (a combining mark,
    // ZWJ, ZWSP) is drawn on the character before it; the rest at the column they start.
    const seen = Array.from({length: cols}, () => ' ');
    if (line) {
      const left = line.getBoundingClientRect().left;
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      let last = -1;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        let offset = 0;
        for (const ch of node.data) {
          range.setStart(node, offset); range.setEnd(node, offset + ch.length);
          offset += ch.length;
          const box = range.getBoundingClientRect();
          const x = Math.round((box.left - left) / cw);
          // a code point with no advance: on the cell its box ends; one the browser
          // measures as part of the cluster before it (a mark's box is its cluster's)
          if (box.width < cw / 4 && x > 0 && x <= cols) seen[x - 1] += ch;
          else if (last >= 0 && x === last) seen[last] += ch;
          else if (x >= 0 && x < cols) { seen[x] = ch; last = x; }
        }
      }
    }
    shown.push(seen);
  }
  const style = getComputedStyle(term);
  return {cols, rows, cells: out, shown,
          fg: style.getPropertyValue('--term-color-foreground').trim(),
          bg: style.getPropertyValue('--term-color-background').trim()};
}"""


def _rgb(css: str) -> RGB:
    if css.startswith("#"):
        digits = css[1:] if len(css) == 7 else "".join(c * 2 for c in css[1:4])
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    inside = css[css.index("(") + 1 : css.index(")")]
    r, g, b = (int(float(part)) for part in inside.split(",")[:3])
    return r, g, b


Attrs = tuple[bool, bool, bool, bool, bool]  # bold, italic, underline, faint, strikethrough
ATTR_CLASSES = ("bold", "italic", "underline", "faint", "strike")  # the player's ap-*


@dataclass
class PlayerScreen:
    cols: int
    rows: int
    cells: list[list[DomCell]]
    attrs: list[list[Attrs]]  # from the span's classes (ap-bold, ... ap-strike)
    opacity: list[list[float]]  # the span's computed opacity (0.5 where ap-faint)
    # Each column's text where the browser lays the spans out (a zero-width code point
    # on the character before it, the rest of its span one column left).
    shown: list[list[str]] = field(default_factory=list)
    # The lines the browser draws under/through each cell (its computed
    # text-decoration-line: ap-underline and ap-strike both set `text-decoration`, so
    # the later rule, the strike, is the one shown when a cell has both).
    lines: list[list[tuple[bool, bool]]] = field(default_factory=list)

    def as_drawn(self) -> PlayerScreen:
        """The screen with each cell's underline and strike as the browser draws them."""
        attrs = [
            [
                (b, i, under, f, strike)
                for (b, i, _, f, _), (under, strike) in zip(a, drawn, strict=True)
            ]
            for a, drawn in zip(self.attrs, self.lines, strict=True)
        ]
        return replace(self, attrs=attrs)

    def text(self) -> list[str]:
        return ["".join(c for c, _, _ in row).rstrip() for row in self.cells]


class Player:
    """One page with the player; `load` a cast, `at(t)` reads its screen after a seek."""

    def __init__(self, browser: Any) -> None:
        js, css = player_assets()
        self.page = browser.new_page(viewport={"width": 1600, "height": 1200})
        html = (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style></head>"
            f"<body><div id='p'></div><script>{js}</script></body></html>"
        )
        self.page.set_content(html)

    def load(self, cast: str) -> None:
        self.page.evaluate(
            """(data) => { const el = document.getElementById('p'); el.innerHTML = '';
                 window.player = AsciinemaPlayer.create({data}, el,
                   {preload: true, controls: false, fit: false}); }""",
            cast,
        )

    def at(self, t: float) -> PlayerScreen:
        found = self.page.evaluate(READ, t)
        default_fg, default_bg = _rgb(found["fg"]), _rgb(found["bg"])
        cells = [
            [
                (ch, _rgb(fg) if fg else default_fg, tuple(bg) if bg else default_bg)
                for ch, fg, bg, *_ in row
            ]
            for row in found["cells"]
        ]
        attrs = [
            [tuple(f"ap-{a}" in cls.split() for a in ATTR_CLASSES) for *_, cls, _, _ in row]
            for row in found["cells"]
        ]
        opacity = [[float(cell[4]) for cell in row] for row in found["cells"]]
        lines = [
            [("underline" in cell[5].split(), "line-through" in cell[5].split()) for cell in row]
            for row in found["cells"]
        ]
        return PlayerScreen(
            found["cols"],
            found["rows"],
            cells,
            attrs,  # type: ignore[arg-type]
            opacity,
            found["shown"],
            lines,
        )

    def picture(self) -> Any:
        """The terminal's cells as Chromium draws them (a PIL image), after the last `at`:
        the canvas's box (inside the terminal's border), the start overlay hidden."""
        from PIL import Image

        self.page.add_style_tag(content=".ap-overlay{display:none!important}")
        box = self.page.locator(".ap-term canvas").bounding_box()
        shot = screenshot(self.page, clip=box)
        return Image.open(io.BytesIO(shot)).convert("RGB")

    def close(self) -> None:
        self.page.close()


def cast_json(header: dict[str, Any], events: list[list[Any]]) -> str:
    return "\n".join([json.dumps(header), *(json.dumps(e) for e in events)]) + "\n"
