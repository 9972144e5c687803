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

from tests.helpers import untee

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
    # (at least: an epoch's end's save starts after the validation that follows its step,
    # and any save after its wait for the write before; never logged before it could end)
    stated(
        "genact: async save written",
        r"\] \[Checkpoint\] Saved step (?P<step>\d+) .* written in {d}s\)$",
        r"\] step +{step} \|",
        equal=False,
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
# Megatron's timers state milliseconds (group `ms`): its evaluation and save between two
# iteration lines (training.py's timers.log at core_v0.14.0).
UNSTAMPED = (
    _duration(r"^  Val Loss: .*\| Eval time: {d}s$"),
    _duration(r"^  Checkpoint saved in {d}s "),
    _duration(r"^  Checkpoint staged in {d}s$"),  # the write goes on in the background
    _duration(r"^  Waiting for the previous checkpoint's write: {d}s$"),
    _duration(r"'eval_runtime': {d},"),
    re.compile(r"^    (?:evaluate|save-checkpoint) \.+: \([\d.]+, (?P<ms>[\d.]+)\)$"),
)
# Megatron: `elapsed time per iteration (ms)` is the interval's time over its iterations
# (training.py training_log: interval-time / log_interval), read against the stamps of two
# iteration lines one log interval apart.
MEGATRON_ITERATION = re.compile(
    r"iteration +(?P<it>\d+)/ *\d+ \|.*elapsed time per iteration \(ms\): (?P<ms>[\d.]+)"
)
# Megatron's setup timers against the `datetime:` lines that bracket what they time
# (training.py pretrain() at the tag): the data iterators are built between the two lines.
MEGATRON_SETUP = (
    (
        "train/valid/test-data-iterators-setup",
        "[after model, optimizer, and learning rate scheduler are built]",
        "[after dataloaders are built]",
    ),
)
# train() starts its interval timer after this marker (training.py:1953 at the tag), in
# each process; the loaded checkpoint's iteration is where its count starts.
TRAINING_STARTS = "[before the start of training step]"
MEGATRON_LOADED = re.compile(r"successfully loaded checkpoint from .* at iteration (?P<it>\d+)")
MEGATRON_TIMER = re.compile(r"^    (?P<name>[\w/-]+) \.+: \((?P<min>[\d.]+), (?P<max>[\d.]+)\)$")
# The Trainer's final metrics (transformers 4.57.1): _inner_training_loop takes start_time
# after logging `***** Running training *****` (trainer.py:2519-2528) and computes
# speed_metrics("train", start_time, ...) right after its `Training completed` log line
# (trainer.py:2810): train_runtime is the time between those two stamps, of this launch
# (a resumed process starts its own). log_metrics then shows it as metrics_format's
# _secs2timedelta: `15 days, 16:18:28.41` (whole seconds, then hundredths, truncated).
TRAIN_RUNTIME = re.compile(r"'train_runtime': (?P<d>\d+(?:\.\d+)?),")
TRAIN_STARTS = "***** Running training *****"
RUNTIME_SHOWN = re.compile(
    r"^  train_runtime +=\s+(?:(?P<days>\d+) days?, )?"
    r"(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d)\.(?P<cs>\d\d)$"
)


@dataclass(frozen=True)
class Stamped:
    index: int
    at: datetime
    resolution: float  # seconds: 1 for whole seconds, 0.001 for milliseconds
    text: str


# transformers' logger writes to stderr past tqdm's bar, so a real log glues the line to
# the bar it interrupts: `...| 9/9 [00:03<00:00, 2.87s/it][INFO|trainer.py:2810] 2026-...`.
GLUED = re.compile(r"\[(?:INFO|WARNING|ERROR|DEBUG)\|[\w./-]+:\d+\] ")


def stamp_of(line: str) -> tuple[datetime, float] | None:
    """The line's own stamp, where it has one in its first 80 characters or just after a
    logging prefix glued to a progress bar."""
    found = STAMP.search(line[:80])
    if found is None:
        glued = GLUED.search(line)
        found = None if glued is None else STAMP.match(line, glued.end())
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
    lines = untee(lines)  # a teed Megatron worker's lines as it printed them
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
    out += _megatron(lines, stamped)
    out += _train_runtime(lines, stamped)
    # Unstamped durations: the sum of those between two stamped lines fits in their gap.
    for before, after in itertools.pairwise(stamped):
        stated_sum, shown = 0.0, []
        for text in lines[before.index + 1 : after.index]:
            for pattern in UNSTAMPED:
                match = pattern.search(text)
                if match is not None:
                    groups = match.groupdict()
                    seconds = float(groups["ms"]) / 1000 if groups.get("ms") else float(groups["d"])
                    stated_sum += seconds
                    shown.append(f"{seconds:g}")
        gap = (after.at - before.at).total_seconds()
        if shown and stated_sum > gap + before.resolution + after.resolution + 0.05 * len(shown):
            out.append(
                f"lines {before.index + 1}-{after.index + 1}: {' + '.join(shown)}s stated "
                f"between stamps {gap:.3f}s apart"
            )
    return out


def trainer_runtime_mismatches(lines: list[str]) -> list[str]:
    """The Trainer's train_runtime alone (`_train_runtime`) against the stamps."""
    stamped = [
        Stamped(index, found[0], found[1], text)
        for index, text in enumerate(lines)
        if (found := stamp_of(text)) is not None
    ]
    return _train_runtime(lines, stamped)


def _train_runtime(lines: list[str], stamped: list[Stamped]) -> list[str]:
    """The Trainer's train_runtime: the gap from this launch's `Running training` to the
    stamp just before the metrics (its `Training completed` line), and the same figure in
    the `***** train metrics *****` block."""
    out: list[str] = []
    runtime: float | None = None
    for index, text in enumerate(lines):
        shown = RUNTIME_SHOWN.search(text)
        if shown is not None and runtime is not None:
            days = int(shown.group("days") or 0)
            whole = ((days * 24 + int(shown.group("h"))) * 60 + int(shown.group("m"))) * 60
            seconds = whole + int(shown.group("s")) + int(shown.group("cs")) / 100
            if not 0 <= runtime - seconds < 0.01 + 1e-6:
                out.append(
                    f"trainer: line {index + 1} shows train_runtime {seconds:.2f}s, but the "
                    f"metrics say {runtime}"
                )
        found = TRAIN_RUNTIME.search(text)
        if found is None:
            continue
        runtime = float(found.group("d"))
        before = [s for s in stamped if s.index < index]
        starts = [s for s in before if TRAIN_STARTS in s.text]
        if not before or not starts:
            out.append(f"trainer: line {index + 1} states train_runtime with no training start")
            continue
        took = (before[-1].at - starts[-1].at).total_seconds()
        slack = before[-1].resolution + starts[-1].resolution + digits(found.group("d")) + 1e-6
        if abs(took - runtime) > slack:
            out.append(
                f"trainer: line {index + 1} says train_runtime {found.group('d')}s, but "
                f"{took:.3f}s passed from line {starts[-1].index + 1} (Running training) to "
                f"line {before[-1].index + 1}"
            )
    return out


def _megatron(lines: list[str], stamped: list[Stamped]) -> list[str]:
    """Megatron's per-iteration time and setup timers against its stamps."""
    out: list[str] = []
    iterations = [
        (found, line)
        for line in stamped
        if (found := MEGATRON_ITERATION.search(line.text)) is not None
    ]
    steps = [
        int(b.group("it")) - int(a.group("it")) for (a, _), (b, _) in itertools.pairwise(iterations)
    ]
    interval = min((d for d in steps if d > 0), default=0)
    out += _megatron_after_launch(lines, iterations)
    for (a, first), (b, second) in itertools.pairwise(iterations):
        if int(b.group("it")) - int(a.group("it")) != interval:
            continue  # lines elided between: the interval timer paused
        if any(text.startswith(TRAINING_STARTS) for text in lines[first.index : second.index]):
            continue  # a relaunch between: its own interval timer (_megatron_after_launch)
        # The interval timer stops for an evaluation or a save (training.py:1655, 2213 at
        # the tag): their timers, printed between the lines, come off the gap; rank 0's own
        # time lies between the min and max across ranks.
        paused = [
            found
            for text in lines[first.index + 1 : second.index]
            if (found := MEGATRON_TIMER.search(text)) is not None
            and found.group("name") in ("evaluate", "save-checkpoint")
        ]
        gap = (second.at - first.at).total_seconds()
        fastest = (gap - sum(float(p.group("max")) for p in paused) / 1000) / interval
        slowest = (gap - sum(float(p.group("min")) for p in paused) / 1000) / interval
        stated = float(b.group("ms")) / 1000
        slack = (first.resolution + second.resolution) / interval + 0.0005
        if not fastest - slack <= stated <= slowest + slack:
            out.append(
                f"megatron: line {second.index + 1} says {b.group('ms')} ms an iteration, but "
                f"{fastest * 1000:.0f}-{slowest * 1000:.0f} ms an iteration passed since line "
                f"{first.index + 1}"
            )
    for name, begin, end in MEGATRON_SETUP:
        # These lines carry their stamp after a long label, past stamp_of's 80 characters;
        # each timer is read against the markers of its own launch (the latest before it).
        marks: dict[str, datetime] = {}
        for index, text in enumerate(lines):
            for label in (begin, end):
                if text.startswith(label) and (found := STAMP.search(text)) is not None:
                    marks[label] = datetime.fromisoformat(" ".join(found.groups()[:2]))
            timer = MEGATRON_TIMER.search(text)
            if timer is None or timer.group("name") != name or len(marks) < 2:
                continue
            gap = (marks[end] - marks[begin]).total_seconds()
            stated = float(timer.group("max")) / 1000
            if abs(gap - stated) > 2.0:  # whole-second stamps at both ends
                out.append(
                    f"megatron: {name} took {stated:.3f}s (line {index + 1}), but the stamps "
                    f"of {begin} and {end} are {gap:.0f}s apart"
                )
    return out


def _megatron_after_launch(
    lines: list[str], iterations: list[tuple[re.Match[str], Stamped]]
) -> list[str]:
    """The first iteration line of each launch against the launch's own interval timer: it
    starts at the `before the start of training step` marker, counting from the iteration
    the launch loaded (0 when it loaded none), not from the previous process's last line."""
    out: list[str] = []
    start: tuple[int, datetime, int] | None = None  # (loaded iteration, stamp, line index)
    loaded = 0
    following = iter(iterations)
    upcoming = next(following, None)
    for index, text in enumerate(lines):
        if (found := MEGATRON_LOADED.search(text)) is not None:
            loaded = int(found.group("it"))
        if text.startswith(TRAINING_STARTS) and (stamp := STAMP.search(text)) is not None:
            start = (loaded, datetime.fromisoformat(" ".join(stamp.groups()[:2])), index)
            loaded = 0
        while upcoming is not None and upcoming[1].index < index:
            upcoming = next(following, None)
        if upcoming is None or upcoming[1].index != index or start is None:
            continue
        match, line = upcoming
        count = int(match.group("it")) - start[0]
        gap = (line.at - start[1]).total_seconds()
        paused = [
            found
            for between in lines[start[2] + 1 : index]
            if (found := MEGATRON_TIMER.search(between)) is not None
            and found.group("name") in ("evaluate", "save-checkpoint")
        ]
        # Whole-second stamps on both ends; saves and evaluations stop the timer.
        fastest = gap - sum(float(p.group("max")) for p in paused) / 1000 - 2.0
        slowest = gap - sum(float(p.group("min")) for p in paused) / 1000 + 2.0
        stated = float(match.group("ms")) / 1000 * count
        if count > 0 and not fastest <= stated <= slowest:
            out.append(
                f"megatron: line {line.index + 1} says {match.group('ms')} ms an iteration over "
                f"{count} since its launch, but {fastest:.0f}-{slowest:.0f} s passed since the "
                "launch's training started"
            )
        start = None
    return out
