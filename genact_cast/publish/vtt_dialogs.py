"""A dialog's box as the subtitles tell it (publish/vtt.py): whiptail's or dialog's
question and buttons after the program's name, and an answer (a field typed in, a box
ticked) from its first key, not from when the box opened (review-exports10 item 4)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from genact_cast.publish.screens import Screen, row_text

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines

_FRAME = re.compile("[\u2500-\u259f]+")  # box drawing and blocks: a dialog's frame and shadow


def dialog_text(screen: Screen) -> list[str]:
    """A dialog's lines as read: each row's text without the frame and its shadow, runs
    of blanks between its parts (buttons) as one."""
    lines = []
    for row in screen.rows:
        parts = _FRAME.sub("  ", row_text(row)).split("  ")
        text = " ".join(part.strip() for part in parts if part.strip())
        if text:
            lines.append(text)
    return lines


class Answers:
    """A dialog's box as first drawn (its question, an empty field, the boxes as they
    start) and when it first changed: the first key of the answer."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answered: float | None = None

    def watch(self, screen: Screen) -> None:
        """A screen of the dialog's session."""
        if self.answered is not None:
            return
        text = dialog_text(screen)
        if not text:
            return
        if not self.asked:
            self.asked = text
        elif text != self.asked:
            self.answered = screen.time

    def told(self, opened: float, last: Screen) -> list[tuple[float, str]]:
        """The lines told: the box as it opened, at `opened`; then the lines of its last
        screen (`last`) it did not show then, from the answer's first key. Forgets it."""
        final = dialog_text(last)
        asked, answered = self.asked, self.answered
        self.asked, self.answered = [], None
        if not asked or answered is None:
            return [(opened, line) for line in final]
        return [(opened, line) for line in asked] + [
            (answered, line) for line in final if line not in asked
        ]


def answered(
    time: float, place: tuple[int, int], text: str, end: float | None, command: bool, lines: Lines
) -> list[tuple[float, tuple[int, int], str, float | None, bool]]:
    """A line told: a question a program asked and its answer (`Name? Bob`) as two, the
    question from when it was asked, the answer from its first key (review-exports9
    item 5: the answer was read before it was typed)."""
    question, typed = lines.answers.get(time, ("", 0.0))
    answer = text[len(question) :].strip() if question and text.startswith(question) else ""
    if not answer or typed <= time:
        return [(time, place, text, end, command)]
    return [(time, place, question.rstrip(), typed, False), (typed, place, answer, end, command)]
