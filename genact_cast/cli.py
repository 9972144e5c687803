"""The genact-cast command: parse options, call the library, turn errors into messages.

Heavy modules are imported inside the commands, so that `--help` starts fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from genact_cast import __version__
from genact_cast.errors import GenactCastError

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


class CastFormat(str, Enum):
    v2 = "v2"
    v3 = "v3"


def _version(value: bool) -> None:
    if value:
        print(f"genact-cast {__version__}")
        raise typer.Exit


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Fake a large-language-model training run in a terminal, as a real screencast."""


@app.command()
def record(
    seed: Annotated[
        int | None, typer.Option(help="Seed of the run; random (and printed) when absent.")
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Cast file to write; - for standard output.")
    ] = Path("out.cast"),
    overwrite: Annotated[bool, typer.Option(help="Replace OUTPUT if it exists.")] = False,
    duration: Annotated[
        str | None,
        typer.Option(help="Length of the run at speed 1, e.g. 180, 90s, 5m; default: the seed's."),
    ] = None,
    speed: Annotated[float, typer.Option(help="Speed factor: divides every pause.")] = 1.0,
    cols: Annotated[int, typer.Option(help="Terminal width in columns (60 or more).")] = 100,
    rows: Annotated[int, typer.Option(help="Terminal height in rows (20 or more).")] = 30,
    model: Annotated[str | None, typer.Option(help="Pin the model, e.g. Llama-3-8B.")] = None,
    gpus: Annotated[int | None, typer.Option(help="Pin the GPU count: 8, 16, ... 2048.")] = None,
    gpu: Annotated[
        str | None, typer.Option(help="Pin the GPU type: A100, H100, H200, B200.")
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Pin the dataset, e.g. FineWeb.")] = None,
    cast_format: Annotated[
        CastFormat, typer.Option("--format", help="asciicast version to write.")
    ] = CastFormat.v2,
    title: Annotated[str | None, typer.Option(help="Title in the cast header.")] = None,
    idle_time_limit: Annotated[
        float | None, typer.Option(help="Idle time limit (seconds) for players, in the header.")
    ] = None,
    theme: Annotated[
        str | None, typer.Option(help="Colour theme for players: asciinema, dracula, nord, ...")
    ] = None,
    color: Annotated[bool, typer.Option(help="Colours in the output.")] = True,
    start: Annotated[
        str | None,
        typer.Option(help="Simulated start time, ISO 8601 (e.g. 2026-01-30T14:23:15Z)."),
    ] = None,
) -> None:
    """Simulate a distributed LLM training run and write it as an asciicast file."""
    from genact_cast.record import record_cast

    record_cast(
        seed=seed,
        output=output,
        overwrite=overwrite,
        duration=duration,
        speed=speed,
        cols=cols,
        rows=rows,
        model=model,
        gpus=gpus,
        gpu=gpu,
        dataset=dataset,
        version=int(cast_format.value[1:]),
        title=title,
        idle_time_limit=idle_time_limit,
        theme=theme,
        color=color,
        start=start,
    )


def _fail(message: str, code: int) -> NoReturn:
    print(f"genact-cast: {message}", file=sys.stderr)
    raise SystemExit(code)


def main() -> None:
    """Run the CLI: one-line messages and documented exit codes, never a traceback."""
    try:
        code = app(standalone_mode=False)
    except GenactCastError as exc:
        _fail(str(exc), exc.exit_code)
    except typer.Abort:
        _fail("interrupted", 130)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except typer.TyperException as exc:
        format_message = getattr(exc, "format_message", None)
        message = format_message() if callable(format_message) else str(exc)
        _fail(message.replace("\n", " "), getattr(exc, "exit_code", 2))
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`): nothing left to say
        raise SystemExit(1) from None
    if code == 130:  # typer turns Ctrl-C into this exit code, silently
        _fail("interrupted", 130)
    raise SystemExit(code if isinstance(code, int) else 0)
