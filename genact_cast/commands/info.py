"""`genact-cast info`: what a cast holds, as a table or as JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from genact_cast.asciicast import MARKER, OUTPUT
from genact_cast.sources import open_cast


def describe(source: str) -> dict[str, Any]:
    with open_cast(source) as reader:
        header = reader.header
        count = 0
        last = 0
        output_bytes = 0
        markers: list[dict[str, Any]] = []
        for event in reader.events():
            count += 1
            last = event.time_us
            if event.code == MARKER:
                markers.append({"time": round(event.time, 6), "label": event.data})
            elif event.code == OUTPUT:
                output_bytes += len(event.data.encode("utf-8"))
    theme = None
    if header.theme is not None:
        t = header.theme
        theme = {"fg": t.fg, "bg": t.bg, "palette": ":".join(t.palette)}
    return {
        "source": source,
        "version": header.version,
        "cols": header.cols,
        "rows": header.rows,
        "duration": round(last / 1_000_000, 6),
        "events": count,
        "output_bytes": output_bytes,
        "markers": markers,
        "title": header.title,
        "idle_time_limit": header.idle_time_limit,
        "timestamp": header.timestamp,
        "theme": theme,
    }


def show_info(source: str, *, as_json: bool) -> None:
    info = describe(source)
    if as_json:
        sys.stdout.write(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=info["source"], show_header=False, title_justify="left")
    table.add_column(style="bold cyan")
    table.add_column()
    table.add_row("format", f"asciicast v{info['version']}")
    table.add_row("size", f"{info['cols']} x {info['rows']}")
    table.add_row("duration", f"{info['duration']:.3f} s")
    table.add_row("events", f"{info['events']:,} ({info['output_bytes']:,} bytes of output)")
    table.add_row("title", info["title"] or "-")
    limit = info["idle_time_limit"]
    table.add_row("idle time limit", "-" if limit is None else f"{limit:g} s")
    theme = info["theme"]
    table.add_row("theme", "-" if theme is None else f"fg {theme['fg']}, bg {theme['bg']}")
    markers = "\n".join(f"{m['time']:>10.3f} s  {m['label']}" for m in info["markers"])
    table.add_row("markers", markers or "-")
    Console().print(table)
