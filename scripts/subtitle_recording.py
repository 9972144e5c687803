"""Record tests/data/subtitles/{name}.cast: a shell or program run by asciinema 2.4.0 in a
pseudo-terminal (as scripts/record_subtitles_clear.py does), in the home folder of
scripts/subtitle_home.py, typed with a session's keys (one key every 0.09 s, a pause after
each step). The sessions are in scripts/record_subtitles_shells.py (shells, REPLs and
programs over them) and scripts/record_subtitles_mux.py (multiplexers); both scripts run
this `main`."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pexpect

from scripts.subtitle_home import make_home

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "subtitles"
KEY_SECONDS = 0.09
TAB, ENTER, DOWN, CTRL_U, CTRL_B, CTRL_A = "\t", "\r", "\x1b[B", "\x15", "\x02", "\x01"
UP, LEFT = "\x1b[A", "\x1b[D"
# (shell, rows, columns, steps): each step is keys typed (or `<resize ROWSxCOLUMNS>`),
# then a pause in seconds.
Session = tuple[str, int, int, list[tuple[str, float]]]


def record(folder: Path, session: Session, name: str) -> Path:
    """The session recorded in `folder` as `name`.cast."""
    shell, rows, cols, steps = session
    home = make_home(folder)
    cast = folder / "session" / f"{name}.cast"
    cast.parent.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(home), "TERM": "xterm-256color",
        "LANG": "C.UTF-8", "USER": "user", "SHELL": "/bin/sh", "PS1": "$ ",
    }  # fmt: skip
    argv = ["-m", "asciinema", "rec", "--overwrite", "-q", "-c", shell, str(cast)]
    child = pexpect.spawn(sys.executable, argv, env=env, cwd=str(home), dimensions=(rows, cols),
                          encoding="utf-8", timeout=30)  # fmt: skip
    time.sleep(3.0)  # (zsh's compinit, fish's first start)
    for keys, pause in steps:
        if keys.startswith("<resize "):  # the window resized: `<resize ROWSxCOLUMNS>`
            rows, cols = map(int, keys[len("<resize ") : -1].split("x"))
            child.setwinsize(rows, cols)
            time.sleep(pause)
            continue
        for key in [keys] if keys.startswith("\x1b") else keys:
            child.send(key)
            time.sleep(KEY_SECONDS)
        time.sleep(pause)
    child.expect(pexpect.EOF)
    child.close()
    return cast


def main(sessions: dict[str, Session], doc: str | None) -> None:
    """Record the sessions named on the command line (all if none) into OUT."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(sessions))
    names = parser.parse_args().names or list(sessions)
    if unknown := [name for name in names if name not in sessions]:
        parser.error(f"no session named {unknown[0]!r}")
    for name in names:
        folder = Path(tempfile.mkdtemp())
        try:
            shutil.copy(record(folder, sessions[name], name), OUT / f"{name}.cast")
        finally:
            shutil.rmtree(folder)
        print(f"wrote {OUT / name}.cast")
