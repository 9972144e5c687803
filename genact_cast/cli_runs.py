"""The commands that make a run: `record` writes it as a cast, `run` plays it live.

Registered on the app by genact_cast.cli; heavy modules are imported inside the commands
(see cli.py for why the annotations are objects, not strings).
"""

from pathlib import Path
from typing import Annotated

import typer

from genact_cast.cli_options import (
    CastFormat,
    Color,
    Cols,
    Dataset,
    Duration,
    Failures,
    Framework,
    Gpu,
    Gpus,
    Kind,
    LayoutOption,
    Method,
    Model,
    NcclDebug,
    Rows,
    Seed,
    Speed,
    Start,
    fitted,
    parse_failures_option,
    parse_nccl_debug_option,
    record_options,
    runnable,
)
from genact_cast.errors import BadOption
from genact_cast.option_types import integer, output, real, words


def record(
    seed: Seed = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", parser=output, help="Cast file to write; - for standard output."
        ),
    ] = Path("out.cast"),
    overwrite: Annotated[bool, typer.Option(help="Replace OUTPUT if it exists.")] = False,
    duration: Duration = None,
    speed: Speed = 1.0,
    cols: Cols = 100,
    rows: Rows = 30,
    model: Model = None,
    gpus: Gpus = None,
    gpu: Gpu = None,
    dataset: Dataset = None,
    kind: Kind = None,
    method: Method = None,
    failures: Failures = None,
    nccl_debug: NcclDebug = None,
    framework: Framework = "genact",
    cast_format: Annotated[
        CastFormat, typer.Option("--format", help="asciicast version to write.")
    ] = CastFormat.v2,
    title: Annotated[
        str | None, typer.Option(parser=words, help="Title in the cast header.")
    ] = None,
    idle_time_limit: Annotated[
        float | None,
        typer.Option(parser=real, help="Idle time limit (seconds) for players, in the header."),
    ] = None,
    theme: Annotated[
        str | None, typer.Option(help="Colour theme for players: asciinema, dracula, nord, ...")
    ] = None,
    color: Color = True,
    start: Start = None,
    live: Annotated[
        bool,
        typer.Option(help="Record the run live in a real shell through asciinema rec."),
    ] = False,
    layout: LayoutOption = "log",
) -> None:
    """Simulate a distributed LLM training run and write it as an asciicast file."""
    options = record_options(
        seed, duration, speed, cols, rows, model, gpus, gpu, dataset, color, start
    )
    options = options._replace(
        title=title,
        idle_time_limit=idle_time_limit,
        theme=theme,
        kind=kind,
        method=method,
        failures=parse_failures_option(failures),
        nccl_debug=parse_nccl_debug_option(nccl_debug),
        layout=layout,
        framework=framework,
    )
    options = runnable(options, seed_given=seed is not None)
    if live:
        from genact_cast.commands.record import record_live_cast

        if str(output) == "-":  # review-attack12 F3: the problem is the pipe, not the format
            raise BadOption("--live records into a file: give -o a file name (-o demo.cast)")
        if cast_format is not CastFormat.v2:
            raise BadOption("--live writes a v2 cast file (asciinema 2.4's format): drop --format")
        record_live_cast(options, output, overwrite=overwrite)
        return
    from genact_cast.commands.record import record_cast

    record_cast(
        options,
        output=output,
        overwrite=overwrite,
        version=int(cast_format.value[1:]),
        seed_given=seed is not None,
    )


def run(
    seed: Seed = None,
    duration: Duration = None,
    speed: Speed = 1.0,
    cols: Annotated[
        int | None,
        typer.Option(parser=integer, help="Width to lay out for; default: this terminal's."),
    ] = None,
    rows: Annotated[
        int | None, typer.Option(parser=integer, help="Height; default: this terminal's.")
    ] = None,
    model: Model = None,
    gpus: Gpus = None,
    gpu: Gpu = None,
    dataset: Dataset = None,
    kind: Kind = None,
    method: Method = None,
    failures: Failures = None,
    nccl_debug: NcclDebug = None,
    framework: Framework = "genact",
    color: Annotated[
        bool | None,
        typer.Option(help="Colours in the output; default on, off when $NO_COLOR is set."),
    ] = None,
    start: Start = None,
    forever: Annotated[
        bool, typer.Option(help="Run one seed after another until stopped.")
    ] = False,
    exit_after: Annotated[
        str | None, typer.Option(help="Stop after this long, e.g. 90s or 2h10m.")
    ] = None,
    prompt: Annotated[
        bool, typer.Option(help="Show the shell prompt and the typed launch command.")
    ] = True,
    layout: LayoutOption = "log",
) -> None:
    """Generate a run and play it live in this terminal, genact style.

    Ctrl-C (or q) ends it at the next natural break with a short summary; a second
    Ctrl-C ends it at once.
    """
    import os
    import shutil

    from genact_cast import limits
    from genact_cast.commands.run import run_live
    from genact_cast.durations import parse_duration

    # COLUMNS and LINES in ASCII digits only, as every number option (shutil takes
    # COLUMNS=٣٠٠ as 300): anything else is left for the terminal's own size.
    environ = {name: os.environ.get(name, "") for name in ("COLUMNS", "LINES")}
    ignored = [name for name, value in environ.items() if value and not value.isascii()]
    for name in ignored:
        del os.environ[name]
    try:
        size = shutil.get_terminal_size((100, 30))
    finally:
        os.environ.update({name: environ[name] for name in ignored})
    if color is None:  # https://no-color.org: set and not empty; an option overrides it
        color = not os.environ.get("NO_COLOR")
    if layout == "dashboard" and (cols is None or rows is None):
        from genact_cast.generator.dashboard.layout import check_size

        # The terminal's own size, named as it is: the 60x20 floor below is the log's.
        check_size(size.columns if cols is None else cols, size.lines if rows is None else rows)
    options = record_options(
        seed, duration, speed,  # 0 is refused with the bounds, not taken as "not given"
        *fitted(size.columns, size.lines, cols, rows),
        model, gpus, gpu, dataset, color, start,
    )._replace(
        prompt=prompt, kind=kind, method=method, failures=parse_failures_option(failures),
        nccl_debug=parse_nccl_debug_option(nccl_debug), layout=layout, framework=framework,
    )  # fmt: skip
    options = runnable(options, seed_given=seed is not None)
    limit = (
        None
        if exit_after is None
        else parse_duration(exit_after, "--exit-after", most=limits.MAX_CAST_SECONDS)
    )
    run_live(options, forever=forever, exit_after=limit)
