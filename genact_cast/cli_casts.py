"""The commands that read a cast: `play` replays it, `info` describes it, `embed` exports it.

Registered on the app by genact_cast.cli; heavy modules are imported inside the commands
(see cli.py for why the annotations are objects, not strings).
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from genact_cast.errors import BadOption
from genact_cast.option_types import integer, output, real, words


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


def info(
    source: Annotated[str, typer.Argument(help="Cast file, http(s) URL, or - for stdin.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Describe a cast: format, size, duration, events, markers, title, theme."""
    from genact_cast.commands.info import show_info

    show_info(source, as_json=as_json)


def embed(
    source: Annotated[str, typer.Argument(help="Cast file, http(s) URL, or - for stdin.")],
    svg: Annotated[
        list[Path] | None, typer.Option(parser=output, help="Write an animated SVG here.")
    ] = None,
    gif: Annotated[
        list[Path] | None,
        typer.Option(parser=output, help="Write a GIF here (the gif extra)."),
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
    from genact_cast.publish.player_options import PlayerOptions

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
    with stop_on_signals(ending_the_process=True):
        make(
            source, path, kind, overwrite=overwrite, theme=theme, speed=speed, fps_cap=fps_cap,
            font_size=font_size, idle_time_limit=idle_time_limit, loop=loop, at=at,
            player=player, self_contained=self_contained, size=size, start_at=start_at,
            end_at=end_at,
        )  # fmt: skip
    if str(path) != "-":
        print(f"genact-cast: wrote {terminal_text(str(path))}", file=sys.stderr)
