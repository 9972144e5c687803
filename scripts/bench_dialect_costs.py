"""Where each dialect's `record` time goes: start-up, the fixed work and the work per logged line.

    python scripts/bench_dialect_costs.py [--seeds 9,12,17] [--runs 9]

Issue 18 asks every dialect's `record` to be within 5 % of the genact dialect's. A framework
logs every `log_freq`-th step of the run (torchtitan's seed 9: 1,193 step lines), where the
genact dialect draws about two hundred: this splits each record's CPU time into what does not
grow with the lines (the interpreter and `record`'s own start-up, the dialect's modules, the
launch, set-up and saves) and the training epochs, whose work is the step lines, and shows
the cost of each line against the 5 % the bar leaves.

Each measurement is a fresh process importing genact_cast from this tree (bytecode compiled
first, as `pip install .` leaves it), timed by its own CPU clock (time.process_time): the
import of `record`'s modules, then `write_cast` as `record` calls it, with the time inside
the presenter's `epoch` (every step line's numbers, its text and its events) summed apart.
Medians of `--runs` processes.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIALECTS = ("genact", "torchtitan", "megatron", "deepspeed", "hf")
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

# Run in the child: the phases of one `record --seed SEED --duration 180 --framework NAME`.
CHILD = """
import json, sys, time
clock = time.process_time
start = clock()
sys.path.insert(0, {root!r})
from genact_cast.commands import record  # what `genact-cast record` imports first
from genact_cast.generator import RecordOptions, write_cast
from genact_cast.generator.run import Run
imported = clock()
name = {name!r}
if name == "genact":
    from genact_cast.generator.presenters.genact.log import GenactLog as presenter
else:
    from genact_cast.generator.presenters.framework import FrameworkLog as presenter
dialect_imported = clock()
spent = [0.0]
lines = [0]
epoch, step = presenter.epoch, Run.step

def timed_epoch(self, *args):
    begin = clock()
    try:
        return epoch(self, *args)
    finally:
        spent[0] += clock() - begin

def counted_step(self, *args):
    lines[0] += 1
    return step(self, *args)

presenter.epoch, Run.step = timed_epoch, counted_step
options = RecordOptions(seed={seed}, framework=name, duration=180.0)
writer = write_cast(options, 2, lambda data: None)
done = clock()
print(json.dumps({{
    "startup": imported - start, "modules": dialect_imported - imported,
    "record": done - dialect_imported, "epochs": spent[0], "lines": lines[0],
    "events": writer.count,
}}))
"""


def measure(name: str, seed: int) -> dict[str, float]:
    code = CHILD.format(root=str(ROOT), name=name, seed=seed)
    result = subprocess.run(
        [sys.executable, "-c", code], env=ENV, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return {}
    measured: dict[str, float] = json.loads(result.stdout)
    return measured


def whole_ms(seed: int) -> float:
    """The CPU time (user + system) of the genact dialect's whole `record` process."""
    argv = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
            "from genact_cast.cli import main; main()", "record", "--seed", str(seed),
            "--duration", "180", "-o", "-"]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="9,12,17")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "genact_cast", quiet=1)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    python = sys.version.split()[0]
    print(f"CPU time (process_time) of one `record --duration 180` a process, medians of "
          f"{args.runs} processes, Python {python}, load average {load}; the bar: 5 % of "
          "the genact dialect's whole `record` process (getrusage, with the interpreter's "
          "start):\n")  # fmt: skip
    print(
        "| seed | dialect | step lines | events | start-up | dialect modules | fixed work "
        "| epochs | per line | total | extra over genact | 5 % of genact's process |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for seed in (int(s) for s in args.seeds.split(",")):
        genact_total = budget = 0.0
        for name in DIALECTS:
            runs = [measure(name, seed) for _ in range(args.runs)]
            runs = [run for run in runs if run]
            if not runs:
                print(f"| {seed} | {name} | refused (the framework has no config for the "
                      "model) |||||||||")  # fmt: skip
                continue

            def ms(key: str, runs: list[dict[str, float]] = runs) -> float:
                return statistics.median(run[key] for run in runs) * 1000

            startup, modules, record, epochs = (
                ms(key) for key in ("startup", "modules", "record", "epochs")
            )
            lines, events = int(runs[0]["lines"]), int(runs[0]["events"])
            total = startup + modules + record
            if name == "genact":
                genact_total = total
                budget = 0.05 * statistics.median(whole_ms(seed) for _ in range(args.runs))
            extra = f"{total - genact_total:+.1f} ms" if genact_total else ""
            print(f"| {seed} | {name} | {lines:,} | {events:,} | {startup:.1f} ms | "
                  f"{modules:.1f} ms | {record - epochs:.1f} ms | {epochs:.1f} ms | "
                  f"{epochs / max(1, lines) * 1000:.1f} us | {total:.1f} ms | {extra} | "
                  f"{budget:.1f} ms |")  # fmt: skip


if __name__ == "__main__":
    main()
