"""WebVTT subtitles of a cast: each line of output with the time it appeared.

A line is taken when it is done: when it scrolls off the top of the screen, or as it
stands on the final screen. A line redrawn in place (a progress bar, a live block)
counts once, as it was last drawn; characters typed one at a time join into the line
they make, timed from the first. Lines that appear together share one cue.

`escape_cue` is the one way text from a cast reaches a cue: `&`, `<` and `>` escaped (so
no `-->` or tag can be forged), control and format characters dropped.
"""

from __future__ import annotations

from genact_cast.publish.screens import Row, Timeline, row_text
from genact_cast.publish.text import plain


def escape_cue(text: str) -> str:
    return plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


class _Lines:
    """What each row of the screen shows and since when; done lines in `taken`."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.since: list[float] = []
        self.taken: list[tuple[float, str]] = []

    def scrolled(self, row: Row, time: float | None) -> None:
        if not self.texts:
            return
        text = row_text(row)
        old, since = self.texts.pop(0), self.since.pop(0)
        self.texts.append("")
        self.since.append(0.0)
        if time is not None and text.strip():
            self.taken.append((since if old and text.startswith(old) else time, text))

    def update(self, rows: tuple[Row, ...], time: float) -> None:
        while len(self.texts) < len(rows):
            self.texts.append("")
            self.since.append(time)
        del self.texts[len(rows) :], self.since[len(rows) :]
        for y, row in enumerate(rows):
            text = row_text(row)
            old = self.texts[y]
            if text != old and not (old and text.startswith(old)):
                self.since[y] = time  # a new line here, not more of the same one
            self.texts[y] = text


def render_vtt(timeline: Timeline) -> str:
    lines = _Lines()
    timeline.on_scroll = lines.scrolled
    for screen in timeline:
        lines.update(screen.rows, screen.time)
    taken = lines.taken + [
        (s, t) for s, t in zip(lines.since, lines.texts, strict=True) if t.strip()
    ]
    taken.sort(key=lambda item: item[0])  # stable: lines of one moment keep their order
    cues: list[tuple[float, list[str]]] = []
    for time, text in taken:
        escaped = escape_cue(text).rstrip()
        if not escaped.strip():
            continue
        if cues and cues[-1][0] == time:
            cues[-1][1].append(escaped)
        else:
            cues.append((time, [escaped]))
    out = ["WEBVTT", ""]
    for index, (start, texts) in enumerate(cues):
        end = cues[index + 1][0] if index + 1 < len(cues) else max(timeline.end, start + 1.0)
        out += [f"{timestamp(start)} --> {timestamp(end)}", *texts, ""]
    return "\n".join(out)
