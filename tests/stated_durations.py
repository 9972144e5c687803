"""Stated durations against the clock: what a line says something took must be the time
between the lines that mark its start and its end (issue 17).

A log line that reads `Checkpoint saved in 8.0s`, `Finished loading the checkpoint in 5.48
seconds` or `'eval_runtime': 105.2` is read by an engineer against the timestamps around
it. Each rule pairs the line that states a duration with the line that marks the start of
what it measures (the nearest one before it); the two stamps must differ by the stated
duration, up to the stamps' resolution and the digits shown. Where the dialect prints
the duration on an unstamped line (genact's epoch-end block, the Trainer's metrics
dict), the stamped lines around it must leave room for it.

Every dialect's stamps are read: genact's `[2026-01-30 14:23:15]`, torchtitan's and the
Trainer's `2026-01-30 14:23:15,123`, DeepSpeed's `[2026-01-30 14:23:15,123]`, Megatron's
`datetime: 2026-01-30 14:23:15`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime

STAMP = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:[,.](\d{3,6}))?")
NUMBER = r"(?P<d>\d+(?:\.\d+)?)"


@dataclass(frozen=True)
class Rule:
    """`end` states the duration (group `d`, in seconds); `start` marks when it began.
    `start` may name groups of `end` as {name}: the start of *that* step's save."""

    name: str
    end: re.Pattern[str]
    start: str
    equal: bool = True  # the stamps differ by exactly the duration; else by at least it


def stated(name: str, end: str, start: str, *, equal: bool = True) -> Rule:
    """A rule whose `end` pattern has `{d}` where the stated duration stands."""
    return Rule(name, _duration(end), start, equal)


def _duration(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace("{d}", NUMBER))


RULES = (
    # genact's own log
    stated("genact: model loaded", r"\] Loading model: .* in {d}s$", r"\] Building model: "),
    stated(
        "genact: model initialized",
        r"\] Initializing weights from scratch .* in {d}s$",
        r"\] Building model: ",
    ),
    stated(
        "genact: checkpoint reloaded",
        r"\] Loaded checkpoint .* in {d}s$",
        r"\] NCCL communicators re-initialized",
    ),
    stated(
        "genact: async save written",
        r"\] \[Checkpoint\] Saved step (?P<step>\d+) .* written in {d}s\)$",
        r"\] step +{step} \|",
    ),
    # torchtitan v0.2.0 (components/checkpoint.py)
    stated(
        "torchtitan: checkpoint loaded",
        r"Finished loading the checkpoint in {d} seconds\.$",
        r"- Loading the checkpoint from ",
    ),
    stated(
        "torchtitan: checkpoint saved or staged",
        r"Finished saving the checkpoint .*in {d} seconds\.$",
        r"- Saving the checkpoint ",
    ),
    # Any line before it: the collection ran after it.
    stated("torchtitan: GC", r"\[GC\] .* took {d} seconds$", r"", equal=False),
)

# Durations on lines with no stamp of their own: the stamped lines around must leave room.
UNSTAMPED = (
    _duration(r"^  Val Loss: .*\| Eval time: {d}s$"),
    _duration(r"^  Checkpoint saved in {d}s "),
    _duration(r"'eval_runtime': {d},"),
)


@dataclass(frozen=True)
class Stamped:
    index: int
    at: datetime
    resolution: float  # seconds: 1 for whole seconds, 0.001 for milliseconds
    text: str


def stamp_of(line: str) -> tuple[datetime, float] | None:
    """The line's own stamp, where it has one in its first 80 characters."""
    found = STAMP.search(line[:80])
    if found is None:
        return None
    day, clock, fraction = found.groups()
    at = datetime.fromisoformat(f"{day} {clock}")
    if fraction is None:
        return at, 1.0
    return at.replace(microsecond=int(fraction.ljust(6, "0"))), 10.0 ** -len(fraction)


def digits(text: str) -> float:
    """Half a unit of the last digit shown: 7.5 -> 0.05, 5.48 -> 0.005, 12 -> 0.5."""
    return 0.5 * 10.0 ** -(len(text.split(".")[1]) if "." in text else 0)


def mismatches(lines: list[str]) -> list[str]:
    """Every stated duration that the stamps around it contradict."""
    stamped: list[Stamped] = []
    for index, text in enumerate(lines):
        found = stamp_of(text)
        if found is not None:
            stamped.append(Stamped(index, found[0], found[1], text))
    out: list[str] = []
    for position, end in enumerate(stamped):
        for rule in RULES:
            match = rule.end.search(end.text)
            if match is None:
                continue
            stated = float(match.group("d"))
            start_pattern = re.compile(rule.start.format(**match.groupdict()))
            start = next(
                (
                    earlier
                    for earlier in reversed(stamped[:position])
                    if start_pattern.search(earlier.text)
                ),
                None,
            )
            if start is None:
                continue
            took = (end.at - start.at).total_seconds()
            slack = end.resolution + start.resolution + digits(match.group("d")) + 1e-6
            wrong = abs(took - stated) > slack if rule.equal else took < stated - slack
            if wrong:
                out.append(
                    f"{rule.name}: line {end.index + 1} says {match.group('d')}s, but "
                    f"{took:.3f}s passed since line {start.index + 1} "
                    f"({start.text.strip()[:70]!r})"
                )
    # Unstamped durations: the sum of those between two stamped lines fits in their gap.
    for before, after in itertools.pairwise(stamped):
        stated_sum, shown = 0.0, []
        for text in lines[before.index + 1 : after.index]:
            for pattern in UNSTAMPED:
                match = pattern.search(text)
                if match is not None:
                    stated_sum += float(match.group("d"))
                    shown.append(match.group("d"))
        gap = (after.at - before.at).total_seconds()
        if shown and stated_sum > gap + before.resolution + after.resolution + 0.05 * len(shown):
            out.append(
                f"lines {before.index + 1}-{after.index + 1}: {' + '.join(shown)}s stated "
                f"between stamps {gap:.3f}s apart"
            )
    return out
