"""The options an HTML page gives asciinema-player (publish/html.py writes them).

Apart from the page's module so that every `embed`, which takes them on its command line,
does not import the page's writer and the player's assets (tarfile, hashlib) with them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlayerOptions:
    speed: float = 1.0
    idle_time_limit: float | None = None
    loop: bool = False
    autoplay: bool = True
    poster: str | None = None  # "npt:1:23", or "end" for the final frame
    theme: str | None = None
    fit: str = "width"
    pause_on_markers: bool = False
