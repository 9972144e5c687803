"""A paragraph separator in a cell (review-attack13 F1): `printf 'a\u2029b'` in a cast made
every PNG and video end in a traceback (Pillow's raqm layout: "raqm_layout() failed"), and
with it a Sphinx LaTeX build of docs holding the cast. Chromium draws U+2029 in the
player's span as a blank of one advance, as it draws U+2028 (measured: "a\u2029b" is as
wide as "a b" in a `white-space: pre` span): the picture is the one of a space there."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from genact_cast.asciicast import Event, Header
from genact_cast.publish.png import render_png
from genact_cast.publish.raster import PARAGRAPH_BREAKS
from genact_cast.publish.screens import Clip, Timeline
from genact_cast.publish.theme import resolve_theme


def test_every_paragraph_separator_a_cell_can_hold_is_known() -> None:
    every = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.bidirectional(chr(c)) == "B"}
    assert every - {"\n", "\r"} == PARAGRAPH_BREAKS


def _png(text: str) -> bytes:
    header = Header(20, 3)
    timeline = Timeline(header, [Event(0, "o", text)], Clip())
    return render_png(timeline, resolve_theme(header), size="720p")


@pytest.mark.parametrize("between", ["a{}b", "\u05d0{}\u05d1 x{}"])
def test_a_paragraph_separator_is_drawn_as_the_blank_the_player_shows(between: str) -> None:
    assert _png(between.replace("{}", "\u2029")) == _png(between.replace("{}", " "))
