"""A cell's style as the SVG's CSS: the player's classes (ap-bold, ap-faint, ap-italic,
ap-underline, ap-strike) and its colours, as checked `#rrggbb` values of the theme."""

from __future__ import annotations

from genact_cast.asciicast import Theme
from genact_cast.publish.screens import Style
from genact_cast.publish.theme import pyte_color

PLAIN: Style = ("default", "default", False, False, False, False, False, False)


def css(style: Style, theme: Theme) -> str:
    """The player's classes (ap-bold, ap-faint, ap-italic, ap-underline, ap-strike) as SVG
    text's CSS: faint is the player's `opacity:0.5` on the glyphs and their lines."""
    fg, _, bold, italic, underline, faint, strike, _ = style  # blink: svg.py animates it
    rules = []
    if fg != "default":
        rules.append(f"fill:{color(fg, theme, background=False)}")
    if bold:
        rules.append("font-weight:bold")
    elif faint:
        rules.append("fill-opacity:.5")
    if italic:
        rules.append("font-style:italic")
    # One line: the player's ap-underline and ap-strike both set `text-decoration`, and
    # the later rule (ap-strike, asciinema-player.css at 3.18.0) wins where both apply.
    if strike:
        rules.append("text-decoration:line-through")
    elif underline:
        rules.append("text-decoration:underline")
    return ";".join(rules)


def color(name: str, theme: Theme, *, background: bool) -> str:
    """A pyte colour as a checked #rrggbb; reverse video names the default it swapped in."""
    if name == "fgdefault":
        return theme.fg
    if name == "bgdefault":
        return theme.bg
    return pyte_color(name, theme, background=background)
