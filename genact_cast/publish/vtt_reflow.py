"""A resize as the subtitles follow it (publish/vtt_lines.py): the player rewraps the
lines at the new width and brings lines back from its scrollback when it grows."""

from __future__ import annotations

import re
from bisect import bisect_right
from difflib import SequenceMatcher
from itertools import accumulate
from typing import TYPE_CHECKING

from genact_cast.publish.eol_marks import unmarked
from genact_cast.publish.screens import Row, row_text
from genact_cast.publish.vtt_marks import HISTORY, TAKEN
from genact_cast.publish.vtt_prompts import _RIGHT
from genact_cast.publish.vtt_remains import with_left
from genact_cast.publish.vtt_text import GAP
from genact_cast.publish.vtt_text import joined as joined_rows
from genact_cast.publish.vtt_text import piece as _piece

if TYPE_CHECKING:
    from genact_cast.publish.vtt_lines import Lines


AHEAD_CHARS = 12  # a row's text long enough not to be found by chance
HEAD_TRIES = 64  # places a row's text is looked for at an old row's start (bounded work)


def reflow(
    followed: Lines, rows: tuple[Row, ...], time: float, wrapped: frozenset[int] = frozenset()
) -> None:
    """The terminal was resized: its lines moved (the player rewraps them at the new
    width, and brings lines back from its scrollback when it grows). A line still
    shown, whole or rewrapped, keeps its time and one that came back stays taken; a
    line pushed off without scrolling is done."""
    followed._settle({})
    # What a program left (its page: `remains`) is on the old rows as the player shows
    # it, for the rewrap to find it there (its rows LEFT: not told).
    texts = [with_left(text, followed.remains.get(y, ())) for y, text in enumerate(followed.texts)]
    followed.remains = {}  # (rewrapped: no longer where the program left them)
    _rest_joined(followed)
    leads, waiting = followed.leads, followed.waiting
    followed.leads, followed.rights, followed.waiting = {}, {}, None
    prompts, followed.prompts = followed.prompts, {}  # (a prompt left: no line)
    born = followed.born
    old = [*followed.history, *texts]
    since = [-1.0] * len(followed.history) + followed.since
    first = [""] * len(followed.history) + followed.first
    new = [row_text(unmarked(row, followed.cols, y in wrapped)) for y, row in enumerate(rows)]
    followed.since, followed.first = [time] * len(new), [""] * len(new)
    followed.born = [followed.epoch] * len(new)
    # A rewrapped row is a piece of the old rows joined (spaces dropped: a wrap may
    # fall on one); it is looked for after the row above it.
    pieces = [_piece(text) for text in old]
    joined = "".join(pieces)
    starts = list(accumulate((len(piece) for piece in pieces), initial=0))
    rights = [_RIGHT.fullmatch(text.rstrip()) for text in new]
    heads = frozenset(starts)
    found: dict[int, int] = {}  # new row -> the old row it is
    for a, b, size in SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        found.update((b + i, a + i) for i in range(size))
    screen = starts[len(followed.history)]  # (where the old screen's rows start)
    kept: set[int] = set()
    cuts: tuple[int, int, str] | None = None
    unmatched: list[int] = []  # new rows found nowhere in the old ones
    below = len(new)  # the first new row that is an old screen's row
    at = 0
    for y, text in enumerate(new):
        if text.rstrip() in followed.prompt_heads:
            # (a two-line prompt's first line the shell drew again after the resize: told
            # the first time only, review-exports10 item 9; found again, it keeps its time)
            followed.since[y] = -1.0
        if y in found:
            a = found[y]
            k, size = starts[a], len(pieces[a])
        else:
            # (a row that starts a line starts an old row: the same words in the middle of
            # a row above, the command that printed them, are not it: review-exports10
            # item 2, `echo` of a line as long as the window, narrowed)
            line = y == 0 or y - 1 not in wrapped
            k, size = _find(joined, _piece(text), at, rights[y], heads if line else None)
            if k < 0:
                unmatched.append(y)
                continue
            if y == 0 and len(new) > 1:
                k = _followed(joined, _piece(text), k, _piece(new[1]))
            a = bisect_right(starts, k) - 1
        if y in found and _drawn_again(y, k, at, new, rights, joined, screen):
            continue
        below = min(below, y) if a >= len(followed.history) else below
        # The top row the end of an old line whose start the rewrap put in the scrollback:
        # the line is done, told whole as it was (review-exports10 item 2: `Wall`, the
        # end of a compiler line, was told for it), its end here with it
        # (not the last line shown: one still being written goes on, the cursor on it)
        # The line starts at its first row above (rows the terminal wrapped onto the
        # next): the rewrap may put exactly its first rows in the scrollback, the top row
        # starting where an old row did (review-exports13 item 7: `... wraps beca` went,
        # `use it is ...` stayed, and the line was told cut there).
        top = a
        while y == 0 and top > len(followed.history) and _wrapped(followed, top - 1):
            top -= 1
        cut = y == 0 and (k > starts[a] or top < a) and a >= len(followed.history)
        cut = cut and any(text.strip() for text in new[1:])
        end = max(a + 1, bisect_right(starts, k + size - 1))
        if cut:  # (told whole: its rows still shown are done with it, whatever row
            # the cut falls in: review-exports15 item 13, `1 2 ... 36 3` and the rest lost)
            while end < len(old) and _wrapped(followed, end - 1):
                end += 1
        kept.update(range(top + 1 if cut else a, end))
        if cut:  # (the line's rows, and what of it went to the scrollback)
            cuts = (top, end, joined[starts[top] : k])
        if cuts is not None and y > 0 and cuts[0] <= a < cuts[1]:
            followed.since[y] = -1.0
            at = starts[a + 1] if y in found else k + size
            continue
        at = starts[a + 1] if y in found else k + size
        followed.since[y] = -1.0 if cut else since[a]
        whole = k == starts[a]  # (the row starts where an old row started)
        followed.first[y] = first[a] if text == old[a] else ""
        # A command line rewrapped (typed while the window was resized, or widened)
        # keeps its prompt, and so is still the one typed: its lead, and the right
        # prompt drawn again after it (review-exports10 items 1 and 2); the prompt the
        # cursor waited at, drawn again, is still one nothing was typed at.
        here = waiting is not None and waiting[0] == a - len(followed.history)
        if here and waiting is not None and text.startswith(waiting[1]) and whole:
            followed.first[y] = text
        lead = leads.get(a - len(followed.history), "")
        if lead and text.startswith(lead) and whole:
            followed.first[y] = first[a] if first[a].startswith(lead) else lead
            followed.leads[y] = lead
            right = rights[y]
            if right is not None and right[1].startswith(lead):
                followed.rights[y] = right[2]
        if not cut and since[a] < 0:
            _command_within(followed, y, text, a, k, size, starts, since, leads)
    # Rows above the old screen's came back from the scrollback: told as they went there
    # (or not to be told), not new however they were rewrapped (review-exports15 item 13:
    # a line told whole as it was pushed came back at a width its rows were not found at)
    for y in unmatched:
        if y < below:
            followed.since[y] = TAKEN
    # A line wrapped over rows the rewrap pushes into the scrollback is one line there,
    # its rows joined (review-exports15 item 13: each row was told as a line of its own)
    going: int | None = None  # the taken line the last row pushed went to, if it goes on
    history = len(followed.history)  # (the old rows' scrollback: it grows below)
    for i in range(history, len(old)):
        y = i - history
        text = old[i]
        if cuts is not None and i == cuts[0]:  # (its start: only that in the scrollback)
            for rest in old[i + 1 : cuts[1]]:
                text = joined_rows(text, rest)
            text = text.rstrip(GAP)
            kept.add(i)
            followed.history.append(cuts[2])
            if since[i] >= 0 and not followed.muted:
                followed.taken.append((since[i], text))
                followed.places.append((born[y] if y < len(born) else 0, followed.scrolls))
        if i not in kept and text.strip():  # into the scrollback, unless cut off
            followed.history.append(text)
            if going is not None:  # (the rest of the line wrapped from the row above)
                start, before = followed.taken[going]
                followed.taken[going] = (start, joined_rows(before, text))
            elif since[i] >= 0 and not followed.muted and not _waited(followed, prompts, y, text):
                followed.taken.append((since[i], text))
                # (where it stood: above the rows of the new screen, the rows pushed
                # told in the order they stood, as taken)
                followed.places.append((born[y] if y < len(born) else 0, followed.scrolls))
                going = len(followed.taken) - 1
            going = going if y < len(followed.wraps) and followed.wraps[y] else None
        else:
            going = None
    del followed.history[: len(followed.history) - HISTORY]
    followed.texts = new
    followed.wraps = [False] * len(new)
    followed._open = None


def _wrapped(followed: Lines, i: int) -> bool:
    """Whether old row i (of the scrollback, then the screen) was wrapped onto the next."""
    y = i - len(followed.history)
    return 0 <= y < len(followed.wraps) and followed.wraps[y]


def _rest_joined(followed: Lines) -> None:
    """The top rows that go on with a line whose start scrolled away (told then, `_open`)
    join it before they are rewrapped: the rewrap brings the start back from the
    scrollback, and the row it makes is that told line (the welcome line of a shell
    narrowed, then widened, was told as far as its first row)."""
    if followed._open is None:
        return
    y = 0
    while y < len(followed.texts) and followed.since[y] >= 0 and followed.texts[y].strip():
        start, before = followed.taken[followed._open]
        followed.taken[followed._open] = (start, joined_rows(before, followed.texts[y]))
        followed.since[y] = -1.0
        if not (y < len(followed.wraps) and followed.wraps[y]):
            break
        y += 1


def _command_within(
    followed: Lines,
    y: int,
    text: str,
    a: int,
    k: int,
    size: int,
    starts: list[int],
    since: list[float],
    leads: dict[int, str],
) -> None:
    """New row y, rewrapped from old rows from `a` on (their pieces from `k`, `size`
    long), starts with a row told before (or none to tell): if a command line typed
    after its prompt starts within it, the row is that command, from its first key,
    told without what stands before it. A line editor that drew a command again after
    a narrowing from a row inside it as the player rewrapped it (fish's `\\e[A` for the
    rows it had drawn, review-exports12 item 1) leaves its cut start above the command
    drawn again on the same line of the terminal; a later resize joins them in a row."""
    history = len(followed.history)
    end = bisect_right(starts, k + size - 1)
    for b in range(a + 1, end):
        lead = leads.get(b - history, "")
        if not lead or since[b] < 0:
            continue
        count, at = starts[b] - k, 0  # (the characters before it, blanks aside)
        while at < len(text) and count > 0:
            count -= text[at] != " "
            at += 1
        while at < len(text) and text[at] == " ":
            at += 1
        if text.startswith(lead, at):
            followed.since[y] = since[b]
            followed.leads[y] = followed.first[y] = text[: at + len(lead)]
            followed.heads[since[b]] = text[:at]
        return


def _find(
    joined: str,
    piece: str,
    at: int,
    right: re.Match[str] | None,
    heads: frozenset[int] | None = None,
) -> tuple[int, int]:
    """Where a row's piece is in the old lines joined, from `at`, and its length; a row
    that ends with a right prompt (`right`) found without it, if not whole. (-1, 0) if
    nowhere, or blank. Where an old row starts (`heads`), if it is found there too."""
    for text in (piece, _piece(right[1]) if right is not None else ""):
        k = joined.find(text, at) if text else -1
        if k >= 0 and heads is not None and k not in heads:
            start = k
            for _ in range(HEAD_TRIES):
                start = joined.find(text, start + 1)
                if start < 0 or start in heads:
                    break
            k = start if start >= 0 and start in heads else k
        if k >= 0:
            return k, len(text)
    return -1, 0


def _followed(joined: str, piece: str, k: int, after: str) -> int:
    """Where the top row's piece, found at k, is followed at once by the next row's: the
    top row may be the end of a line begun in the scrollback, the same as the end of
    another (`-Wall` ending each compiler line, narrowed: review-exports10 item 2). k if
    nowhere else, or the next row is blank."""
    if not after or joined.startswith(after, k + len(piece)):
        return k
    start = k
    for _ in range(HEAD_TRIES):
        start = joined.find(piece, start + 1)
        if start < 0:
            return k
        if joined.startswith(after, start + len(piece)):
            return start
    return k


def _drawn_again(
    y: int,
    k: int,
    at: int,
    new: list[str],
    rights: list[re.Match[str] | None],
    joined: str,
    screen: int,
) -> bool:
    """Whether new row y, the same as an old row on the screen (at `k` in the old lines
    joined), is one the shell drew again after the resize (a two-line prompt's first
    line, drawn over the command rewrapped under it): the next row, a line of its own
    (`AHEAD_CHARS` or more), is found before that old row and not after it
    (review-exports10 item 2: fish's prompt head matched to the next prompt's read the
    command and its output again)."""
    if k < screen or not new[y].strip():
        return False
    ahead = next((z for z in range(y + 1, len(new)) if _piece(new[z])), None)
    if ahead is None or len(_piece(new[ahead])) < AHEAD_CHARS:
        return False
    if not 0 <= _find(joined, _piece(new[ahead]), max(at, screen), rights[ahead])[0] < k:
        return False
    # (the next row found after it too is the line that followed it there, as before: a
    # two-line prompt's first line above the command, the next prompt's under it, moved
    # up whole by a narrowing at the idle prompt, review-exports11 item 4)
    return _find(joined, _piece(new[ahead]), k + len(_piece(new[y])), rights[ahead])[0] < 0


def redrawn_under(followed: Lines, time: float) -> None:
    """The first screen after a resize: a command line being typed that the line editor
    drew again from the row under its rewrapped start (bash's `\\r\\e[K` and the whole
    line on the cursor's row, the continuation the rewrap put it on) leaves that start
    above it, shown, but the same command: told once, from its first key, as drawn
    again (review-exports11 item 4: the command cut at the new width, then whole)."""
    texts, since = followed.texts, followed.since
    for y in range(len(texts) - 1):
        lead = followed.leads.get(y)
        start, below = texts[y].rstrip(), texts[y + 1]
        if not lead or since[y] < 0 or since[y + 1] != time or len(start) <= len(lead):
            continue
        on = y + 1 < len(followed.wraps) and followed.wraps[y + 1]  # (it goes on below)
        if below.startswith(start) and (len(below.rstrip()) > len(start) or on):
            since[y + 1], followed.born[y + 1] = since[y], followed.born[y]
            followed.leads[y + 1] = lead
            followed.first[y + 1] = followed.first[y]
            since[y] = -1.0


def cursor_line(
    cursor: tuple[int, int] | None, wrapped: frozenset[int], height: int
) -> frozenset[int]:
    """The rows of the line the cursor is on (the rows wrapped onto its row, and its
    row): a line still being written or typed, or a prompt waiting."""
    if cursor is None or not 0 <= cursor[1] < height:
        return frozenset()
    y = cursor[1]
    rows = {y}
    while y > 0 and y - 1 in wrapped:
        y -= 1
        rows.add(y)
    return frozenset(rows)


def rewrapped_told(
    followed: Lines,
    rows: tuple[Row, ...],
    wrapped: frozenset[int],
    rewrapped: tuple[Row, ...],
    cursor: tuple[int, int] | None,
) -> None:
    """The first screen after a resize: a row that still shows what the resize left
    there (the player's rewrap of the rows before it, or of its scrollback) is no new
    line, whatever the rewrap made of it (a right prompt's clock on a row of its own,
    a line's end, a CJK line cut where a wide character did not fit): the lines it
    came from were told before the resize (`Lines.take_shown`). But for the cursor's
    line, which goes on (a command being typed, a prompt waiting), and a command row
    the rewrap kept (bash draws the command again under it)."""
    going_on = cursor_line(cursor, wrapped, len(rows))
    for y, row in enumerate(rows[: len(rewrapped)]):
        if y in going_on or y in followed.leads:  # (a command typed: `redrawn_under`)
            continue
        if row == rewrapped[y] and row_text(row).strip():
            followed.since[y] = TAKEN


def _waited(followed: Lines, prompts: dict[int, str], y: int, text: str) -> bool:
    """Whether row y, pushed into the scrollback showing `text`, is a prompt left with
    nothing typed, a right prompt's clock after a gap or not (zsh's `└─▶` with its
    `02:15:41` was told, before the output above it, review-exports17 item 13)."""
    right = _RIGHT.fullmatch(text.rstrip())
    head = right.group(1) if right else text.rstrip()
    return prompts.get(y) in (text.rstrip(), head) or followed.left_prompt(y, head)
