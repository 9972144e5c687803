"""`genact-cast info`: what a cast holds, as a table or as JSON."""

from __future__ import annotations

from typing import Any

from genact_cast.asciicast import MARKER, OUTPUT
from genact_cast.escape import terminal_json, terminal_text
from genact_cast.sources import open_cast
from genact_cast.standard_output import write_stdout

# The markers listed, and how much of each label: a cast of a million one-line markers
# (or of 60 MB labels) is described in bounded memory; the count says how many there are.
MAX_LISTED_MARKERS = 1000
MAX_LABEL_CHARS = 200


def describe(source: str) -> dict[str, Any]:
    with open_cast(source) as reader:
        header = reader.header
        count = 0
        last = 0
        output_bytes = 0
        markers: list[dict[str, Any]] = []
        marker_count = 0
        for event in reader.events():
            count += 1
            last = event.time_us
            if event.code == MARKER:
                marker_count += 1
                if marker_count <= MAX_LISTED_MARKERS:
                    label = event.data[:MAX_LABEL_CHARS]
                    markers.append({"time": round(event.time, 6), "label": label})
            elif event.code == OUTPUT:
                output_bytes += len(event.data.encode("utf-8", "surrogatepass"))
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
        "marker_count": marker_count,
        "title": header.title,
        "idle_time_limit": header.idle_time_limit,
        "timestamp": header.timestamp,
        "theme": theme,
    }


def show_info(source: str, *, as_json: bool) -> None:
    """Print what `source` holds.

    Everything that came from outside (the source name, title, markers, theme) goes
    through the terminal escaping, into `Text` objects that rich never reads as markup.
    Lines are never wrapped by us: a long path stays one line on any terminal.
    """
    info = describe(source)
    if as_json:
        shown = terminal_json(info) + "\n"
        if not _fits_stdout(shown):  # (PYTHONIOENCODING=ascii: é as \u00e9, the same value)
            shown = terminal_json(info, ascii_only=True) + "\n"
        write_stdout(shown)
        return
    import io

    from rich.console import Console
    from rich.text import Text

    limit, theme = info["idle_time_limit"], info["theme"]
    rows = [
        ("format", f"asciicast v{info['version']}"),
        ("size", f"{info['cols']} x {info['rows']}"),
        ("duration", f"{info['duration']:.3f} s"),
        ("events", f"{info['events']:,} ({info['output_bytes']:,} bytes of output)"),
        ("title", info["title"] or "-"),
        ("idle time limit", "-" if limit is None else f"{limit:g} s"),
        ("theme", "-" if theme is None else f"fg {theme['fg']}, bg {theme['bg']}"),
    ]
    markers = [f"{m['time']:>10.3f} s  {m['label']}" for m in info["markers"]] or ["-"]
    if info["marker_count"] > len(info["markers"]):
        markers.append(f"... {info['marker_count'] - len(info['markers']):,} more")
    rows += [("markers" if i == 0 else "", line) for i, line in enumerate(markers)]
    width = max(len(label) for label, _ in rows) + 2
    text = Text()
    text.append(terminal_text(source), style="bold")
    text.append("\n")
    for label, value in rows:
        text.append(label.ljust(width), style="bold cyan")
        text.append(terminal_text(value) + "\n")
    # Rendered into a buffer, then written in one go: a full disk or a closed pipe is
    # one message.
    buffer = io.StringIO()
    terminal = Console().is_terminal
    console = Console(file=buffer, force_terminal=terminal, no_color=not terminal)
    console.print(text, end="", soft_wrap=True)
    write_stdout(buffer.getvalue())


def _fits_stdout(text: str) -> bool:
    import sys

    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeError, LookupError):
        return False
    return True
