"""The program's entry point: Ctrl-C at any moment is one line and exit 130.

Kept apart from genact_cast.cli so that its `try` is in place before the CLI's modules
(typer, click, rich: tens of milliseconds) load: a Ctrl-C while they do is caught too.
"""

import os
import sys
from typing import NoReturn


def main() -> None:
    if sys.stderr is None:
        # Started with stderr closed (`2>&-`): messages and progress go nowhere, rather than
        # failing (a progress bar asked None whether it is a terminal) or, printed to None,
        # landing on stdout inside a cast written there. Opened first, /dev/null takes fd 2,
        # so no output file the command opens takes it instead.
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the run
    try:
        from genact_cast.cli import main as run

        run()
    except KeyboardInterrupt:
        interrupted()


def interrupted() -> NoReturn:
    try:
        sys.stderr.write("genact-cast: interrupted\n")
        sys.stderr.flush()
    finally:
        raise SystemExit(130) from None
