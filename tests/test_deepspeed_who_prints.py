"""Who prints DeepSpeed v0.17.5's unguarded INFO lines under the Trainer of transformers
4.57.1 (review-dialects19b FAIL 2). DeepSpeed's logger has no rank filter (utils/logging.py:
25-58), so a `logger.info` prints in every process until deepspeed_init sets the logger to
the process's level (integrations/deepspeed.py:450): WARNING on every replica
(training_args.py:2437-2482). zero.Init's DeepSpeedConfig (runtime/zero/partition_parameters
.py:1005) runs before that, in every process's from_pretrained (modeling_utils.py:4374), and
logs `Config mesh_device None world_size = N` (runtime/config.py:684); deepspeed.initialize's
own (deepspeed/__init__.py:179) and AutoTP's first-batch check (runtime/engine.py:510) run
after it, so world rank 0 alone shows them."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.generator import RecordOptions, make_plan
from tests.release_catalogue import release_lines

CONFIG = re.compile(
    r"^(?:(?P<host>\S+): )?\[(?P<stamp>[\d-]+ [\d:,]+)\] \[INFO\] \[config\.py:684:__init__\] "
    r"Config mesh_device None world_size = (?P<world>\d+)$"
)
WARNED = re.compile(
    r"^(?:(?P<host>\S+): )?\[WARNING\|logging\.py:328\] (?P<stamp>[\d-]+ [\d:,]+) >> "
)
DETECTED = "Detected DeepSpeed ZeRO-3: activating zero.init() for this model"
ENGINE = "[Rank 0] DeepSpeed info: version="
TP_CHECK = "The Dataloader has passed the TP group consistency check."


def launches(rows: list[str]) -> list[list[str]]:
    """The rows of each launch that reached deepspeed.initialize, up to its engine's line."""
    out: list[list[str]] = []
    begun = 0
    for i, text in enumerate(rows):
        if ENGINE in text:
            out.append(rows[begun : i + 2])
            begun = i + 2
    return out


def check(options: RecordOptions) -> int:
    """Each launch's config lines: one from every process's zero.Init under ZeRO-3 (under the
    prefix of its own node, eight a node, each before its own FA2 warning where the replicas
    warn), then the engine's, rank 0's alone. Returns how many launches were read."""
    plan = make_plan(options)
    world = plan.gpus
    rows = release_lines(options)
    read = launches(rows)
    for rows_of in read:
        configs = [(i, found) for i, t in enumerate(rows_of) if (found := CONFIG.match(t))]
        assert {int(found["world"]) for _, found in configs} == {world}
        zero_init = any(DETECTED in t for t in rows_of)
        engine = next(i for i, t in enumerate(rows_of) if ENGINE in t)
        # the engine's: rank 0's alone, after deepspeed_init lowered the replicas' level
        assert [i for i, _ in configs if i > engine] == [engine + 1]
        built = [found for i, found in configs if i < engine]
        if not zero_init:  # AutoTP's ZeRO-2, QLoRA's quantized build: no zero.Init
            assert built == []
            continue
        assert len(built) == world
        hosts = Counter(found["host"] or "" for found in built)
        assert set(hosts.values()) == {8}, hosts
        assert len(hosts) == world // 8
        # the main process's right after get_init_context's line
        first = next(i for i, t in enumerate(rows_of) if DETECTED in t)
        assert CONFIG.match(rows_of[first + 1])
        warned = [(i, found) for i, t in enumerate(rows_of) if (found := WARNED.match(t))]
        for i, found in warned[1:]:  # each replica's, before its own warning
            before = CONFIG.match(rows_of[i - 1])
            assert before is not None, rows_of[i - 1]
            assert (before["host"], before["stamp"]) == (found["host"], found["stamp"])
        # zero.Init's exit, a collective, after every process's build began
        done = next(i for i, t in enumerate(rows_of) if "finished initializing model" in t)
        assert max(i for i, _ in configs if i < engine) < done
    return len(read)


def test_every_process_logs_its_zero_init_config_and_rank_0_the_engines() -> None:
    # seed 45100: 2 nodes whose replicas warn (FA2 in float32); 45101: 8 nodes, none warns;
    # 45102 on one node: a relaunch builds under zero.Init again
    assert check(RecordOptions(seed=45100, framework="deepspeed")) == 1
    assert check(RecordOptions(seed=45101, framework="deepspeed")) == 1
    assert check(RecordOptions(seed=45102, framework="deepspeed", gpus=8)) == 2


def test_autotp_logs_its_config_and_first_batch_check_once_a_launch() -> None:
    """ZeRO-2 with AutoTP builds no zero.Init; the TP check's forward pre-hook runs in every
    process after deepspeed_init, so rank 0 alone logs it (seed 43117: TP 8, 3 launches)."""
    options = RecordOptions(seed=43117, framework="deepspeed", failures=2)
    assert make_plan(options).layout.tp > 1
    assert check(options) == 3
    rows = release_lines(options)
    assert sum(TP_CHECK in t for t in rows) == 3


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    kind=st.sampled_from(["pretrain", "continue", "sft"]),
    gpus=st.sampled_from([8, 16, 32]),
)
def test_any_run_prints_the_config_once_a_process_and_once_more_for_the_engine(
    seed: int, kind: str, gpus: int
) -> None:
    check(RecordOptions(seed=seed, framework="deepspeed", kind=kind, gpus=gpus))
