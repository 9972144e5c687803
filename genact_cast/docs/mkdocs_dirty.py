"""`mkdocs build --dirty` kept a changed cast's old still and a deleted cast's copy
(review-attack14 low 4): a dirty build rebuilds only pages whose Markdown is newer than
their HTML (mkdocs/commands/build.py `_populate_page`, File.is_modified), and never
removes a copied file. The plugin records, after each build, which cast (by content)
each page shows and which cast copies it put in the site; a dirty build then rebuilds the
pages whose casts changed or went, and removes the copies of casts that went.

The state file sits in a cache folder CI set-ups restore and a pull request can carry: a
name in it is removed only when it is a `.cast` inside the site (review-attack16 F2: `../x`
and absolute names were deleted wherever they pointed). A cast generated from a
```genact-cast block belongs to its page: it stays while the page does (review-attack16 F3:
a dirty build with nothing changed removed every generated cast, its page kept).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path, PurePosixPath

from mkdocs.structure.files import Files

from genact_cast.docs.casts import _digest, _read_regular
from genact_cast.errors import GenactCastError

STATE = "mkdocs-dirty.json"  # in the plugin's cache folder


class DirtyState:
    """Each page's casts (path -> content key), the site's copies of the docs' casts, and
    each page's generated casts, of the last build."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / STATE
        self.pages: dict[str, dict[str, str]] = {}
        self.copies: list[str] = []
        self.generated: dict[str, list[str]] = {}
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            saved = json.loads(self.path.read_text("utf-8"))
            pages = {str(k): {str(p): str(d) for p, d in v.items()}
                     for k, v in saved["pages"].items()}  # fmt: skip
            copies = [str(copy) for copy in saved["copies"]]
            generated = {str(k): [str(name) for name in v]
                         for k, v in saved.get("generated", {}).items()}  # fmt: skip
            self.pages, self.copies, self.generated = pages, copies, generated

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
        gone = [copy for copy in self.copies if copy not in present]
        for src_uri, names in self.generated.items():
            if files.get_file_from_path(src_uri) is None:  # the page went, and its casts
                gone += names
            else:
                present.update(names)
        for copy in gone:
            if copy not in present:
                _remove_from(site, copy)

    def save(
        self,
        built: dict[str, dict[str, str]],
        copies: list[str],
        generated: dict[str, list[str]],
        *,
        dirty: bool,
    ) -> None:
        pages = {**self.pages, **built} if dirty else built
        made = {**self.generated, **generated} if dirty else generated
        state = {"pages": pages, "copies": sorted(copies), "generated": made}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(state), "utf-8")


def _remove_from(site: Path, name: str) -> None:
    """Remove the site's copy `name`, a relative POSIX path to a .cast inside the site;
    any other name (absolute, `..`, a link, not a cast) is left alone."""
    parts = PurePosixPath(name).parts
    if not name.lower().endswith(".cast") or name.startswith("/") or ".." in parts:
        return
    target = site.joinpath(*parts)
    with contextlib.suppress(OSError, ValueError):
        if not target.resolve().is_relative_to(site.resolve()):
            return
        if target.is_file() and not target.is_symlink():
            target.unlink()


def _key(cast: Path) -> str | None:
    try:
        return _digest(_read_regular(cast))
    except (OSError, GenactCastError):
        return None  # gone or unreadable: the page is built again and says so
