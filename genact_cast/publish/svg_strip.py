"""The SVG's frames on one strip, and its animation.

Each distinct row is stored once (a leaf: `<text id>`, or a `<g>` with its backgrounds and
shapes); rows that move together from frame to frame (a log scrolling, a screen that only
changes at the bottom) are grouped into blocks, stored once and placed with one `<use>` for
as long as they stay; each frame is its own clipping viewport, so a block can keep going
while its top rows scroll out of sight. A single `@keyframes` steps the strip through the
frames.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from genact_cast.asciicast import Theme
from genact_cast.publish import svg_frames
from genact_cast.publish.screens import LimitError
from genact_cast.publish.svg_frames import Frame, Line
from genact_cast.publish.svg_lines import LineMarkup
from genact_cast.publish.svg_units import BASELINE, LINE_HEIGHT, number, short_id

LAST_FRAME_SECONDS = 3.0
MAX_SVG_BYTES = 64 * 1024 * 1024  # of UTF-8: box drawing and CJK take 3 bytes a character


def animation(times: Sequence[float], screen_h: int, loop: bool) -> list[str]:
    """The strip stepped through the frames shown at `times` (seconds)."""
    total = times[-1] + LAST_FRAME_SECONDS
    steps = "".join(
        f"{number(time / total * 100, 4)}%{{transform:translateY(-{i * screen_h}px)}}"
        for i, time in enumerate(times)
    )
    last = (len(times) - 1) * screen_h
    repeat = "infinite" if loop else "1 forwards"
    return [
        f"#strip{{animation:play {total:.3f}s steps(1,end) {repeat}}}",
        f"@keyframes play{{{steps}100%{{transform:translateY(-{last}px)}}}}",
        f"@media (prefers-reduced-motion:reduce){{#strip{{animation:none;"
        f"transform:translateY(-{last}px)}}}}",
    ]


BLINK_SECONDS = 0.6  # the player's setInterval(toggleBlink, 600), from when play starts
MAX_BLINKS = 1000  # toggles written (10 minutes); past them blinking text stays shown


def blink_animation(classes: list[str], times: Sequence[float], loop: bool) -> list[str]:
    """SGR 5 text as asciinema-player 3.18 shows it while it plays: shown for 0.6 s, hidden
    for 0.6 s, counted from play start (the animation's start, again at each loop), and
    shown steadily once the cast has ended (the held last frame), as when it is paused."""
    end = times[-1]
    total = end + LAST_FRAME_SECONDS
    steps = ["0%{visibility:visible}"]
    toggle = 1
    while toggle * BLINK_SECONDS < end and toggle <= MAX_BLINKS:
        state = "hidden" if toggle % 2 else "visible"
        steps.append(f"{number(toggle * BLINK_SECONDS / total * 100, 4)}%{{visibility:{state}}}")
        toggle += 1
    if toggle % 2 == 0:  # hidden when the cast ends: shown from there on
        steps.append(f"{number(min(end, toggle * BLINK_SECONDS) / total * 100, 4)}%"
                     "{visibility:visible}")  # fmt: skip
    repeat = "infinite" if loop else "1"
    selector = ",".join(f".{name}" for name in classes)
    return [
        f"{selector}{{animation:blink {total:.3f}s steps(1,end) {repeat}}}",
        f"@keyframes blink{{{''.join(steps)}}}",
        f"@media (prefers-reduced-motion:reduce){{{selector}{{animation:none}}}}",
    ]


@dataclass(eq=False, slots=True)
class _Node:
    """A line (a leaf) or a block of nodes, stored once in <defs> and placed by <use>.

    `rows` maps a row offset (from where the node is placed) to the number of the leaf
    drawn there; rows not in it are drawn by nothing (other nodes may draw them).
    """

    ident: str
    rows: dict[int, int]
    leaf: bool
    depth: int = 0
    top: int = field(init=False)
    bottom: int = field(init=False)

    def __post_init__(self) -> None:
        self.top = min(self.rows)
        self.bottom = max(self.rows)

    def fits(self, screen: Sequence[int], y: int) -> bool:
        """Whether placed at row `y` it draws exactly what `screen` shows where it draws."""
        visible = False
        rows = self.rows
        for row in range(max(0, y + self.top), min(len(screen), y + self.bottom + 1)):
            line = rows.get(row - y)
            if line is not None:
                if screen[row] != line:
                    return False
                visible = True
        return visible

    def drawn(self, y: int, count: int) -> list[int]:
        """The screen rows it draws when placed at `y` on a screen of `count` rows."""
        return [y + offset for offset in self.rows if 0 <= y + offset < count]


Placement = tuple[_Node, int]
# A leaf's shapes or joins at least this long are shared (`Document._shared`): their id
# and a <use> of them cost about 30 bytes.
SHARED_LENGTH = 70
MAX_DEPTH = 4  # blocks within blocks: bounds the work of a browser drawing a frame


class Document:
    """Lines and blocks of one SVG, with the ids they were given; each definition goes to
    `define` as it is made (the caller spools them: memory stays one frame and the
    tables that share lines, whatever the cast's length, review-attack12 F6)."""

    def __init__(self, theme: Theme, define: Callable[[str], object]) -> None:
        self.markup = LineMarkup(theme)
        self._define_text = define
        # Lines already numbered: a cache (a line not found is drawn again and found among
        # the bodies), cleared past CACHED_CELLS so a wide cast's lines are not all held.
        self.lines: dict[Line, int] = {}
        self._cached = 0
        # Every leaf's body by its digest, not its text: the text is in the spooled
        # definitions already; held here it took most of the memory (review-attack12 F6).
        self.bodies: dict[bytes, int] = {}
        self.leaves: list[_Node] = []
        # Shapes and joins met before, by digest: "" once, then the id they were drawn
        # with the second time (`_shared`).
        self.shared: dict[bytes, str] = {}
        self.size = 0
        self._ids = 0

    def _new_id(self) -> str:
        ident = short_id(self._ids)
        self._ids += 1
        # (`#strip` names the strip in the CSS, and matches "Strip" too in quirks mode)
        return self._new_id() if ident.lower() == "strip" else ident

    def count(self, text: str) -> None:
        """`text` written besides the definitions and the strip, counted to the limit."""
        self._count(text)

    def _count(self, text: str) -> str:
        # Bytes, as the file is written (review-attack13 F3: a 1000x200 dashboard of box
        # drawing wrote 70.9 MB while its 67.1 M characters passed the limit).
        self.size += len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        if self.size > MAX_SVG_BYTES:
            raise LimitError(
                f"the SVG would be over {MAX_SVG_BYTES // 1024 // 1024} MB; "
                "cut the cast or lower --fps-cap"
            )
        return text

    def _define(self, text: str) -> None:
        self._define_text(self._count(text))

    def line_number(self, line: Line) -> int:
        """The leaf drawing `line`; lines that draw alike (trailing spaces) share one."""
        number = self.lines.get(line)
        if number is None:
            rects, spans, cut = self.markup.parts(line)
            body = _digest(rects, spans)
            number = self.bodies.get(body)
            if number is None:
                number = self.bodies[body] = len(self.leaves)
                node = _Node(self._new_id(), {0: number}, leaf=True)
                self.leaves.append(node)
                text = self._cut(spans, cut) if cut else None
                if rects or text:
                    under = self._shared(rects) if rects else ""
                    text = text or f"<text>{spans}</text>"
                    self._define(f'<g id="{node.ident}">{under}{text}</g>')
                else:
                    self._define(f'<text id="{node.ident}">{spans}</text>')
            self._cached += 1 + sum(len(text) for text, _ in line)
            if self._cached > svg_frames.CACHED_CELLS:
                self.lines.clear()
                self._cached = 0
            self.lines[line] = number
        return number

    def _shared(self, markup: str) -> str:
        """A line's shapes (its backgrounds and the shapes under its text) drawn in place
        the first time they are met, given an id in place the second, and from the third
        on drawn by a <use> of that: the rows of a dashboard's pane draw the same bars
        beside different text (at 120x36, 815 leaves drew the same two bars: 273 KB of
        1,269). Sooner, or shorter ones, would cost more than they save (a cursor's block
        met twice)."""
        if len(markup) < SHARED_LENGTH:
            return markup
        key = _key(markup)
        met = self.shared.get(key)
        if met is None:
            self.shared[key] = ""  # (met once)
            return markup
        if not met:
            ident = self.shared[key] = self._new_id()
            return f'<g id="{ident}">{markup}</g>'
        return f'<use href="#{met}"/>'

    def _cut(self, spans: str, cut: int) -> str | None:
        """A line's text as two <text> cut where `LineMarkup.parts` says they draw it
        alike, once either part has been met before (a chart's rows beside a changing
        pane): a part met for the second time is given an id in place, and from the
        third on drawn by a <use> of it (at 120x36 the dashboard's 657 rows that may be
        cut hold 213 distinct charts' parts). None (not cut) while both are new, or
        short: the cut costs more than it saves."""
        parts = (f"<text>{spans[:cut]}</text>", f"<text>{spans[cut:]}</text>")
        keys = [_key(part) if len(part) >= SHARED_LENGTH else None for part in parts]
        met = [key is not None and key in self.shared for key in keys]
        for key in keys:
            if key is not None and key not in self.shared:
                self.shared[key] = ""  # (met once)
        if not any(met):
            return None
        drawn = []
        for part, key, before in zip(parts, keys, met, strict=True):
            if key is None or not before:
                drawn.append(part)
            elif not self.shared[key]:
                ident = self.shared[key] = self._new_id()
                drawn.append(f'<text id="{ident}">{part[6:]}')
            else:
                drawn.append(f'<use href="#{self.shared[key]}"/>')
        return "".join(drawn)

    def screen(self, frame: Frame) -> list[int]:
        """The frame's rows as the numbers of their leaves (-1 for an empty row); every
        line not seen before is defined now, so all leaves come before the blocks."""
        return [self.line_number(line) if line else -1 for line in frame.lines]

    def strip(
        self, screens: Iterable[list[int]], rows: int, write: Callable[[str], object]
    ) -> None:
        """Every frame (`screens`, in order, as `screen` numbered them) as its own viewport,
        placing nodes, written to `write`; new blocks go to the definitions. Each frame is
        compared with the one before and the one after: three are held at a time."""
        # Every frame as the viewport shows it: the cast's rows (after a resize, rows past
        # them are clipped and missing rows are blank).
        blank = [-1] * rows
        ahead = iter(screens)
        first = next(ahead, None)
        screen = None if first is None else (first[:rows] + blank)[:rows]
        previous: list[int] | None = None
        active: list[Placement] = []
        index = 0
        while screen is not None:
            upcoming = next(ahead, None)
            following = None if upcoming is None else (upcoming[:rows] + blank)[:rows]
            shifts = _shifts(previous, screen) if previous is not None else [0]
            placed = self._carry(active, screen, shifts)
            if following is not None:
                placed = self._group(placed, len(screen), following, _shifts(screen, following))
            active = placed
            uses = "".join(_use(node, y) for node, y in sorted(placed, key=lambda p: p[1]))
            # A viewport of its own (as tall as the screen's, 100%) clips what scrolled away.
            write(self._count(f'<svg y="{index * rows * LINE_HEIGHT}">{uses}</svg>'))
            previous, screen = screen, following
            index += 1

    def _carry(
        self, active: list[Placement], screen: list[int], shifts: list[int]
    ) -> list[Placement]:
        """The previous frame's placements that still fit (moved by a scroll), then the rest."""
        covered = [False] * len(screen)
        placed: list[Placement] = []
        for node, y in active:
            for shift in shifts:
                moved = y - shift
                if node.fits(screen, moved):
                    drawn = node.drawn(moved, len(screen))
                    if not any(covered[row] for row in drawn):
                        for row in drawn:
                            covered[row] = True
                        placed.append((node, moved))
                    break
        for row, line in enumerate(screen):
            if line >= 0 and not covered[row]:
                placed.append((self.leaves[line], row))
        return placed

    def _group(
        self, placed: list[Placement], rows: int, following: list[int], shifts: list[int]
    ) -> list[Placement]:
        """Neighbouring placements that will move together into the next frame become a block."""
        moves: list[tuple[int, int | None, Placement]] = []
        for node, y in placed:
            top = min(node.drawn(y, rows))
            shift = next((s for s in shifts if node.fits(following, y - s)), None)
            moves.append((top, shift, (node, y)))
        moves.sort(key=lambda m: m[0])
        result: list[Placement] = []
        run: list[tuple[int, int | None, Placement]] = []

        def close() -> None:
            if len(run) >= 2 and run[0][1] is not None:
                result.append(self._block([m[2] for m in run]))
            else:
                result.extend(m[2] for m in run)
            run.clear()

        for move in moves:
            if run and (move[1] != run[-1][1] or move[1] is None):
                close()
            run.append(move)
        close()
        return result

    def _block(self, members: list[Placement]) -> Placement:
        """One block for `members`; its top row is the first member's top drawn row."""
        parts: list[Placement] = []
        for node, y in members:
            if not node.leaf and (node.depth >= MAX_DEPTH or _mostly_hidden(node, y)):
                parts.extend(
                    (self.leaves[line], y + offset)
                    for offset, line in node.rows.items()
                    if y + offset >= 0
                )
            else:
                parts.append((node, y))
        origin = min(y for _, y in parts)
        content: dict[int, int] = {}
        for node, y in parts:
            for offset, line in node.rows.items():
                content[y - origin + offset] = line
        block = _Node(self._new_id(), content, leaf=False, depth=1 + max(n.depth for n, _ in parts))
        uses = "".join(_use(node, y - origin) for node, y in parts)
        self._define(f'<g id="{block.ident}">{uses}</g>')
        return block, origin


def _digest(rects: str, spans: str) -> bytes:
    """A leaf's body told apart from every other (128 bits: no two bodies of one SVG
    share it in practice), in 16 bytes whatever its length."""
    digest = hashlib.blake2b(rects.encode("utf-8", "surrogatepass"), digest_size=16)
    digest.update(b"\0")
    digest.update(spans.encode("utf-8", "surrogatepass"))
    return digest.digest()


def _key(markup: str) -> bytes:
    """Shapes or a text part told apart from every other (as `_digest`)."""
    return hashlib.blake2b(markup.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _mostly_hidden(node: _Node, y: int) -> bool:
    """Whether most of a block's rows are scrolled out of sight (then its lines are reused)."""
    above = sum(1 for offset in node.rows if y + offset < 0)
    return above > len(node.rows) - above


def _use(node: _Node, y: int) -> str:
    offset = y * LINE_HEIGHT + (BASELINE if node.leaf else 0)
    position = f' y="{offset}"' if offset else ""
    return f'<use href="#{node.ident}"{position}/>'


def _shifts(before: list[int], after: list[int]) -> list[int]:
    """Row shifts to try when carrying placements over: the scroll most rows agree on, and 0."""
    where: dict[int, list[int]] = {}
    for row, line in enumerate(before):
        if line >= 0:
            where.setdefault(line, []).append(row)
    votes: dict[int, int] = {}
    for row, line in enumerate(after):
        for old in where.get(line, ()):
            if old > row:
                votes[old - row] = votes.get(old - row, 0) + 1
    best = max(votes, key=lambda s: (votes[s], -s), default=None)
    return [0] if best is None else [0, best]
