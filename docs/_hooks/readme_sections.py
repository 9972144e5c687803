"""MkDocs hook of genact-cast's own docs site: a page line `<!-- readme: HEADING -->` becomes
that section of README.md (up to the next heading of its level), so the site and the README
never disagree. Headings move up a level (the page has its own title); links into the README
are pointed at the page that now holds their section, and links to files outside docs/ keep
only their text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"
MARK = re.compile(r"^<!-- readme: (.+?) -->$", re.MULTILINE)
HEADING = re.compile(r"^(#{1,6}) (.+)$")
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")


def _plain(heading: str) -> str:
    return heading.replace("`", "").strip()


def _slug(heading: str) -> str:
    """The anchor of a heading, as GitHub and MkDocs' `toc` both make it here."""
    text = re.sub(r"[^\w\- ]", "", _plain(heading).lower())
    return re.sub(r"\s", "-", text.strip())


def _sections(text: str) -> dict[str, tuple[int, list[str]]]:
    """Each heading (without backticks) -> its level and its body's lines."""
    lines = text.split("\n")
    found: dict[str, tuple[int, list[str]]] = {}
    fenced = False
    starts: list[tuple[int, int, str]] = []
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if heading:
            starts.append((number, len(heading.group(1)), heading.group(2)))
    for i, (number, level, title) in enumerate(starts):
        # The title's section is the introduction: up to the next heading of any level.
        limit = 6 if level == 1 else level
        end = next((n for n, lv, _ in starts[i + 1 :] if lv <= limit), len(lines))
        found[_plain(title)] = (level, lines[number + 1 : end])
    return found


def _where(config: Any) -> dict[str, str]:
    """README anchor -> the docs page that includes its section."""
    pages: dict[str, str] = {}
    docs = Path(config["docs_dir"])
    for page in docs.rglob("*.md"):
        for wanted in MARK.findall(page.read_text("utf-8")):
            pages[_slug(wanted)] = page.relative_to(docs).as_posix()
    return pages


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    sections = _sections(README.read_text("utf-8"))
    where = _where(config)

    def link(match: re.Match[str]) -> str:
        text, target = match.groups()
        if target.startswith(("http://", "https://", "mailto:")):
            return match.group(0)
        if target.startswith("#"):
            home = where.get(target[1:])
            return f"[{text}]({home}{target})" if home else text
        if target.startswith("docs/"):
            return f"[{text}]({target[len('docs/') :]})"
        return text  # a file of the repository, not of the site

    def include(match: re.Match[str]) -> str:
        wanted = match.group(1).strip()
        title = next((t for t in sections if t.startswith(wanted)), None)
        if title is None:
            from mkdocs.exceptions import PluginError

            raise PluginError(
                f"README.md has no section {wanted!r} (asked for by {page.file.src_uri})"
            )
        level, body = sections[title]
        shifted = []
        fenced = False
        for line in body:
            if line.startswith("```"):
                fenced = not fenced
            heading = None if fenced else HEADING.match(line)
            if heading and len(heading.group(1)) > level:
                line = "#" * (len(heading.group(1)) - level + 1) + " " + heading.group(2)
            if not fenced:
                line = LINK.sub(link, line).replace("](docs/", "](")
            shifted.append(line)
        return "\n".join(shifted)

    return MARK.sub(include, markdown)
