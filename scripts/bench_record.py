"""Benchmark `genact-cast record` and start-up, side by side with reference points.

    python scripts/bench_record.py [--runs 15]

Prints a Markdown table of medians (these machines are shared and noisy: medians and
ratios, not single times). Measured in one run:
- the whole `genact-cast record` process for a 3-minute cast, and `genact-cast --help`;
- the same for `python -c pass` (the interpreter's floor) and `asciinema --help` (the
  peer tool's start-up);
- in-process: the simulation alone, and the serialization floor (json-encoding the same
  events), with their ratio;
- the same 3-minute record with `--layout dashboard`, interleaved with the `log` layout's,
  and the median of the paired ratios (target: within 2x);
- each framework dialect's whole `record` process against the genact dialect's, in pairs;
- with `--against REF` (a commit, e.g. 5671763, the tree before Realism 2.0), the whole
  `record` process of this tree against REF's checked out beside it, in interleaved pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from genact_cast.asciicast import Event
from genact_cast.generator import RecordOptions, generate

CAST_SECONDS = 180.0


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def command_ms(argv: list[str], runs: int) -> float:
    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    run()  # warm the file cache and .pyc files
    return median_ms(run, runs)


def once_ms(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def serialize(events: list[Event]) -> str:
    return "\n".join(json.dumps([e.time, e.code, e.data], ensure_ascii=False) for e in events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--against", metavar="REF", help="a commit to compare record with")
    args = parser.parse_args()
    runs = args.runs
    if args.against:
        print_against(args.against, runs)
        return
    bin_dir = Path(sys.executable).parent
    genact = str(bin_dir / "genact-cast")
    asciinema = str(bin_dir / "asciinema") if (bin_dir / "asciinema").exists() else None
    asciinema = asciinema or shutil.which("asciinema")

    options = RecordOptions(seed=7, duration=CAST_SECONDS)
    events = list(generate(options).events)
    # Interleaved, so that both sides see the same machine load: the ratio is the
    # median of per-pair ratios, not a ratio of medians taken at different moments.
    simulate, floor = [], []
    for _ in range(runs * 3):
        simulate.append(median_ms(lambda: generate(options), 1))
        floor.append(median_ms(lambda: serialize(events), 1))
    simulate_ms, serialize_ms = statistics.median(simulate), statistics.median(floor)
    ratio = statistics.median(s / f for s, f in zip(simulate, floor, strict=True))

    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "bench.cast")
        record = [genact, "record", "--seed", "7", "--duration", "180", "-o", out, "--overwrite"]
        rows = [
            ("genact-cast record (3-minute cast, whole process)", command_ms(record, runs), 300),
            ("genact-cast --help", command_ms([genact, "--help"], runs), 200),
            (
                "python -c pass (interpreter floor)",
                command_ms([sys.executable, "-c", "pass"], runs),
                None,
            ),
        ]
        dashboard = [*record, "--layout", "dashboard"]
        command_ms(dashboard, 1)  # warm its .pyc files too
        paired = [(once_ms(dashboard), once_ms(record)) for _ in range(runs)]
        dashboard_ratio = statistics.median(d / log for d, log in paired)
        rows += [
            (
                "genact-cast record --layout dashboard (3-minute cast, whole process)",
                statistics.median(d for d, _ in paired),
                None,
            ),
            (
                "genact-cast record, in the same interleaved runs",
                statistics.median(log for _, log in paired),
                None,
            ),
        ]
    if asciinema:
        rows.append(("asciinema --help (peer, 2.4)", command_ms([asciinema, "--help"], runs), None))
    rows += [
        (f"simulation alone ({len(events)} events)", simulate_ms, 50),
        ("serialization floor (json-encoding the same events)", serialize_ms, None),
    ]

    print(f"Median of {runs} runs on {sys.platform}, Python {sys.version.split()[0]}:\n")
    print("| measurement | median | target |")
    print("|---|---:|---:|")
    for name, ms, target in rows:
        goal = f"< {target} ms" if target else ""
        print(f"| {name} | {ms:.1f} ms | {goal} |")
    print(f"| simulation / serialization floor (median of paired runs) | {ratio:.2f}x | <= 3x |")
    print(
        "| dashboard / log record, whole process (median of paired runs) "
        f"| {dashboard_ratio:.2f}x | <= 2x |"
    )
    for framework, dialect_ratio in framework_ratios(genact, runs).items():
        print(
            f"| record --framework {framework} / record (genact), whole process, paired | "
            f"{dialect_ratio:.2f}x | <= 1.05x |"
        )


FRAMEWORKS = ("torchtitan", "megatron", "deepspeed", "hf")


def framework_ratios(genact: str, runs: int) -> dict[str, float]:
    """Each dialect's whole `record` process against the genact dialect's, run in pairs."""
    ratios: dict[str, list[float]] = {name: [] for name in FRAMEWORKS}
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "bench.cast")
        base = [genact, "record", "--seed", "7", "--duration", "180", "-o", out, "--overwrite"]
        command_ms(base, 1)
        for _ in range(runs):
            for name in FRAMEWORKS:
                reference = command_ms(base, 1)
                ratios[name].append(command_ms([*base, "--framework", name], 1) / reference)
    return {name: statistics.median(values) for name, values in ratios.items()}


def print_against(ref: str, runs: int) -> None:
    """This tree's whole `record` process against `ref`'s, each imported from its own
    checkout by one interpreter, in interleaved pairs over seeds 0..runs-1."""
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "tree"
        git = ["git", "-C", str(root)]
        subprocess.run([*git, "worktree", "add", "--detach", str(other), ref], check=True,
                       capture_output=True)  # fmt: skip
        try:
            out = str(Path(tmp) / "bench.cast")

            def record(tree: Path, seed: int) -> list[str]:
                return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tree)!r}); "
                        "from genact_cast.cli import main; main()", "record", "--seed",
                        str(seed), "--duration", "180", "-o", out, "--overwrite"]  # fmt: skip

            def once(tree: Path, seed: int) -> float:
                start = time.perf_counter()
                subprocess.run(record(tree, seed), check=True, env=env, capture_output=True)
                return (time.perf_counter() - start) * 1000

            for tree in (root, other):  # bytecode cached on both sides, as after install
                once(tree, 0)
            pairs = [(once(root, seed), once(other, seed)) for seed in range(runs)]
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(other)], check=True)
    ratio = statistics.median(new / old for new, old in pairs)
    print(f"Whole `record` process, 3-minute casts, seeds 0-{runs - 1}, interleaved pairs:\n")
    print("| tree | median |")
    print("|---|---:|")
    print(f"| this tree | {statistics.median(new for new, _ in pairs):.1f} ms |")
    print(f"| {ref} | {statistics.median(old for _, old in pairs):.1f} ms |")
    print(f"| this tree / {ref} (median of paired ratios) | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
