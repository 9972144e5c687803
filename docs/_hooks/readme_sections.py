"""MkDocs hook of genact-cast's own docs site: a page line `<!-- readme: HEADING -->` becomes
that section of README.md (up to the next heading of its level), so the site's home page and
the README never disagree. The README keeps its introduction, its set-up commands, "Watch it"
and "In your docs" (its long sections moved into the pages for good); docs/index.md includes
the first three. Headings move up a level (the page has its own title); links into the
README are pointed at the page that includes their section, and links to files outside docs/
keep only their text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MARK = re.compile(r"^<!-- readme: (.+?) -->$", re.MULTILINE)
HEADING = re.compile(r"^(#{1,6}) (.+)$")
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")


class MissingSection(Exception):
    """A page asks for a README section that is not there."""


def _plain(heading: str) -> str:
    return heading.replace("`", "").strip()


def _slug(heading: str) -> str:
    """The anchor of a heading, as GitHub and MkDocs' `toc` both make it here."""
    text = re.sub(r"[^\w\- ]", "", _plain(heading).lower())
    return re.sub(r"\s", "-", text.strip())


def _sections(text: str) -> dict[str, tuple[int, int, int]]:
    """Each heading (without backticks) -> its level, its line and the line after its end."""
    lines = text.split("\n")
    fenced = False
    starts: list[tuple[int, int, str]] = []
    for number, line in enumerate(lines):
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if heading:
            starts.append((number, len(heading.group(1)), heading.group(2)))
    found: dict[str, tuple[int, int, int]] = {}
    for i, (number, level, title) in enumerate(starts):
        # The title's section is the introduction: up to the next heading of any level.
        limit = 6 if level == 1 else level
        end = next((n for n, lv, _ in starts[i + 1 :] if lv <= limit), len(lines))
        found[_plain(title)] = (level, number, end)
    return found


def _where(docs: Path) -> dict[str, str]:
    """README anchor -> the docs page that includes its section."""
    pages: dict[str, str] = {}
    for page in docs.rglob("*.md"):
        for wanted in MARK.findall(page.read_text("utf-8")):
            pages[_slug(wanted)] = page.relative_to(docs).as_posix()
    return pages


def expand(markdown: str, readme: str, docs: Path) -> str:
    """`markdown` with each marker replaced by its README section."""
    sections = _sections(readme)
    lines = readme.split("\n")
    where = _where(docs)

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
            raise MissingSection(f"README.md has no section {wanted!r}")
        level, start, end = sections[title]
        shifted = []
        fenced = False
        for line in lines[start + 1 : end]:
            if line.startswith("```"):
                fenced = not fenced
            heading = None if fenced else HEADING.match(line)
            if heading and len(heading.group(1)) > level:
                line = "#" * (len(heading.group(1)) - level + 1) + " " + heading.group(2)
            if not fenced:
                line = LINK.sub(link, line).replace("](docs/", "](")
            shifted.append(line)
        return "\n".join(shifted).strip("\n")

    return MARK.sub(include, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    try:
        return expand(markdown, (ROOT / "README.md").read_text("utf-8"), Path(config["docs_dir"]))
    except MissingSection as exc:
        from mkdocs.exceptions import PluginError

        raise PluginError(f"{exc} (asked for by {page.file.src_uri})") from None
