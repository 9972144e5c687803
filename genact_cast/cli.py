"""The genact-cast command: parse options, call the library, turn errors into messages.

Heavy modules are imported inside the commands, so that `--help` starts fast. The
annotations are objects, not strings (no `from __future__ import annotations`): typer
reads every command's hints at each start, and strings would be evaluated again each
time, a quarter of `record`'s own start-up.
"""

from typing import Annotated

import typer

from genact_cast import __version__
from genact_cast.cli_casts import embed, info, play
from genact_cast.cli_options import OnceCommand
from genact_cast.cli_runs import record, run
from genact_cast.cli_server import auth, upload
from genact_cast.cli_shell import run_app

app = typer.Typer(
    name="genact-cast",
    help="Fake a large-language-model training run in a terminal, as a real screencast.",
    no_args_is_help=True,
    # Plain help: typer's rich help imports rich's Markdown stack (markdown-it) on every
    # --help, which alone takes --help from ~110 ms to ~250 ms.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from genact_cast.standard_output import write_stdout

        write_stdout(f"genact-cast {__version__}\n")  # (a full disk: one line, exit 1)
        raise typer.Exit


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Fake a large-language-model training run in a terminal, as a real screencast."""


# In the order `--help` lists them; each option may be given once (OnceCommand).
for _function in (record, play, run, info, embed, upload, auth):
    app.command(cls=OnceCommand)(_function)


def main() -> None:
    """Run the CLI: one-line messages and documented exit codes, never a traceback."""
    run_app(app)
