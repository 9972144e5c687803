"""The colours of a cast, resolved once for every exporter (SVG, GIF, PNG, video).

A theme from a cast is a stranger's text: it reaches CSS, XML or a command line only as
the normalized `#rrggbb` values that `check_theme` returns. A cast whose theme is not
valid is refused with one line naming the field (`theme.palette[3]`); the user can still
render it with a named theme (`--theme asciinema`), which never consults the cast's.

With no theme given and none in the cast, every exporter uses `DEFAULT_THEME`
(asciinema's own colours, as asciinema-player shows a cast without a theme).
"""

from __future__ import annotations

import functools
import re

from genact_cast.asciicast import Header, Theme
from genact_cast.errors import BadOption, GenactCastError

DEFAULT_THEME_NAME = "asciinema"

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_HEX6 = re.compile(r"[0-9a-f]{6}")
# pyte's names for the 16 ANSI colours, in palette order; "bfight" is pyte 0.8.2's own
# spelling of SGR 105 (bright magenta background).
_ANSI = ("black", "red", "green", "brown", "blue", "magenta", "cyan", "white")
_BRIGHT = ("bright", "bfight")


class ThemeError(GenactCastError):
    """A theme (usually a cast's) with a value that is not a colour we accept."""


def parse_color(value: object, field: str) -> str:
    """`#rgb` or `#rrggbb` as lowercase `#rrggbb`; anything else is a ThemeError naming `field`."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        shown = repr(value)
        if len(shown) > 40:
            shown = shown[:37] + "..."
        raise ThemeError(f"{field}: {shown} is not a colour (#rgb or #rrggbb expected)")
    digits = value[1:].lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def check_theme(theme: Theme, field: str = "theme") -> Theme:
    """The theme with every colour validated and normalized, and a palette of 16.

    A palette of 8 gives the bright colours the same values (as asciinema-player does);
    any other length is refused.
    """
    fg = parse_color(theme.fg, f"{field}.fg")
    bg = parse_color(theme.bg, f"{field}.bg")
    count = len(theme.palette)
    if count not in (8, 16):
        raise ThemeError(f"{field}.palette: {count} colours (8 or 16 expected)")
    palette = tuple(
        parse_color(color, f"{field}.palette[{index}]") for index, color in enumerate(theme.palette)
    )
    return Theme(fg, bg, palette if count == 16 else palette + palette)


@functools.cache
def named_themes() -> dict[str, Theme]:
    """The themes `--theme` accepts, by name, validated (the generator's themes data)."""
    from genact_cast.generator import catalog

    return {name: check_theme(t, f"theme {name}") for name, t in catalog.themes().items()}


def theme_names() -> tuple[str, ...]:
    return tuple(named_themes())


def named_theme(name: str) -> Theme:
    """The theme called `name` (any case), or a BadOption listing the names."""
    themes = named_themes()
    folded = {key.casefold(): key for key in themes}
    key = folded.get(name.casefold())
    if key is None:
        shown = name if len(name) <= 40 else name[:37] + "..."
        raise BadOption(f"unknown theme {shown!r}; choose one of: {', '.join(themes)}")
    return themes[key]


DEFAULT_THEME: Theme = check_theme(
    Theme(
        "#cccccc",
        "#121314",
        ("#000000", "#dd3c69", "#4ebf22", "#ddaf3c", "#26b0d7", "#b954e1", "#54e1b9", "#d9d9d9",
         "#4d4d4d", "#dd3c69", "#4ebf22", "#ddaf3c", "#26b0d7", "#b954e1", "#54e1b9", "#ffffff"),
    )
)  # fmt: skip


def resolve_theme(header: Header, name: str | None = None) -> Theme:
    """The theme an exporter draws with: `name` if given, else the cast's, else the default.

    The cast's theme (v2 `theme` or v3 `term.theme`; the reader puts both in
    `header.theme`) is validated: a bad one is a ThemeError naming the field.
    """
    if name is not None:
        return named_theme(name)
    field = f"the cast's {'term.theme' if header.version == 3 else 'theme'}"
    if header.theme is not None:
        return check_theme(header.theme, field)
    if header.rejected_theme is not None:
        return check_theme(_as_theme(header.rejected_theme, field), field)
    return DEFAULT_THEME


def _as_theme(value: object, field: str) -> Theme:
    """A theme as a cast writes it ({"fg", "bg", "palette": "#..:#.."}), shaped for
    `check_theme`, or a ThemeError naming what is missing."""
    if not isinstance(value, dict):
        raise ThemeError(f"{field}: not an object with fg, bg and palette")
    for key in ("fg", "bg", "palette"):
        if not isinstance(value.get(key), str):
            raise ThemeError(f"{field}.{key}: missing or not a string")
    return Theme(value["fg"], value["bg"], tuple(value["palette"].split(":")))


def agg_theme(theme: Theme) -> str:
    """The theme in agg's custom `--theme` form: bg,fg and 16 palette colours, bare hex."""
    checked = check_theme(theme)
    return ",".join(color[1:] for color in (checked.bg, checked.fg, *checked.palette))


def rgb(color: str) -> tuple[int, int, int]:
    """A checked `#rrggbb` as (r, g, b) for pixel renderers."""
    value = parse_color(color, "colour")
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def pyte_color(name: str, theme: Theme, *, background: bool) -> str:
    """A pyte cell colour ("default", "red", "brightblue", "ff8700") as a theme `#rrggbb`.

    `theme` must come from `check_theme`/`resolve_theme` (16 colours). Reverse video is
    the caller's business: pass the swapped colour and the side it is drawn on.
    """
    if name == "default":
        return theme.bg if background else theme.fg
    prefix = name[:6]
    bright = prefix in _BRIGHT
    base = name[6:] if bright else name
    if base in _ANSI:
        return theme.palette[_ANSI.index(base) + (8 if bright else 0)]
    if _HEX6.fullmatch(name):
        return "#" + name
    return theme.bg if background else theme.fg
