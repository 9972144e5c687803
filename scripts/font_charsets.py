"""Write publish/data/font_charsets.json: the code points DejaVu Sans Mono (the player's
first font) and DejaVu Sans (Chromium's fallback for the marks it lacks) map, as
fontconfig reads them (`fc-query -f '%{charset}'`, the same cmap Chromium's fallback
consults), so the layout can tell a grapheme the mono face cannot draw whole without
Pillow."""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "genact_cast" / "publish" / "data"
FONTS = {"mono": "DejaVuSansMono.ttf", "sans": "DejaVuSans.ttf"}


def charset(path: Path) -> list[str]:
    out = subprocess.run(["fc-query", "-f", "%{charset}", str(path)],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return out.split()


def main() -> None:
    argparse.ArgumentParser(
        description="Write publish/data/font_charsets.json (fc-query)."
    ).parse_args()
    version = subprocess.run(["fc-query", "--version"], capture_output=True, text=True)
    data = {
        "how": f"scripts/font_charsets.py: fc-query -f '%{{charset}}' ({version.stderr.strip()}"
        f"{version.stdout.strip()}) of publish/data/fonts/*.ttf, hex ranges",
        **{name: charset(DATA / "fonts" / file) for name, file in FONTS.items()},
    }
    (DATA / "font_charsets.json").write_text(json.dumps(data, indent=0) + "\n")


if __name__ == "__main__":
    main()
