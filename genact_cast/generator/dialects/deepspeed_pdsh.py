"""DeepSpeed v0.17.5 over pdsh: what every part of the DeepSpeed log shares (the run's
facts, the clock, the launch attempt, where checkpoints go) and who prints. On several nodes
the launcher runs each node through pdsh, which prefixes every line of that node with its
host name (`hgx-003: `); the nodes' lines arrive interleaved. Lines every process logs (the
accelerator, `cdb=None`, the config's world size) come once per rank.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from genact_cast.generator.dialects.base import (
    UNSTAMPED,
    Clock,
    Incidentals,
    Line,
    Out,
)
from genact_cast.generator.dialects.common import clock_second
from genact_cast.generator.dialects.deepspeed_lines import (
    stamp,
)
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.rng import Rng

_MILLIS = tuple(f",{ms:03d}" for ms in range(1000))  # a stamp's milliseconds, made once


class Pdsh:
    """The state the launcher, engine and export parts of the log share, and pdsh's merge."""

    facts: Facts
    clock: Clock
    incidentals: Incidentals
    attempt: int
    save: str
    resume_step: int
    cols: int
    interval: int
    config: dict[str, Any]
    hosts: list[str]
    _tags: list[str]
    _arrival: list[int]  # the nodes in the order their near-simultaneous lines arrive
    # Past rank_logs.RANK_LOG_NODES nodes the job runs under srun + torchrun with each
    # node's local rank 0 on the console (deepspeed_srun), not under the DeepSpeed launcher.
    srun = False

    def _tag(self, node: int) -> str:
        return self._tags[node]

    def _at(self, t: float) -> datetime:
        return self.facts.moment(self.clock.at(t))

    def _merge(
        self,
        t: float,
        per_node: list[list[tuple[str, str]]],
        salt: int,
        level: str | None = None,
    ) -> list[Out]:
        """Every node's (where, message) records from `t` on, each node's in its own order,
        merged as pdsh delivers them: by the time each was written, a few ms apart."""
        rng = Rng(self.facts.seed * 1009 + salt * 31 + self.attempt)
        start = self.clock.at(t)
        # Whole milliseconds after `start`, which is stamped once: the thousands of records
        # of a large launch cost a datetime each otherwise.
        base = self.facts.moment(start)
        base_ms = base.microsecond // 1000
        # Each node starts a little apart and writes a record every 0.5-4 ms (a cycle of 16
        # drawn gaps: a launch on many nodes is tens of thousands of records).
        gaps = [rng.uniform(0.5, 4.0) for _ in range(16)]
        # One int a record, (ms after start, node, index) packed to sort as the tuple would:
        # sorting tens of thousands of ints is several times faster than of tuples.
        keyed: list[int] = []
        for node, records in enumerate(per_node):
            when = rng.uniform(0.0, 50.0) * (node > 0)
            shift = rng.integer(0, 15)
            for index in range(len(records)):
                when += gaps[(index + shift) & 15]
                keyed.append((int(when) << 40) | (node << 20) | index)
        keyed.sort()
        # Per second, the stamp's text and its second on the log's clock; per record, pdsh's
        # tag and what follows the milliseconds (the records of a node repeat across nodes:
        # one string each).
        seconds: dict[int, tuple[str, float]] = {}
        tails: dict[tuple[str, str], str] = {}
        shown_level = level
        millis = _MILLIS
        # One Line a second of stamps, its time handed on (Line.at); where a record of its
        # own words (no `where`) falls in, the log's clock reads that second's lines instead.
        lines: list[Out] = []
        out: list[str] = []
        append = out.append
        at: float | None = None
        tags = self._tags
        low = (1 << 20) - 1
        for key in keyed:
            node = (key >> 20) & low
            record = per_node[node][key & low]
            where = record[0]
            if not where:
                append(tags[node])
                append(record[1] + "\r\n")
                at = None
                continue
            total = base_ms + (key >> 40)
            second = total // 1000
            found = seconds.get(second)
            if found is None:
                moment = base + timedelta(seconds=second)
                found = seconds[second] = ("[" + stamp(moment)[:-4], clock_second(moment))
            head, now = found
            if out and now != at:
                lines.append(Line("".join(out)[:-2], at))
                out.clear()
            at = now if not out else at
            tail = tails.get(record)
            if tail is None:
                shown = shown_level or "INFO"
                tail = tails[record] = f"] [{shown}] [{where}] {record[1]}\r\n"
            # The line's head and its tail (shared by every node's record, and some are the
            # whole host list long) go into the one join apart: no copy of the tail a line.
            append(tags[node] + head + millis[total % 1000])
            append(tail)
        if not keyed:
            return []
        self.clock.at(start + (keyed[-1] >> 40) / 1000)
        # A write a second for the burst: the terminal sees the same lines, the tape a few
        # items (a launch on many nodes is tens of thousands of lines).
        lines.append(Line("".join(out)[:-2], at))  # every line ends with its break
        return lines

    def _every_node(self, text: str, salt: int) -> list[Out]:
        """One unstamped line that every node prints at about the same moment (each node's
        local rank 0), under each node's prefix in the order pdsh receives them: a shuffled
        order of the nodes, entered at a drawn place (hundreds of these a run, on hundreds
        of nodes: one draw each, not one a node)."""
        tags = self._tags
        return [Line("\r\n".join([tags[node] + text for node in self._order(salt)]), UNSTAMPED)]

    def _order(self, salt: int) -> list[int]:
        """The nodes in the order pdsh receives their near-simultaneous lines."""
        tags = self._tags
        if len(self._arrival) != len(tags):
            rng = Rng(self.facts.seed * 1013 + self.attempt)
            keys = [rng.random() for _ in tags]
            self._arrival = sorted(range(len(tags)), key=keys.__getitem__)
        first = _first(self.facts.seed * 1009 + salt * 31 + self.attempt, len(tags))
        return self._arrival[first:] + self._arrival[:first]

    def _per_rank(self, where: str, message: str) -> list[list[tuple[str, str]]]:
        """A record every process logs: eight per node (one under srun + torchrun, whose
        console shows each node's local rank 0 alone: deepspeed_srun)."""
        shown = 1 if self.srun else 8
        return [[(where, message)] * shown for _ in range(self.facts.nodes)]

    def _pids(self, node: int) -> list[int]:
        """The eight training processes of a node: node 0's are the incidentals' draws, the
        others' their own."""
        if node == 0:
            return list(self.incidentals.worker_pids)
        rng = Rng(self.facts.seed * 7919 + node * 131 + self.attempt)
        base = rng.integer(20_000, 3_000_000)
        return [base + local for local in range(8)]


@functools.lru_cache(maxsize=4096)
def _first(seed: int, nodes: int) -> int:
    """The place in pdsh's order a burst of lines enters at, drawn from its own seed: a
    generator seeded for one draw costs some 40k instructions (callgrind), and a run's
    Trainer lines come back to the same salts (330 draws, 77 seeds on seed 42441)."""
    return Rng(seed).integer(0, nodes - 1)
