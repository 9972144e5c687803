"""The marks and limits the subtitles' line-following modules share (vtt_lines.py and the
vtt_prompts, vtt_erasures, vtt_scrolls and vtt_programs modules it is split into): a row's
`since` is a time, or one of these marks; the limits bound what is remembered.
"""

from __future__ import annotations

REDRAW_SECONDS = 0.5  # how long a row blanked by an erasure may stay blank and be redrawn
READ_SECONDS = 1.0  # a line shown this long was read: rewritten after, it is told as it was
HISTORY = 1000  # lines that scrolled away a resize may bring back (the player keeps 1000)
# A row's `since` when its line was taken before (or is not told); LEFT for a row a program
# that painted the primary screen left there (its page: not the shell's lines).
TAKEN = -1.0
MAX_PROMPTS = 16  # prompts remembered (the oldest forgotten first)
LEFT = -2.0
MAX_REDRAWS = 4096  # lines redrawn in place remembered (`Lines.redraws`, the oldest first)
