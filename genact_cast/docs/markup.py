"""A player in a page: one `div` that the loader mounts, its options as data, no script of
its own. Everything from outside (the cast's title, a marker's label, the file name) goes
through `escape`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from genact_cast.docs.assets import PAGE_THEME
from genact_cast.docs.casts import CastCache, Prepared, resolve_start
from genact_cast.docs.options import Player
from genact_cast.escape import html_text, url_path


def player_json(player: Player, prepared: Prepared) -> dict[str, Any]:
    """asciinema-player's options, as `embed --html` gives them, plus `startAt`."""
    from genact_cast.publish.html import PlayerOptions, player_options

    options = player_options(
        PlayerOptions(
            speed=player.speed, idle_time_limit=player.idle_time_limit, loop=player.loop,
            autoplay=player.autoplay, poster=player.poster, theme=player.theme, fit=player.fit,
            pause_on_markers=player.pause_on_markers,
        ),
        prepared.duration,
    )  # fmt: skip
    # No theme asked for: the cast's own, else the page's colours ("auto/" is the player's
    # "the recording's theme if it has one").
    options["theme"] = player.theme or f"auto/{PAGE_THEME}"
    if player.preload:
        options["preload"] = True
    if player.controls != "auto":
        options["controls"] = player.controls == "true"
    options.update(player.extra)
    start = resolve_start(player.start_at, prepared)
    if start is not None:
        options["startAt"] = start
    return options


@dataclass(frozen=True)
class Still:
    """What a page shows where the player cannot run (no JavaScript, a sanitised notebook,
    a first build without the player's files): the final screen as text, and the
    terminal's size."""

    text: str
    cols: int
    rows: int


def still_of(cache: CastCache, prepared: Prepared) -> Still:
    """The cached cast's final screen and its header's size."""
    with prepared.path.open("rb") as stream:
        header = json.loads(stream.readline())
    text = cache.still(prepared, "text").read_text("utf-8")
    return Still(text, int(header["width"]), int(header["height"]))


def screen_style(fit: str, cols: int, rows: int) -> str:
    """asciinema-player's `fit: height` and `both` scale the terminal to its container's
    height, which a block in a page does not have: give it the terminal's proportions
    (asciinema-player's cells are 0.6 em wide and 1.3333 em high), at most 80% of the
    window's height, so that the terminal fills the width or stays within the window."""
    if fit not in ("height", "both"):
        return ""
    return f' style="aspect-ratio: {cols * 60} / {rows * 133}; max-height: 80vh"'


def still_html(still: Still) -> str:
    """The still, which the player's script removes when it mounts the player."""
    return f'<pre class="genact-cast-still">{html_text(still.text.rstrip())}</pre>'


def player_html(
    url: str, options: dict[str, Any], *, caption: str | None, title: str, still: Still
) -> str:
    """The markup of one player; `url` is the cast's, relative to the page."""
    style = screen_style(str(options.get("fit", "width")), still.cols, still.rows)
    parts = [
        f'<div class="genact-cast-player" data-cast="{html_text(url_path(url))}" '
        f'data-options="{html_text(json.dumps(options, sort_keys=True))}" '
        f'role="figure" aria-label="{html_text(title)}">'
        f'<div class="genact-cast-screen"{style}>{still_html(still)}</div></div>'
    ]
    if caption:
        parts.append(f'<p class="genact-cast-caption">{html_text(caption)}</p>')
    return "\n".join(parts)
