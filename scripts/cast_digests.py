"""The sha256 of many casts, to show that a change moves no byte of any of them.

    python scripts/cast_digests.py > after.txt                 # this tree
    python scripts/cast_digests.py --tree /path/to/other > before.txt
    diff before.txt after.txt                                  # no output: byte-identical
    python scripts/cast_digests.py --seeds 0-49 --quick        # a smaller set

A speed change (issue 18's speed bar) must leave every cast as it was: each line here is one
`record` (seed, dialect, options) and the sha256 of the cast `write_cast` gives, or the one
line a refused combination prints (a framework refuses a model it does not ship). The set:
every seed of --seeds in the five dialects with the default options (a 3-minute cast at
100x30), and every fifth seed again with each of VARIANTS (failures, an hour-long cast,
other sizes, the dashboard, format v3, no colour, pre-training and fine-tuning). `--tree`
imports genact_cast from another checkout (e.g. a `git worktree add --detach` of main), so
one copy of this script measures both sides.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

DIALECTS = ("genact", "torchtitan", "megatron", "deepspeed", "hf")
# (label, RecordOptions fields, format version) run on every fifth seed
VARIANTS: tuple[tuple[str, dict[str, Any], int], ...] = (
    ("failures=2", {"failures": 2}, 2),
    ("failures=0", {"failures": 0}, 2),
    ("duration=3600", {"duration": 3600.0}, 2),
    ("duration=30", {"duration": 30.0}, 2),
    ("80x24", {"cols": 80, "rows": 24}, 2),
    ("160x50", {"cols": 160, "rows": 50}, 2),
    ("dashboard", {"layout": "dashboard"}, 2),
    ("v3", {}, 3),
    ("no-color", {"color": False}, 2),
    ("pretrain", {"kind": "pretrain"}, 2),
    ("sft", {"kind": "sft"}, 2),
    ("speed=4", {"speed": 4.0}, 2),
)


def seeds_of(text: str) -> list[int]:
    """'0-299' or '9,12,17' (or a mix: '0-9,42120')."""
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        seeds += range(int(first), int(last or first) + 1)
    return seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="import genact_cast from this checkout")
    parser.add_argument("--seeds", default="0-299", help="'0-299' (the default) or '9,12,17'")
    parser.add_argument("--quick", action="store_true", help="the default options alone")
    args = parser.parse_args()
    if args.tree is not None:
        sys.path.insert(0, str(args.tree.resolve()))
    from genact_cast.errors import BadOption
    from genact_cast.generator import RecordOptions, write_cast

    def digest(label: str, fields: dict[str, Any], version: int) -> str:
        sha = hashlib.sha256()
        try:
            write_cast(RecordOptions(**fields), version, sha.update)
        except BadOption as refused:
            return f"{label} refused: {refused}"
        return f"{label} {sha.hexdigest()}"

    for seed in seeds_of(args.seeds):
        for dialect in DIALECTS:
            base = {"seed": seed, "framework": dialect}
            print(digest(f"{seed} {dialect} default", base, 2), flush=True)
            if args.quick or seed % 5:
                continue
            for label, more, version in VARIANTS:
                print(digest(f"{seed} {dialect} {label}", {**base, **more}, version), flush=True)


if __name__ == "__main__":
    main()
