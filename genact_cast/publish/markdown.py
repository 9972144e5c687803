"""Snippets for docs: an image that links to the recording, and an HTML embed."""

from __future__ import annotations

import html
from pathlib import PurePosixPath

from genact_cast.sources import is_url


def snippets(target: str, *, image: str | None = None, title: str = "asciicast") -> str:
    """Markdown and HTML for a cast: an uploaded recording's URL, or a local file.

    A local cast is shown by an image beside it (an SVG or GIF made by `embed`) that
    links to the cast itself.
    """
    alt = title.replace("]", "\\]")
    if is_url(target):
        url = target.rstrip("/")
        slug = url.rsplit("/", 1)[-1]
        return (
            f"Markdown:\n\n[![{alt}]({url}.svg)]({url})\n\n"
            f'HTML:\n\n<script src="{html.escape(url)}.js" id="asciicast-{html.escape(slug)}" '
            'async="true"></script>\n'
        )
    picture = image or str(PurePosixPath(target).with_suffix(".svg"))
    return (
        f"Markdown:\n\n[![{alt}]({picture})]({target})\n\n"
        f'HTML:\n\n<a href="{html.escape(target)}"><img src="{html.escape(picture)}" '
        f'alt="{html.escape(title)}"></a>\n'
    )
