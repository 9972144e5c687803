"""Benchmark the embeds side by side with the peer tools, in one run.

    python scripts/bench_embed.py [--runs 5]

- SVG of the seed-7 example cast: size and render time, against termtosvg (PyPI) and
  svg-term-cli (npm), both installed into .cache/bench on first use;
- the self-contained HTML page: from navigation (file://) until the player is playing
  (its clock past 0), in headless Chromium (Debian's, driven by playwright).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "seed7.cast"
TOOLS = ROOT / ".cache" / "bench"


def peers() -> dict[str, list[str]]:
    venv = TOOLS / "termtosvg"
    if not (venv / "bin" / "termtosvg").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "termtosvg==1.1.0"], check=True)
    npm = TOOLS / "svg-term"
    if not (npm / "node_modules" / ".bin" / "svg-term").exists():
        npm.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "svg-term-cli@2.1.1"], cwd=npm, check=True)
    return {
        "genact-cast embed --svg": [str(Path(sys.executable).parent / "genact-cast"), "embed",
                                    str(CAST), "--overwrite", "--svg"],
        "termtosvg 1.1.0": [str(venv / "bin" / "termtosvg"), "render", str(CAST)],
        "svg-term-cli 2.1.1": [str(npm / "node_modules" / ".bin" / "svg-term"), "--in",
                               str(CAST), "--out"],
    }  # fmt: skip


def svg_rows(runs: int) -> list[str]:
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in peers().items():
            out = Path(tmp) / f"{len(rows)}.svg"
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run([*argv, str(out)], check=True, capture_output=True)
                times.append(time.perf_counter() - start)
            size, seconds = out.stat().st_size / 1000, statistics.median(times)
            rows.append(f"| {name} | {size:,.0f} KB | {seconds:.2f} s |")
    return rows


def html_start_seconds(runs: int) -> float:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    from tests.browser import FLAGS, chromium_path

    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "demo.html"
        subprocess.run(
            [sys.executable, "-m", "genact_cast", "embed", str(CAST), "--html", str(page_path),
             "--self-contained"],
            check=True, cwd=ROOT,
        )  # fmt: skip
        times = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
            for _ in range(runs):
                page = browser.new_page()
                start = time.perf_counter()
                page.goto(page_path.as_uri())
                page.wait_for_function("window.player && player.getCurrentTime() > 0")
                times.append(time.perf_counter() - start)
                page.close()
            browser.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"SVG of {CAST.relative_to(ROOT)} (median of {runs} runs):\n")
    print("| tool | size | render time |")
    print("|---|---:|---:|")
    print("\n".join(svg_rows(runs)))
    seconds = html_start_seconds(runs)
    print(
        f"\nHTML page (self-contained, file://) playing in headless Chromium after {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
