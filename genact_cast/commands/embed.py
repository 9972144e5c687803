"""`genact-cast embed`: a cast as an animated SVG, a GIF, a video, a PNG still, an HTML page,
Markdown snippets, plain text or subtitles."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from genact_cast import limits
from genact_cast.asciicast import Cast, CastWriter, Event, Header
from genact_cast.atomic import atomic_output, temporary_directory, temporary_writes, unnamed_file
from genact_cast.errors import BadOption
from genact_cast.extras import require_for
from genact_cast.limits import MAX_FONT_SIZE, MIN_FONT_SIZE
from genact_cast.numbers import shown as shown_number
from genact_cast.output_target import check_writable, refuse_same_files
from genact_cast.publish.player_options import PlayerOptions
from genact_cast.sources import is_url, open_cast, replayable
from genact_cast.standard_output import write_stdout

FORMATS = ("svg", "gif", "html", "markdown", "mp4", "webm", "png", "text", "vtt")
SUFFIXES = {"svg": "svg", "gif": "gif", "html": "html", "htm": "html", "md": "markdown",
            "mp4": "mp4", "webm": "webm", "png": "png", "txt": "text", "vtt": "vtt"}  # fmt: skip

# asciinema-player's poster: a time ("npt:90", "npt:1:30", "npt:1:02:03.5"), or "end".
# Minutes and seconds after a colon are below 60 (npt:99:99:99 is refused, attack3 item 12).
# re.ASCII: the player's parseFloat reads ASCII digits only (`npt:٣` was written, attack12 F5).
POSTER = re.compile(
    r"npt:(?:\d{1,9}|\d{1,6}:[0-5]?\d|\d{1,6}:[0-5]?\d:[0-5]?\d)(?:\.\d{1,6})?", re.ASCII
)

# Option ranges. A cast is at most 10^8 s long, so its exports' times stay below 10^11 s
# (cue times of a few digits); a frame rate past a display's is only a bigger file.
MIN_SPEED, MAX_SPEED = 1e-3, 1e3
MAX_FPS = 120

# A cast to embed: a path, an http(s) URL or "-", or a cast already in memory (as
# `record -o demo.svg` has it: no temporary file is written for it).
Source = str | Cast


def format_for(path: Path) -> str | None:
    """The embed format a file name asks for: demo.svg, demo.gif, demo.html, demo.md, ..."""
    suffix = path.suffix.lower().lstrip(".")
    return SUFFIXES.get(suffix)


def check_options(
    kind: str,
    *,
    theme: str | None,
    speed: float,
    fps_cap: int,
    font_size: int,
    idle_time_limit: float | None,
    at: float | None,
    poster: str | None,
    start_at: str | None = None,
    end_at: str | None = None,
) -> str | None:
    """Refuse option values that cannot work (exit 2); the theme's canonical name."""
    if kind not in FORMATS:
        raise BadOption(f"unknown embed format {kind!r}; choose one of: {', '.join(FORMATS)}")
    if not (math.isfinite(speed) and MIN_SPEED <= speed <= MAX_SPEED):
        raise BadOption(
            f"--speed must be from {MIN_SPEED:g} to {MAX_SPEED:g} (got {shown_number(speed)})"
        )
    if not 1 <= fps_cap <= MAX_FPS:
        raise BadOption(f"--fps-cap must be from 1 to {MAX_FPS} (got {fps_cap})")
    # The GIF's font as the PNG's `--size`: at 1 a cell was 0 pixels wide and an underline
    # or block character a Pillow traceback (review-attack16 F11).
    if not MIN_FONT_SIZE <= font_size <= MAX_FONT_SIZE:
        raise BadOption(
            f"--font-size must be from {MIN_FONT_SIZE} to {MAX_FONT_SIZE} (got {font_size})"
        )
    seconds = limits.MAX_CAST_SECONDS
    if idle_time_limit is not None and not (
        math.isfinite(idle_time_limit) and 0 < idle_time_limit <= seconds
    ):
        raise BadOption(
            f"--idle-time-limit must be a number above 0, at most {seconds:g} "
            f"(got {shown_number(idle_time_limit)})"
        )
    if at is not None and not (math.isfinite(at) and 0 <= at <= seconds):
        raise BadOption(
            f"--at must be a number of seconds from 0 to {seconds:g} (got {shown_number(at)})"
        )
    given = {"--start-at": start_at is not None, "--end-at": end_at is not None,
             "--at": at is not None, "--speed": speed != 1.0,
             "--idle-time-limit": idle_time_limit is not None}  # fmt: skip
    _refuse_ignored(kind, [option for option, there in given.items() if there])
    require_for(kind)  # the extra it needs, named in one line, before any work
    if poster is not None and poster != "end" and not POSTER.fullmatch(poster):
        raise BadOption(
            f"--poster must be npt:SECONDS, npt:M:SS, npt:H:MM:SS or end (got {poster!r})"
        )
    if theme is None:
        return None
    # Here, not at the top: the generator package is most of `embed`'s start-up time.
    from genact_cast.generator import catalog

    names = {name: name for name in catalog.themes()}
    return catalog.find("theme", theme, names)


# The formats that honour each time option; given to any other it would be silently
# ignored (the SVG has no clip, the HTML player takes a poster, Markdown only links the cast),
# so the combination is refused instead.
_CLIPPED = ("mp4", "webm", "png", "text", "vtt")  # publish/exports.py's Clip
HONOURED_BY = {
    "--start-at": _CLIPPED,
    "--end-at": _CLIPPED,
    "--at": ("svg", "png", "text"),  # a still frame
    "--speed": ("gif", "html", "mp4", "webm", "png", "text", "vtt"),
    "--idle-time-limit": ("svg", "gif", "html", "mp4", "webm", "png", "text", "vtt"),
}


def _refuse_ignored(kind: str, given: list[str]) -> None:
    """One line naming a time option the format `kind` would ignore."""
    for option in given:
        if kind not in HONOURED_BY[option]:
            formats = ", ".join(f"--{name}" for name in HONOURED_BY[option])
            raise BadOption(f"{option} has no effect on --{kind}: it applies to {formats}")
    if "--at" in given and "--end-at" in given:
        raise BadOption("--at picks the still frame and --end-at ends the clip there: give one")


def embed(
    source: Source,
    output: Path,
    kind: str,
    *,
    overwrite: bool = False,
    theme: str | None = None,
    speed: float = 1.0,
    fps_cap: int = 30,
    font_size: int = 14,
    idle_time_limit: float | None = None,
    loop: bool = True,
    at: float | None = None,
    player: PlayerOptions | None = None,
    self_contained: bool = False,
    size: str = "1080p",
    start_at: str | None = None,
    end_at: str | None = None,
) -> None:
    player = player or PlayerOptions()
    theme = check_options(
        kind, theme=theme, speed=speed, fps_cap=fps_cap, font_size=font_size,
        idle_time_limit=idle_time_limit, at=at, poster=player.poster, start_at=start_at,
        end_at=end_at,
    )  # fmt: skip
    player = dataclasses.replace(player, theme=theme if player.theme else None)
    # '-' is standard output, as for `record -o -`; only for the text formats, since
    # binary data written to a terminal would garble it (review-attack3 item 6).
    to_stdout = str(output) == "-"
    if to_stdout and kind in ("mp4", "webm", "png", "gif"):
        raise BadOption(f"--{kind} cannot be '-' (standard output): give a file name")
    exported = kind in ("mp4", "webm", "png", "text", "vtt")
    if exported:
        from genact_cast.publish.exports import export
        from genact_cast.publish.screens import Clip

        # Checked with the other options, before the output path.
        clip = Clip(speed=speed, fps=fps_cap, idle_time_limit=idle_time_limit,
                    start_at=start_at, end_at=end_at)  # fmt: skip
        if kind in ("mp4", "webm", "png"):
            from genact_cast.publish.picture_layout import parse_size

            parse_size(size)
    if not to_stdout:
        check_writable(output, overwrite=overwrite)
        refuse_same_files([output], [source] if isinstance(source, str) else [])
    if exported and to_stdout:
        with _as_file(source) as path, temporary_directory() as folder:
            written = Path(folder) / f"out.{kind}"
            export(path, written, kind, overwrite=True, clip=clip, theme=theme, size=size, at=at)
            write_stdout(written.read_bytes())
        return
    if exported:
        with _as_file(source) as path:
            export(
                path, output, kind, overwrite=overwrite, clip=clip, theme=theme, size=size, at=at
            )
        return
    if kind == "gif":
        from genact_cast.publish.gif import render_gif

        with _as_file(source) as path:
            render_gif(
                path, output, overwrite=overwrite, theme=theme, speed=speed, font_size=font_size,
                fps_cap=fps_cap, idle_time_limit=idle_time_limit, loop=loop,
            )  # fmt: skip
        return
    if kind == "markdown":
        text = _markdown(source, output)
    elif kind == "html":
        _html(source, output, player, self_contained=self_contained, overwrite=overwrite,
              to_stdout=to_stdout)  # fmt: skip
        return
    else:
        _svg(source, output, overwrite=overwrite, to_stdout=to_stdout, theme=theme,
             fps_cap=fps_cap, idle_time_limit=idle_time_limit, loop=loop, at=at)  # fmt: skip
        return
    if to_stdout:
        write_stdout(text.encode("utf-8"))
        return
    with atomic_output(output, overwrite=overwrite) as stream:
        stream.write(text.encode("utf-8"))


def _svg(
    source: Source, output: Path, *, overwrite: bool, to_stdout: bool, theme: str | None,
    fps_cap: int, idle_time_limit: float | None, loop: bool, at: float | None,
) -> None:  # fmt: skip
    """The SVG drawn (its parts spooled, its limits checked as it is), then written whole.
    An animated one's frames are counted first, from the events' times (encode_cost.py):
    one that cannot be drawn within the limits is refused before any frame is drawn, so
    the cast is read twice (standard input spooled, a URL downloaded once)."""
    from genact_cast.publish.svg import drawn_svg
    from genact_cast.publish.theme import resolve_theme

    shown = None
    # Spooled beside the output, which is written there anyway (standard output: the
    # system's temporary directory), never elsewhere.
    spool_in = None if to_stdout else os.path.dirname(os.path.abspath(output))
    with contextlib.ExitStack() as stack:
        if isinstance(source, str) and at is None:
            shown = "<stdin>" if source == "-" else source if is_url(source) else None
            source = stack.enter_context(replayable(source, folder=spool_in))
        if at is None:
            from genact_cast.publish.encode_cost import SvgFrames, check_read_cost
            from genact_cast.publish.screens import Clip

            if isinstance(source, str) and not is_url(source):
                check_read_cost(source, "SVG")  # (stdin's spooled copy too: a regular file)
            with _read(source, shown) as (header, events):
                SvgFrames(header, Clip(fps=fps_cap, idle_time_limit=idle_time_limit)).count(events)
        with (
            _read(source, shown) as (header, events),
            _drawing_progress() as progress,
            drawn_svg(
                header, events, theme=resolve_theme(header, theme), fps_cap=fps_cap,
                idle_time_limit=idle_time_limit, loop=loop, at=at, progress=progress,
                spool_in=spool_in,
            ) as document,
        ):  # fmt: skip
            if to_stdout:
                document.write(lambda text: write_stdout(text.encode("utf-8")))
                return
            with atomic_output(output, overwrite=overwrite) as stream:
                document.write(lambda text: stream.write(text.encode("utf-8")))


@contextlib.contextmanager
def _drawing_progress() -> Iterator[Callable[[float], None] | None]:
    """How far through the cast the SVG is drawn, on stderr when it is a terminal."""
    if sys.stderr is None or not sys.stderr.isatty():  # (None: started with 2>&-)
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("drawing the SVG: {task.fields[at]} of the cast"))
    with Progress(
        *columns, TimeElapsedColumn(), console=Console(stderr=True), transient=True
    ) as bar:
        task = bar.add_task("svg", total=None, at="0 s")
        yield lambda seconds: bar.update(task, at=f"{seconds:,.0f} s")


@contextlib.contextmanager
def _read(source: Source, shown: str | None = None) -> Iterator[tuple[Header, Iterable[Event]]]:
    if isinstance(source, Cast):
        yield source.header, source.events
        return
    with open_cast(source, shown=shown) as reader:
        yield reader.header, reader.events()


def _markdown(source: Source, output: Path) -> str:
    """Snippets for a local cast only once it has been read whole: a missing or broken
    file is an error, not a snippet pointing at nothing. A URL is not fetched."""
    from genact_cast.publish.markdown import snippets

    if isinstance(source, Cast):
        raise BadOption("Markdown snippets point at a cast file: give its name")
    if source == "-":
        raise BadOption("Markdown snippets point at a cast file, not standard input")
    if is_url(source):
        from genact_cast.escape import terminal_text
        from genact_cast.publish.markdown import recording_problem

        problem = recording_problem(source)
        if problem is not None:
            secret = "@" in source.split("/", 3)[2] if source.count("/") >= 2 else False
            shown = "given" if secret else repr(terminal_text(source)[:200])
            raise BadOption(f"Markdown snippets: the URL {shown} {problem}")
    else:
        with _read(source) as (_, events):
            for _ in events:
                pass
        # The snippet's links are read from the snippet's folder (standard output: the
        # current one), so the cast's path is made relative to it (review-attack3 item 7).
        folder = os.getcwd() if str(output) == "-" else os.path.dirname(os.path.abspath(output))
        source = os.path.relpath(os.path.abspath(source), folder)
    return snippets(source)


@contextlib.contextmanager
def _as_file(source: Source) -> Iterator[str]:
    """The GIF reads a file: a cast in memory goes to a temporary directory first, removed on
    every way out (the CLI turns SIGTERM and SIGHUP into exceptions that unwind)."""
    if isinstance(source, str):
        yield source
        return
    with temporary_directory() as tmp:
        cast_path = tmp / "run.cast"
        with temporary_writes("the cast's temporary copy"), cast_path.open("wb") as out:
            writer = CastWriter(source.header._replace(version=2), 2, out.write)
            for event in source.events:
                writer.add(event)
            writer.flush()
        yield str(cast_path)


def _html(
    source: Source,
    output: Path,
    options: PlayerOptions,
    *,
    self_contained: bool,
    overwrite: bool,
    to_stdout: bool,
) -> None:
    """The page, with the cast re-encoded as v2 (any version in, one the player reads out),
    written as the cast is read (publish/html.py), so memory stays flat."""
    from genact_cast.publish.html import write_html

    with _read(source) as (header, read):
        if not options.theme:
            # The page's player draws with the cast's theme: a bad one is refused naming
            # the field, as the other exports do, not dropped for the default colours.
            from genact_cast.publish.theme import resolve_theme

            resolve_theme(header)
        title = header.title or (Path(source).stem if isinstance(source, str) else "asciicast")
        if not to_stdout:
            with atomic_output(output, overwrite=overwrite) as stream:
                write_html(stream, header, read, title=title, options=options,
                           self_contained=self_contained)  # fmt: skip
            return
        # Standard output gets the page once it is whole: a cast broken halfway writes none.
        with unnamed_file(None) as spool, temporary_writes("the page's temporary copy"):
            write_html(spool, header, read, title=title, options=options,
                       self_contained=self_contained)  # fmt: skip
            spool.seek(0)
            while chunk := spool.read(1 << 20):
                write_stdout(chunk)
