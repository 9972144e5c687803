"""A GPU stuck after its ECC error (Xid 48, 95), held against the real Xid 48 log's timeline
(tests/data/real_logs/xid48_torchrun_timeline.tsv) in every dialect (review-mg13 M2/D1).

review-mg13 read the faulty rank's `terminate called` as an abort that ends its process at
once, so that its launcher would stop the node within its poll. torch 2.9.0's watchdog does
call std::terminate at once (Watchdog::run logs the exception at ProcessGroupNCCL.cpp:2057 and
rethrows it at :2063, with nothing between), but the real log shows what follows on a GPU that
needs a reset: no launcher line for the ten minutes until the peer's watchdog times out, the
first one 30 s after that, and the faulty process still there for the SIGKILL. The process
aborts but does not exit; plan_failures.ENDS's "stuck" is that reading.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.test_failure_ends import C10D, CAUGHT, CUDA, _stops, _when, case

TIMELINE = Path(__file__).parent / "data" / "real_logs" / "xid48_torchrun_timeline.tsv"
# (dialect, seed) whose --failures 2 has a GPU stuck after its error (Xid 95 in 9812, 48 in 9805;
# DeepSpeed's 9805 is on 16 nodes, whose ranks write to their files, rank_logs: 9811, the
# first from 9805 with a stuck GPU on up to 8; Megatron's 9812 is on 64 nodes, where only local
# ranks 0 and 7 reach the console and its stuck rank 412 is local rank 4, megatron_tee: 9816,
# the first from 9812 with a stuck GPU on up to 8)
STUCK = [("torchtitan", 9812), ("megatron", 9816), ("deepspeed", 9811), ("hf", 9805)]


def _real() -> dict[str, datetime]:
    """The real log's moments by event."""
    out = {}
    for row in TIMELINE.read_text("utf-8").splitlines():
        if row.startswith("#"):
            continue
        clock, _, event, _ = row.split("\t")
        fmt = "%H:%M:%S.%f" if "." in clock else "%H:%M:%S"
        out[event] = datetime.strptime(clock, fmt)
    return out


def test_the_real_log_reads_as_a_process_that_aborts_but_does_not_exit() -> None:
    """The reading itself, from the real log: nothing from the agent until the peer's
    watchdog (a worker that exited would have been seen within --monitor-interval), the
    SIGTERM unanswered, and the failure the agent reports is the peer's."""
    real = _real()
    waited = real["watchdog"] - real["cuda_error"]
    assert abs(waited - timedelta(seconds=600)) < timedelta(seconds=1)
    assert real["sigterm"] > real["watchdog"]
    assert real["sigkill"] - real["sigterm"] == timedelta(seconds=30)
    assert real["failed"] >= real["sigkill"]


@pytest.mark.parametrize(("framework", "seed"), STUCK)
def test_every_dialect_waits_for_the_peers_watchdog_after_a_stuck_ranks_error(
    framework: str, seed: int
) -> None:
    """After the stuck rank's CUDA error no launcher stops anything before the peers' watchdogs
    time out, one timeout after the error, as in the real log."""
    found = case(framework, seed, 2, None)
    assert found is not None
    events, lines = found
    stuck = next(e for e in events if e.ends == "stuck")
    year = int(next(m[1] for line in lines if (m := re.search(r"\b(20\d\d)-\d\d-\d\d", line))))
    real = _real()
    errors = [
        _when(year, m[2], m[3], m[4])
        for line in lines
        if CUDA in line and (m := C10D.search(line)) and int(m[1]) == stuck.rank
    ]
    caught = [
        (_when(year, m[2], m[3], m[4]), int(c[1]))
        for line in lines
        if (c := CAUGHT.search(line)) and (m := C10D.search(line))
    ]
    stops = [moment for _, moment in _stops(lines, year)]
    # Megatron (srun relays every node) and DeepSpeed (pdsh) show the faulty rank's error;
    # torchtitan's and the Trainer's console is the first node's, where the peers' `ran for`
    # counts from the fault.
    if framework in ("megatron", "deepspeed"):
        assert errors, framework
    fault = errors[0] if errors else None
    if fault is None:
        first = next(m for line in lines if (c := CAUGHT.search(line)) and (m := C10D.search(line)))
        ran = next(int(c[2]) for line in lines if (c := CAUGHT.search(line)))
        fault = _when(year, first[2], first[3], first[4]) - timedelta(milliseconds=ran)
    fired, timeout_ms = next((t, ms) for t, ms in caught if t > fault)
    slack = (real["watchdog"] - real["cuda_error"]) / timedelta(milliseconds=600_000)
    assert (fired - fault) / timedelta(milliseconds=timeout_ms) == pytest.approx(slack, abs=0.01)
    assert not [s for s in stops if fault <= s < fired], (framework, fault, fired)
