"""The framework excerpts of the docs' dialects page (once the README's), made from the
command that page shows.

    python scripts/readme_excerpts.py           # rewrite the excerpts in docs/dialects.md
    python scripts/readme_excerpts.py --check   # exit 1 when they no longer match

Each excerpt is a few lines of the subtitles (`-o F.vtt`: every line the run prints, as
it was last drawn) of `COMMAND` with `--framework F`, picked by the patterns below. The
page marks each block with `<!-- excerpt: F -->`; tests/test_readme.py runs the check.
"""

from __future__ import annotations

import argparse
import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "dialects.md"
COMMAND = (
    "genact-cast record --seed 3 --model Llama-3-8B --kind pretrain --gpus 32 --gpu B200 "
    "--cols 1000 --no-color"
)
# framework: (pattern, lines before, lines after), each taken at its first match
PICKS: dict[str, list[tuple[str, int, int]]] = {
    "torchtitan": [(r" size: [\d,]+ total parameters", 0, 0), (r" step:  1  loss", 0, 0),
                   (r"Saving the checkpoint", 1, 2)],
    "megatron": [(r"number of parameters on \(tensor, pipeline\)", 0, 0),
                 (r"\] iteration +\d+/", 0, 0), (r"^saving checkpoint at iteration", 0, 1)],
    "deepspeed": [(r"\{'loss'", 0, 0), (r"Saving model checkpoint to", 0, 0),
                  (r"Checkpoint global_step\d+ is", 0, 1)],
    "hf": [(r"Total optimization steps", 0, 0), (r"^\{'loss'", 0, 0),
           (r"Saving model checkpoint to", 0, 0)],
}  # fmt: skip
BLOCK = re.compile(r"(<!-- excerpt: (\w+) -->\n```\n)(.*?)(```)", re.DOTALL)


def printed_lines(framework: str) -> list[str]:
    """Every line the run prints, from its subtitles."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"{framework}.vtt"
        words = [*COMMAND.split()[1:], "--framework", framework, "-o", str(out)]
        subprocess.run(
            [sys.executable, "-m", "genact_cast", *words],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        text = out.read_text("utf-8")
    cues = text.split("\n\n")[1:]  # after the WEBVTT line
    lines = [line for cue in cues for line in cue.splitlines()[1:]]  # after each timing line
    return [html.unescape(line) for line in lines]


def excerpt(framework: str) -> str:
    lines = printed_lines(framework)
    picked: list[str] = []
    for pattern, before, after in PICKS[framework]:
        found = next((i for i, line in enumerate(lines) if re.search(pattern, line)), None)
        if found is None:
            raise SystemExit(f"{framework}: no line matches {pattern!r}")
        picked += lines[max(found - before, 0) : found + after + 1]
    return "".join(f"{line}\n" for line in picked)


def rewritten(page: str) -> str:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor() as pool:  # one process each: they run side by side
        made = dict(zip(PICKS, pool.map(excerpt, PICKS), strict=True))
    return BLOCK.sub(lambda m: m.group(1) + made[m.group(2)] + m.group(4), page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if they do not match")
    check = parser.parse_args().check
    page = PAGE.read_text("utf-8")
    name = PAGE.relative_to(ROOT)
    found = {m.group(2) for m in BLOCK.finditer(page)}
    if found != set(PICKS):
        raise SystemExit(f"{name} has excerpt blocks for {sorted(found)}, not {sorted(PICKS)}")
    new = rewritten(page)
    if check:
        if new != page:
            raise SystemExit(
                f"{name}'s framework excerpts no longer match the command they come from: "
                "run python scripts/readme_excerpts.py"
            )
        return
    PAGE.write_text(new, "utf-8")


if __name__ == "__main__":
    main()
