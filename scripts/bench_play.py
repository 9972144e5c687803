"""Benchmark `genact-cast play` side by side with `asciinema play` (PyPI's asciinema 2.4).

    python scripts/bench_play.py [--quick]

- lateness: a cast of 1,000 events per second played in a pty; each write's arrival is
  compared with its schedule (median and 99th percentile, after the best offset);
- drift and CPU: a sparse 10-minute cast (2 events a second), both players at once in
  their own ptys: lateness at the end against the start, and CPU used while playing;
- big cast: 500 MB played at a huge speed to /dev/null: peak resident memory and
  output throughput, on plain text and on colour-dense output (seed 7 repeated).

Each measurement but the sparse cast runs `--runs` times (default 3), the players in
alternating order; the table shows medians, ranges over the runs, and the ratio of
genact-cast to asciinema measured in the same run.

`--quick` shortens the 10-minute cast to 1 minute and the big cast to 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pexpect

TICK = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parent.parent
MARK = re.compile(rb"e(\d+)\.")


def write_cast(path: Path, count: int, interval: float, padding: int = 0) -> list[float]:
    times = [i * interval for i in range(count)]
    pad = "x" * padding
    with path.open("w") as out:
        out.write(json.dumps({"version": 2, "width": 100, "height": 30}) + "\n")
        for i, t in enumerate(times):
            out.write(f'[{t:.6f}, "o", "e{i}.{pad}\\r\\n"]\n')
    return times


def write_big_cast(path: Path, megabytes: int, realistic: bool) -> int:
    """A cast of about `megabytes` MB; returns how many bytes of output it holds.

    Realistic: the seed-7 example cast (colour and cursor sequences on every line),
    repeated; otherwise plain 1 KB lines of text.
    """
    header = json.dumps({"version": 2, "width": 100, "height": 30})
    if realistic:
        lines = (ROOT / "casts" / "seed7.cast").read_text("utf-8").splitlines()
        header, events = lines[0], [json.loads(line) for line in lines[1:]]
    else:
        events = [[i * 0.001, "o", f"e{i}.{'x' * 960}\r\n"] for i in range(1000)]
    period = events[-1][0] + 0.001
    written = output = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(header + "\n")
        round_ = 0
        while written < megabytes * 1e6:
            for time_, code, data in events:
                line = json.dumps(
                    [round(time_ + round_ * period, 6), code, data], ensure_ascii=False
                )
                out.write(line + "\n")
                written += len(line) + 1
                if code == "o":
                    output += len(data.encode("utf-8"))
            round_ += 1
    return output


def players() -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    found = {"genact-cast play": [str(bin_dir / "genact-cast"), "play"]}
    asciinema = bin_dir / "asciinema"
    if asciinema.exists() or shutil.which("asciinema"):
        found["asciinema play (2.4)"] = [
            str(asciinema if asciinema.exists() else "asciinema"),
            "play",
        ]
    return found


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / TICK


Played = tuple[dict[int, float], float]  # arrival time of each event, CPU seconds used


def play_in_pty(argv: list[str], cast: Path, results: dict[str, Played], key: str) -> None:
    child = pexpect.spawn(argv[0], [*argv[1:], str(cast)], dimensions=(30, 100))
    arrivals: dict[int, float] = {}
    rest = b""
    cpu = 0.0
    while True:
        ready, _, _ = select.select([child.child_fd], [], [], 1.0)
        now = time.monotonic()
        if not ready or len(arrivals) % 50 == 0:  # /proc reads stay off the busy path
            cpu = max(cpu, cpu_seconds(child.pid))
        if not ready:
            if not child.isalive():
                break
            continue
        try:
            chunk = os.read(child.child_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        rest += chunk
        for match in MARK.finditer(rest):
            arrivals.setdefault(int(match.group(1)), now)
        rest = rest[-32:]
    child.close()
    results[key] = (arrivals, cpu)


def lateness(arrivals: dict[int, float], times: list[float]) -> list[float]:
    offset = min(arrivals[i] - times[i] for i in arrivals)
    return [(arrivals[i] - times[i] - offset) * 1000 for i in sorted(arrivals)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def run_together(casts: dict[str, list[str]], cast: Path) -> dict[str, Played]:
    results: dict[str, Played] = {}
    threads = [
        threading.Thread(target=play_in_pty, args=(argv, cast, results, name))
        for name, argv in casts.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def big_cast(argv: list[str], cast: Path, size: int) -> tuple[float, float, float]:
    """Wall seconds, MB/s of output, and peak RSS (MB) for playing `cast` to /dev/null."""
    start = time.monotonic()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(
            [*argv, "-s", "1000000000", str(cast)],
            stdout=null,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    if status != 0:
        return float("nan"), float("nan"), float("nan")
    return wall, size / 1e6 / wall, usage.ru_maxrss / 1024


def spread(values: list[float], digits: int = 2) -> str:
    """Median, and the range over runs."""
    values = [v for v in values if v == v]  # drop failed runs (nan)
    if not values:
        return "failed"
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def ratio(ours: list[float], theirs: list[float]) -> str:
    """Median of ours over median of theirs, measured in the same run."""
    mine = [v for v in ours if v == v]
    peer = [v for v in theirs if v == v]
    if not mine or not peer or statistics.median(peer) == 0:
        return "n/a"
    return f"{statistics.median(mine) / statistics.median(peer):.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--skip-sparse", action="store_true", help="skip the sparse cast")
    args = parser.parse_args()
    quick, runs = args.quick, args.runs
    tools = players()
    ours, peer = "genact-cast play", "asciinema play (2.4)"
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        dense = Path(tmp) / "dense.cast"
        times = write_cast(dense, 10_000, 0.001)
        medians: dict[str, list[float]] = {name: [] for name in tools}
        p99s: dict[str, list[float]] = {name: [] for name in tools}
        for run in range(runs):
            print(f"lateness at 1,000 events/s, run {run + 1} of {runs} ...", file=sys.stderr)
            order = list(tools.items()) if run % 2 == 0 else list(tools.items())[::-1]
            for name, argv in order:
                arrivals, _ = run_together({name: argv}, dense)[name]
                late = lateness(arrivals, times)
                medians[name].append(statistics.median(late))
                p99s[name].append(percentile(late, 99))
        for name in tools:
            rows.append(
                f"| {name} | lateness at 1,000 events/s, ms | median {spread(medians[name])},"
                f" p99 {spread(p99s[name])} |"
            )
        if peer in tools:
            rows.append(
                f"| ratio ours/asciinema | lateness (lower is better) | median"
                f" {ratio(medians[ours], medians[peer])}, p99 {ratio(p99s[ours], p99s[peer])} |"
            )

        if not args.skip_sparse:
            minutes = 1 if quick else 10
            sparse = Path(tmp) / "sparse.cast"
            sparse_times = write_cast(sparse, minutes * 120, 0.5)
            print(f"sparse {minutes}-minute cast, both players at once ...", file=sys.stderr)
            together = run_together(tools, sparse)
            for name in tools:
                arrivals, cpu = together[name]
                late = lateness(arrivals, sparse_times)
                drift = statistics.median(late[-20:]) - statistics.median(late[:20])
                share = cpu / sparse_times[-1] * 100
                rows.append(
                    f"| {name} | sparse {minutes}-minute cast | drift {drift:+.2f} ms start to"
                    f" end, p99 lateness {percentile(late, 99):.2f} ms, CPU {share:.2f} % of one"
                    " core |"
                )

        megabytes = 100 if quick else 500
        for realistic in (False, True):
            kind = "colour-dense" if realistic else "plain-text"
            big = Path(tmp) / "big.cast"
            output = write_big_cast(big, megabytes, realistic)
            rates: dict[str, list[float]] = {name: [] for name in tools}
            peaks: dict[str, list[float]] = {name: [] for name in tools}
            for run in range(runs):
                print(
                    f"{megabytes} MB {kind} cast at a huge speed to /dev/null,"
                    f" run {run + 1} of {runs} ...",
                    file=sys.stderr,
                )
                order = list(tools.items()) if run % 2 == 0 else list(tools.items())[::-1]
                for name, argv in order:
                    _, rate, rss = big_cast(argv, big, output)
                    rates[name].append(rate)
                    peaks[name].append(rss)
            for name in tools:
                rows.append(
                    f"| {name} | {megabytes} MB {kind} cast to /dev/null | {spread(rates[name], 0)}"
                    f" MB/s of output, peak RSS {spread(peaks[name], 0)} MB |"
                )
            if peer in tools:
                rows.append(
                    f"| ratio ours/asciinema | {megabytes} MB {kind} throughput (higher is better)"
                    f" | {ratio(rates[ours], rates[peer])} |"
                )
            big.unlink()
    python = sys.version.split()[0]
    print(
        f"\nPython {python}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f},"
        f" medians of {runs} runs (range in brackets)\n"
    )
    print("| player | measurement | result |")
    print("|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
