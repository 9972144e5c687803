"""One exception hierarchy; only the CLI turns these into messages and exit codes."""

import signal


class GenactCastError(Exception):
    """Something the user can fix; the message is shown as it is, on one line.

    The message is made terminal-safe here, once for every place it may be shown: the CLI
    prints it, but the library's callers (a notebook, a script) see it raw in a traceback,
    where a file name's OSC 52 reached the terminal (review-attack12 F8). Escaping twice
    changes nothing (a shown escape is plain text)."""

    exit_code = 1

    def __init__(self, *args: object) -> None:
        from genact_cast.escape import terminal_text

        super().__init__(*(terminal_text(a) if isinstance(a, str) else a for a in args))


class BadOption(GenactCastError):
    """An option value that cannot work (exit 2, like a usage error)."""

    exit_code = 2


class SeedRefused(BadOption):
    """The seed's run is one the chosen framework cannot show as asked (`--nccl-debug on`
    past 8 nodes under srun or pdsh). A seed the user did not pin is drawn again
    (cli_options.runnable). (A model or kind the framework does not train is not refused:
    the seed draws one it trains, plan_config.)"""


class OutputError(GenactCastError):
    """The output file cannot be written."""


class Terminated(Exception):
    """SIGTERM or SIGHUP arrived: unwind, restore the terminal, exit 128 + signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class CastFormatError(GenactCastError):
    """A cast file that does not follow the asciicast format."""

    def __init__(self, source: str, line: int, problem: str) -> None:
        super().__init__(f"{source}:{line}: {problem}")
        self.source = source
        self.line = line
        self.problem = problem


class SourceError(GenactCastError):
    """The cast cannot be opened or fetched."""

    def __init__(self, source: str, problem: str) -> None:
        first_line = (problem.splitlines() or [""])[0]
        from genact_cast.escape import terminal_text

        super().__init__(f"{terminal_text(source)}: {terminal_text(first_line)}")
