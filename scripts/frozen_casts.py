"""Which default casts of a framework freeze: a stretch of cast time with no output.

`python scripts/frozen_casts.py --framework deepspeed --seeds 0-169` records each seed's
default cast in memory (v2, as `record` writes it) and prints, per seed, the longest time
between two outputs (from the first output to the last) and the bytes per second of cast
time; then how many casts have a gap longer than `--gap` seconds (20 by default) and the
largest rate (docs/record.md's limit: 66,667 bytes a second). Refused seeds are skipped.
`--duration 3600` measures casts of that length instead of the seed's own (review-realism20
WARN 12: one-hour casts).
"""

from __future__ import annotations

import argparse
import itertools
import json

from genact_cast.errors import SeedRefused
from genact_cast.generator import RecordOptions, make_plan, write_cast


def measure(options: RecordOptions) -> tuple[float, float, int]:
    """(longest gap between outputs in seconds, bytes per second, bytes) of the cast."""
    chunks: list[bytes] = []
    writer = write_cast(options, 2, chunks.append)
    data = b"".join(chunks)
    times = [
        float(json.loads(row)[0])
        for row in data.decode("utf-8").splitlines()[1:]
        if row.startswith("[")
    ]
    gap = max((b - a for a, b in itertools.pairwise(times)), default=0.0)
    return gap, len(data) / max(writer.last_us / 1e6, 1.0), len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", default="deepspeed")
    parser.add_argument("--seeds", default="0-169", help="first-last, inclusive")
    parser.add_argument("--gap", type=float, default=20.0)
    parser.add_argument("--duration", type=float, default=None, help="seconds; the seed's own")
    args = parser.parse_args()
    first, last = (int(part) for part in args.seeds.split("-"))
    frozen: list[int] = []
    worst = (0.0, -1)
    for seed in range(first, last + 1):
        options = RecordOptions(seed=seed, framework=args.framework, duration=args.duration)
        try:
            plan = make_plan(options)
        except SeedRefused:
            print(f"{seed}\trefused")
            continue
        gap, rate, size = measure(options)
        print(f"{seed}\t{plan.nodes} nodes\tgap {gap:.1f} s\t{rate:,.0f} B/s\t{size:,} B")
        if gap > args.gap:
            frozen.append(seed)
        worst = max(worst, (rate, seed))
    print(f"frozen (gap > {args.gap:g} s): {len(frozen)}: {frozen}")
    print(f"largest rate: {worst[0]:,.0f} B/s (seed {worst[1]})")


if __name__ == "__main__":
    main()
