"""The NCCL watchdog's `WorkNCCL(SeqNum=...)` of a DeepSpeed v0.17.5 run names the collective
the run was in (realism-p's find, closing-s16: the run's event and the printed work
disagreed). torch 2.9.0's ProcessGroupNCCL numbers each group's works from 1 in each
process, so the SeqNum is what the engine issued on that group in this launch: per micro
batch ZeRO-3's parameter all-gathers on the default group (forward, then backward for the
parameters released since; partitioned_param_coordinator.py:300-415) or its ipg buckets'
reduce-scatters on its clone of the world group (stage3.py:1285-1299, 1408), and per step
the sub-groups' norm all-reduces (stage3.py:1815) and the persistent parameters' gathers
(:2075-2077); the run's event says which step and how far into it (`Failed.within`). The
works around it follow: every earlier one completed (last completed = SeqNum - 1), and the
process enqueued at most two more before it waited (two outstanding fetch or reduce events,
partitioned_param_coordinator.py:132, stage3.py:388), none past its micro batch's end
(independent_gradient_partition_epilogue's synchronize, stage3.py:1151)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genact_cast.errors import SeedRefused
from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects import deepspeed_works
from genact_cast.generator.dialects.hf_watchdog import multiples
from genact_cast.generator.dialects.rank_logs import RANK_LOG_NODES
from genact_cast.generator.events import Evaluated, Failed, Restarted
from genact_cast.generator.presenters.dialect_choice import facts_for
from genact_cast.generator.run import Run
from tests.helpers import cast_text, plain
from tests.seed_scan import seed_where

CAUGHT = re.compile(
    r"\[rank(\d+)\]:\[E[^\]]*\] \[Rank \d+\] Watchdog caught collective operation timeout: "
    r"WorkNCCL\(SeqNum=(\d+), OpType=(\w+), NumelIn=(\d+), NumelOut=(\d+)"
)
STATUS = re.compile(
    r"\[rank(\d+)\]:\[E[^\]]*\] \[(PG ID \d+ PG GUID \d+\(\w+\)) Rank \d+\]  failure detected "
    r"by watchdog at work sequence id: (\d+) PG status: last enqueued work: (\d+), "
    r"last completed work: (\d+)"
)
# Watchdog lines of each dialect in torch 2.9's words or the older ones.
ANY_STATUS = re.compile(
    r"(?:work sequence id: (\d+) PG status: last enqueued work: (\d+), last completed work: "
    r"(\d+)|detected by watchdog at work: (\d+), last enqueued NCCL work: (\d+), last "
    r"completed NCCL work: (\d+)\.)"
)


def _hangs(options: RecordOptions) -> list[tuple[Failed, int]]:
    """The run's hangs that its watchdogs end, each with the step its launch resumed after."""
    resumed, found = 0, []
    for event in Run(make_plan(options)).events:
        if isinstance(event, Restarted):
            resumed = event.step
        elif isinstance(event, Failed) and event.watchdog:
            found.append((event, resumed))
    return found


def _options(seed: int) -> RecordOptions | None:
    options = RecordOptions(seed=seed, framework="deepspeed", failures=2, cols=400)
    try:
        make_plan(options)
    except SeedRefused:
        return None
    return options


def _check(seed: int) -> int:
    """The watchdog lines of seed's DeepSpeed run against its hangs; how many were seen."""
    options = _options(seed)
    if options is None:
        return 0
    hangs = _hangs(options)
    text = plain(cast_text(**options._asdict()))
    caught = {(int(m[2]), m[3], int(m[4]), int(m[5])) for m in CAUGHT.finditer(text)}
    status = {(m[2], int(m[3]), int(m[4]), int(m[5])) for m in STATUS.finditer(text)}
    if make_plan(options).nodes > RANK_LOG_NODES:
        # srun + torchrun with --local-ranks-filter=0 (deepspeed_srun): each node's local
        # rank 0's watchdog alone; where a worker died or its node was lost, srun ends the
        # step (--kill-on-bad-exit, or Slurm's node failure) before any watchdog fires
        assert "--local-ranks-filter=0" in text
        assert all(int(m[1]) % 8 == 0 for m in CAUGHT.finditer(text)), seed
        hangs = [(event, resumed) for event, resumed in hangs if event.ends != "dies"]
        hangs = [(event, resumed) for event, resumed in hangs if event.same_node]
    assert len(caught) == len(status) == len(hangs), (seed, caught, status)
    facts = facts_for(make_plan(options))
    for event, resumed in hangs:
        steps = event.step - resumed
        group, works = deepspeed_works.hung(facts, event.op, steps, event.within)
        seq = min(s for s, op, *_ in caught if op == works.op and s >= works.seq)
        # the run's collective: its op, and for ZeRO's own group (where nothing else runs)
        # its very number; on the default group the Trainer's logs, saves and evaluation
        # batches of the launch come before it
        assert (seq == works.seq) if group != deepspeed_works.DEFAULT_GROUP else seq >= works.seq
        assert any(c == (seq, works.op, works.numel_in, works.numel_out) for c in caught)
        _, _, enqueued, completed = next(s for s in status if s[1] == seq)
        assert completed == seq - 1
        assert enqueued - seq == works.enqueued - works.seq
    return len(hangs)


@pytest.mark.parametrize("seed", [303, 17])
def test_the_watchdog_names_the_runs_collective(seed: int) -> None:
    """Seed 303 (Qwen3-8B-sized, 16 GPUs, 32 micro batches): a gather hangs at step 24,632
    and, after the resume from 24,600, a reduce-scatter at 64,357; the old code printed the
    FSDP count of the run's event for the gather (3,617 works a step: 89,090,824) and the
    step's first bucket for any reduce-scatter, whatever the event's place in the step.
    (The first seed from each with a hang on up to 8 nodes, whose ranks all print on the
    terminal: rank_logs.)"""
    found = seed_where(
        lambda plan: plan.nodes <= RANK_LOG_NODES and any(_hangs(plan.options)),
        seeds=range(seed, seed + 200),
        framework="deepspeed",
        failures=2,
        cols=400,
    )
    assert _check(found) > 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1))
def test_every_deepspeed_watchdog_names_the_collective_the_run_was_in(seed: int) -> None:
    _check(seed)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["torchtitan", "megatron", "deepspeed", "hf"]),
    st.integers(0, 2**31 - 1),
)
def test_every_watchdog_completed_all_before_and_enqueued_at_most_two_more(
    framework: str, seed: int
) -> None:
    """Whatever the dialect: a group's works run in order on its stream, so the last one
    completed is the one before the hung one, and the process had enqueued it and at most
    the two the ZeRO-3 coordinator (or a TP layer's next ones) lets it issue before it
    waits."""
    options = RecordOptions(seed=seed, framework=framework, failures=2, cols=400)
    try:
        make_plan(options)
    except SeedRefused:
        return
    for m in ANY_STATUS.finditer(plain(cast_text(**options._asdict()))):
        seq, enqueued, completed = (int(x) for x in m.groups() if x is not None)
        assert completed == seq - 1
        assert seq <= enqueued <= seq + 2


def test_the_dump_signal_names_the_default_group_after_a_reduce_scatter_hang() -> None:
    """torch 2.9.0's HeartbeatMonitor::runLoop takes the dump signal on the default group
    alone (as hf_watchdog's mesh groups show), so after seed 303's reduce-scatter hang on
    ZeRO's group its `Received a dump signal` lines name default_pg, with that group's works
    (its gathers, none hung): they named `PG ID 1 PG GUID 1(undefined)` with the hung
    group's numbers. The first run from 303 without TP that hangs in a reduce-scatter (in the
    date window of N10 303 trains with AutoTP, whose all-reduce hang is another case)."""
    options = next(
        o
        for seed in range(303, 503)
        if (o := _options(seed)) is not None
        and make_plan(o).layout.tp == 1
        and make_plan(o).nodes <= RANK_LOG_NODES
        and any(e.op == "_REDUCE_SCATTER_BASE" for e, _ in _hangs(o))
    )
    text = plain(cast_text(**options._asdict()))
    signals = re.findall(
        r"\[(PG ID \d+ PG GUID \d+\(\w+\)) Rank \d+\] Received a dump signal .*? Last enqueued "
        r"NCCL work: (\d+), last completed NCCL work: (\d+)\.",
        text,
    )
    assert {group for group, *_ in signals} == {"PG ID 0 PG GUID 0(default_pg)"}
    reduce_hang = {(e, c) for _, e, c in signals} - {
        (str(s[2]), str(s[3])) for s in _statuses(text) if s[0].startswith("PG ID 0 ")
    }
    assert reduce_hang
    assert all(e == c for e, c in reduce_hang)


def _statuses(text: str) -> list[tuple[str, int, int, int]]:
    return [(m[2], int(m[3]), int(m[4]), int(m[5])) for m in STATUS.finditer(text)]


def test_a_lora_runs_persistent_parameters_count_its_norms_and_small_adapters() -> None:
    """Under LoRA the trace fetches the adapters above the persistence threshold too: the
    count of parameters ZeRO-3 keeps gathered (gathered again after every step) is the
    model's parameters, the adapters included, less those; it was the state dict's alone
    less the trace, negative for seed 2's Qwen2.5-72B with rank-16 adapters (-559)."""
    options = RecordOptions(seed=2, framework="deepspeed", method="lora")
    facts = facts_for(make_plan(options))
    assert facts.tp == 1
    norms = 2 * facts.layers + 1  # each layer's two, the final one
    assert deepspeed_works.persistent_parameters(facts) >= norms
    one = deepspeed_works.zero3_gather(facts, 1, 0.5)
    two = deepspeed_works.zero3_gather(facts, 2, 0.5)
    assert 0 < one.seq < two.seq
    assert two.seq - one.seq > deepspeed_works.persistent_parameters(facts)


@pytest.mark.parametrize("model", ["Qwen3-8B", "Llama-3.1-70B", "Mixtral-8x7B", "OLMo-2-7B"])
def test_an_eval_batch_gathers_its_label_count_its_forward_and_its_loss(model: str) -> None:
    """transformers 4.57.1's prediction_step gathers the batch's label count
    (_get_num_items_in_batch, trainer.py:4901 and 5625-5626) before its forward's ZeRO-3
    fetches, and evaluation_loop then gathers its loss: one work an eval batch was left out
    (seed 17's gather hang: SeqNum 8,568,942 -> 8,568,962, its launch's 20 eval batches)."""
    facts = facts_for(make_plan(RecordOptions(seed=17, framework="deepspeed", model=model)))
    forward, _ = deepspeed_works.gathers(facts)
    assert deepspeed_works.eval_batch_works(facts) == 1 + len(forward) + 1


def test_an_autotp_hangs_dump_signal_names_the_default_group_with_its_own_works() -> None:
    """AutoTP's all-reduce hangs on the mesh's tensor_parallel group, but torch 2.9.0's
    HeartbeatMonitor belongs to the default group (its getWatchdogTimeoutErrorMsg prints
    `pg_->logPrefix()` and `pg_->pgStatus_`'s last enqueued and completed seq; real torch 2.9
    logs: tests/data/real_logs/torch29_fr_dump.txt), so the `Received a dump signal` line names
    default_pg with the default group's works. Seed 43117 (Llama-3-70B SFT, TP 8 on 16 GPUs)
    printed `PG ID 2 PG GUID 2(mesh_tensor_parallel)` with that group's 998,489 and 7,011,713.
    Counted here from what the cast shows: in the hung launch (from its resume), the script's
    two main_process_first barriers, each step's label-count gather (the hung step's too),
    two gathers at each logging step, five works at each save (DeepSpeed v0.17.5
    save_checkpoint's two barriers and tag validation's two all-reduces, the Trainer's
    store_flos) and two at each evaluation batch."""
    options = RecordOptions(seed=43117, framework="deepspeed", failures=2, cols=1000)
    plan = make_plan(options)
    facts = facts_for(plan)
    assert facts.tp > 1
    text = plain(cast_text(**options._asdict()))
    interval = int(re.findall(r"--logging_steps=(\d+)", text)[0])
    saves = int(re.findall(r"--save_steps=(\d+)", text)[0])
    expected = set()
    launch_from, evaluated = 0, 0
    for event in Run(plan).events:
        if isinstance(event, Restarted):
            launch_from, evaluated = event.step, 0
        elif isinstance(event, Evaluated):
            # over the DP ranks: AutoTP's TP ranks share a batch (accelerate 1.11.0
            # data_loader.py:1109-1120)
            evaluated += -(-event.samples // (facts.micro_batch * facts.dp))
        elif isinstance(event, Failed) and event.watchdog:
            done = range(launch_from + 1, event.step)
            expected.add(
                2
                + len(done)
                + 1
                + 2 * sum(1 for s in done if s % interval == 0)
                + 5 * sum(1 for s in done if s % saves == 0)
                + 2 * evaluated
            )
    signals = re.findall(
        r"\[(PG ID \d+ PG GUID \d+\(\w+\)) Rank \d+\] Received a dump signal .*? Last enqueued "
        r"NCCL work: (\d+), last completed NCCL work: (\d+)\.",
        text,
    )
    assert len(expected) == 2
    assert {group for group, *_ in signals} == {deepspeed_works.DEFAULT_GROUP}
    assert {int(e) for _, e, c in signals if e == c} == expected
    assert all(e == c for _, e, c in signals)


@given(st.integers(-50, 5000), st.integers(-50, 5000), st.integers(1, 600))
def test_the_logs_and_saves_of_a_launch_are_the_multiples_among_its_steps(
    first: int, end: int, every: int
) -> None:
    """hf_watchdog.multiples counts a launch's logging and saving steps (the Trainer's works on
    the default group) without a pass over them: the same count as the pass it replaced."""
    steps = range(first, end)
    assert multiples(steps, every) == sum(1 for step in steps if step % every == 0)
