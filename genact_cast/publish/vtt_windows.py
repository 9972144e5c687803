"""A multiplexer's windows in the subtitles: each keeps what its panes showed.

Switching windows (tmux's Ctrl-B n/p, GNU screen's Ctrl-A n) and closing the
multiplexer's own screens (tmux's key list, Ctrl-B ?, and window chooser, Ctrl-B w, drawn
over the window and gone with `q`) redraw the whole screen at once with what a window
showed before, program and all: that window's panes are as they were (a vim painting
one is still vim, its lines already told), not a program newly painting them
(review-exports14 item 7: back in vim's window, vim was named after the other window's
last command, `[ls]`, and that window's output was taken for vim's screen).

A window is known by its panes' text: a screen redrawn at once (most rows of text
changed) while the shell waited at its prompt or a program painted (not by a command
just run: `less -FRX` paging what `less` paged is not less's window back), that shows
what one left behind did, row for row (`SAME_ROWS` of them), is that
window back; the one it covers is kept, as it stood, for when it comes back. At most
`MAX_WINDOWS` are kept (the oldest forgotten first).
"""

from __future__ import annotations

import copy
from typing import Any

MAX_WINDOWS = 16
SAME_ROWS = 0.8  # the share of rows of text the same, in the same place, in both
# What a window's panes keep (attributes of vtt_mux.Multiplexed); what was told and
# shown is the session's, whatever the window.
FIELDS = ("texts", "slots", "tails", "commands", "paints", "painting", "cursor_pane", "waits")

Texts = dict[tuple[int, int], str]


def redrawn(before: Texts, now: Texts, least: int) -> bool:
    """Whether the screen was redrawn at once: at least `least` rows, and at least half
    of those with text before or now, changed."""
    keys = before.keys() | now.keys()
    changed = sum(1 for key in keys if before.get(key, "") != now.get(key, ""))
    rows = max(sum(1 for text in before.values() if text), sum(1 for text in now.values() if text))
    return changed >= max(least, (rows + 1) // 2)


def same_window(kept: Texts, now: Texts) -> bool:
    """Whether `now` shows what `kept` did: most rows of text in each the same."""
    shown = sum(1 for text in now.values() if text)
    had = sum(1 for text in kept.values() if text)
    same = sum(1 for key, text in now.items() if text and kept.get(key) == text)
    return shown > 0 and same >= SAME_ROWS * max(shown, had)


class Windows:
    """The windows left behind: each as its panes stood when it was covered."""

    def __init__(self) -> None:
        self.kept: list[dict[str, Any]] = []

    def switch(self, panes: object, now: Texts) -> bool:
        """The screen was redrawn at once with `now`: keep the window it covers (the
        state of `panes`), and give `panes` the state of the window it shows, if one was
        kept. Whether one was."""
        left = {name: copy.deepcopy(getattr(panes, name)) for name in FIELDS}
        latest_first = range(len(self.kept) - 1, -1, -1)
        back = next((i for i in latest_first if same_window(self.kept[i]["texts"], now)), None)
        if back is not None:
            for name, value in self.kept.pop(back).items():
                setattr(panes, name, value)
        self.kept.append(left)
        del self.kept[:-MAX_WINDOWS]
        return back is not None
