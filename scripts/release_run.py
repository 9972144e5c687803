"""What the scripts that run a framework's own code at a release tag share: their command
line (a bare mirror of the framework's repository, the tag, one genact-cast run and the file
to write), that run's plan, and the tag's files read from the mirror.

The scripts import it as `scripts.release_run`: run them from the repository's root with
`python -m scripts.<name>`.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from genact_cast.generator import RecordOptions
from genact_cast.generator.plan import RunPlan, make_plan


def parser(description: str) -> argparse.ArgumentParser:
    """MIRROR TAG --seed N [--model M] [--kind K] [--gpus G] -o FILE; a script adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("mirror", help="a bare clone of the framework's repository")
    parser.add_argument("tag")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--model")
    parser.add_argument("--kind")
    parser.add_argument("--gpus", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    return parser


def plan(options: argparse.Namespace, framework: str) -> RunPlan:
    """The plan of the run `options` name, as `genact-cast record` would make it."""
    return make_plan(
        RecordOptions(
            seed=options.seed,
            framework=framework,
            model=options.model,
            kind=options.kind,
            gpus=options.gpus,
            duration=120,
        )
    )


def git(mirror: str, *words: str) -> bytes:
    """What `git --git-dir MIRROR WORDS...` writes (`show TAG:path`, `archive TAG path...`);
    where git fails (no such mirror, tag or path), the script ends with git's own reason."""
    done = subprocess.run(["git", "--git-dir", mirror, *words], capture_output=True)
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines() or ["no output"]
        raise SystemExit(f"git {' '.join(words)} in {mirror}: {said[-1]}")
    return done.stdout
