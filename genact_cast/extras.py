"""The optional extras: a command imports an extra's modules only when it needs them, and
says in one line which extra to install when they are missing."""

from __future__ import annotations

import importlib

from genact_cast.errors import GenactCastError

# extra: (the modules it brings, what needs them)
EXTRAS = {
    # (the `gif` extra is the same packages: GIFs are drawn as the PNG and the video are)
    "video": (("av", "PIL"), "video, PNG and GIF export need PyAV and Pillow"),
}
PIXEL_KINDS = ("mp4", "webm", "png", "gif")  # the exports drawn in pixels: the video extra


def require(extra: str) -> None:
    """GenactCastError naming `extra` when one of its modules cannot be imported."""
    modules, what = EXTRAS[extra]
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            raise GenactCastError(f"{what}: pip install 'genact-cast[{extra}]'") from None


def require_for(kind: str) -> None:
    """The extra an export `kind` needs, if any."""
    if kind in PIXEL_KINDS:
        require("video")
