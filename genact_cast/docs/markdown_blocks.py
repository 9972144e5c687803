"""Finding casts in a Markdown page: ```` ```genact-cast ```` fenced blocks and image-style
links to a `.cast` file (`![Training run](demo.cast)`), outside every other fenced block and
code span, so a page can show the syntax in a code block without it becoming a player.

Each found cast is replaced by a placeholder word that Markdown leaves alone, wherever the
block sits (a list, an admonition, a tab); the tool puts the player's HTML in its place once
the page is HTML.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from genact_cast.docs.options import (
    GENERATED_PLAYER_OPTIONS,
    OWN_OPTIONS,
    PLAYER_FLAGS,
    DocsOptionError,
    record_args,
    split_command_line,
)

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
_CLOSE = re.compile(r"^\s*(`{3,}|~{3,})\s*$")
# ![alt](path.cast) or ![alt](path.cast "title"); the path may be <bracketed>. The title
# is read as Python-Markdown (MkDocs' parser, 3.11 `LinkInlineProcessor.getLink`) reads
# it: in double or single quotes, up to the first such quote that the closing
# parenthesis follows, so quotes and parentheses inside it (`"x\" onload=\"a(1)"`) belong to it.
_IMAGE = re.compile(
    r"!\[(?P<alt>(?:[^\]\\]|\\.)*)\]\(\s*(?:<(?P<bracketed>[^>\n]*?\.cast)(?P<bsuffix>[?#][^>\n]*)?>"
    r"|(?P<plain>[^\s()]*?\.cast)(?P<psuffix>[?#][^\s()]*)?)"
    r"(?:\s+(?P<quote>[\"'])(?P<title>[^\n]*?)(?P=quote))?\s*\)"
)
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")


@dataclass(frozen=True)
class Block:
    """A ```genact-cast block: `record`'s arguments, the player's options, its line."""

    args: list[str]
    player: list[tuple[str, str]]
    caption: str | None
    line: int


@dataclass(frozen=True)
class Link:
    """An image-style link to a cast file."""

    path: str
    alt: str
    line: int
    title: str | None = None  # the link's "title": the player's accessible name
    # A `?query` or `#fragment` after `.cast`: the link is still the cast's (MkDocs reads
    # a link's path apart from them, mkdocs/structure/pages.py urlsplit), and the plugin
    # says in one line that the player, which loads the file itself, drops them.
    suffix: str = ""


Found = Block | Link


def read_block(lines: list[str], line: int) -> Block:
    """The options of a block: `name: value` one per line, or a command line (`--seed 7
    --framework hf`, also `genact-cast record ...`, over one or more lines)."""
    text = "\n".join(lines).strip()
    player: list[tuple[str, str]] = []
    caption: str | None = None
    if text.startswith(("-", "genact-cast")):
        args: list[str] = []
        tokens = split_command_line(text.replace("\\\n", " "))
        i = 0
        while i < len(tokens):
            token = tokens[i]
            name, _, inline = token[2:].partition("=") if token.startswith("--") else ("", "", "")
            if name in GENERATED_PLAYER_OPTIONS or name in OWN_OPTIONS:
                if inline or name in PLAYER_FLAGS:
                    value = inline
                elif i + 1 < len(tokens):
                    i += 1
                    value = tokens[i]
                else:
                    raise DocsOptionError(f"--{name} needs a value")
                if name == "caption":
                    caption = value
                else:
                    player.append((name, value))
            else:
                args.append(token)
            i += 1
        return Block(args, player, caption, line)
    pairs: list[tuple[str, str]] = []
    for number, raw in enumerate(lines):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        name, colon, value = entry.partition(":")
        name = name.strip().lstrip("-")
        if not colon and " " in name:
            name, _, value = name.partition(" ")
        if not re.fullmatch(r"[a-z][a-z-]*", name):
            raise DocsOptionError(f"line {number + 1} of the block: expected 'option: value'")
        pairs.append((name, _unquote(value.strip())))
    record_pairs = [(k, v) for k, v in pairs if k not in GENERATED_PLAYER_OPTIONS + OWN_OPTIONS]
    player = [(k, v) for k, v in pairs if k in GENERATED_PLAYER_OPTIONS]
    caption = next((v for k, v in pairs if k == "caption"), None)
    return Block(record_args(record_pairs), player, caption, line)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        try:
            return shlex.split(value)[0]
        except (ValueError, IndexError):
            return value
    return value


def replace_casts(
    markdown: str, placeholder: Callable[[Found | DocsOptionError, int], str], first_line: int = 1
) -> str:
    """`markdown` with each cast replaced by `placeholder(found, line)` (or by what it
    returns for a block whose options cannot be read)."""
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line_no = first_line + i
        opened = _FENCE.match(lines[i])
        if opened and not (opened.group(2)[0] == "`" and "`" in opened.group(3)):
            indent, fence, info = opened.groups()
            j = i + 1
            while j < len(lines):
                closing = _CLOSE.match(lines[j])
                if (
                    closing
                    and closing.group(1)[0] == fence[0]
                    and len(closing.group(1)) >= len(fence)
                ):
                    break
                j += 1
            if info.strip().split()[:1] == ["genact-cast"]:
                body = [b[len(indent) :] if b.startswith(indent) else b for b in lines[i + 1 : j]]
                try:
                    found: Found | DocsOptionError = read_block(body, line_no)
                except DocsOptionError as exc:
                    found = exc
                out += ["", indent + placeholder(found, line_no), ""]
            else:
                out += lines[i : j + 1]
            i = j + 1
            continue
        out.append(_links(lines[i], line_no, placeholder))
        i += 1
    return "\n".join(out)


def _links(
    line: str, line_no: int, placeholder: Callable[[Found | DocsOptionError, int], str]
) -> str:
    """Image links to casts in one line, outside its code spans."""
    if ".cast" not in line:
        return line
    pieces: list[str] = []
    last = 0
    for span in _CODE_SPAN.finditer(line):
        pieces.append(
            _IMAGE.sub(lambda m: _link(m, line_no, placeholder), line[last : span.start()])
        )
        pieces.append(span.group(0))
        last = span.end()
    pieces.append(_IMAGE.sub(lambda m: _link(m, line_no, placeholder), line[last:]))
    return "".join(pieces)


def _link(
    match: re.Match[str], line_no: int, placeholder: Callable[[Found | DocsOptionError, int], str]
) -> str:
    path = match.group("bracketed") or match.group("plain") or ""
    suffix = match.group("bsuffix") or match.group("psuffix") or ""
    alt = re.sub(r"\\(.)", r"\1", match.group("alt"))
    return placeholder(Link(path, alt, line_no, match.group("title"), suffix), line_no)
