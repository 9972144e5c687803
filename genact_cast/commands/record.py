"""`genact-cast record`: generate a run and write it, atomically, as a cast file."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from genact_cast.asciicast import encode
from genact_cast.atomic import atomic_output, check_writable, stop_on_signals, write_stdout
from genact_cast.errors import BadOption
from genact_cast.escape import terminal_text
from genact_cast.generator import RecordOptions, generate


def record_cast(
    options: RecordOptions, *, output: Path, overwrite: bool, version: int, seed_given: bool
) -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C: the temporary file goes, exit 128 + signal."""
    with stop_on_signals():
        _record(options, output=output, overwrite=overwrite, version=version)
    if not seed_given:
        seed = options.seed
        print(f"genact-cast: random seed {seed}; pass --seed {seed} to reproduce", file=sys.stderr)


def _record(options: RecordOptions, *, output: Path, overwrite: bool, version: int) -> None:
    to_stdout = str(output) == "-"
    if not to_stdout:
        check_writable(output, overwrite=overwrite)  # before the work, not after
    picture = output.suffix.lower() in (".svg", ".gif", ".html", ".htm")
    if picture:
        _record_picture(options, output, overwrite=overwrite)
    else:
        _record_cast(options, output, overwrite=overwrite, version=version)


def _record_picture(options: RecordOptions, output: Path, *, overwrite: bool) -> None:
    """demo.svg, demo.html or demo.gif: the cast is made in memory, then rendered, and
    only the picture is written (a GIF's cast goes through a temporary directory that is
    removed on every way out, since agg reads a file)."""
    from genact_cast.commands.embed import embed, format_for

    kind = format_for(output)
    assert kind is not None
    cast = generate(options, 2)
    embed(
        cast._replace(events=tuple(cast.events)), output, kind, overwrite=overwrite,
        theme=options.theme, idle_time_limit=options.idle_time_limit,
    )  # fmt: skip
    print(f"genact-cast: wrote {terminal_text(str(output))} (seed {options.seed})", file=sys.stderr)


def _record_cast(options: RecordOptions, output: Path, *, overwrite: bool, version: int) -> None:
    to_stdout = str(output) == "-"
    cast = generate(options, version)
    lines = encode(cast.header, cast.events, version)
    if to_stdout:
        write_stdout("".join(lines))
    else:
        with atomic_output(output, overwrite=overwrite) as stream:
            stream.write("".join(lines).encode("utf-8"))
        events = list(cast.events)
        length = events[-1].time if events else 0.0
        name = terminal_text(str(output))
        print(
            f"genact-cast: wrote {name} (asciicast v{version}, {options.cols}x{options.rows}, "
            f"{length:.1f} s, {len(events)} events, seed {options.seed})",
            file=sys.stderr,
        )


def parse_start(text: str) -> datetime:
    """An ISO 8601 time; without a zone it is taken as UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadOption(
            f"--start must be an ISO 8601 time like 2026-01-30T14:23:15Z (got {text!r})"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
