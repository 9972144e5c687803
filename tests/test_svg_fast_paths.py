"""The SVG's shortcuts for the rows most casts draw give what asking each cell or run gives.

`embed --svg` tells a row or line with nothing to lay out, reorder, set apart or draw from
a fallback font by asking its distinct characters (or the whole line's text) once
(issue 19's speed target: scripts/bench_embed.py). Each shortcut is held here against the
path it skips, on rows drawn from an alphabet that mixes the characters it is for (ASCII,
Latin, box drawing, blocks, shapes, braille) with those it must not take (marks, ZWJ
sequences, VS16, wide and fallback-font letters, bidi controls, regional indicators).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from genact_cast.publish import (
    player_layout,
    svg_bidi,
    svg_fallback,
    svg_frames,
    svg_lines,
    svg_runs,
    svg_styles,
)
from genact_cast.publish.char_class import char_class
from genact_cast.publish.player_layout import (
    _advance_each,
    advance,
    as_laid_out,
    one_column_each,
    zero_width,
)
from genact_cast.publish.screens import BLANK, Style
from genact_cast.publish.svg_frames import Line
from genact_cast.publish.svg_lines import LineMarkup
from genact_cast.publish.theme import DEFAULT_THEME
from genact_cast.publish.vtparse import _CSI_END

COMMON = (
    "ab #*09~\u00a0\u00ad\u00b0\u00e9\u02b0\u2500\u2501\u2502\u2588\u2591\u25a0\u25b6\u2800\u28ff"
)
OTHERS = (
    "\u0301\u0489\u200d\u200b\ufe0f\u202d\u202c\u2066\u2069\u05d0\u0627\u0e01\u0e33"
    "\u4e2d\uff21\U0001f600\U0001f441\U0001f5e8\U0001f1eb\U0001f1f7\u2139\u2103\ue0b0"
)
TEXT = st.text(st.sampled_from(COMMON + OTHERS), max_size=12)
PLAIN_TEXT = st.text(st.sampled_from(COMMON), max_size=12)
WRITTEN_AS_IS = "ab #*09~<&\u00a0\u00b0\u00e9\u2500\u2501\u2502"  # (svg_runs.PLAIN_RUNS)
STYLES: list[Style] = [
    BLANK,
    ("red", "default", True, False, False, False, False, False),
    ("red", "blue", False, False, True, False, False, False),
    ("green", "default", False, False, False, True, True, False),
]
STYLE = st.sampled_from(STYLES)
LINE = st.lists(st.tuples(st.one_of(TEXT, PLAIN_TEXT), STYLE), max_size=6)


@settings(max_examples=400)
@given(st.one_of(TEXT, PLAIN_TEXT))
def test_a_runs_advance_is_its_characters_advances(text: str) -> None:
    assert advance(text) == _advance_each(text)
    if one_column_each(text):  # (box strokes take a character's offset as its column)
        assert all(advance(text[:end]) == end for end in range(len(text) + 1))


@settings(max_examples=400)
@given(LINE)
def test_a_line_kept_whole_is_split_as_run_by_run(line: list[tuple[str, Style]]) -> None:
    """Kept whole (svg_runs._WHOLE) or cut run by run from the runs held (`_run_pieces`),
    a line is cut as each run cut apart and split again gives."""
    by_run = [
        piece
        for whole, style in line
        for text in svg_runs._apart(whole)
        for piece in svg_runs._split(text, style)
    ]
    assert svg_runs.vector_runs(tuple(line)) == by_run
    assert svg_runs.vector_runs(tuple(line)) == by_run  # (its runs held now)


@settings(max_examples=400)
@given(LINE)
def test_spans_without_a_fallback_letter_or_bidi_control_are_found_as_span_by_span(
    line: list[tuple[str, Style]],
) -> None:
    pieces = svg_runs.vector_runs(tuple(line))
    assert svg_fallback.spans(pieces) == svg_fallback._spans(pieces)
    assert svg_bidi.in_visual_order(pieces) == svg_bidi._in_visual_order(pieces)


@settings(max_examples=400)
@given(st.lists(st.tuples(st.sampled_from(COMMON + OTHERS + "\u200d\ufe0f"), STYLE), max_size=16))
def test_a_row_laid_out_as_it_is_has_every_glyph_on_its_own_cell(
    cells: list[tuple[str, Style]],
) -> None:
    """svg_frames._runs skips placing symbols and nudges for a row `as_laid_out` returns as
    it is: that row has no zero-width code point, and its cells are its columns."""
    row = tuple(cells)
    sources: list[int] = []
    shifts: list[float] = []
    if as_laid_out(row, sources, shifts) is row:
        assert not any(zero_width(char) for char, _ in row)
        assert sources == list(range(len(row)))
        assert not any(shifts)


@settings(max_examples=300)
@given(st.sets(st.characters(max_codepoint=0x3000)), st.text(max_size=20))
def test_a_class_written_as_ranges_matches_exactly_its_characters(
    chars: set[str], text: str
) -> None:
    pattern = re.compile(char_class(chars) + "*")
    assert (pattern.fullmatch(text) is not None) == all(char in chars for char in text)


@settings(max_examples=400)
@given(
    st.one_of(
        st.lists(st.tuples(st.text(st.sampled_from(WRITTEN_AS_IS), max_size=8), STYLE), max_size=6),
        st.lists(st.tuples(st.one_of(TEXT, st.sampled_from("#7\u00a9\u2139 ")), STYLE), max_size=6),
        # (a dashboard's rows: plain runs beside braille, which is stretched, and blocks)
        st.lists(
            st.tuples(
                st.one_of(
                    st.text(st.sampled_from(WRITTEN_AS_IS), max_size=8),
                    st.text(st.sampled_from("\u2800\u28ff\u2847 \u2588\u2589\u2591"), max_size=4),
                ),
                STYLE,
            ),
            max_size=8,
        ),
    )
)
def test_a_plain_line_is_written_as_run_by_run(line: list[tuple[str, Style]]) -> None:
    """LineMarkup's plain lines (svg_runs.PLAIN_RUNS) give the markup and the classes the
    general loop gives: the same document, byte for byte."""
    fast = LineMarkup(DEFAULT_THEME)
    slow = LineMarkup(DEFAULT_THEME)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(svg_lines, "PLAIN_RUNS", re.compile("(?!)"))  # (never plain)
        expected = slow.markup(tuple(line))
    assert fast.markup(tuple(line)) == expected
    assert fast.styles == slow.styles


BLINKING: Style = ("yellow", "default", False, False, False, False, False, True)
ROW = st.lists(
    st.tuples(
        st.sampled_from(COMMON + OTHERS + "\u200d\ufe0f\u2588\ue0b0"),
        st.sampled_from([*STYLES, BLINKING]),
    ),
    max_size=16,
).map(lambda cells: svg_frames._runs(tuple(cells)))  # (with symbols placed, glyphs nudged)


FLAGS: Style = ("red", "default", False, False, False, False, False, False)


@settings(max_examples=300)
@given(st.lists(st.one_of(LINE.map(tuple), ROW), min_size=1, max_size=5))
# A block at column 1 met on its cell, then where the text has reached it but the
# player draws it a cell right (after a zero-width code point: svg_frames.Placed).
@example(
    [(("a\u2588", BLANK),), svg_frames._runs((("a", BLANK), ("\u200b", BLANK), ("\u2588", BLANK)))]
)
# A flag's letter met after a stretched run, then after a letter it pairs with: the
# letter after both is parted (ZWNJ) the second time only.
@example(
    [
        (("\u28ff", FLAGS), *[(letter, FLAGS) for letter in "\U0001f1f7\U0001f1eb"]),
        (*[(letter, FLAGS) for letter in "\U0001f1eb\U0001f1f7\U0001f1eb"],),
    ]
)
def test_a_run_met_again_is_written_as_it_was_drawn(lines: list[Line]) -> None:
    """LineMarkup's runs held by what their markup depends on (`LineMarkup._memo`) give the
    markup, classes and blinking shapes that drawing every run anew gives: lines met
    again, moved a column right, and after a run that leaves the next one placed."""
    braille = (("\u28ff", BLANK),)
    lines = [*lines, *lines, *[(("#", BLANK), *line) for line in lines]]
    lines += [(*line, ("z", BLANK)) for line in lines]  # (its last run no longer last)
    lines += [braille + line for line in lines]
    held, anew = LineMarkup(DEFAULT_THEME), LineMarkup(DEFAULT_THEME)
    anew._memo = None  # type: ignore[assignment]  # (every run drawn with the line's state)
    for line in lines:
        assert held.markup(line) == anew.markup(line)
    assert held.styles == anew.styles
    assert held.blinking_shapes == anew.blinking_shapes


@settings(max_examples=400)
@given(TEXT)
def test_a_run_is_cut_where_symbols_set_apart_start_and_end(text: str) -> None:
    """svg_runs._apart's class of the symbols the player sets apart (a regular expression)
    cuts a run where asking each character cuts it."""
    by_character = (
        [text]
        if text.isascii()
        else ["".join(chars) for _, chars in groupby(text, key=svg_runs._set_apart)]
    )
    assert list(svg_runs._apart(text)) == by_character


def test_the_characters_set_apart_are_those_the_player_sets_apart_but_box_drawing() -> None:
    apart = "".join(svg_runs._APART.findall("".join(map(chr, range(0xD800)))))
    assert apart == "".join(chr(code) for code in range(0xD800) if svg_runs._set_apart(chr(code)))


def test_the_characters_laid_out_as_they_are_are_none_that_move() -> None:
    """player_layout.as_laid_out tells a row of Latin, box drawing, blocks and braille by
    one class: none of its characters is one that may be laid out off its cell."""
    chars = "".join(map(chr, range(0x3000)))
    kept = [char for char in chars if player_layout._AS_THEY_ARE.fullmatch(char)]
    assert len(kept) > 1000
    assert not any(player_layout._moved(char) for char in kept)


def test_an_over_long_csi_ends_where_the_class_of_its_ends_says() -> None:
    """vtparse's _CSI_END, written as its complement (quick to compile), matches exactly
    the characters the plain class names: a final byte, CAN, SUB, ESC, and from U+0080 up."""
    plain = re.compile(r"[@-~\x18\x1a\x1b\x80-\U0010ffff]")
    ends = [chr(code) for code in range(0x110000) if plain.match(chr(code))]
    assert "".join(ends) == "".join(_CSI_END.findall("".join(map(chr, range(0x110000)))))


CYAN: Style = ("cyan", "default", False, False, False, False, False, False)
CYAN_ON_BLUE: Style = ("cyan", "blue", False, False, False, False, False, False)
JOINED = st.lists(
    st.tuples(
        st.one_of(TEXT, PLAIN_TEXT, st.sampled_from([" ", "  ", "\u2588\u2591", "\u28ff"])),
        st.sampled_from([*STYLES, CYAN, CYAN_ON_BLUE, BLANK, CYAN]),
    ),
    max_size=8,
)


def _drawn(spans: str) -> list[tuple[str, dict[str, str]]]:
    """Each character of a line's text with the attributes of the tspans it is in."""
    out: list[tuple[str, dict[str, str]]] = []

    def walk(element: ET.Element, attributes: dict[str, str]) -> None:
        inner = {**attributes, **element.attrib}
        out.extend((char, inner) for char in element.text or "")
        for child in element:
            walk(child, inner)
            out.extend((char, inner) for char in child.tail or "")

    walk(ET.fromstring(f"<text>{spans}</text>"), {})
    return out


@settings(max_examples=300)
@given(st.lists(st.one_of(JOINED.map(tuple), ROW), min_size=1, max_size=4))
@example([(("a\u2588\u2591", CYAN), ("\u2591\u2591", BLANK), (" ", BLANK), ("\u2588", CYAN))])
@example([(("\u2588", STYLES[1]), ("\u2591", CYAN), ("\u05d0", CYAN), ("\u2588", CYAN))])
def test_unseen_runs_side_by_side_are_one_tspan_drawn_alike(lines: list[Line]) -> None:
    """LineMarkup: unseen text (a bar's, drawn as shapes) beside unseen text is one
    tspan (svg_lines.HIDDEN), not across a space, a fallback font's span or a bold run.
    Every character keeps its place and attributes; the shapes are the same; a line cut
    in two stays two whole parts."""
    lines = [*lines, *[(("\u28ff", BLANK), *line) for line in lines]]  # (then cut)
    joined, apart = LineMarkup(DEFAULT_THEME), LineMarkup(DEFAULT_THEME)
    for line in lines:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(svg_lines, "HIDDEN", "<never>")  # (nothing joined)
            rects_apart, spans_apart, cut_apart = apart.parts(line)
        rects, spans, cut = joined.parts(line)
        assert rects == rects_apart
        assert _drawn(spans) == _drawn(spans_apart)
        assert (spans == spans_apart) == (spans.count("<tspan") == spans_apart.count("<tspan"))
        assert bool(cut) == bool(cut_apart)
        if cut:
            assert _drawn(spans[:cut]) + _drawn(spans[cut:]) == _drawn(spans)
        for _, attributes in _drawn(spans):
            if attributes.get("opacity") == "0" and "class" in attributes:
                rule = svg_styles.css(_style(joined, attributes["class"]), DEFAULT_THEME)
                assert re.search("bold|italic", rule)
    assert joined.styles == apart.styles
    # (a bold one keeps its class: a fallback font's advance may follow it)
    bold = LineMarkup(DEFAULT_THEME).parts((("\u2588", STYLES[1]), ("\u2588", CYAN)))[1]
    assert bold.startswith('<tspan class="a" opacity="0">\u2588</tspan><tspan opacity="0">')


def _style(markup: LineMarkup, name: str) -> Style:
    return next(style for style, named in markup.styles.items() if named == name)
