"""A clean bash recorded by asciinema in a pseudo-terminal, typed into as a person types:
the real recordings the player-parity tests compare every export with."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

PROMPT = "$ "


class BashRecording:
    """`asciinema rec -c 'bash --norc --noprofile -i' CAST` in `folder`, `rows` x `cols`,
    with PS1 `$ ` and `env` added to a minimal environment; waits for the first prompt."""

    def __init__(
        self, folder: Path, cast: Path, rows: int, cols: int, env: dict[str, str] | None = None
    ) -> None:
        import pexpect

        environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(folder),
                       "TERM": "xterm-256color", "LANG": "C.UTF-8", "PS1": PROMPT,
                       **(env or {})}  # fmt: skip
        argv = ["-m", "asciinema", "rec", "--overwrite", "-q", "-c",
                "bash --norc --noprofile -i", str(cast)]  # fmt: skip
        self.child: Any = pexpect.spawn(sys.executable, argv, env=environment, cwd=str(folder),
                                        dimensions=(rows, cols), encoding="utf-8",
                                        timeout=30)  # fmt: skip
        self.child.expect_exact(PROMPT)

    def typed(self, text: str, wait: str | None = PROMPT) -> None:
        """Each key 20 ms apart, then (unless `wait` is None) until `wait` shows."""
        for char in text:
            self.child.send(char)
            time.sleep(0.02)
        if wait is not None:
            self.child.expect_exact(wait)

    def resize(self, rows: int, cols: int) -> None:
        self.child.setwinsize(rows, cols)

    def exit(self) -> None:
        """`exit`, and the recording ends with the shell."""
        import pexpect

        self.child.sendline("exit")
        self.child.expect(pexpect.EOF)
        self.child.close()
