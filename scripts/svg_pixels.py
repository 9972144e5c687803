"""Compare two animated SVGs pixel for pixel in headless Chromium, at many times.

    python scripts/svg_pixels.py before.svg after.svg [--every 1.5]

Each file is opened in Debian's Chromium (driven by playwright), its animation paused at
0.001 s, then every `--every` seconds to the end, and screenshotted; the screenshots are
compared in the browser (canvas pixels). Prints how many times differ and the most
pixels that differ at one time; exits 1 if any do. For checking that a change to the
renderer keeps the same picture (e.g. an SVG from `git stash` against the new one).
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

DIFF = """async ([a, b]) => {
  const load = src => new Promise(r => {
    const i = new Image(); i.onload = () => r(i); i.src = src;
  });
  const [x, y] = await Promise.all([load(a), load(b)]);
  const c = document.createElement('canvas'); c.width = x.width; c.height = x.height;
  const g = c.getContext('2d');
  g.drawImage(x, 0, 0); const p = g.getImageData(0, 0, c.width, c.height).data;
  g.clearRect(0, 0, c.width, c.height);
  g.drawImage(y, 0, 0); const q = g.getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < p.length; i += 4) {
    if (p[i] !== q[i] || p[i + 1] !== q[i + 1] || p[i + 2] !== q[i + 2]) n++;
  }
  return n;
}"""
SEEK = """(ms) => { const a = document.getAnimations()[0];
  if (a) { a.pause(); a.currentTime = ms; }
  return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); }"""
DURATION = """(() => { const a = document.getAnimations()[0];
  return a ? a.effect.getTiming().duration : 0; })()"""


def screenshots(browser: Any, path: Path, times: list[float]) -> list[bytes]:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})  # the SVG's top left
    page.goto(path.resolve().as_uri())
    shots = []
    for t in times:
        page.evaluate(SEEK, t * 1000)
        shots.append(page.screenshot())
    page.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--every", type=float, default=1.5, help="seconds between samples")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.browser import FLAGS, chromium_path

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        page = browser.new_page()
        page.goto(args.before.resolve().as_uri())
        seconds = float(page.evaluate(DURATION)) / 1000
        page.close()
        count = int(seconds / args.every) + 1
        times = [0.001 + index * args.every for index in range(count)]
        before = screenshots(browser, args.before, times)
        after = screenshots(browser, args.after, times)
        page = browser.new_page()
        differing = []
        for shot, other in zip(before, after, strict=True):
            urls = ["data:image/png;base64," + base64.b64encode(s).decode() for s in (shot, other)]
            differing.append(int(page.evaluate(DIFF, urls)))
        browser.close()
    changed = sum(1 for n in differing if n)
    print(
        f"{changed} of {len(times)} times differ (every {args.every} s over {seconds:.1f} s); "
        f"at most {max(differing, default=0)} pixels at one time"
    )
    raise SystemExit(1 if changed else 0)


if __name__ == "__main__":
    main()
