"""The program's entry point: Ctrl-C at any moment is one line and exit 130.

Kept apart from genact_cast.cli so that its `try` is in place before the CLI's modules
(typer, click, rich: tens of milliseconds) load: a Ctrl-C while they do is caught too.
"""

# First of all, before any other import: until main()'s `try` is in place, Ctrl-C ends the
# program at once with the one line (nothing has been written yet, so nothing to undo).
# `signal` costs nothing here: `enum`, its one import, is loaded at interpreter start-up.
import signal


def _early_interrupt(signum: int, frame: object) -> None:
    import os

    os.write(2, b"genact-cast: interrupted\n")
    os._exit(130)


_EARLY = signal.getsignal(signal.SIGINT) is signal.default_int_handler  # not if ignored
if _EARLY:
    signal.signal(signal.SIGINT, _early_interrupt)

import os  # noqa: E402 - after the handler, on purpose
import sys  # noqa: E402
from typing import NoReturn  # noqa: E402


def main() -> None:
    if sys.stderr is None:
        # Started with stderr closed (`2>&-`): messages and progress go nowhere, rather than
        # failing (a progress bar asked None whether it is a terminal) or, printed to None,
        # landing on stdout inside a cast written there. Opened first, /dev/null takes fd 2,
        # so no output file the command opens takes it instead.
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the run
    _ascii_stderr()
    try:
        if _EARLY:  # from here on, Ctrl-C is a KeyboardInterrupt the commands clean up after
            signal.signal(signal.SIGINT, signal.default_int_handler)
        from genact_cast.cli import main as run

        run()
    except KeyboardInterrupt:
        interrupted()
    except RuntimeError as error:
        # Python 3.11 wraps what a class's __set_name__ raises in a RuntimeError: a Ctrl-C
        # while a module defines its cached properties (ipaddress, which urllib.parse imports)
        # arrives so, its KeyboardInterrupt as the cause (CI: `record` interrupted at 96 ms)
        if isinstance(error.__cause__, KeyboardInterrupt):
            interrupted()
        raise


def _ascii_stderr() -> None:
    """Messages in ASCII where stderr's encoding would not write ASCII as ASCII: EBCDIC
    (cp037) turns letters into bytes 0x81-0x99, C1 controls on an 8-bit terminal, and
    UTF-16/32 put NUL bytes in every line, the refusal of that very charset included
    (review-attack8 item 10). Anything else in a message becomes a visible escape."""
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    probe = "genact-cast: az AZ 09 -_.:/'()[]\\\n"
    try:
        compatible = probe.encode(encoding) == probe.encode("ascii")
    except (LookupError, UnicodeError):
        compatible = False
    if not compatible:
        reconfigure = getattr(sys.stderr, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="ascii", errors="backslashreplace")


def interrupted() -> NoReturn:
    try:
        sys.stderr.write("genact-cast: interrupted\n")
        sys.stderr.flush()
    finally:
        raise SystemExit(130) from None
