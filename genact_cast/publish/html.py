"""A standalone HTML page playing a cast with asciinema-player, the cast inline.

Nothing in a cast reaches the page as markup: the title is HTML-escaped and the cast is
a JSON string with `<`, `>`, `&` and line separators escaped, so no `</script>` can end
the script that holds it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import IO, Any

from genact_cast.asciicast import Event, Header, encode
from genact_cast.escape import html_text, script_json, title_text
from genact_cast.publish.player_assets import cdn_tags, inline_assets
from genact_cast.publish.player_options import PlayerOptions

__all__ = ["PlayerOptions", "cast_v2", "cast_v2_lines", "player_options", "write_html"]

CHUNK = 1 << 20  # characters of the cast's JSON string written at once

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{assets}
<style>body{{margin:0;padding:24px;background:#1b1b1f;color:#ddd;font-family:sans-serif}}
h1{{font-size:18px;font-weight:normal;margin:0 0 16px}}#player{{max-width:1100px}}</style>
</head>
<body>
<h1>{title}</h1>
<div id="player"></div>
<script>
const cast = {cast};
const element = document.getElementById("player");
window.player = AsciinemaPlayer.create({{data: cast}}, element, {options});
</script>
</body>
</html>
"""


def cast_v2(header: Header, events: Iterable[Event]) -> str:
    """The cast as v2 text for the player; the header holds only what the cast held (the
    writer's defaults, such as an `env` with SHELL and TERM, are not added)."""
    return "".join(cast_v2_lines(header, events))


def cast_v2_lines(header: Header, events: Iterable[Event]) -> Iterator[str]:
    """`cast_v2`, a line at a time (each ending in a line break)."""
    lines = encode(header._replace(version=2), events, 2)
    next(lines)  # the writer's own header, with its defaults
    head: dict[str, Any] = {"version": 2, "width": header.cols, "height": header.rows}
    optional = (
        ("timestamp", header.timestamp),
        ("idle_time_limit", header.idle_time_limit),
        ("command", header.command),
        ("title", header.title),
        ("env", dict(header.env) or None),
    )
    head |= {key: value for key, value in optional if value is not None}
    if header.theme is not None:
        theme = header.theme
        head["theme"] = {"fg": theme.fg, "bg": theme.bg, "palette": ":".join(theme.palette)}
    yield json.dumps(head, ensure_ascii=False) + "\n"
    yield from lines


def player_options(options: PlayerOptions, duration: float) -> dict[str, Any]:
    result: dict[str, Any] = {
        "speed": options.speed,
        "loop": options.loop,
        "autoPlay": options.autoplay,
        "fit": options.fit if options.fit != "none" else False,
        "pauseOnMarkers": options.pause_on_markers,
    }
    if options.idle_time_limit is not None:
        result["idleTimeLimit"] = options.idle_time_limit
    if options.poster == "end":
        # Rounded up to the millisecond (the player reads fractions): whole seconds
        # rounded down would stop before the last events and miss the final screen.
        millis = math.ceil(duration * 1000)
        whole, frac = divmod(millis, 1000)
        result["poster"] = (
            f"npt:{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{frac:03d}"
        )
    elif options.poster:
        result["poster"] = options.poster
    if options.theme:
        result["theme"] = options.theme
    return result


def write_html(
    out: IO[bytes],
    header: Header,
    events: Iterable[Event],
    *,
    title: str,
    options: PlayerOptions,
    self_contained: bool,
) -> None:
    """The page, written to `out` as the cast is read: the cast goes into the page a line
    at a time (its JSON string escaped piece by piece, which gives the same text as
    escaping it whole, since each character is escaped on its own), so memory stays flat
    however long the cast (a 257 MB cast took 2.4 GB held whole). The player's options,
    which need the cast's duration, come after the cast in the page."""
    if self_contained:
        assets = inline_assets()
        tags = f"<style>{assets.css}</style>\n<script>{assets.js}</script>"
    else:
        tags = cdn_tags()
    head, rest = PAGE.split("{cast}")
    out.write(head.format(title=html_text(title_text(title)), assets=tags).encode("utf-8"))
    last: list[Event] = []

    def noted() -> Iterator[Event]:
        for event in events:
            last[:] = [event]
            yield event

    pending: list[str] = ['"']
    size = 0
    for line in cast_v2_lines(header, noted()):
        piece = script_json(line)[1:-1]
        pending.append(piece)
        size += len(piece)
        if size >= CHUNK:
            out.write("".join(pending).encode("utf-8"))
            pending.clear()
            size = 0
    pending.append('"')
    out.write("".join(pending).encode("utf-8"))
    duration = last[0].time if last else 0.0
    page_end = rest.format(options=script_json(player_options(options, duration)))
    out.write(page_end.encode("utf-8"))
