"""The genact-cast command: parse options, call the library, turn errors into messages.

Heavy modules are imported inside the commands, so that `--help` starts fast. The
annotations are objects, not strings (no `from __future__ import annotations`): typer
reads every command's hints at each start, and strings would be evaluated again each
time, a quarter of `record`'s own start-up.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from genact_cast import __version__
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
    OnceCommand,
    Rows,
    Seed,
    Server,
    Speed,
    Start,
    Visibility,
    fitted,
    parse_failures_option,
    record_options,
    runnable,
)
from genact_cast.cli_shell import run_app
from genact_cast.errors import BadOption
from genact_cast.option_types import integer, output, real, words

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


@app.command()
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


@app.command()
def play(
    source: Annotated[str, typer.Argument(help="Cast file, http(s) URL, or - for stdin.")],
    speed: Annotated[
        float, typer.Option("--speed", "-s", parser=real, help="Playback speed.")
    ] = 1.0,
    idle_time_limit: Annotated[
        float | None,
        typer.Option(
            "--idle-time-limit",
            "-i",
            parser=real,
            help="Cap pauses at this many seconds.",
        ),
    ] = None,
    loop: Annotated[bool, typer.Option("--loop", "-l", help="Play again and again.")] = False,
    pause_on_markers: Annotated[
        bool, typer.Option("--pause-on-markers", "-m", help="Pause at every marker.")
    ] = False,
    start_at: Annotated[
        str | None,
        typer.Option(parser=words, help="Start at this many seconds, or at this marker's label."),
    ] = None,
    unsafe: Annotated[
        bool, typer.Option(help="Pass every escape sequence through untouched.")
    ] = False,
) -> None:
    """Replay any asciicast (v1, v2, v3) in this terminal.

    Keys: space pause/resume, . step (paused), ] next marker, + / - speed, q quit.
    """
    from genact_cast.commands.play import play_cast

    play_cast(
        source,
        speed=speed,
        idle_time_limit=idle_time_limit,
        loop=loop,
        pause_on_markers=pause_on_markers,
        start_at=start_at,
        unsafe=unsafe,
    )


@app.command()
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
        layout=layout, framework=framework,
    )  # fmt: skip
    options = runnable(options, seed_given=seed is not None)
    limit = (
        None
        if exit_after is None
        else parse_duration(exit_after, "--exit-after", most=limits.MAX_CAST_SECONDS)
    )
    run_live(options, forever=forever, exit_after=limit)


@app.command()
def info(
    source: Annotated[str, typer.Argument(help="Cast file, http(s) URL, or - for stdin.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Describe a cast: format, size, duration, events, markers, title, theme."""
    from genact_cast.commands.info import show_info

    show_info(source, as_json=as_json)


@app.command()
def embed(
    source: Annotated[str, typer.Argument(help="Cast file, http(s) URL, or - for stdin.")],
    svg: Annotated[
        list[Path] | None, typer.Option(parser=output, help="Write an animated SVG here.")
    ] = None,
    gif: Annotated[
        list[Path] | None, typer.Option(parser=output, help="Write a GIF here (needs agg).")
    ] = None,
    mp4: Annotated[
        list[Path] | None, typer.Option(parser=output, help="Write an H.264 MP4 here (for slides).")
    ] = None,
    webm: Annotated[
        list[Path] | None, typer.Option(parser=output, help="Write a VP9 WebM here.")
    ] = None,
    png: Annotated[
        list[Path] | None,
        typer.Option(parser=output, help="Write a PNG still here: the final screen, or --at."),
    ] = None,
    text: Annotated[
        list[Path] | None,
        typer.Option(parser=output, help="Write the final screen as text, with the chapters."),
    ] = None,
    vtt: Annotated[
        list[Path] | None, typer.Option(parser=output, help="Write WebVTT subtitles here.")
    ] = None,
    markdown: Annotated[
        list[Path] | None,
        typer.Option(parser=output, help="Write Markdown and HTML snippets here."),
    ] = None,
    html: Annotated[
        list[Path] | None,
        typer.Option(parser=output, help="Write a standalone HTML page with asciinema-player."),
    ] = None,
    self_contained: Annotated[
        bool, typer.Option(help="HTML: inline the player's JS and CSS (works offline).")
    ] = False,
    autoplay: Annotated[bool, typer.Option(help="HTML: start playing on load.")] = True,
    poster: Annotated[
        str | None, typer.Option(help="HTML: poster frame, e.g. npt:0:30, or 'end'.")
    ] = None,
    fit: Annotated[
        str, typer.Option(help="HTML: fit the player to width, height, both or none.")
    ] = "width",
    pause_on_markers: Annotated[bool, typer.Option(help="HTML: pause at every marker.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace the output if it exists.")] = False,
    theme: Annotated[str | None, typer.Option(help="Colour theme; default the cast's.")] = None,
    speed: Annotated[
        float, typer.Option(parser=real, help="Playback speed (GIF, HTML, video).")
    ] = 1.0,
    fps_cap: Annotated[
        int,
        typer.Option(
            "--fps-cap", "--fps", parser=integer, help="At most this many frames a second."
        ),
    ] = 30,
    font_size: Annotated[int, typer.Option(parser=integer, help="GIF font size in pixels.")] = 14,
    size: Annotated[
        str, typer.Option(help="Video and PNG: 720p, 1080p, 4k, or a font size in pixels.")
    ] = "1080p",
    start_at: Annotated[
        str | None,
        typer.Option(parser=words, help="Video, text, subtitles: start at T seconds or a marker."),
    ] = None,
    end_at: Annotated[
        str | None,
        typer.Option(parser=words, help="Video, text, subtitles: end at T seconds or a marker."),
    ] = None,
    idle_time_limit: Annotated[
        float | None, typer.Option(parser=real, help="Cap pauses at this many seconds.")
    ] = None,
    loop: Annotated[bool, typer.Option(help="Loop, or play once and hold the last frame.")] = True,
    at: Annotated[
        float | None,
        typer.Option(parser=real, help="SVG, PNG, text: the still frame at this many seconds."),
    ] = None,
) -> None:
    """Turn a cast into an animated SVG (for READMEs), a GIF, a video or PNG (for slides), an
    HTML page, Markdown, text or subtitles."""
    from genact_cast.atomic import stop_on_signals
    from genact_cast.commands.embed import embed as make
    from genact_cast.escape import terminal_text
    from genact_cast.publish.html import PlayerOptions

    outputs = (("svg", svg), ("gif", gif), ("html", html), ("markdown", markdown), ("mp4", mp4),
               ("webm", webm), ("png", png), ("text", text), ("vtt", vtt))  # fmt: skip
    # Each is a list only to see it repeated: click keeps the last of `--svg a --svg b`.
    for kind, paths in outputs:
        if paths and len(paths) > 1:
            raise BadOption(f"--{kind} is given {len(paths)} times: give one output")
    chosen = [(kind, paths[0]) for kind, paths in outputs if paths]
    if len(chosen) != 1:
        raise BadOption(
            "give exactly one of --svg, --gif, --html, --markdown, --mp4, --webm, --png, "
            "--text or --vtt"
        )
    if fit not in ("width", "height", "both", "none"):
        raise BadOption(f"--fit must be width, height, both or none (got {fit!r})")
    kind, path = chosen[0]
    player = PlayerOptions(
        speed=speed, idle_time_limit=idle_time_limit, loop=loop,
        autoplay=autoplay, poster=poster, theme=theme, fit=fit, pause_on_markers=pause_on_markers,
    )  # fmt: skip
    with stop_on_signals():
        make(
            source, path, kind, overwrite=overwrite, theme=theme, speed=speed, fps_cap=fps_cap,
            font_size=font_size, idle_time_limit=idle_time_limit, loop=loop, at=at,
            player=player, self_contained=self_contained, size=size, start_at=start_at,
            end_at=end_at,
        )  # fmt: skip
    if str(path) != "-":
        print(f"genact-cast: wrote {terminal_text(str(path))}", file=sys.stderr)


@app.command()
def upload(
    source: Annotated[Path, typer.Argument(help="Cast file to upload.")],
    server: Server = None,
    title: Annotated[str | None, typer.Option(parser=words, help="Title of the recording.")] = None,
    visibility: Annotated[
        Visibility | None, typer.Option(help="Who may see it (the server's default if absent).")
    ] = None,
) -> None:
    """Upload a cast to an asciinema server, into your asciinema account."""
    from genact_cast.escape import terminal_text
    from genact_cast.publish.install_id import install_id, server_url
    from genact_cast.publish.upload import upload as send
    from genact_cast.standard_output import write_stdout

    if str(source) == "-":
        raise BadOption("upload takes a cast file (not standard input)")
    if source.parts and source.parts[0] in ("http:", "https:") and not source.exists():
        # Path folds "http://h/x" into "http:/h/x": name the real problem instead.
        raise BadOption("upload takes a local cast file, not a URL: download the cast first")
    url = server_url(server)
    result = send(
        source,
        server=url,
        install_id=install_id(),
        title=title,
        visibility=None if visibility is None else visibility.value,
    )
    if result.message:
        print(terminal_text(result.message.strip(), keep_newlines=True), file=sys.stderr)
    write_stdout(
        f"{terminal_text(result.url)}\n\nMarkdown:\n  {terminal_text(result.markdown)}\n"
        f"HTML:\n  {terminal_text(result.html)}\n"
    )


@app.command()
def auth(server: Server = None) -> None:
    """Print the link that ties this machine's install ID to your asciinema account."""
    from genact_cast.escape import terminal_text
    from genact_cast.publish.install_id import install_id, server_url
    from genact_cast.standard_output import write_stdout

    url = terminal_text(server_url(server))
    write_stdout(
        f"Open this link to tie uploads from this machine to your {url} account:\n"
        f"  {url}/connect/{terminal_text(install_id())}\n"
    )


for _command in app.registered_commands:
    if _command.cls in (None, typer.core.TyperCommand):
        _command.cls = OnceCommand


def main() -> None:
    """Run the CLI: one-line messages and documented exit codes, never a traceback."""
    run_app(app)
