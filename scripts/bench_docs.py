"""Benchmark doc builds with casts: a first build (casts generated) against a second one
with nothing changed (casts from the build's cache), for Sphinx and for MkDocs.

    python scripts/bench_docs.py [--runs 3]

Each run builds a fresh project in a temporary folder: four generated casts and two cast
files, over two pages (HTML; for Sphinx also LaTeX, whose stills are PNGs). It prints the
median times and the ratio first / second of each tool, and the number of casts each build
generated (the second must generate none); then the casts' own share, in process: the
same casts (and a dashboard) made into an empty cache, against found in it. The player's
files come from genact-cast's cache (~/.cache/genact-cast, downloaded from npm once).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAST = ROOT / "casts" / "seed7-80x24.cast"
SEEDS = (1, 2, 3, 4)


def _block_rst(seed: int) -> str:
    return f".. genact-cast::\n   :seed: {seed}\n   :duration: 60\n\n.. asciicast:: demo.cast\n"


def _block_md(seed: int) -> str:
    return f"```genact-cast\nseed: {seed}\nduration: 60\n```\n\n![Demo](demo.cast)\n"


def sphinx_project(folder: Path) -> list[list[str]]:
    src = folder / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["genact_cast.sphinx"]\n')
    pages = ["index", "other"]
    toc = ".. toctree::\n\n   other\n"
    for name, seeds in zip(pages, (SEEDS[:2], SEEDS[2:]), strict=True):
        body = "\n".join(_block_rst(seed) for seed in seeds)
        (src / f"{name}.rst").write_text(
            f"{name}\n=====\n\n{body}\n{toc if name == 'index' else ''}"
        )
    shutil.copy(CAST, src / "demo.cast")
    doctrees = str(folder / "doctrees")
    sphinx = [sys.executable, "-m", "sphinx", "-q", "-d", doctrees]
    return [
        [*sphinx, "-b", "html", str(src), str(folder / "html")],
        [*sphinx, "-b", "latex", str(src), str(folder / "latex")],
    ]


def mkdocs_project(folder: Path) -> list[list[str]]:
    (folder / "docs").mkdir()
    (folder / "mkdocs.yml").write_text("site_name: bench\nplugins:\n  - genact-cast\n")
    for name, seeds in zip(("index", "other"), (SEEDS[:2], SEEDS[2:]), strict=True):
        (folder / "docs" / f"{name}.md").write_text("\n".join(_block_md(s) for s in seeds))
    shutil.copy(CAST, folder / "docs" / "demo.cast")
    return [[sys.executable, "-m", "mkdocs", "build", "-f", str(folder / "mkdocs.yml")]]


def _build(commands: list[list[str]]) -> tuple[float, int]:
    """Seconds for the commands, and how many casts they generated."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    generated = 0
    start = time.perf_counter()
    for command in commands:
        verbose = [*command[:-2], "-v", *command[-2:]] if "sphinx" in command else command
        verbose = [c for c in verbose if c != "-q"] if "sphinx" in command else verbose
        result = subprocess.run(verbose, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
        generated += len(re.findall(r"genact-cast: generated", result.stdout + result.stderr))
    return time.perf_counter() - start, generated


def cast_work(runs: int) -> None:
    """The cache alone: making the casts (and their PNG stills) against finding them."""
    from genact_cast.docs.casts import CastCache
    from genact_cast.docs.options import record_options

    wanted = [["--seed", str(s), "--duration", "60"] for s in SEEDS]
    wanted.append(["--seed", "5", "--layout", "dashboard", "--cols", "120", "--rows", "36"])
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="genact-cast-bench-") as tmp:
            cache = CastCache(Path(tmp))
            for found in (cold, warm):
                start = time.perf_counter()
                for args in wanted:
                    cache.still(cache.generated(record_options(args)), "png")
                found.append(time.perf_counter() - start)
    a, b = statistics.median(cold), statistics.median(warm)
    print(f"casts and PNG stills: made {a:.2f} s, from the cache {b:.3f} s, ratio {a / b:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    for tool, make in (("sphinx", sphinx_project), ("mkdocs", mkdocs_project)):
        firsts, seconds, counts = [], [], set()
        for _ in range(runs):
            with tempfile.TemporaryDirectory(prefix="genact-cast-bench-") as tmp:
                commands = make(Path(tmp))
                first, made_first = _build(commands)
                second, made_second = _build(commands)
            firsts.append(first)
            seconds.append(second)
            counts.add((made_first, made_second))
        a, b = statistics.median(firsts), statistics.median(seconds)
        print(
            f"{tool}: first build {a:.2f} s, second (nothing changed) {b:.2f} s, "
            f"ratio {a / b:.2f}x; casts generated (first, second): {sorted(counts)}"
        )
    cast_work(runs)


if __name__ == "__main__":
    main()
