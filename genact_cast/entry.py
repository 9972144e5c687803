"""The program's entry point: Ctrl-C at any moment is one line and exit 130.

Kept apart from genact_cast.cli so that its `try` is in place before the CLI's modules
(typer, click, rich: tens of milliseconds) load: a Ctrl-C while they do is caught too.
"""

import sys
from typing import NoReturn


def main() -> None:
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
