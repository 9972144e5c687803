"""Benchmark the embeds side by side with the peer tools, in one run.

    python scripts/bench_embed.py [--runs 5]

- SVG of the seed-7 example cast: size, render time and peak memory, against termtosvg
  (PyPI) and svg-term-cli (npm), both installed into .cache/bench on first use, with
  the ratios of size and speed against them measured in the same run;
- the self-contained HTML page: from navigation (file://) until the player is playing
  (its clock past 0), in headless Chromium (Debian's, driven by playwright).
"""

from __future__ import annotations

import argparse
import os
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


def measured(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one run of `argv`, its output discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{argv[0]} failed (exit {process.returncode})")
    return seconds, usage.ru_maxrss


def svg_rows(runs: int) -> list[str]:
    """The table, and the ratios issue 12 asks for, from runs interleaved across the tools."""
    tools = peers()
    seconds: dict[str, list[float]] = {name: [] for name in tools}
    memory: dict[str, list[int]] = {name: [] for name in tools}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            for index, (name, argv) in enumerate(tools.items()):
                out = Path(tmp) / f"{index}.svg"
                took, rss = measured([*argv, str(out)])
                seconds[name].append(took)
                memory[name].append(rss)
                sizes[name] = out.stat().st_size
    rows = [
        f"| {name} | {sizes[name] / 1000:,.0f} KB | {statistics.median(seconds[name]):.2f} s "
        f"| {statistics.median(memory[name]) / 1024:,.0f} MB |"
        for name in tools
    ]
    ours, termtosvg, svg_term = tools
    smaller = min(sizes[termtosvg], sizes[svg_term])

    def speedup(peer: str) -> float:
        """Median over rounds of the peer's time / ours in the same round (load drifts)."""
        return statistics.median(p / o for p, o in zip(seconds[peer], seconds[ours], strict=True))

    rows += [
        "",
        f"size: {sizes[ours] / smaller:.2f} of the smaller peer's "
        f"({sizes[ours] / sizes[termtosvg]:.2f} of termtosvg's, "
        f"{sizes[ours] / sizes[svg_term]:.2f} of svg-term-cli's; target at most 0.50)",
        f"speed: {speedup(termtosvg):.1f}x faster than termtosvg, "
        f"{speedup(svg_term):.1f}x faster than svg-term-cli "
        "(median of per-round ratios; target at least 5x faster than termtosvg)",
    ]
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
    print(f"SVG of {CAST.relative_to(ROOT)} (median of {runs} runs, tools interleaved):\n")
    print("| tool | size | render time | peak RSS |")
    print("|---|---:|---:|---:|")
    print("\n".join(svg_rows(runs)))
    seconds = html_start_seconds(runs)
    print(
        f"\nHTML page (self-contained, file://) playing in headless Chromium after {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
