"""Past 8 nodes a Megatron-LM job launches as Megatron's own tests do at core_v0.14.0
(_run_training.sh:155-170: `torchrun ... --log-dir $LOG_DIR --tee "0:3,7:3" --redirects 3`,
LAST_RANK=7): every process writes to files, and each node's local ranks 0 and 7 are also
copied to the console behind TailLog's `[default0]:`/`[default7]:` (torch 2.9.0
tail_log.py:39, :121). Up to 8 nodes the console shows every process's lines, unprefixed."""

from __future__ import annotations

import re
import shlex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.errors import SeedRefused
from genact_cast.generator import RecordOptions, generate, make_plan
from genact_cast.generator.dialects import megatron_tee
from genact_cast.generator.dialects.megatron import Log
from genact_cast.generator.dialects.rank_logs import RANK_LOG_NODES
from genact_cast.generator.presenters.dialect_choice import facts_for
from tests.helpers import output_of, plain

HEADER = re.compile(r"^\[default(\d)\]:")
# Lines only a worker prints: Megatron's, and torch's inside the worker.
WORKER = re.compile(
    r"(^\[rank\d+\]:|^ \[[\d-]+ [\d:]+\] iteration +\d+/|^\(min, max\) time across ranks"
    r"|^-+ arguments -+$|^ validation loss at iteration |^\[Rank \d+\] \(after "
    r"|^Warning: moe_ffn_hidden_size|^terminate called after throwing|^frame #\d+: "
    r"|^INFO:megatron\.core\.optimizer\.distrib_optimizer:Loading distributed optimizer)"
)
# torchrun's agents' own records (glog-stamped, from torch/distributed/run.py or elastic/)
AGENT = re.compile(r"^[IWE]\d{4} [\d:.]+ \d+ \S*torch/distributed/(?:run\.py|elastic/)")
TORCH_TAG = re.compile(r"^\[rank(\d+)\]:")
MEMORY = re.compile(r"^\[Rank (\d+)\] \(after ")


def _lines(options: RecordOptions) -> list[str]:
    return plain(output_of(generate(options).events)).split("\r\n")


def _check(options: RecordOptions) -> None:
    try:
        plan = make_plan(options)
    except SeedRefused:
        return
    lines = _lines(options)
    teed = plan.nodes > RANK_LOG_NODES
    command = shlex.split(lines[0].split("$ ", 1)[1])
    tee_words = megatron_tee.tee_words()
    assert (command[command.index("pretrain_gpt.py") - 3 :][:3] == tee_words) == teed
    if not teed:
        assert all(HEADER.match(line) is None for line in lines)
        assert not set(tee_words) & set(command)
        return
    shown_tag: set[int] = set()
    for line in lines[1:]:
        header = HEADER.match(line)
        body = line[header.end() :] if header else line
        if AGENT.match(line) or line.startswith(("srun: ", "slurmstepd: ")):
            continue
        if WORKER.match(body):
            assert header is not None, line
        if header is None:
            continue
        local = int(header[1])
        assert local in megatron_tee.TEED, line
        if (tag := TORCH_TAG.match(body)) is not None:
            # c10's own tag names the process the tee's header names
            assert int(tag[1]) % 8 == local, line
            shown_tag.add(int(tag[1]))
        if (memory := MEMORY.match(body)) is not None:
            assert int(memory[1]) % 8 == local, line
        if " iteration " in body and "consumed samples:" in body:
            assert local == 7, line  # print_rank_last: the last node's local rank 7
        if body.startswith("------------------------ arguments"):
            assert local == 0, line  # print_rank_0
    # no process that is not teed gets a line through
    assert all(rank % 8 in megatron_tee.TEED for rank in shown_tag)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 2**31 - 1),
    st.sampled_from((128, 256, 512, 1024, 2048)),
    st.integers(0, 2),
)
def test_past_8_nodes_the_console_shows_local_ranks_0_and_7_behind_their_headers(
    seed: int, gpus: int, failures: int
) -> None:
    _check(RecordOptions(seed=seed, framework="megatron", gpus=gpus, failures=failures))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1), st.sampled_from((8, 16, 32, 64)), st.integers(0, 2))
def test_up_to_8_nodes_every_process_prints_unprefixed(seed: int, gpus: int, failures: int) -> None:
    _check(RecordOptions(seed=seed, framework="megatron", gpus=gpus, failures=failures))


def test_a_hang_on_many_nodes_shows_each_teed_ranks_watchdog_and_no_other() -> None:
    # seed 5's run on 64 nodes hangs once: 128 of its 512 processes' watchdogs reach the
    # console, two a node, each behind its header
    options = RecordOptions(seed=5, framework="megatron", failures=1, gpus=512)
    lines = _lines(options)
    fired = {
        int(m[2])
        for line in lines
        if (
            m := re.match(
                r"\[default(\d)\]:\[rank(\d+)\]:\[E\S+ \S+ ProcessGroupNCCL\.cpp:683\]", line
            )
        )
    }
    assert fired
    assert fired <= {rank for rank in range(512) if rank % 8 in (0, 7)}
    assert len(fired) >= 127  # all but the faulty GPU's, when it is teed and erred
    assert not any(re.match(r"\[rank\d+\]:", line) for line in lines)


def test_every_process_line_comes_twice_a_node() -> None:
    # Mixtral without --moe-ffn-hidden-size: validate_args warns in every process
    plan = make_plan(RecordOptions(seed=4, framework="megatron", model="Mixtral-8x7B", gpus=256))
    log = Log(facts_for(plan), color=False)
    assert log.tee.on
    said = [line for line in log.validate_lines() if "moe_ffn_hidden_size" in line]
    assert len(said) == 2 * plan.nodes
    assert said[:2] == [f"[default0]:{said[0][11:]}", f"[default7]:{said[0][11:]}"]


def test_a_record_of_an_untagged_process_is_refused() -> None:
    tee = megatron_tee.Tee(True, 16)
    with pytest.raises(ValueError, match="no process's record"):
        tee.records(["frame #0: nothing before it"])
    assert tee.records(["[rank9]:x", "more", "[rank15]:y", "z"]) == [
        "[default7]:[rank15]:y",
        "[default7]:z",
    ]
    assert tee.of_rank(8, ["a\r\nb"]) == ["[default0]:a\r\n[default0]:b"]
    assert megatron_tee.Tee(False, 16).of_rank(9, ["a"]) == ["a"]
