"""The static files a page with players loads: the pinned asciinema-player (from the npm
package that `publish.player_assets` fetches once, checks against its pins and caches; no
CDN), a small loader that mounts every player of the page, and the colours that make a
player follow the page's light or dark scheme.
"""

from __future__ import annotations

from pathlib import Path

from genact_cast.escape import css_value
from genact_cast.publish.player_assets import PlayerAssetError, cache_dir, inline_assets, pinned

PLAYER_JS = "asciinema-player.min.js"
PLAYER_CSS = "asciinema-player.css"
LOADER_JS = "genact-cast.js"
PAGE_CSS = "genact-cast.css"
JS_FILES = (PLAYER_JS, LOADER_JS)
CSS_FILES = (PLAYER_CSS, PAGE_CSS)

# The player's theme when neither the block nor the cast names one: this CSS class, whose
# colours follow the page (asciinema-player reads `asciinema-player-theme-NAME`).
PAGE_THEME = "genact-page"

# Mounts each `div.genact-cast-player` once: on load, and after each page change of
# mkdocs-material's instant navigation (its `document$` observable), when there is one.
LOADER = """(function () {
  "use strict";
  // The still (the final screen as text) stays where the player cannot be made; it is
  // taken out first, so that the player measures its container without it.
  function makePlayer(source, screen, options) {
    var still = screen.querySelector(".genact-cast-still");
    if (still) screen.removeChild(still);
    try {
      return AsciinemaPlayer.create(source, screen, options);
    } catch (error) {
      if (still) screen.appendChild(still);
      throw error;
    }
  }
  function mount() {
    var found = document.querySelectorAll("div.genact-cast-player:not([data-mounted])");
    Array.prototype.forEach.call(found, function (element) {
      element.setAttribute("data-mounted", "");
      var options = JSON.parse(element.getAttribute("data-options") || "{}");
      var screen = element.querySelector(".genact-cast-screen") || element;
      var player = makePlayer(element.getAttribute("data-cast"), screen, options);
      element.genactCastPlayer = player;
      (window.genactCastPlayers = window.genactCastPlayers || []).push(player);
    });
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(mount);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
"""


def _variables(fg: str, bg: str, palette: tuple[str, ...]) -> str:
    lines = [
        f"--term-color-foreground: {css_value(fg)};",
        f"--term-color-background: {css_value(bg)};",
    ]
    lines += [f"--term-color-{i}: {css_value(c)};" for i, c in enumerate(palette)]
    return " ".join(lines)


def page_css() -> str:
    """Dark: asciinema's colours; light: Solarized Light's. The scheme is the reader's
    (`prefers-color-scheme`), or the page's own where it has a switch: mkdocs-material's
    `data-md-color-scheme` (`slate` is dark, `default` light), Furo's `data-theme` and
    JupyterLab's `data-jp-theme-light`. On
    a mkdocs-material page the terminal takes the palette's code colours."""
    from genact_cast.generator import catalog

    themes = catalog.themes()
    dark, light = themes["asciinema"], themes["solarized-light"]
    cls = f".asciinema-player-theme-{PAGE_THEME}"
    dark_vars = _variables(dark.fg, dark.bg, dark.palette)
    light_vars = _variables(light.fg, light.bg, light.palette)
    return "\n".join(
        [
            ".genact-cast-player { margin: 1em 0; }",
            ".genact-cast-still { margin: 0; padding: 0.5em; overflow-x: auto; "
            "line-height: 1.3333; white-space: pre; }",
            ".genact-cast-caption { font-size: 0.9em; margin: -0.5em 0 1em; opacity: 0.8; }",
            f"{cls} {{ {dark_vars} }}",
            f"@media (prefers-color-scheme: light) {{ {cls} {{ {light_vars} }} }}",
            f'[data-md-color-scheme="slate"] {cls}, body[data-theme="dark"] {cls}, '
            f'body[data-jp-theme-light="false"] {cls} '
            f"{{ {dark_vars} }}",
            f'[data-md-color-scheme="default"] {cls}, body[data-theme="light"] {cls}, '
            f'body[data-jp-theme-light="true"] {cls} '
            f"{{ {light_vars} }}",
            f"[data-md-color-scheme] {cls} {{ --term-color-foreground: var(--md-code-fg-color); "
            "--term-color-background: var(--md-code-bg-color); }",
            "",
        ]
    )


def write_static(folder: Path) -> None:
    """The four files in `folder` (written only when they differ, so that a build that
    watches the folder does not see a change)."""
    assets = inline_assets()
    files = {PLAYER_JS: assets.js, PLAYER_CSS: assets.css, LOADER_JS: LOADER, PAGE_CSS: page_css()}
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        data = text.encode("utf-8")
        if not (path.is_file() and path.read_bytes() == data):
            path.write_bytes(data)


def missing_player_hint(exc: PlayerAssetError) -> str:
    """One line for a first build that cannot fetch the player."""
    p = pinned()
    name = f"{p['package']}-{p['version']}.tgz"
    return (
        f"{exc}: the pinned asciinema-player is fetched once from the npm registry and kept in "
        f"{cache_dir()}; build once with network access, or put {name} (npm pack "
        f"{p['package']}@{p['version']}) there"
    )
