"""How many safetensors files a released checkpoint holds: its Hub repository's own count
(data/hub_shards.tsv, each with its source), which from_pretrained's `Loading checkpoint
shards` bar counts, whatever size a save of the model would cut it at."""

from __future__ import annotations

import functools

from genact_cast.generator import tables
from genact_cast.generator.catalog import DATA, architectures


@functools.cache
def _counts() -> dict[str, int | None]:
    return {
        repo: None if files == "-" else int(files)
        for repo, files in tables.rows(DATA / "hub_shards.tsv")
    }


def repository(arch: str) -> str | None:
    """The Hub repository of the released checkpoint a run starting from `arch` loads (the
    catalogue's `base`; a post-trained release's own), None where nothing was released."""
    found = next((a for a in architectures() if a.name == arch), None)
    if found is None or found.base == "-":
        return None
    return found.base.removeprefix("post:")


def released_files(arch: str) -> int | None:
    """The files of `arch`'s released checkpoint, or None where its repository's listing
    was not found in a public source (such a run prints no count)."""
    repo = repository(arch)
    return None if repo is None else _counts().get(repo)
