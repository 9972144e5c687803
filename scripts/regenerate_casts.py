"""Regenerate the example casts in casts/ from their recipes in casts/examples.json.

Run after a deliberate change to the generator's output:
    python scripts/regenerate_casts.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

from genact_cast.examples import cast_bytes, recipes

CASTS = Path(__file__).resolve().parent.parent / "casts"


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    for name, recipe in recipes(CASTS).items():
        data = cast_bytes(recipe)
        path = CASTS / name
        changed = not path.exists() or path.read_bytes() != data
        path.write_bytes(data)
        status = "updated" if changed else "same   "
        print(f"{status} {path.relative_to(CASTS.parent)} ({len(data):,} bytes)")


if __name__ == "__main__":
    main()
