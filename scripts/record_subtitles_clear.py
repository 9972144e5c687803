"""Record tests/data/screens/subtitles_clear.cast: a real shell in a pseudo-terminal,
recorded by asciinema 2.4.0 (as tests/test_player_parity.py records vim, less and htop),
where lines are erased by `clear` (`\\e[H\\e[2J\\e[3J`), `\\e[2K` on a whole line and a
reset (`\\ec`), with a `watch`-like loop that clears and redraws the same two lines.

    python scripts/record_subtitles_clear.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pexpect

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "screens" / "subtitles_clear.cast"
COMMANDS = [
    "ls",
    "clear",
    "echo after",
    "printf 'one\\ntwo\\n'; sleep 0.4; clear; echo three",
    'for i in 1 2 3 4; do clear; echo "Every 0.3s: date"; echo "count $i"; sleep 0.3; done',
    "printf 'gone soon\\n'; sleep 0.4; printf '\\033[1A\\033[2K'; echo kept",
    "echo last; sleep 0.4; printf '\\033c'; echo reset",
]


def record(folder: Path) -> Path:
    for name in ("alpha.txt", "beta.txt", "gamma.txt"):
        (folder / name).write_text("x\n")
    cast = folder / "session" / "clear.cast"  # (outside the folder `ls` lists)
    cast.parent.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(folder), "TERM": "xterm-256color",
        "LANG": "C.UTF-8", "PS1": "$ ",
    }  # fmt: skip
    argv = ["-m", "asciinema", "rec", "--overwrite", "-q", "-c", "bash --norc --noprofile -i",
            str(cast)]  # fmt: skip
    child = pexpect.spawn(sys.executable, argv, env=env, cwd=str(folder), dimensions=(10, 60),
                          encoding="utf-8", timeout=30)  # fmt: skip
    child.expect_exact("$ ")
    for command in COMMANDS:
        for char in command + "\r":
            child.send(char)
            time.sleep(0.02)
        child.expect_exact("$ ")
        time.sleep(0.4)
    child.sendline("exit")
    child.expect(pexpect.EOF)
    child.close()
    return cast


def main() -> None:
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copy(record(folder), OUT)
    finally:
        shutil.rmtree(folder)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
