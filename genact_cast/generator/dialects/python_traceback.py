"""An uncaught exception's traceback as CPython 3.12 prints it (Lib/traceback.py,
format_frame_summary; the interpreter's own display follows the same rules): each frame's
`File "...", line N, in f`, its line of code stripped and indented by four, and carets under
the instruction that raised where they do not span the whole line. A call over several lines
is marked to the end of its first; a frozen module (`<frozen runpy>`) has no line to show."""

from __future__ import annotations

from collections.abc import Sequence

from genact_cast.generator.rng import Rng

# (file, line, function, the line's code stripped, the call Python 3.12 marks: "" where it
# spans the whole line, or where the frame shows no code)
Frame = tuple[str, int, str, str, str]


def traceback_lines(frames: Sequence[Frame], exception: str) -> list[str]:
    """`Traceback (most recent call last):`, the frames outermost first, then `exception`."""
    lines = ["Traceback (most recent call last):"]
    for path, number, function, code, marked in frames:
        lines.append(f'  File "{path}", line {number}, in {function}')
        if code:
            lines.append(f"    {code}")
        if marked:
            lines.append(" " * (4 + code.index(marked)) + "^" * len(marked))
    return [*lines, exception]


def interleaved(blocks: Sequence[Sequence[str]], seed: int) -> list[str]:
    """Several processes' tracebacks as one terminal gets them: each process starts as its
    wait returns (within a few ms of the others: they wait on the same step) and writes a
    line at a time (stderr is line-buffered), so the blocks interleave line by line, as
    several workers' tracebacks do in a real log (index:47311687634)."""
    draw = Rng(seed)
    timed: list[tuple[float, int, int, str]] = []
    for worker, block in enumerate(blocks):
        at = draw.uniform(0.0, 3.0)  # ms after the first returns
        for index, text in enumerate(block):
            timed.append((at, worker, index, text))
            at += draw.uniform(0.01, 0.08)  # a line's write
    return [text for *_, text in sorted(timed)]
