"""Snippets for docs: an image that links to the recording, and an HTML embed.

File names and URLs come from outside: each reaches the Markdown through `markdown_text`
(alt text) and `markdown_url` / `url_path` (link destinations), and the HTML through
`html_text`, so no name can end a link early, add markup, or turn into a `javascript:` link.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from genact_cast.escape import html_text, markdown_text, markdown_url, url_path
from genact_cast.sources import is_url

_RECORDING_PATH = re.compile(r"(?:/[^/?#]+)*/a/[A-Za-z0-9_-]+/?", re.ASCII)
# A host name's label (RFC 1123 2.1: letters, digits and hyphens, not at either end); an
# international name is written in its ASCII (xn--) form, so a look-alike in another
# script (a Cyrillic `а` in asciinema.org) is not taken for the name it imitates.
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", re.ASCII)


def is_host_name(host: str) -> bool:
    """Whether `host` (urlsplit's `hostname`) is a DNS name or an IP address."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
    except ValueError:
        labels = host.removesuffix(".").split(".")
        return len(host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)
    return True


def recording_problem(url: str) -> str | None:
    """Why `url` is no recording page (`https://host/a/ID`) whose `.svg` and `.js` exist,
    or None: a query, fragment, user info or a raw cast file would end up in the snippet
    (`/a/123?t=5.svg`, another host's `asciinema.org.js`, credentials published)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # a malformed port raises here
    except ValueError:
        return "is not a valid URL"
    if "@" in parts.netloc:
        return "carries user info (a name or password) that would be published"
    if "?" in url or "#" in url:
        return "has a query or fragment (give the recording's own URL, https://host/a/ID)"
    if not parts.hostname or not _RECORDING_PATH.fullmatch(parts.path):
        return "is not a recording's URL (https://host/a/ID)"
    if not is_host_name(parts.hostname):
        return (
            "has no valid host name (letters, digits and hyphens, an international name in "
            "its xn-- form, or an IP address)"
        )
    return None


def for_recording(url: str, *, title: str = "asciicast") -> tuple[str, str]:
    """Markdown and HTML for an uploaded recording at an http(s) `url`."""
    if not is_url(url):
        raise ValueError(f"not an http(s) URL: {url!r}")
    url = url.rstrip("/")
    slug = url.rsplit("/", 1)[-1]
    markdown = f"[![{markdown_text(title)}]({markdown_url(url + '.svg')})]({markdown_url(url)})"
    html = (
        f'<script src="{html_text(url)}.js" id="asciicast-{html_text(slug)}" async="true"></script>'
    )
    return markdown, html


def for_file(target: str, picture: str, *, title: str = "asciicast") -> tuple[str, str]:
    """Markdown and HTML for a local cast `target`, shown by the image `picture`."""
    cast, image = url_path(target), url_path(picture)
    markdown = f"[![{markdown_text(title)}]({image})]({cast})"
    html = (
        f'<a href="{html_text(cast)}"><img src="{html_text(image)}" alt="{html_text(title)}"></a>'
    )
    return markdown, html


def snippets(target: str, *, image: str | None = None, title: str = "asciicast") -> str:
    """Markdown and HTML for a cast: an uploaded recording's URL, or a local file.

    A local cast is shown by an image beside it (an SVG or GIF made by `embed`) that
    links to the cast itself.
    """
    if is_url(target):
        markdown, html = for_recording(target, title=title)
    else:
        path = PurePosixPath(target)
        picture = image or str(path.with_name(f"{path.stem or 'asciicast'}.svg"))
        markdown, html = for_file(target, picture, title=title)
    return f"Markdown:\n\n{markdown}\n\nHTML:\n\n{html}\n"
