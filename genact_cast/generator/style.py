"""Colours, number formats and line layout: how the training log looks.

SGR sequences are written by hand, not by rich: a cast must be byte-identical on
every install, so its bytes cannot depend on another library's version.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime

RESET = "\x1b[0m"

# The seed notes' colour table.
MAGENTA = "\x1b[35m"  # timestamps
BOLD_CYAN = "\x1b[1;36m"  # phase headers
GREEN = "\x1b[32m"  # progress bars
BLUE = "\x1b[34m"  # metric labels
BOLD_WHITE = "\x1b[1;37m"  # metric values
YELLOW = "\x1b[33m"  # warnings
BOLD_RED = "\x1b[1;31m"  # errors: a failure that kills the job
CYAN = "\x1b[36m"  # GPU status
GREY = "\x1b[38;5;8m"  # NCCL stats: 256-colour grey 8


class Text:
    """A piece of output: what to write, and how many columns it takes."""

    __slots__ = ("ansi", "width")

    def __init__(self, ansi: str, width: int) -> None:
        self.ansi = ansi
        self.width = width

    def __repr__(self) -> str:
        return f"Text({self.ansi!r}, {self.width})"

    def __add__(self, other: Text) -> Text:
        return Text(self.ansi + other.ansi, self.width + other.width)


class Style:
    def __init__(self, *, color: bool) -> None:
        self.color = color

    def paint(self, text: str, sgr: str) -> Text:
        return Text(f"{sgr}{text}{RESET}" if self.color and text else text, len(text))

    def field(self, name: str, width: int, sgr: str | None = BOLD_WHITE) -> Text:
        """A `{name}` placeholder for a value at most `width` columns wide.

        Lines built from fields are laid out once and filled in many times with
        `str.format_map`; laying out at the widest value keeps every filling in bounds.
        """
        ansi = f"{sgr}{{{name}}}{RESET}" if self.color and sgr else f"{{{name}}}"
        return Text(ansi, width)

    def literal(self, text: str) -> Text:
        """Plain text that is safe inside a `format_map` template."""
        return Text(text.replace("{", "{{").replace("}", "}}"), len(text))

    def plain(self, text: str) -> Text:
        return Text(text, len(text))

    def stamp(self, moment: datetime) -> Text:
        return self.paint(f"[{moment:%Y-%m-%d %H:%M:%S}]", MAGENTA)

    def header(self, text: str) -> Text:
        return self.paint(text, BOLD_CYAN)

    def label(self, text: str) -> Text:
        return self.paint(text, BLUE)

    def value(self, text: str) -> Text:
        return self.paint(text, BOLD_WHITE)

    def metric(self, label: str, value: str) -> Text:
        """'Loss: 2.3456' with the label blue and the value bold white."""
        return self.label(f"{label}:") + self.plain(" ") + self.value(value)

    def warning(self, text: str) -> Text:
        return self.paint(text, YELLOW)

    def error(self, text: str) -> Text:
        return self.paint(text, BOLD_RED)

    def gpu(self, text: str) -> Text:
        return self.paint(text, CYAN)

    def nccl(self, text: str) -> Text:
        return self.paint(text, GREY)

    def bar(self, fraction: float, width: int) -> Text:
        """A thin progress bar, '━' filled and '─' to go."""
        filled = round(max(0.0, min(1.0, fraction)) * width)
        return self.paint("━" * filled, GREEN) + self.paint("─" * (width - filled), GREY)

    def block_bar(self, fraction: float, width: int) -> Text:
        """A block progress bar in brackets, '█' filled and '░' to go."""
        filled = round(max(0.0, min(1.0, fraction)) * width)
        inner = self.paint("█" * filled, GREEN) + self.paint("░" * (width - filled), GREY)
        return self.plain("[") + inner + self.plain("]")


def join(pieces: Iterable[Text]) -> Text:
    pieces = list(pieces)
    return Text("".join(p.ansi for p in pieces), sum(p.width for p in pieces))


def flow(segments: Sequence[Text], width: int, sep: Text, indent: str = "  ") -> list[Text]:
    """Lay segments out in lines of at most `width` columns, breaking only between them."""
    lines: list[Text] = []
    current: list[Text] = []
    used = 0
    for segment in segments:
        if current and used + sep.width + segment.width > width:
            lines.append(join(current))
            current, used = [], 0
        if not current:
            current, used = [Text(indent, len(indent)), segment], len(indent) + segment.width
        else:
            current += [sep, segment]
            used += sep.width + segment.width
    if current:
        lines.append(join(current))
    return lines


def wrap(words: str, width: int, indent: str = "  ") -> list[str]:
    """Break plain text at spaces into lines of at most `width` columns.

    Leading spaces are kept on the first line; later lines start with `indent`.
    """
    body = words.lstrip(" ")
    lines: list[str] = []
    line = words[: len(words) - len(body)]
    started = False
    for word in body.split(" "):
        candidate = f"{line} {word}" if started else line + word
        if len(candidate) <= width or not started:
            line, started = candidate, True
        else:
            lines.append(line)
            line = indent + word
        while len(line) > width:  # a word longer than a line is broken where it must be
            lines.append(line[:width])
            line = indent + line[width:]
    lines.append(line)
    return lines


# Number formats: explicit, so that no float repr ever reaches the screen.


def thousands(value: float) -> str:
    return f"{round(value):,}"


def rate(value: float) -> str:
    """A throughput to two significant digits below 10, whole above: '1,234', '14',
    '2.3', '0.20'. A 405B model's 407 tokens/s of 2,048-token samples is 0.2 samples/s,
    not 0 (review-realism7 WARN 14)."""
    if value >= 9.95 or value <= 0:
        return thousands(value)
    decimals = 1 - math.floor(math.log10(value))
    return f"{value:.{decimals}f}"


RATE_WIDTH = len("0.0012")  # the widest below 10 a run draws: down to a thousandth


def hours_minutes(seconds: float) -> str:
    """'2h 34m', '12m', '3d 4h' for an ETA."""
    minutes = max(0, round(seconds / 60))
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def elapsed(seconds: float) -> str:
    """'4h 23m 15s' for a total time; '12d 23h 15m 06s' when it ran for days."""
    whole = max(0, round(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h {minutes:02d}m {secs:02d}s"
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def params(count: float) -> str:
    """'8.03B', '405.9B', '70.6B' as model cards write parameter counts."""
    billions = count / 1e9
    return f"{billions:.2f}B" if billions < 10 else f"{billions:.1f}B"


def tokens(count: float) -> str:
    """'15T', '1.3T', '627B', '4.2M' as dataset cards write token counts."""
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if count >= size:
            value = count / size
            return f"{value:.1f}".removesuffix(".0") + unit if value < 100 else f"{value:.0f}{unit}"
    return f"{count:.0f}"


def gigabytes(size_bytes: float) -> str:
    value = size_bytes / 1e9
    return f"{value / 1000:.2f} TB" if value >= 1000 else f"{value:.1f} GB"


def sparkline(values: Sequence[float], width: int) -> str:
    """A loss curve in block characters, resampled to `width` columns.

    Heights follow log(loss - 0.9 × lowest), as loss curves are plotted, so that the
    first steps' loss near ln(vocab) does not flatten everything after it.
    """
    if not values:
        return ""
    ticks = "▁▂▃▄▅▆▇█"
    count = min(width, len(values))
    floor = 0.9 * min(values)
    sample = [math.log(values[i * len(values) // count] - floor) for i in range(count)]
    low, high = min(sample), max(sample)
    span = (high - low) or 1.0
    return "".join(ticks[min(7, int((v - low) / span * 8))] for v in sample)
