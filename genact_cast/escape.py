"""One escaping function per destination for text that came from outside.

A cast's title, markers, theme and data, a server's reply, a file name: each reaches a
terminal, a browser or a document only through the function here for that destination.

- `terminal_text`: shown on a terminal (also through rich, as `rich.text.Text`): no
  control character, escape sequence, lone surrogate or bidirectional override survives;
  each is shown as a visible `\\x1b`-style escape instead.
- `terminal_json`: JSON for a terminal: as `terminal_text`, but valid JSON.
- `html_text`: HTML text or a quoted attribute value.
- `markdown_text`: Markdown inline text (link text, image alt text).
- `markdown_url`, `url_path`: a link destination in Markdown; a file name as a relative URL.
- `script_json`: a value as JSON inside an HTML `<script>` element.
- `xml_escape`: XML character data or a quoted attribute value: the SVG's one path
  (characters XML cannot hold, and C1 controls, become U+FFFD).
- `xml_attr`: an XML attribute value, for inside double quotes (C1 controls kept).
- `css_value`: one CSS value token (a colour, a length), inert inside `<style>`.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

# Patterns are strings, compiled on first use (and cached) by `re`: `record` imports this
# module, and compiling every pattern at import would cost it milliseconds.

# C0 controls, DEL, C1 controls, lone surrogates, and the characters that reorder or
# hide text (bidirectional embeddings, overrides and isolates; line and paragraph
# separators; zero-width and byte-order marks): none may reach a terminal as it is.
_HIDDEN = "\x7f-\x9f\ud800-\udfff\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
_UNSAFE_FOR_TERMINAL = f"[\x00-\x1f{_HIDDEN}]"
_UNSAFE_KEEPING_NEWLINES = f"[\x00-\x09\x0b-\x1f{_HIDDEN}]"
_UNSAFE_IN_JSON = f"[{_HIDDEN}]"  # JSON escapes C0 itself


def _visible(match: re.Match[str]) -> str:
    return _escaped(match.group(0))


def _escaped(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


# The Hangul fillers are letters (category Lo) that draw as nothing or a blank and can
# pad a text out of sight: listed, since no category finds them (review-attack8 item 8).
_HANGUL_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
_NOT_ASCII_OR_UNSAFE = "[\x00-\x1f\x7f-\U0010ffff]"


def _invisible(char: str) -> bool:
    """A character that must not reach a terminal as it is: a control, a format character
    (Unicode category Cf: bidi marks, zero-width characters, TAG characters, the soft
    hyphen, interlinear annotations, ...), a surrogate, a line or paragraph separator, or a
    Hangul filler."""
    import unicodedata

    return (
        re.fullmatch(_UNSAFE_FOR_TERMINAL, char) is not None
        or char in _HANGUL_FILLERS
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
    )


def terminal_text(text: str, *, keep_newlines: bool = False) -> str:
    """`text` safe to print on a terminal: every control shown as a visible escape.

    >>> terminal_text("a\\x1b]52;c;aGk=\\x07b")
    'a\\\\x1b]52;c;aGk=\\\\x07b'
    """
    pattern = _UNSAFE_KEEPING_NEWLINES if keep_newlines else _UNSAFE_FOR_TERMINAL
    if text.isascii():  # (most messages: no character's category to look up)
        return re.sub(pattern, _visible, text)

    def shown(match: re.Match[str]) -> str:
        char = match.group(0)
        if char == "\n" and keep_newlines:
            return char
        return _escaped(char) if _invisible(char) else char

    return re.sub(_NOT_ASCII_OR_UNSAFE, shown, text)


# What a title drops: C0, DEL and C1 controls and the hidden or reordering characters
# above (a bidi override in a window title or a page heading shows its text reversed).
_NOT_IN_TITLE = f"[\x00-\x1f{_HIDDEN.replace(chr(0xD800) + '-' + chr(0xDFFF), '')}]"


def title_text(text: str) -> str:
    """`text` for a title (a terminal's window title, a page's <title> and heading): one
    line of what shows, with controls and bidi/zero-width characters removed and lone
    surrogates as U+FFFD. Markup escaping, where it goes on a page, comes after."""
    return re.sub(_NOT_IN_TITLE, "", re.sub("[\ud800-\udfff]", "\ufffd", text))


def terminal_json(value: Any, *, ascii_only: bool = False) -> str:
    """`value` as indented JSON, safe on a terminal: C0 is escaped by JSON itself, and
    DEL, C1, lone surrogates and the reordering characters become `\\uXXXX` escapes,
    which decode back to the same value; with `ascii_only`, every character past ASCII
    (for a terminal whose charset has no room for them)."""
    text = json.dumps(value, indent=2, ensure_ascii=ascii_only)
    if text.isascii():
        return re.sub(_UNSAFE_IN_JSON, _json_escape, text)
    return re.sub(
        "[\x7f-\U0010ffff]",
        lambda m: _json_escape(m) if _invisible(m.group(0)) else m.group(0),
        text,
    )


def _json_escape(match: re.Match[str]) -> str:
    """A character as JSON's \\uXXXX (a surrogate pair past the BMP, as JSON spells it)."""
    code = ord(match.group(0))
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


# Characters HTML and XML cannot carry: NUL, C0 controls but tab, newline and carriage
# return, lone surrogates (no UTF-8 for them) and the non-characters U+FFFE and U+FFFF.
_NOT_IN_MARKUP = "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"


def markup_safe(text: str) -> str:
    """`text` with the characters that HTML and XML cannot hold replaced by U+FFFD."""
    return re.sub(_NOT_IN_MARKUP, "\ufffd", text)


def html_text(text: str) -> str:
    """`text` as HTML text or a double- or single-quoted attribute value."""
    import html

    return html.escape(markup_safe(text), quote=True).replace("\r", "&#13;")


def xml_attr(text: str) -> str:
    """`text` for inside a double-quoted XML attribute; whitespace survives normalization."""
    import html

    escaped = html.escape(markup_safe(text), quote=True)
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


# And every character a terminal must not get raw (C1 controls: 8-bit CSI and OSC; bidi,
# zero-width and other format characters): a page's or a notebook's source is also `cat`
# and `git diff`ed (review-attack12: a notebook's inline cast kept U+009B raw in the .ipynb).
_SCRIPT_UNSAFE = f"[<>&{_HIDDEN}]"
_SCRIPT_MAYBE = "[<>&\x7f-\U0010ffff]"


def _script_escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char not in "<>&" and not _invisible(char):
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # (a TAG character: JSON's escape is a surrogate pair)
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def script_json(value: Any) -> str:
    """`value` as JSON safe inside a `<script>` element: no `<`, `>` or `&` (so no
    `</script>` or `<!--`), no line separators, no lone surrogates (no UTF-8 for them), no
    character `terminal_text` would escape, each written as a `\\uXXXX` escape that
    JavaScript reads back as the same character."""
    text = json.dumps(value, ensure_ascii=False)
    if text.isascii():
        return re.sub(_SCRIPT_UNSAFE, _script_escape, text)
    return re.sub(_SCRIPT_MAYBE, _script_escape, text)


_CSS_NOT_PLAIN = r"[^A-Za-z0-9#.%_-]"


def css_value(text: str) -> str:
    """`text` as one CSS value token: anything but letters, digits and `#.%_-` becomes a
    CSS hex escape, so no quote, bracket, `;`, `<`, `@` or `\\` can end the value, open a
    rule or an at-rule, or close the `<style>` element. A valid colour or length is kept
    as it is; anything else stays one inert token the browser ignores."""
    return re.sub(_CSS_NOT_PLAIN, lambda m: f"\\{ord(m.group(0)):x} ", markup_safe(text))


# ASCII punctuation: CommonMark lets a backslash escape every one of them.
_MARKDOWN_PUNCTUATION = r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""
_MARKDOWN_BREAKS = "[\x00-\x1f\x7f-\x9f\u2028\u2029]"


def markdown_text(text: str) -> str:
    """`text` as literal Markdown inline text: every ASCII punctuation character is
    backslash-escaped (no emphasis, link, HTML or entity can start) and line breaks and
    controls become spaces (the text stays on its line)."""
    flat = re.sub(_MARKDOWN_BREAKS, " ", markup_safe(text))
    return re.sub(_MARKDOWN_PUNCTUATION, lambda m: "\\" + m.group(0), flat)


# Kept as they are in a link destination: RFC 3986's unreserved and reserved characters,
# and `%` (the URL's own escapes). Parentheses, `<>`, `\`, spaces and everything else are
# percent-encoded; `&` becomes `&amp;` (CommonMark decodes entities in destinations).
_URL_SAFE = "-._~:/?#[]@!$'*+,;=%"


def markdown_url(url: str) -> str:
    """A URL as a Markdown link destination, `[text](HERE)`: it ends only where it should."""
    from urllib.parse import quote

    return quote(markup_safe(url), safe=_URL_SAFE + "&").replace("&", "&amp;")


def url_path(name: str) -> str:
    """A file name as a relative URL: every byte but letters, digits, `/` and `-._~`
    is percent-encoded, so it can never be read as a scheme (`javascript:`), a query or a
    fragment. The bytes are the file's own (os.fsencode: a control character, or a byte
    that is not UTF-8, is encoded as it is), so the link reaches the real file."""
    import os
    from urllib.parse import quote

    try:
        raw = os.fsencode(name)
    except UnicodeEncodeError:  # a lone surrogate no file name decodes to
        raw = markup_safe(name).encode("utf-8")
    quoted = quote(raw, safe="/")
    # `//host/x.cast` would be a protocol-relative link to another host: the same file
    # is `/host/x.cast` (POSIX reads leading slashes as one).
    return "/" + quoted.lstrip("/") if quoted.startswith("//") else quoted


_XML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
                "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}  # fmt: skip
_XML_PLAIN = re.compile(r"[^&<>\"'\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]*")


@functools.cache
def _xml_table() -> dict[int, str]:
    """Characters XML 1.0 does not allow (C0 controls but tab, LF, CR; surrogates;
    U+FFFE/F), and C1 controls, as U+FFFD; markup characters as references. Built on
    first use: `record` imports this module."""
    table = {ord(k): v for k, v in _XML_SPECIAL.items()}
    table.update(dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)], "\ufffd"))
    table.update(dict.fromkeys(range(0x7F, 0xA0), "\ufffd"))
    table.update(dict.fromkeys([*range(0xD800, 0xE000), 0xFFFE, 0xFFFF], "\ufffd"))
    return table


def xml_escape(text: str) -> str:
    """Text made safe as XML character data or a quoted attribute value: the SVG's path.

    What an XML parser reads back is the text itself (tab and line ends as references,
    which attribute normalization keeps), but for characters XML cannot hold: U+FFFD.
    """
    if _XML_PLAIN.fullmatch(text):  # (compiled once: re's cache lookup cost as much)
        return text
    return text.translate(_xml_table())
