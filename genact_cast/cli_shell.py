"""The CLI's shell: every error a command raises becomes one line and its exit code."""

import sys
from typing import Any, NoReturn

import typer

from genact_cast.errors import GenactCastError, Terminated

MEMORY = object()  # main's note that the command ran out of memory


def fail(message: str, code: int) -> NoReturn:
    # Messages quote what came from outside (file names, server replies, option values):
    # escaped for the terminal, which also keeps every message on one line.
    from genact_cast.escape import terminal_text

    print(f"genact-cast: {terminal_text(message)}", file=sys.stderr)
    raise SystemExit(code)


def run_app(app: Any) -> None:
    """Run the CLI: one-line messages and documented exit codes, never a traceback."""
    try:
        code = app(standalone_mode=False)
        from genact_cast.standard_output import finish_stdout

        finish_stdout()  # what is still buffered fails here in one line, not at exit
    except GenactCastError as exc:
        fail(str(exc), exc.exit_code)
    except Terminated as exc:
        fail(f"stopped by {exc}", 128 + exc.signum)
    except (typer.Abort, KeyboardInterrupt):
        fail("interrupted", 130)
    except typer.TyperException as exc:
        format_message = getattr(exc, "format_message", None)
        message = format_message() if callable(format_message) else str(exc)
        if type(exc).__name__ == "NoArgsIsHelpError":  # no arguments: click shows the help
            print(message, file=sys.stderr)
            raise SystemExit(2) from None
        fail(message.replace("\n", " "), getattr(exc, "exit_code", 2))
    except MemoryError:  # a limit (ulimit -v, a container) below what the input needs
        code = MEMORY  # said once the traceback, which holds the memory, is let go
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`): nothing left to say
        raise SystemExit(1) from None
    except OSError as exc:
        # What no command turned into a message: typer's own `--install-completion`
        # writing a read-only ~/.bashrc was a traceback (review-attack16 F6).
        from genact_cast.escape import terminal_text
        from genact_cast.standard_output import os_reason

        where = f"{terminal_text(str(exc.filename))}: " if exc.filename else ""
        fail(f"{where}{os_reason(exc)}", 1)
    if code is MEMORY:
        fail("out of memory: what was asked needs more than this process may use", 1)
    if code == 130:  # typer turns Ctrl-C into this exit code, silently
        fail("interrupted", 130)
    raise SystemExit(code if isinstance(code, int) else 0)
