"""torch 2.9's dump on a watchdog timeout, which every dialect on that release prints.

TORCH_NCCL_DUMP_ON_TIMEOUT is on by default, so whether or not the flight recorder records
(TORCH_NCCL_TRACE_BUFFER_SIZE; torchtitan sets it, the Trainer and DeepSpeed leave it 0), a
timed-out rank's watchdog signals the dump after its "Stack trace of the failed collective"
line (:730): "First PG on this rank to signal dumping." (ProcessGroupNCCL.cpp:2573), the
default group's monitor thread takes it ("Received a dump signal ... from this local rank",
:1858) and dumps ("ProcessGroupNCCL preparing to dump debug info. Include stack trace: 1",
:1575), and the watchdog waits a minute for the dump before it takes the process down (the
inconsistency and take-down lines and the exception a minute after the timeout). Those line
numbers and the minute are those of real torch 2.9 logs, both with the flight recorder off
(tests/data/real_logs/torch29_fr_dump.txt; find_string index:68430319905, 2026-08-10:
:730 "FlightRecorder is disabled", then :2573, the dump lines, and the take-down
at 03:05:11 after the timeout at 03:04:11).

The signal names the group that timed out; the monitor thread is the default group's, and
names it with its own counts (a Megatron-LM run's tensor group times out, then "[PG ID 0 PG
GUID 0(default_pg) Rank 8] Received a dump signal ... Last enqueued NCCL work: 62, last
completed NCCL work: 62": index:25274203782, torch29_fr_dump.txt): `default_works` gives
those counts where the timed-out group is another than the default one.
"""

from __future__ import annotations

import bisect
import functools
import re
from datetime import datetime, timedelta

from genact_cast.generator.plan_failures import DUMP_WAIT_SECONDS as DUMP_WAIT_SECONDS
from genact_cast.generator.rng import Rng

FIRST_PG = 2573
SIGNAL = 1858
PREPARING = 1575

# The patterns are compiled at their first use (re's cache), in a failure's lines alone: a
# run without one imports this module with every dialect, and their compiling was most of
# its import (4.5M instructions, callgrind).
_STAMP = r"\[E(\d{1,2})(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{9}) ProcessGroupNCCL\.cpp:(\d+)\]"
_STATUS = (
    r"\] (\[PG ID .*? Rank \d+\])  failure detected by watchdog at work sequence id: \d+ "
    r"PG status: last enqueued work: (\d+), last completed work: (\d+)"
)
# The lines the watchdog writes as it finds the timeout, before the dump's minute.
_AT_TIMEOUT = {"683", "2241", "730"}
_LIKELY = (
    "This is most likely caused by incorrect usages of collectives, e.g., wrong sizes used "
    "across ranks, the order of collectives is not same for all ranks or the scheduled "
    "collective, for some reason, didn't run. Additionally, this can be caused by GIL deadlock "
    "or other reasons such as network errors or bugs in the communications library (e.g. "
    "NCCL), etc. "
)
_RANK = r"\[rank(\d+)\]:"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """`pattern` compiled at its first use, as re.search would (not at import): a dump of a
    thousand ranks matches these a million times, where re.search's own cache lookup cost
    more than the match (seed 51004's Megatron cast)."""
    return re.compile(pattern)


def _parse(year: int, found: re.Match[str]) -> tuple[datetime, int]:
    month, day, hour, minute, second = (int(found[i]) for i in range(1, 6))
    return datetime(year, month, day, hour, minute, second), int(found[6])


def _stamp(moment: datetime, nanos: int) -> str:
    """c10's stamp (month unpadded) at `moment` plus `nanos` nanoseconds."""
    moment += timedelta(microseconds=nanos // 1000)
    fraction = f"{moment.microsecond:06d}{nanos % 1000:03d}"
    return f"E{moment.month}{moment.day:02d} {moment:%H:%M:%S}.{fraction}"


def _line(prefix: str, moment: datetime, nanos: int, source_line: int, message: str) -> str:
    return f"{prefix}[{_stamp(moment, nanos)} ProcessGroupNCCL.cpp:{source_line}] {message}"


def with_dump(
    lines: list[str],
    year: int,
    draw: float,
    default_works: int | None = None,
    *,
    monitor_ns: int | None = None,
    signals: bool = True,
) -> list[list[str]]:
    """`lines`: torch 2.9's watchdog lines and the agent's, written `DUMP_WAIT_SECONDS` after
    the timeout; for each, the lines it becomes: the timeout's own go back to when the
    watchdog found it, and the dump's follow the flight recorder's. `draw` (0-1) places the
    monitor thread's wake-up after the signal. `default_works`: the default group's last
    enqueued and completed work, where the timeout was on another group (None: on it).
    `monitor_ns`: when the monitor thread wakes, in nanoseconds from the second of the
    flight recorder's line (None: drawn); `signals` False: the rank's monitor had already
    taken another rank's signal from the store, so its watchdog signals nothing."""
    result: list[list[str]] = []
    status: re.Match[str] | None = None
    stamp = _compiled(_STAMP)  # once, not at each of a rank's lines
    for text in lines:
        out: list[str] = []
        result.append(out)
        found = stamp.search(text)
        if found is None or found[7] not in _AT_TIMEOUT:
            out.append(text)
            continue
        moment, nanos = _parse(year, found)
        moment -= timedelta(seconds=DUMP_WAIT_SECONDS)
        prefix, rest = text[: found.start()], text[found.end() :]
        text = _line(prefix, moment, nanos, int(found[7]), "")[:-1] + rest
        out.append(text)
        status = _compiled(_STATUS).search(text) or status
        if found[7] != "730" or status is None or not signals:
            continue
        group, enqueued, completed = status[1], status[2], status[3]
        monitor_group = group
        rank = _compiled(_RANK).search(prefix)
        if default_works is not None and rank is not None:
            monitor_group = f"[PG ID 0 PG GUID 0(default_pg) Rank {rank[1]}]"
            enqueued = completed = str(default_works)
        # The same thread signals at once; the monitor thread wakes within its poll.
        nanos += 18_000 + int(draw * 9_000)
        monitor = nanos + 40_000_000 + int(draw * 800_000_000)
        if monitor_ns is not None:
            monitor = monitor_ns
        out += [
            _line(
                prefix, moment, nanos, FIRST_PG, f"{group} First PG on this rank to signal dumping."
            ),
            _line(
                prefix,
                moment,
                monitor,
                SIGNAL,
                f"{monitor_group} Received a dump signal due to a collective timeout from this "
                f"local rank and we will try our best to dump the debug info. Last enqueued NCCL "
                f"work: {enqueued}, last completed NCCL work: {completed}.{_LIKELY}",
            ),
            _line(
                prefix,
                moment,
                monitor + 280_000,
                PREPARING,
                f"{monitor_group} ProcessGroupNCCL preparing to dump debug info. "
                "Include stack trace: 1",
            ),
        ]
    return result


def node_with_dump(
    lines: list[str], year: int, draw: Rng, default_works: int | None = None
) -> tuple[list[str], list[str]]:
    """`lines`: several ranks' watchdog lines, one rank's after another (each from its
    `:683` line), written `DUMP_WAIT_SECONDS` after the timeout, and whatever follows them;
    the lines each rank writes at the timeout (its dump's too), then those written a minute
    later, each part in the ranks' order. `draw` places each rank's monitor thread;
    `default_works` as with_dump's."""
    early: list[str] = []
    late: list[str] = []
    blocks: list[list[str]] = []
    for text in lines:
        if not blocks or "ProcessGroupNCCL.cpp:683]" in text:
            blocks.append([])
        blocks[-1].append(text)
    stamp = _compiled(_STAMP)
    for block in blocks:
        for text, becomes in zip(
            block, with_dump(block, year, draw.random(), default_works), strict=True
        ):
            found = stamp.search(text)
            (early if found is not None and found[7] in _AT_TIMEOUT else late).extend(becomes)
    return in_time_order(early), in_time_order(late)


# A c10 record's first line: its stamp, after torch's `[rankN]:` (and a launcher's tag).
_RECORD = r"(?:\[rank\d+\]:)*\[[EWI](\d{1,2})(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{9}) "


def in_time_order(lines: list[str]) -> list[str]:
    """Several ranks' c10 records (a stamped line and the unstamped lines written with it:
    its `Exception raised from`, `frame #` and `terminate called` lines) as one node's
    stderr carries them: c10 writes each record as it is made, so the ranks' records
    interleave in time, not rank after rank (review-mg9 fault 4). Records at one time
    keep their order; lines before the first record stay first."""
    # A record's time within the year as its month and the rest of its stamp (day, time and
    # nanoseconds, each of fixed width), which sort as text as their numbers do: the order
    # of their datetimes, without one made for each of a dump's thousands of records.
    records: list[tuple[tuple[int, str], int, list[str]]] = []
    record = _compiled(_RECORD)  # once, not at each of the node's lines
    for text in lines:
        found = record.match(text)
        if found is not None:
            when = (int(found[1]), text[found.start(2) : found.end(6)])
            records.append((when, len(records), [text]))
        elif records:
            records[-1][2].append(text)
        else:
            records.append(((0, ""), 0, [text]))
    records.sort(key=lambda record: (record[0], record[1]))
    return [text for _, _, texts in records for text in texts]


STORE = 1794  # the monitor thread takes another rank's signal from the TCPStore
_EPOCH = datetime(1970, 1, 1)
_SECOND = 1_000_000_000
MONITOR_POLL_NS = _SECOND  # TORCH_NCCL_COORD_CHECK_MILSEC's default, the monitor's poll


def _ns(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _SECOND + delta.microseconds * 1000


def _signal_at(block: list[str], year: int, draw: float) -> tuple[int, int, int] | None:
    """(when the block's watchdog signals the dump, in ns since the epoch; its rank; the
    second of its flight recorder's line, in ns since the epoch)."""
    for text in block:
        found = _compiled(_STAMP).search(text)
        rank = _compiled(_RANK).search(text)
        if found is not None and found[7] == "730" and rank is not None:
            moment, nanos = _parse(year, found)
            moment -= timedelta(seconds=DUMP_WAIT_SECONDS)
            base = _ns(moment)
            return base + nanos + 18_000 + int(draw * 9_000), int(rank[1]), base
    return None


def ranks_with_dump(
    lines: list[str], year: int, draw: Rng, default_works: int
) -> tuple[list[str], list[str]]:
    """node_with_dump's for the ranks of a whole job whose collective hung on a group other
    than the default one (`default_works`: the default group's counts). Each rank's monitor
    thread polls every second; one that wakes after another rank signalled the dump (its key
    in the TCPStore, the latest signaller's rank) but before its own watchdog did takes the
    signal from the store ("Observed flight recorder dump signal from another rank via
    TCPStore.", :1794; "... from  rank 1 ...", :1858: index:68430319905, index:25274203782),
    and its own watchdog then signals nothing."""
    blocks: list[list[str]] = []
    for text in lines:
        if not blocks or "ProcessGroupNCCL.cpp:683]" in text:
            blocks.append([])
        blocks[-1].append(text)
    draws = [(draw.random(), draw.random()) for _ in blocks]
    signal = [_signal_at(block, year, d) for block, (d, _) in zip(blocks, draws, strict=True)]
    times = sorted(found for found in signal if found is not None)
    signalled = [at for at, _, _ in times]
    early: list[str] = []
    late: list[str] = []
    stamp = _compiled(_STAMP)  # once, not at each of the job's lines
    for block, (d, phase), own in zip(blocks, draws, signal, strict=True):
        if own is None or not times:
            becomes = with_dump(block, year, d, default_works)
        else:
            wake = times[0][0] + int(phase * MONITOR_POLL_NS)
            # how many ranks had signalled by then (`times` is in time order); the store
            # holds the latest one's rank
            taken = bisect.bisect_right(signalled, wake)
            if wake < own[0] and taken:
                latest = times[taken - 1][1]
                becomes = with_dump(block, year, d, default_works, signals=False)
                group = f"[PG ID 0 PG GUID 0(default_pg) Rank {own[1]}]"
                moment = _EPOCH + timedelta(seconds=wake // _SECOND)
                prefix = f"[rank{own[1]}]:"
                early += [
                    _line(
                        prefix,
                        moment,
                        wake % _SECOND,
                        STORE,
                        f"{group} Observed flight recorder dump signal from another rank via "
                        "TCPStore.",
                    ),
                    _line(
                        prefix,
                        moment,
                        wake % _SECOND + 130_000 + int(d * 120_000),
                        SIGNAL,
                        f"{group} Received a dump signal due to a collective timeout from  rank "
                        f"{latest} and we will try our best to dump the debug info. Last "
                        f"enqueued NCCL work: {default_works}, last completed NCCL work: "
                        f"{default_works}.{_LIKELY}",
                    ),
                    _line(
                        prefix,
                        moment,
                        wake % _SECOND + 410_000 + int(d * 120_000),
                        PREPARING,
                        f"{group} ProcessGroupNCCL preparing to dump debug info. "
                        "Include stack trace: 1",
                    ),
                ]
            else:
                becomes = with_dump(
                    block, year, d, default_works, monitor_ns=max(wake, own[0] + 40_000) - own[2]
                )
        for text, lines_of in zip(block, becomes, strict=True):
            found = stamp.search(text)
            (early if found is not None and found[7] in _AT_TIMEOUT else late).extend(lines_of)
    return in_time_order(early), in_time_order(late)
