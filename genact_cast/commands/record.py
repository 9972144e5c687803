"""`genact-cast record`: generate a run and write it, atomically, as a cast file."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from genact_cast.asciicast import MICROS, Cast, Event
from genact_cast.atomic import atomic_output, stop_on_signals, temporary_writes
from genact_cast.errors import BadOption
from genact_cast.escape import terminal_text
from genact_cast.generator import RecordOptions, make_plan, write_cast
from genact_cast.output_target import check_writable
from genact_cast.standard_output import write_stdout


def record_cast(
    options: RecordOptions, *, output: Path, overwrite: bool, version: int, seed_given: bool
) -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C: the temporary file goes, exit 128 + signal."""
    with stop_on_signals(ending_the_process=True):
        _record(options, output=output, overwrite=overwrite, version=version)
    if not seed_given:
        seed = options.seed
        print(f"genact-cast: random seed {seed}; pass --seed {seed} to reproduce", file=sys.stderr)


def _record(options: RecordOptions, *, output: Path, overwrite: bool, version: int) -> None:
    to_stdout = str(output) == "-"
    kind = None if to_stdout else rendering_for(output)
    make_plan(options)  # every option error (exit 2) before any question about the output
    if not to_stdout:
        check_writable(output, overwrite=overwrite)  # before the work, not after
    if kind is not None:
        _record_picture(options, output, overwrite=overwrite)
    else:
        _record_cast(options, output, overwrite=overwrite, version=version)


def rendering_for(output: Path) -> str | None:
    """The export an output name asks for (demo.svg, demo.mp4, final.txt, subs.vtt, ...),
    None for a cast. Markdown snippets point at a cast file, which `record` does not
    leave: `-o x.md` is refused before any work, never a cast under that name."""
    if output.suffix.lower() == ".cast":
        return None  # the common case: no exporter's modules to load (record's start-up)
    from genact_cast.commands.embed import format_for
    from genact_cast.extras import require_for

    kind = format_for(output)
    if kind is None and format_for(Path("x" + output.name)) is not None:
        # '.svg' has no suffix, only a stem: a cast under an export's name would mislead.
        raise BadOption(f"-o {output}: give the file a name before its extension (demo.svg)")
    if kind is None and _unsupported_extension(output.name):
        # v.mkv, x.jpg, x.json: a cast under a picture's or another format's name would
        # mislead (review-attack12 F2); a name without one (run, /dev/stdout) is a cast.
        from genact_cast.commands.embed import SUFFIXES

        supported = ", ".join(f".{suffix}" for suffix in ("cast", *SUFFIXES) if suffix != "md")
        raise BadOption(
            f"-o {output}: {terminal_text(_extension(output.name))} is neither a cast nor an "
            f"export genact-cast writes; name the file with one of: {supported}"
        )
    if kind is not None:
        require_for(kind)
    if kind == "markdown":
        raise BadOption(
            f"-o {output}: Markdown snippets point at a cast file; record the cast "
            "(-o demo.cast), then run `genact-cast embed demo.cast --markdown "
            f"{output}`"
        )
    return kind


def _extension(name: str) -> str:
    return "a trailing dot" if name.endswith(".") else name[name.rindex(".") :]


def _unsupported_extension(name: str) -> bool:
    """An extension of letters (.jpg, .mkv, .json) or a trailing dot names a format;
    one with a digit (llama-3.1, run-1.5b) is part of the name, as is none at all."""
    if name.endswith("."):
        return name.strip(".") != ""
    stem, dot, extension = name.rpartition(".")
    return bool(dot and stem.strip(".") and extension.isascii() and extension.isalpha())


def record_live_cast(options: RecordOptions, output: Path, *, overwrite: bool) -> None:
    """`record --live`: the recording itself, or rendered as `-o` asks (demo.svg, ...)
    from a cast in a private temporary directory, as without --live."""
    from genact_cast.atomic import temporary_directory
    from genact_cast.live import record_live

    kind = rendering_for(output)
    make_plan(options)
    check_writable(output, overwrite=overwrite)
    with stop_on_signals(
        ending_the_process=True
    ):  # its temporary directory and asciinema go on SIGTERM too
        if kind is None:
            took = record_live(options, output, overwrite=overwrite)
        else:
            from genact_cast.commands.embed import embed

            with temporary_directory("genact-cast-live-") as tmp:
                cast = tmp / "live.cast"
                took = record_live(options, cast, overwrite=False)
                embed(
                    str(cast), output, kind, overwrite=overwrite, theme=options.theme,
                    idle_time_limit=options.idle_time_limit,
                )  # fmt: skip
    print(
        f"genact-cast: recorded {terminal_text(str(output))} live in {took:.1f} s", file=sys.stderr
    )


def _record_picture(options: RecordOptions, output: Path, *, overwrite: bool) -> None:
    """demo.svg, demo.mp4, ...: the cast is written to a private temporary file as it is
    made, rendered from there, and only the picture is written. The file is in the
    output's folder, which takes the picture anyway (not the system's temporary
    directory: it may be missing, read-only or small), and it has no name there (gone
    however the process ends)."""
    from genact_cast.commands.embed import embed
    from genact_cast.sources import private_copy

    kind = rendering_for(output)
    assert kind is not None
    folder = os.path.dirname(os.path.abspath(output))
    with private_copy(folder) as (copy, name):
        with temporary_writes("the recorded cast's temporary copy", folder):
            header = write_cast(options, 2, copy.write, _encode_cost(kind, options)).header
            copy.flush()
        embed(
            Cast(header, _StoredEvents(name)), output, kind, overwrite=overwrite,
            theme=options.theme, idle_time_limit=options.idle_time_limit,
        )  # fmt: skip
    print(f"genact-cast: wrote {terminal_text(str(output))} (seed {options.seed})", file=sys.stderr)


def _encode_cost(kind: str, options: RecordOptions) -> Callable[[Event], None] | None:
    """For a video, a GIF or an animated SVG, its cost counted as the cast is made, as
    `embed` counts it (its defaults: 30 fps, 1080p, font size 14): one that cannot be
    made within the limits is refused as soon as that is known, not once a day-long cast is made."""
    from genact_cast.generator import header_for

    header = header_for(make_plan(options))
    if kind == "gif":
        from genact_cast.publish.encode_cost import RECORD_GIF_WAYS, GifFrames
        from genact_cast.publish.gif import gif_clip

        clip = gif_clip(header, speed=1.0, fps_cap=30, idle_time_limit=options.idle_time_limit)
        return GifFrames(header, clip, 14, RECORD_GIF_WAYS).add
    if kind in ("mp4", "webm"):
        from genact_cast.publish.encode_cost import RECORD_WAYS, VideoFrames
        from genact_cast.publish.screens import Clip

        clip = Clip(idle_time_limit=options.idle_time_limit)
        return VideoFrames(header, clip, kind, "1080p", RECORD_WAYS).add
    if kind == "svg":
        from genact_cast.publish.encode_cost import RECORD_SVG_WAYS, SvgFrames
        from genact_cast.publish.screens import Clip

        clip = Clip(idle_time_limit=options.idle_time_limit)
        return SvgFrames(header, clip, RECORD_SVG_WAYS).add
    return None


class _StoredEvents:
    """The events of the cast in the temporary file `path`, read again at each pass (an
    exporter may go through them more than once), never held whole."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __iter__(self) -> Iterator[Event]:
        from genact_cast.sources import open_cast

        with open_cast(self.path, shown="the recorded cast") as reader:
            yield from reader.events()


def _record_cast(options: RecordOptions, output: Path, *, overwrite: bool, version: int) -> None:
    if str(output) == "-":
        # An asciicast is UTF-8 whatever the locale: bytes, not text in stdout's encoding
        # (PYTHONIOENCODING=ascii or LC_ALL=C without UTF-8 mode gave a UnicodeEncodeError).
        write_cast(options, version, write_stdout)
        return
    with atomic_output(output, overwrite=overwrite) as stream:
        written = write_cast(options, version, stream.write)
    name = terminal_text(str(output))
    print(
        f"genact-cast: wrote {name} (asciicast v{version}, {options.cols}x{options.rows}, "
        f"{written.last_us / MICROS:.1f} s, {written.count} events, seed {options.seed})",
        file=sys.stderr,
    )


def parse_start(text: str) -> datetime:
    """An ISO 8601 time; without a zone it is taken as UTC."""
    problem = f"--start must be an ISO 8601 time like 2025-10-30T14:23:15Z (got {text!r})"
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadOption(problem) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # 9999-12-31T23:59:59-23:59 is in the year 10000 in UTC
        raise BadOption(f"{problem[:-1]}, out of range)") from None
