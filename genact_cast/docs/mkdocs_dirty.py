"""`mkdocs build --dirty` kept a changed cast's old still and a deleted cast's copy
(review-attack14 low 4): a dirty build rebuilds only pages whose Markdown is newer than
their HTML (mkdocs/commands/build.py `_populate_page`, File.is_modified), and never
removes a copied file. The plugin records, after each build, which cast (by content)
each page shows and which cast copies it put in the site; a dirty build then rebuilds the
pages whose casts changed or went, and removes the copies of casts that went.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from mkdocs.structure.files import Files

from genact_cast.docs.casts import _digest, _read_regular
from genact_cast.errors import GenactCastError

STATE = "mkdocs-dirty.json"  # in the plugin's cache folder


class DirtyState:
    """Each page's casts (path -> content key) and the site's cast copies, of the last build."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / STATE
        self.pages: dict[str, dict[str, str]] = {}
        self.copies: list[str] = []
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            saved = json.loads(self.path.read_text("utf-8"))
            self.pages = {str(k): {str(p): str(d) for p, d in v.items()}
                          for k, v in saved["pages"].items()}  # fmt: skip
            self.copies = [str(copy) for copy in saved["copies"]]

    def refresh(self, files: Files, site: Path) -> None:
        """Before a dirty build: pages whose casts changed are built again; copies of
        casts no longer in the docs are removed from the site."""
        for src_uri, casts in self.pages.items():
            page = files.get_file_from_path(src_uri)
            if page is None or page.abs_dest_path is None:
                continue
            if any(_key(Path(cast)) != key for cast, key in casts.items()):
                with contextlib.suppress(OSError):  # older than its source: built again
                    os.utime(page.abs_dest_path, (0, 0))
        present = {file.dest_uri for file in files if file.src_uri.lower().endswith(".cast")}
        for copy in self.copies:
            target = site / copy
            if copy not in present and target.is_file() and not target.is_symlink():
                with contextlib.suppress(OSError):
                    target.unlink()

    def save(self, built: dict[str, dict[str, str]], copies: list[str], *, dirty: bool) -> None:
        pages = {**self.pages, **built} if dirty else built
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps({"pages": pages, "copies": sorted(copies)}), "utf-8")


def _key(cast: Path) -> str | None:
    try:
        return _digest(_read_regular(cast))
    except (OSError, GenactCastError):
        return None  # gone or unreadable: the page is built again and says so
