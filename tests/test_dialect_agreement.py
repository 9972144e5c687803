"""One run per seed, whichever dialect shows it (issue 18, Done-when: each dialect's numbers
"still agree with the run of every other dialect"): wherever two frameworks' pinned releases
can both train the model the seed draws (lineup.UNSUPPORTED, NO_SFT, NO_ADAPTERS), the plan
is the same (model, cluster, data, epochs, batch, TP/PP, curves) and so is the run: the loss
and time of every step, the interval checkpoints, the failures and when they strike.

review-hfds4 fault 7: the DeepSpeed dialect planned ZeRO-3 with TP 1 where the others took
TP 4 or 8, and drew another cluster, dataset and epoch count from the same seed."""

from __future__ import annotations

import functools
import re

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, lineup, make_plan, save_writes
from genact_cast.generator.events import CheckpointSaved, Failed
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.run import Run
from tests.helpers import events_of, output_of
from tests.torch_agents import agents_left

FRAMEWORKS = ("hf", "deepspeed", "genact", "megatron", "torchtitan")
KINDS = (None, "pretrain", "sft", "continue")
# Seeds 0-99 of each kind (400 runs a framework, a few ms a plan): on main before the fix 77
# of them had DeepSpeed on another run than the Trainer's.
SEEDS = range(100)


@functools.cache
def plan_of(seed: int, kind: str | None, framework: str) -> RunPlan | None:
    options = RecordOptions(seed=seed, kind=kind, framework=framework, failures=1, duration=60.0)
    try:
        return make_plan(options)
    except BadOption:  # e.g. --kind sft for torchtitan
        return None


def planned(seed: int, kind: str | None, framework: str) -> RunPlan:
    plan = plan_of(seed, kind, framework)
    assert plan is not None
    return plan


def comparable(plan: RunPlan, other: str) -> bool:
    """Whether the pinned release of `other` trains what `plan` trains: its model, its kind
    of run and its method."""
    if not lineup.trains(plan.arch, other):
        return False
    if lineup.why_no_sft(other) is not None and plan.kind == "sft":
        return False
    # A mixture of experts runs with expert parallelism where the framework has it, and
    # whole on each GPU, sharded flat, under the Trainer and DeepSpeed (lineup.FLAT_SHARDING,
    # review-realism5 FAIL 4): two runs, each as its framework can lay it out; so is a model
    # past 200B, in stages elsewhere and under ZeRO-3 there (review-realism19 F1).
    flat = lineup.flat_layout(plan.arch, plan.options.framework)
    if plan.options.method == "full" and flat != lineup.flat_layout(plan.arch, other):
        return False
    # and under Megatron a mixture of experts' state is its distributed optimizer's, whose
    # layout is chosen for it (lineup.whole_weights; review-realism20 FAIL 4)
    whole = lineup.whole_weights(plan.arch, plan.options.framework)
    if plan.options.method == "full" and whole != lineup.whole_weights(plan.arch, other):
        return False
    return lineup.why_no_adapters(other) is None or plan.options.method == "full"


def run_facts(plan: RunPlan) -> dict[str, object]:
    """Everything the plan fixes but the options it was asked with (their framework)."""
    fields = plan._asdict()
    del fields["options"]
    return fields


def tp_of(plan: RunPlan | None) -> int:
    return 0 if plan is None else plan.layout.tp


def trained(run: Run, step: int) -> list[tuple[int, float, float]]:
    """(launch, loss, seconds) of `step` in each launch that trained it; the seconds to the
    microsecond (a run's clock sums its steps in its own order: the last bits differ)."""
    found = []
    for attempt in range(3):
        try:
            stats = run.step(step, attempt)
        except ValueError:
            continue
        found.append((attempt, stats.loss, round(stats.seconds, 6)))
    assert found
    return found


def pairs() -> list[tuple[int, str | None, str]]:
    found = []
    for seed in SEEDS:
        for kind in KINDS:
            base = plan_of(seed, kind, "hf")
            if base is None:
                continue  # a seed whose run the Trainer does not train (Gemma 3): refused
            drawn = plan_of(seed, kind, "genact")
            if drawn is None or (base.arch, base.gpus) != (drawn.arch, drawn.gpus):
                # the Trainer redrew the seed among the models it lays out (013dfed): each
                # framework redraws among its own, so their redraws need not agree (seed 47
                # in the date window: genact's 405B on 1,024 GPUs, hf's 70B, megatron's 8B)
                continue
            for other in FRAMEWORKS[1:]:
                plan = plan_of(seed, kind, other)
                if plan is None or not comparable(base, other):
                    continue
                if not comparable(plan, "hf"):
                    continue  # the other framework drew a model the Trainer cannot train
                found.append((seed, kind, other))
    return found


def test_every_framework_plans_the_run_the_trainer_plans() -> None:
    checked = pairs()
    by_framework = {name: sum(1 for *_, f in checked if f == name) for name in FRAMEWORKS[1:]}
    # each framework is compared on hundreds of runs, DeepSpeed's TP runs among them;
    # torchtitan on fewer (62 of the 400 since review-tt8 fault 5), as it refuses the seeds'
    # fine-tunes and the models its release does not build rather than run others
    assert min(by_framework.values()) >= 50, by_framework
    tensor_parallel = [
        (s, k) for s, k, f in checked if f == "deepspeed" and tp_of(plan_of(s, k, f)) > 1
    ]
    assert len(tensor_parallel) >= 50
    differ = [
        (seed, kind, other)
        for seed, kind, other in checked
        if run_facts(planned(seed, kind, "hf")) != run_facts(planned(seed, kind, other))
    ]
    assert not differ, f"{len(differ)} of {len(checked)} differ, first {differ[:5]}"


# The models whose checkpoints' config.json the Trainer's dialects print (hf_config.FAMILIES)
# since review-hfds5 fault 9 (OLMo 2 1124) and review-tt7 fault 6 (OLMo-2-0325-32B, e.g. seed
# 9303: genact's Bender-32B-v2 was a 3B Llama in hf): seeds that draw them were another run
# (another model, GPU count) under `--framework hf` or `deepspeed` than under genact, because
# the Trainer's dialects refused them.
TABLED_SINCE_HFDS5 = ("OLMo-2-7B", "OLMo-2-13B", "OLMo-2-32B")


def test_seeds_drawing_the_newly_tabled_models_are_the_same_run_in_the_trainer() -> None:
    drawn = [
        (seed, kind)
        for seed in SEEDS
        for kind in KINDS
        if planned(seed, kind, "genact").arch.name in TABLED_SINCE_HFDS5
    ]
    assert len(drawn) >= 40  # 52 of the 400 runs of seeds 0-99
    assert {planned(s, k, "genact").arch.name for s, k in drawn} == set(TABLED_SINCE_HFDS5)
    for framework in ("hf", "deepspeed"):
        differ = [
            (seed, kind)
            for seed, kind in drawn
            if run_facts(planned(seed, kind, "genact")) != run_facts(planned(seed, kind, framework))
        ]
        assert not differ, f"{framework}: {len(differ)} of {len(drawn)}, first {differ[:5]}"


# Seeds whose run is a model or kind some framework's pinned release does not train
# (review-tt8 fault 5): Gemma-3-27B (9803, 9851), Gemma-3-12B (9854), Llama-4-Scout (9843,
# 9857), fine-tunes of Qwen3-8B and OLMo-2-7B (9847, 9844), Qwen2.5-7B's continued
# pre-training (9840). They were refused under torchtitan (and some under hf) until issue
# 18's decision: a framework named with no --model constrains the seed's draw
# (review-dialects17 W2).
OTHER_RUNS = (9803, 9851, 9854, 9843, 9857, 9847, 9844, 9840)


def the_run(plan: RunPlan) -> tuple[object, ...]:
    """What makes a run that run: its model, kind, method, GPUs, data and epochs."""
    return (
        plan.arch.name,
        plan.kind,
        plan.options.method,
        plan.gpus,
        plan.gpu.name,
        plan.dataset.name,
        plan.epochs,
    )


def keeps_the_run(genact: RunPlan, framework: str) -> bool:
    """Whether `framework`'s release trains genact's run of the seed: its model, its kind and
    its method (a framework with no adapters fine-tunes fully, maybe another model)."""
    return (
        lineup.trains(genact.arch, framework)
        and (genact.kind != "sft" or lineup.why_no_sft(framework) is None)
        and (genact.options.method == "full" or lineup.why_no_adapters(framework) is None)
    )


def test_the_same_seed_is_the_same_run_in_every_dialect_that_trains_it() -> None:
    """A framework named with no --model runs the seed's run (genact's plan) wherever its
    release trains it, and never refuses the seed: where it does not train the seed's model
    or kind, the seed draws among the models and kinds it does train (issue 18; before,
    torchtitan refused 167 of seeds 0-199, Megatron 126, the Trainer and DeepSpeed 35 each).
    Where it trains the run as the others lay it out, every fact of the plan is the same."""
    own: dict[str, int] = dict.fromkeys(FRAMEWORKS, 0)
    for seed in (*SEEDS, *OTHER_RUNS):
        genact = make_plan(RecordOptions(seed=seed, framework="genact", failures=1, duration=60.0))
        for framework in FRAMEWORKS:
            options = RecordOptions(seed=seed, framework=framework, failures=1, duration=60.0)
            plan = make_plan(options)  # never SeedRefused: a run of the framework's own
            assert lineup.trains(plan.arch, framework), (seed, framework)
            assert plan.kind != "sft" or lineup.why_no_sft(framework) is None, (seed, framework)
            if not keeps_the_run(genact, framework):
                own[framework] += 1
                continue
            if lineup.flat_layout(genact.arch, framework) or lineup.whole_weights(
                genact.arch, framework
            ):
                # A mixture of experts or a 405B sharded flat under the Trainer's launchers is
                # laid out as they can (review-realism5 FAIL 4, review-realism19 F1): its GPUs
                # and epochs may differ.
                assert the_run(plan)[:3] == the_run(genact)[:3], (seed, framework)
                continue
            if the_run(plan) != the_run(genact):
                # Left: Megatron cannot hold the seed's layout (a mixture of experts whose
                # distributed-optimizer state exceeds the GPU, megatron_memory), or torchtitan
                # would train it in float32: the framework's own draw then.
                assert framework in ("megatron", "torchtitan"), (seed, framework)
                own[framework] += 1
                continue
            if comparable(genact, framework):
                assert run_facts(plan) == run_facts(genact), (seed, framework)
    assert own["genact"] == 0
    # every one of OTHER_RUNS is a run of torchtitan's own
    assert own["torchtitan"] >= len(OTHER_RUNS)
    assert own["hf"] >= 5


def test_a_framework_draws_among_the_models_it_trains_not_the_next_in_the_list() -> None:
    """Where the seed's model is one the framework does not train, the seed's draw is made
    over the models it trains (plan_config._choose_config), not the next in the catalogue's
    order: Megatron's runs in place of OLMo 2 and Gemma 3 were half Qwen3-30B-A3B (67 of 126
    in seeds 0-199) when the rotation of every model went on past them."""
    drawn: dict[str, int] = {}
    for seed in range(200):
        genact = make_plan(RecordOptions(seed=seed))
        if keeps_the_run(genact, "megatron"):
            continue
        name = make_plan(RecordOptions(seed=seed, framework="megatron")).arch.name
        drawn[name] = drawn.get(name, 0) + 1
    assert len(drawn) >= 8, drawn
    assert max(drawn.values()) <= 0.35 * sum(drawn.values()), drawn


@pytest.mark.parametrize("framework", ["hf", "deepspeed"])
@pytest.mark.parametrize(("seed", "kind"), [(99, None), (7, "pretrain"), (26, "pretrain")])
def test_a_mixture_of_experts_the_trainer_cannot_lay_out_at_the_seeds_draws_is_not_replaced(
    seed: int, kind: str | None, framework: str
) -> None:
    """Where genact's run is a mixture of experts with expert parallelism and the Trainer's
    flat sharding takes no layout of it at the seed's batch draw, the Trainer and DeepSpeed
    run the same model at the middle draws, as a pinned --model does. Since N7 counted
    attention with the heads' own size, these seeds' Qwen3-30B-A3B pre-training was a
    Llama-3-8B (99, on 16 GPUs for genact's 1,024), a Qwen3-8B (7) or a Llama-3.1-8B (26)
    under both."""
    genact = planned(seed, kind, "genact")
    assert genact.arch.moe
    assert genact.layout.ep > 1
    plan = make_plan(RecordOptions(seed=seed, kind=kind, framework=framework, failures=1))
    assert the_run(plan)[:3] == the_run(genact)[:3]
    assert plan.layout.ep == 1  # sharded flat (lineup.FLAT_SHARDING)


# Runs most dialects train, with a relaunch, the Trainer and DeepSpeed with TP 8 or 4 among
# them: seeds 19 (Llama 3.1 70B, TP 8), 6 (Qwen2.5 72B, TP 8), 29 (Llama 3.1 70B, TP 8, torchtitan
# too; 9's Qwen3 32B has no released base to continue, review-realism13 N4), 8 (Qwen3 32B, TP
# 8) and 2 (Qwen2.5 7B, TP 1).
RUNS = [(19, "sft"), (6, "continue"), (29, "continue"), (8, "pretrain"), (2, "pretrain")]


@pytest.mark.parametrize(("seed", "kind"), RUNS)
def test_every_dialect_runs_the_same_steps_saves_and_failures(seed: int, kind: str) -> None:
    base = plan_of(seed, kind, "hf")
    assert base is not None
    others = [
        f
        for f in FRAMEWORKS[1:]
        if comparable(base, f) and comparable(planned(seed, kind, f), "hf")
    ]
    assert "deepspeed" in others
    # a fine-tune: the Trainer, DeepSpeed and the genact log (lineup.NO_SFT: neither
    # torchtitan nor the megatron dialect types one)
    assert len(others) >= (2 if kind == "sft" else 3)
    runs = {name: Run(planned(seed, kind, name)) for name in ["hf", *others]}
    total = base.total_steps
    # about fifty steps across the run, the first and last among them, and the steps after
    # the first saves
    every = base.checkpoint_every
    steps = sorted({1, total, every + 1, 2 * every + 1, *range(1, total + 1, max(1, total // 50))})
    reference = runs["hf"]
    for name, run in runs.items():
        for step in steps:
            # the step after a save carries what the save blocked: torch's async
            # checkpointing (genact, torchtitan, Megatron) less than the Trainer's, and the
            # Trainer's FSDP optimizer state written by rank 0 more than ZeRO's by every rank
            # (save_writes); the genact log saves at epoch ends too
            after_save = (step - 1) % every == 0 or (step - 1) % base.steps_per_epoch == 0
            blocks = (run.plan.async_saves, save_writes.writes(run.plan))
            kept = 2 if after_save and blocks != (base.async_saves, save_writes.writes(base)) else 3
            theirs = [t[:kept] for t in trained(run, step)]
            ours = [o[:kept] for o in trained(reference, step)]
            if run.plan.epoch_saves != base.epoch_saves:
                # The genact log also saves at epoch ends: after a failure it resumes from a
                # later save than the Trainer's and replays fewer steps. The launches that
                # trained the step in both agree, and the last launch that trained it is one.
                both = {t[0] for t in theirs} & {o[0] for o in ours}
                assert max(t[0] for t in theirs) in both, (name, step)
                theirs = [t for t in theirs if t[0] in both]
                ours = [o for o in ours if o[0] in both]
            assert theirs == ours, (name, step)
        # interval saves (the genact log adds epoch ends; saves at the last step end the run)
        saves = [e.step for e in run.events if isinstance(e, CheckpointSaved)]
        mine = [e.step for e in reference.events if isinstance(e, CheckpointSaved)]
        assert [s for s in saves if s % every == 0] == [s for s in mine if s % every == 0], name
        failed = [(e.step, e.rank, e.op, e.seq) for e in run.events if isinstance(e, Failed)]
        assert failed == [
            (e.step, e.rank, e.op, e.seq) for e in reference.events if isinstance(e, Failed)
        ], name
        assert failed, name


def test_every_dialect_prints_the_same_optimizer() -> None:
    """The same run has the same AdamW in every dialect (review-realism5 WARN 16: DeepSpeed's
    `mom=[(0.9, 0.999)]` from the Trainer's defaults beside genact's betas 0.9/0.95): the
    pre-training recipes' beta2 0.95 and weight decay 0.1 (allenai/OLMo
    configs/official-1124/OLMo2-13B-stage1.yaml: betas 0.9, 0.95, weight_decay 0.1)."""
    shown = {
        # (78: 9117's Mixtral on 256 GPUs is refused by Megatron since its distributed
        # optimizer's state is counted, megatron_memory)
        fw: output_of(events_of(seed=78, framework=fw, color=False, cols=200, duration=30.0))
        for fw in ("genact", "deepspeed", "megatron", "hf")
    }
    assert "AdamW (betas 0.9/0.95, weight decay 0.1)" in shown["genact"]
    moms = set(re.findall(r"mom=\[([^\]]*)\]", shown["deepspeed"]))
    assert moms == {"(0.9, 0.95), (0.9, 0.95)"}, moms
    assert "'betas': [0.9, 0.95], 'eps': 1e-08, 'weight_decay': 0.1" in shown["deepspeed"]
    assert re.search(r"--adam-beta2 0\.95\b", shown["megatron"])
    assert re.search(r"--weight-decay 0\.1\b", shown["megatron"])
    for fw in ("hf", "deepspeed"):  # train.py's TrainingArguments flags
        assert "--adam_beta2=0.95" in shown[fw], fw
        assert "--weight_decay=0.1" in shown[fw], fw


# The torchrun dialects and the runs that bring each one's failures: seeds whose automatic
# count (Llama 3's rate) strikes several times, nodes lost among them, and pinned counts.
TORCHRUN = ("megatron", "torchtitan", "hf")
RULE_RUNS = [
    RecordOptions(seed=seed, framework=fw, failures=failures, duration=60.0)
    for fw in TORCHRUN
    for seed, failures in ((9921, None), (9912, None), (9902, 1), (9522, None), (1827, 4))
] + [  # torchtitan refuses those seeds' runs (review-tt8 fault 5): runs of its own, 5+ failures
    RecordOptions(seed=seed, framework="torchtitan", failures=failures, duration=60.0)
    for seed, failures in ((10214, None), (10415, None), (10704, 4))
]


@pytest.mark.parametrize("options", RULE_RUNS, ids=lambda o: f"{o.framework}-{o.seed}")
def test_one_failure_rule_for_every_torchrun_dialect(options: RecordOptions) -> None:
    """review-mg8 fault 1, review-tt11 #8, review-mg11 M2. torch 2.9.0's agent restarts its
    workers while restarts are left when its own group failed and returns FAILED at its
    (max_restarts + 1)-th; a restart for another node's return to the rendezvous counts
    nothing (SimpleElasticAgent._invoke_run, elastic/agent/server/api.py:898-928 at v2.9.0,
    tests/torch_agents.py); a node that goes down under srun ends the step whatever is left
    (Slurm's node failure). The plan's `exits` (the job run again) follows that and nothing
    else, with the command's --max_restarts, whatever the dialect."""
    from genact_cast.generator.presenters.dialect_choice import dialect_for

    try:
        plan = make_plan(options)
    except BadOption:
        pytest.skip("the framework does not train what the seed draws")
    typed = " ".join(dialect_for(plan).launch_words())
    most = int(re.findall(r"--max_restarts=(\d+)", typed)[0])
    failed = [e for e in Run(plan).events if isinstance(e, Failed)]
    assert failed
    for event, left, gives_up in agents_left(plan, failed, most):
        lost = not event.same_node and plan.launched_by_slurm
        node = event.rank // 8
        # a GPU that needs a reset fails every restart its node has left at CUDA
        # initialisation
        assert event.retries in (0, left[node]), (event.step, left[node], event.retries)
        assert event.exits == (lost or bool(gives_up)), (event.step, left, lost)
        assert list(event.gives_up) == gives_up, (event.step, event.gives_up, gives_up)


def test_a_seed_left_to_chance_is_drawn_again_until_the_framework_shows_its_run() -> None:
    """`record --framework megatron --nccl-debug on` with no --seed asks for a run Megatron's
    terminal can show: a random seed whose run spans more nodes than every node's NCCL
    start-up is shown for is drawn again; a pinned one stays, and its refusal is the answer,
    naming the nearest seeds that work. (A seed whose model or kind the framework does not
    train is no longer refused: test_the_same_seed_is_the_same_run_in_every_dialect_that_
    trains_it.)"""
    from genact_cast.cli_options import runnable

    refused = RecordOptions(seed=9840, framework="megatron", nccl_debug=True, duration=60.0)
    # (64 nodes of H200 since Megatron's plans hold its distributed optimizer's state; 32
    # before, review-realism20 FAIL 4)
    with pytest.raises(SeedRefused, match="run is on 64 nodes"):
        make_plan(refused)
    with pytest.raises(SeedRefused, match=r"seed 9840's .*; --seed \d+ trains"):
        runnable(refused, seed_given=True)  # the answer, naming seeds that work
    drawn = runnable(refused, seed_given=False)
    assert drawn.seed != 9840
    assert drawn._replace(seed=9840) == refused
    assert make_plan(drawn).nodes <= 8


def test_a_named_framework_runs_the_seed_it_did_not_train_as_a_run_of_its_own() -> None:
    """review-dialects17 W2: `record --seed 1 --framework torchtitan` (and seeds 2-6) was
    refused because the seed drew a model or kind torchtitan v0.2.0 does not train; now it
    runs one it does (the cli's pinned seed is planned as given)."""
    for seed in range(1, 7):
        plan = make_plan(RecordOptions(seed=seed, framework="torchtitan"))
        assert lineup.trains(plan.arch, "torchtitan")
        assert plan.kind in ("pretrain", "continue")
