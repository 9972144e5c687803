"""`genact-cast embed`: a cast as an animated SVG, a GIF, a video, a PNG still, an HTML page,
Markdown snippets, plain text or subtitles."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from genact_cast.asciicast import encode
from genact_cast.atomic import atomic_output, check_writable
from genact_cast.errors import BadOption
from genact_cast.publish.html import PlayerOptions
from genact_cast.sources import open_cast

FORMATS = ("svg", "gif", "html", "markdown", "mp4", "webm", "png", "text", "vtt")
SUFFIXES = {"svg": "svg", "gif": "gif", "html": "html", "htm": "html", "md": "markdown",
            "mp4": "mp4", "webm": "webm", "png": "png", "txt": "text", "vtt": "vtt"}  # fmt: skip


def format_for(path: Path) -> str | None:
    """The embed format a file name asks for: demo.svg, demo.gif, demo.html, demo.md, ..."""
    suffix = path.suffix.lower().lstrip(".")
    return SUFFIXES.get(suffix)


def embed(
    source: str,
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
    if kind not in FORMATS:
        raise BadOption(f"unknown embed format {kind!r}; choose one of: {', '.join(FORMATS)}")
    if fps_cap <= 0:
        raise BadOption(f"--fps-cap must be above 0 (got {fps_cap})")
    check_writable(output, overwrite=overwrite)
    if kind in ("mp4", "webm", "png", "text", "vtt"):
        from genact_cast.publish.exports import export
        from genact_cast.publish.screens import Clip

        clip = Clip(speed=speed, fps=fps_cap, idle_time_limit=idle_time_limit,
                    start_at=start_at, end_at=end_at)  # fmt: skip
        export(source, output, kind, overwrite=overwrite, clip=clip, theme=theme, size=size, at=at)
        return
    if kind == "gif":
        from genact_cast.publish.gif import render_gif

        render_gif(
            source, output, overwrite=overwrite, theme=theme, speed=speed, font_size=font_size,
            fps_cap=fps_cap, idle_time_limit=idle_time_limit, loop=loop,
        )  # fmt: skip
        return
    if kind == "markdown":
        from genact_cast.publish.markdown import snippets

        text = snippets(source)
    elif kind == "html":
        text = _html(source, player or PlayerOptions(), self_contained=self_contained)
    else:
        from genact_cast.publish.svg import render_svg
        from genact_cast.publish.theme import resolve_theme

        with open_cast(source) as reader, _drawing_progress() as progress:
            text = render_svg(
                reader.header, reader.events(), theme=resolve_theme(reader.header, theme),
                fps_cap=fps_cap, idle_time_limit=idle_time_limit, loop=loop, at=at,
                progress=progress,
            )  # fmt: skip
    with atomic_output(output, overwrite=overwrite) as stream:
        stream.write(text.encode("utf-8"))


@contextmanager
def _drawing_progress() -> Iterator[Callable[[float], None] | None]:
    """How far through the cast the SVG is drawn, on stderr when it is a terminal."""
    if not sys.stderr.isatty():
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


def _html(source: str, options: PlayerOptions, *, self_contained: bool) -> str:
    """The page, with the cast re-encoded as v2 (any version in, one the player reads out)."""
    from genact_cast.publish.html import render_html

    with open_cast(source) as reader:
        events = list(reader.events())
        header = reader.header._replace(version=2)
    cast_text = "".join(encode(header, events, 2))
    title = header.title or Path(source).stem
    duration = events[-1].time if events else 0.0
    return render_html(
        cast_text, title=title, duration=duration, options=options, self_contained=self_contained
    )
