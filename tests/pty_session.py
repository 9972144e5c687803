"""Shells (bash, zsh, fish) recorded by asciinema in a pseudo-terminal, typed into as a
person types: the real recordings the player-parity and subtitle tests read."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

PROMPT = "$ "


class ShellRecording:
    """`asciinema rec -c COMMAND CAST` in `folder`, `rows` x `cols`, with `env` added to a
    minimal environment; waits for the first `prompt` (a shell's, or a regular expression
    of it with `regex`)."""

    def __init__(
        self,
        folder: Path,
        cast: Path,
        rows: int,
        cols: int,
        command: str,
        prompt: str,
        env: dict[str, str] | None = None,
        regex: bool = False,
    ) -> None:
        import pexpect

        environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(folder),
                       "TERM": "xterm-256color", "LANG": "C.UTF-8", **(env or {})}  # fmt: skip
        argv = ["-m", "asciinema", "rec", "--overwrite", "-q", "-c", command, str(cast)]
        self.child: Any = pexpect.spawn(sys.executable, argv, env=environment, cwd=str(folder),
                                        dimensions=(rows, cols), encoding="utf-8",
                                        timeout=30)  # fmt: skip
        self.prompt = prompt
        self.regex = regex
        self.wait(prompt)

    def wait(self, text: str) -> None:
        if self.regex:
            self.child.expect(text)
        else:
            self.child.expect_exact(text)

    def typed(self, text: str, wait: str | None = "") -> None:
        """Each key 20 ms apart, then (unless `wait` is None) until `wait` shows (the
        prompt if "")."""
        for char in text:
            self.child.send(char)
            time.sleep(0.02)
        if wait is not None:
            self.wait(wait or self.prompt)

    def resize(self, rows: int, cols: int) -> None:
        self.child.setwinsize(rows, cols)

    def exit(self) -> None:
        """`exit`, and the recording ends with the shell."""
        import pexpect

        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)
        self.child.close()


class BashRecording(ShellRecording):
    """`asciinema rec -c 'bash --norc --noprofile -i' CAST` in `folder`, `rows` x `cols`,
    with PS1 `$ ` and `env` added to a minimal environment; waits for the first prompt."""

    def __init__(
        self, folder: Path, cast: Path, rows: int, cols: int, env: dict[str, str] | None = None
    ) -> None:
        command = "bash --norc --noprofile -i"
        super().__init__(folder, cast, rows, cols, command, PROMPT, {"PS1": PROMPT, **(env or {})})
