"""An SVG pasted inline into an HTML page without a DOCTYPE: the page is in quirks mode,
where CSS class and id selectors match ASCII case-insensitively (Selectors 4, 6.6), so
classes `a` and `A` would share their rules (review-exports23 WARN 7: a `38;5;0-15` row drew
#875f87 where the theme says #000000). The picture must be the one a standards-mode page
shows, in Chromium, pixel for pixel."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageChops

from genact_cast.asciicast import Header
from genact_cast.asciicast.model import Event
from genact_cast.publish.svg import render_svg
from genact_cast.publish.svg_units import class_name, short_id
from tests.browser import screenshot

# Forty rows of four bars and digits in 80 of the 256 colours (80 classes), each row's
# bars met again twenty rows down (shared by ids: more than 52 of them, so some differ
# from others only by case).
ROWS = 40
TEXT = "\x1b[?25l" + "".join(
    f"\x1b[{y + 1};1H"
    + "".join(f"\x1b[38;5;{(y % 20) * 4 + k}m██▉{k}" for k in range(4))
    + f"\x1b[0m r{y}"
    for y in range(ROWS)
)
SVG = render_svg(Header(cols=40, rows=ROWS), [Event(0, "o", TEXT)], at=0.5)


def test_the_classes_and_ids_are_many_and_differ_other_than_by_case() -> None:
    classes = set(re.findall(r'class="([^"]*)"', SVG))
    ids = re.findall(r'id="([^"]*)"', SVG)
    # (the case-clash needs this many of both)
    assert len(classes) >= 80
    assert len(ids) > 52
    assert len({name.lower() for name in classes}) == len(classes)
    # Ids may differ by case alone: `href="#A"` is a fragment, matched case-sensitively in
    # either mode. The strip is the one id named by a CSS selector.
    assert [ident for ident in ids if ident.lower() == "strip"] == ["strip"]


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_class_names_differ_other_than_by_case(first: int, second: int) -> None:
    a, b = class_name(first), class_name(second)
    assert re.fullmatch(r"[a-z][a-z0-9_-]*", a)
    assert (a.lower() == b.lower()) == (first == second)
    assert (short_id(first) == short_id(second)) == (first == second)


def _inline(browser: Any, tmp_path: Path, doctype: str) -> tuple[str, Image.Image]:
    path = tmp_path / f"page{len(doctype)}.html"
    path.write_text(f"{doctype}<html><body style='margin:0'>{SVG}</body></html>", "utf-8")
    page = browser.new_page(viewport={"width": 400, "height": 840})
    page.goto(path.as_uri())
    mode = page.evaluate("document.compatMode")
    picture = Image.open(io.BytesIO(screenshot(page))).convert("RGB")
    page.close()
    return str(mode), picture


def test_an_svg_inline_in_a_quirks_mode_page_draws_as_in_a_standards_one(
    browser: Any, tmp_path: Path
) -> None:
    quirks_mode, quirks = _inline(browser, tmp_path, "")
    standards_mode, standards = _inline(browser, tmp_path, "<!DOCTYPE html>")
    assert (quirks_mode, standards_mode) == ("BackCompat", "CSS1Compat")
    assert ImageChops.difference(quirks, standards).getbbox() is None
    # (and the colours are drawn: the rows are not blank)
    assert len(standards.getcolors(1 << 16) or []) > 80
