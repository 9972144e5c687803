"""The example casts in `casts/`: their recipes, and how to make each one's bytes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from genact_cast.asciicast import encode
from genact_cast.generator import RecordOptions, generate


def recipes(folder: Path) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = json.loads((folder / "examples.json").read_text("utf-8"))
    return result


def cast_bytes(recipe: dict[str, Any]) -> bytes:
    """The bytes `genact-cast record` writes for this recipe."""
    options = dict(recipe)
    version = int(str(options.pop("format", "v2"))[1:])
    if "duration" in options:
        options["duration"] = float(options["duration"])
    cast = generate(RecordOptions(**options), version)
    return "".join(encode(cast.header, cast.events, version)).encode("utf-8")
