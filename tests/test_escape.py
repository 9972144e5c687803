"""The escaping functions hold for every input, not just a few examples (hypothesis).

No per-example deadline: a loaded CI machine must not turn slow examples into failures.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import unquote, unquote_to_bytes

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from genact_cast.escape import (
    css_value,
    html_text,
    markdown_text,
    markdown_url,
    markup_safe,
    script_json,
    terminal_json,
    terminal_text,
    url_path,
    xml_attr,
)

# Any text at all: every code point, lone surrogates included, with the dangerous ones
# drawn often.
HOSTILE = st.sampled_from(
    ["\x1b", "\x07", "\x9b", "\x9d", "\x90", "\x7f", "\x00", "\r", "\n", "\t", "\udc9d",
     "\ud800", "\u202e", "\u2028", "\ufeff", "<", ">", "&", '"', "'", "\\", "[", "]", "(",
     ")", "*", "_", "`", ";", "{", "}", "@", ":", "%", "#", " ", "é", "漢", "\U0001f600"]
)  # fmt: skip
TEXT = st.lists(st.one_of(HOSTILE, st.characters(codec=None, categories=None)), max_size=40).map(
    "".join
)

TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@settings(deadline=None)
@given(TEXT)
@example("\x1b]52;c;aGVsbG8=\x07")
@example("\x1b[6n")
@example("\udc9d52;c;x\x07")
def test_terminal_text_never_holds_a_control_escape_or_surrogate(text: str) -> None:
    out = terminal_text(text)
    assert TERMINAL_UNSAFE.search(out) is None
    assert "\u202e" not in out
    out.encode("utf-8")  # printable on any UTF-8 terminal: no lone surrogate


@settings(deadline=None)
@given(TEXT)
def test_terminal_text_keeps_newlines_only_when_asked(text: str) -> None:
    kept = terminal_text(text, keep_newlines=True)
    assert TERMINAL_UNSAFE.search(kept.replace("\n", "")) is None
    assert kept.count("\n") == text.count("\n")


@settings(deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_terminal_text_leaves_plain_text_alone(text: str) -> None:
    assert terminal_text(text) == text


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(deadline=None)
@given(JSON_VALUES)
def test_terminal_json_is_the_same_value_and_safe_on_a_terminal(value: object) -> None:
    out = terminal_json(value)
    assert TERMINAL_UNSAFE.search(out.replace("\n", "")) is None
    # The same value JSON itself gives back (a lone high surrogate followed by a lone low
    # one is read back as the pair: JSON cannot tell them apart).
    assert json.loads(out) == json.loads(json.dumps(value))


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data = ""
        self.attrs: list[tuple[str, str | None]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.data += data


@settings(deadline=None)
@given(TEXT)
@example("</title><script>alert(1)</script>")
@example('"><img src=x onerror=alert(1)>')
def test_html_text_round_trips_through_an_html_parser_as_the_same_text(text: str) -> None:
    parser = _Collect()
    escaped = html_text(text)
    parser.feed(f'<p title="{escaped}">{escaped}</p>')
    parser.close()
    assert parser.tags == ["p"]
    assert parser.data == markup_safe(text)
    assert parser.attrs == [("title", markup_safe(text))]


@settings(deadline=None)
@given(TEXT)
@example('#000"/><script>alert(1)</script><rect fill="#000')
def test_xml_attr_round_trips_through_an_xml_parser(text: str) -> None:
    element = ET.fromstring(f'<rect fill="{xml_attr(text)}"/>')
    assert element.attrib == {"fill": markup_safe(text)}
    assert list(element) == []


@settings(deadline=None)
@given(JSON_VALUES)
@example("</script><script>alert(1)</script><!--")
@example("a\u009b2J\u009d52;c;QUFB\u0007b\u0085")  # review-attack12: raw in a notebook
def test_script_json_cannot_end_its_script_and_reads_back_the_same(value: object) -> None:
    out = script_json(value)
    assert re.search("[<>&\u2028\u2029\ud800-\udfff]", out) is None
    assert out == terminal_text(out)  # a page's source is `cat`: no C1 control, no bidi mark
    out.encode("utf-8")
    assert json.loads(out) == json.loads(json.dumps(value))


CSS_TOKEN = re.compile(r"(?:[A-Za-z0-9#.%_-]|\\[0-9a-f]{1,6} )*")


@settings(deadline=None)
@given(TEXT)
@example("@import url(https://example.com/x.css)")
@example("#000;}</style><script>alert(1)</script>")
def test_css_value_is_one_inert_token(text: str) -> None:
    out = css_value(text)
    assert CSS_TOKEN.fullmatch(out)
    # Inside <style> of an SVG it stays text: nothing closes the element or adds one.
    svg = ET.fromstring(f"<svg><style>.a{{fill:{out}}}</style></svg>")
    assert [child.tag for child in svg] == ["style"]
    assert list(svg[0]) == []


@settings(deadline=None)
@given(st.from_regex(r"#[0-9a-fA-F]{6}|[0-9]{1,3}(\.[0-9]+)?(px|em|%)", fullmatch=True))
def test_css_value_keeps_colours_and_lengths(text: str) -> None:
    assert css_value(text) == text


COMMONMARK = MarkdownIt("commonmark")


def _inline(source: str) -> list[object]:
    tokens = COMMONMARK.parse(source)
    inline = [t for t in tokens if t.type == "inline"]
    assert len(inline) == 1, source
    children = inline[0].children
    assert children is not None
    return list(children)


@settings(deadline=None)
@given(TEXT.filter(lambda t: t.strip(" ") == t and t != ""))
@example("*bold* [x](javascript:alert(1)) <script>alert(1)</script> &amp;")
def test_markdown_text_is_read_back_as_the_same_literal_text(text: str) -> None:
    expected = markup_safe(text)
    expected = re.sub("[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", expected)
    children = _inline(f"[{markdown_text(text)}](https://example.org/)")
    kinds = [getattr(c, "type", "") for c in children]
    assert kinds[0] == "link_open"
    assert kinds[-1] == "link_close"
    inside = children[1:-1]
    assert all(getattr(c, "type", "") == "text" for c in inside)
    assert "".join(getattr(c, "content", "") for c in inside) == expected.replace("\ufffd", "�")


@settings(deadline=None)
@given(TEXT)
@example("https://a.example/x) [y](javascript:alert(1)")
@example("https://a.example/<script>")
def test_markdown_url_is_one_whole_link_destination(tail: str) -> None:
    url = "https://a.example/" + tail
    children = _inline(f"[x]({markdown_url(url)})")
    assert [getattr(c, "type", "") for c in children] == ["link_open", "text", "link_close"]
    href = children[0].attrGet("href")  # type: ignore[attr-defined]
    assert isinstance(href, str)
    assert unquote(href) == unquote(markup_safe(url).replace("\\", "%5C"))


@settings(deadline=None)
@given(TEXT)
@example("javascript:alert(1).cast")
@example("../x y?(z)#w.cast")
@example("a\x01b\nc\x1b[31m.cast")  # the link went to the escaped name, a file not there
@example("caf\udce9.cast")  # a name that is not UTF-8 (Latin-1 bytes, as argv decodes them)
def test_url_path_is_a_relative_path_that_decodes_to_the_name(name: str) -> None:
    out = url_path(name)
    assert re.fullmatch(r"[A-Za-z0-9/%._~-]*", out)
    try:
        expected = os.fsencode(name)  # the file's own bytes
    except UnicodeEncodeError:
        expected = markup_safe(name).encode()
    if expected.startswith(b"//"):
        expected = b"/" + expected.lstrip(b"/")
    assert unquote_to_bytes(out) == expected


def _format_characters() -> list[str]:
    """Every character Unicode (as this Python knows it) files under Cf, format: bidi
    marks, zero-width joiners and spaces, TAG characters, the soft hyphen, interlinear
    annotations, musical and shorthand format controls, Arabic number signs, ..."""
    import sys
    import unicodedata

    return [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]


def test_every_format_character_and_hangul_filler_is_escaped_for_a_terminal() -> None:
    """review-attack8 item 8: `info` showed U+E0041 (TAG A, invisible: a whole hidden text
    can be spelled in them), U+206A, U+FFF9, U+00AD, U+180E, U+1D173 and the Hangul
    fillers raw, while it escaped U+200E."""
    hidden = [*_format_characters(), "\u115f", "\u1160", "\u3164", "\uffa0"]
    assert len(hidden) > 150
    for char in hidden:
        shown = terminal_text(f"a{char}b")
        assert char not in shown
        assert shown in (f"a\\u{ord(char):04x}b", f"a\\U{ord(char):08x}b", f"a\\x{ord(char):02x}b")
        out = terminal_json({"t": f"a{char}b"})
        assert char not in out
        assert json.loads(out) == {"t": f"a{char}b"}
    # What shows is kept: letters of every script, emoji, combining marks.
    assert terminal_text("é漢\U0001f600e\u0301 ا") == "é漢\U0001f600e\u0301 ا"


@given(name=st.text(max_size=40))
@example(name="\x1b]52;c;QUFB\x07")
def test_the_librarys_error_messages_are_terminal_safe(name: str) -> None:
    """review-attack12 F8: `load(...).save("\\x1b]52;c;QUFB\\x07.cast")` raised an
    OutputError whose message held the raw OSC 52, which a Python session's traceback
    printed to the terminal. Every message of the hierarchy is escaped where it is made."""
    import tempfile
    from pathlib import Path

    import pytest

    from genact_cast.docs.notebook import CastView
    from genact_cast.errors import CastFormatError, GenactCastError, OutputError

    for error in (GenactCastError(name), OutputError(f"{name}: refused"),
                  CastFormatError(name, 3, name)):  # fmt: skip
        assert str(error) == terminal_text(str(error))
    if "\x1b" in name or "\x07" in name:
        view = CastView.__new__(CastView)
        with tempfile.TemporaryDirectory() as folder, pytest.raises(GenactCastError) as raised:
            view.save(Path(folder, f"{name}.cast"))
        assert str(raised.value) == terminal_text(str(raised.value))
