"""A player in a page: one `div` that the loader mounts, its options as data, no script of
its own. Everything from outside (the cast's title, a marker's label, the file name) goes
through `escape`."""

from __future__ import annotations

import json
from typing import Any

from genact_cast.docs.assets import PAGE_THEME
from genact_cast.docs.casts import Prepared, resolve_start
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
    start = resolve_start(player.start_at, prepared)
    if start is not None:
        options["startAt"] = start
    return options


def player_html(url: str, options: dict[str, Any], *, caption: str | None, title: str) -> str:
    """The markup of one player; `url` is the cast's, relative to the page."""
    parts = [
        f'<div class="genact-cast-player" data-cast="{html_text(url_path(url))}" '
        f'data-options="{html_text(json.dumps(options, sort_keys=True))}" '
        f'role="figure" aria-label="{html_text(title)}">'
        '<div class="genact-cast-screen"></div></div>'
    ]
    if caption:
        parts.append(f'<p class="genact-cast-caption">{html_text(caption)}</p>')
    return "\n".join(parts)
