"""DeepSeek-V3 under torchtitan v0.2.0: the tag's deepseek_v3 train spec, its 671B flavor and
its shipped train config (tests/data/torchtitan/: models/deepseek_v3/__init__.py and
train_configs/deepseek_v3_671b.toml copied from the tag, commit 29624e37), printed as the
tag's format strings print them."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import pytest

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.dialects.torchtitan import Log
from genact_cast.generator.presenters.dialect_choice import facts_for
from genact_cast.generator.presenters.dialect_pacing import logging_interval
from tests.release_catalogue import release_lines
from tests.seed_scan import seed_where
from tests.test_torchtitan_release import unmatched

TAG = Path(__file__).parent / "data" / "torchtitan"
# models/deepseek_v3/README.md at the tag: "CONFIG_FILE=./torchtitan/models/deepseek_v3/
# train_configs/deepseek_v3_671b.toml ./run_train.sh"
CONFIG = "./torchtitan/models/deepseek_v3/train_configs/deepseek_v3_671b.toml"
# DeepSeek-V3 technical report (arXiv 2412.19437), abstract: 671B total parameters, 37B
# activated for each token (the main model; the MTP module's 14B are not in torchtitan's).
REPORT_TOTAL, REPORT_ACTIVE = 671e9, 37e9
# config/job_config.py at the tag, for what the config leaves unset
JOB_CONFIG_DEFAULTS = {"parallelism.pipeline_parallel_microbatch_size": 1}  # :370

# Seeds that draw DeepSeek-V3 under torchtitan on their own (continued pre-training, the one
# kind that takes it), with 1F1B (EP within a node) and DualPipe (EP across nodes), and a
# pinned model with failures.
CASES = [
    RecordOptions(seed=111, framework="torchtitan"),
    RecordOptions(seed=35, framework="torchtitan"),
    # (with failures: the first from 245, main's, that draws it; the date window of N10
    # moved 245's draw to Llama-4-Scout-17B-16E)
    RecordOptions(
        seed=seed_where(
            lambda plan: plan.arch.name == "DeepSeek-V3",
            seeds=range(245, 1245),
            framework="torchtitan",
            failures=1,
        ),
        framework="torchtitan",
        failures=1,
    ),
    RecordOptions(seed=7, framework="torchtitan", model="DeepSeek-V3", failures=1),
]


def toml_values() -> dict[str, object]:
    """`section.key` -> value of the shipped config (the few TOML forms it uses)."""
    values: dict[str, object] = {}
    section = ""
    for raw in (TAG / "deepseek_v3_671b.toml").read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        value = {"true": "True", "false": "False"}.get(value, value)
        values[f"{section}.{key}"] = ast.literal_eval(value)
    return values


def flavor_args() -> dict[str, str]:
    """The 671B flavor's keyword arguments as the tag's __init__.py writes them (MoEArgs'
    under `moe_args.`)."""
    tree = ast.parse((TAG / "deepseek_v3_init.py.txt").read_text())
    table = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign | ast.Assign)
        and isinstance(node.value, ast.Dict)
        and any(isinstance(k, ast.Constant) and k.value == "671B" for k in node.value.keys)
    )
    assert isinstance(table, ast.Dict)
    call = next(
        v
        for k, v in zip(table.keys, table.values, strict=True)
        if isinstance(k, ast.Constant) and k.value == "671B"
    )
    assert isinstance(call, ast.Call)
    args: dict[str, str] = {}
    for keyword in call.keywords:
        assert keyword.arg is not None
        if isinstance(keyword.value, ast.Call):
            for inner in keyword.value.keywords:
                args[f"{keyword.arg}.{inner.arg}"] = repr(ast.literal_eval(inner.value))
        else:
            args[keyword.arg] = repr(ast.literal_eval(keyword.value))
    return args


def message(lines: list[str], pattern: str) -> re.Match[str]:
    for line in lines:
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matches {pattern!r}")


@pytest.mark.parametrize("index", range(len(CASES)))
def test_deepseek_v3_runs_as_the_tags_deepseek_v3_train_spec(index: int) -> None:
    options = CASES[index]
    lines = release_lines(options)  # the old dialect refused DeepSeek-V3 (BadOption)
    plan = make_plan(options._replace(duration=60.0))
    assert plan.arch.name == "DeepSeek-V3"
    facts = facts_for(plan)
    missing, _ = unmatched(lines)
    assert not missing, missing[:5]

    # The command: the shipped config and the flags that make its values the run's.
    log = Log(facts, color=False, interval=logging_interval(plan))
    words = shlex.split(shlex.join(log.launch_words()))
    assert words[words.index("--job.config_file") + 1] == CONFIG
    flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--") and "=" in w)
    config = toml_values()

    def setting(key: str) -> str:
        return flags.get(key, str(config.get(key, JOB_CONFIG_DEFAULTS.get(key))))

    assert message(lines, r"Starting job: (.*)$")[1] == config["job.description"]

    # The model: `Building {name} {flavor} with {model_args}` (train.py:146) with every
    # argument the tag's 671B flavor sets.
    built = message(lines, r"Building (\S+) (\S+) with DeepSeekV3ModelArgs\((.*)\)$")
    assert (built[1], built[2]) == (config["model.name"], config["model.flavor"])
    shown = built[3]
    for key, value in flavor_args().items():
        name = key.split(".")[-1]
        assert re.search(rf"\b{name}={re.escape(value)}[,)]", shown), (key, value)
    assert f"max_seq_len={setting('training.seq_len')}," in shown  # update_from_config

    # Its counts (models/utils.py:427-430) and the size line (train.py:176).
    counts = message(lines, r"Total parameter count: dense ([\d,]+), sparse ([\d,]+), active (\S+)")
    dense, sparse, active = (int(counts[i].replace(",", "")) for i in (1, 2, 3))
    size = message(lines, r"Model deepseek_v3 671B size: ([\d,]+) total parameters")
    total = int(size[1].replace(",", ""))
    assert total == dense + sparse
    assert abs(total / REPORT_TOTAL - 1) < 0.002
    assert abs(active / REPORT_ACTIVE - 1) < 0.02

    # tflops over tps is the tag's FLOPs per token (models/utils.py:439-442): 6 x (dense -
    # embedding + active sparse) + 12·l·h·(dim // h)·t, the embedding vocab x dim.
    args = flavor_args()
    dim, heads, layers = int(args["dim"]), int(args["n_heads"]), int(args["n_layers"])
    seq_len = int(setting("training.seq_len"))
    per_token = (
        6 * (active - int(args["vocab_size"]) * dim)
        + 12 * layers * heads * (dim // heads) * seq_len
    )
    for line in lines:
        step = re.search(r" - step: +\d+ .* tps: ([\d,]+)  tflops: ([\d,.]+)", line)
        if step and int(step[1].replace(",", "")) > 100:
            tps, tflops = int(step[1].replace(",", "")), float(step[2].replace(",", ""))
            assert abs(tflops * 1e12 / tps / per_token - 1) < 0.01, line

    # Parallelism as the command names it: the mesh (parallel_dims.py:158), the pipeline
    # (pipeline_parallel.py:207-210) and the trainer's batch (train.py).
    pp = int(setting("parallelism.pipeline_parallel_degree"))
    ep = int(setting("parallelism.expert_parallel_degree"))
    schedule = setting("parallelism.pipeline_parallel_schedule")
    mesh = message(lines, r"Building \d-D device mesh with (\[.*\]), (\[.*\])$")
    names, sizes = ast.literal_eval(mesh[1]), ast.literal_eval(mesh[2])
    assert dict(zip(names, sizes, strict=True)).get("pp", 1) == pp == facts.pp
    assert dict(zip(names, sizes, strict=True))["dp_shard_in_ep"] == ep == facts.ep
    product = 1
    for value in sizes:
        product *= value
    assert product == facts.gpus
    v_schedule = schedule == "DualPipeV"
    assert v_schedule == facts.dualpipe
    stages = pp * (2 if v_schedule else 1)
    local = int(setting("training.local_batch_size"))
    micro = int(setting("parallelism.pipeline_parallel_microbatch_size"))
    used = message(lines, r"Using pipeline schedule (\S+) with (\d+) microbatches and (\d+) stages")
    assert (used[1], int(used[2]), int(used[3])) == (schedule, local // micro, stages)
    if v_schedule:
        # ScheduleDualPipeV raises with fewer micro batches than stages (schedules.py:2836)
        assert local // micro >= stages
    built_stages = [int(m) for m in re.findall(r"is building stage_idx (\d+)", "\n".join(lines))]
    first_launch = built_stages[: 2 if v_schedule else 1]
    assert first_launch == ([0, stages - 1] if v_schedule else [0])
    trainer = message(
        lines, r"local batch size (\d+), .* sequence length (\d+), total steps (\d+) \(warmup (\d+)"
    )
    assert int(trainer[1]) == local
    assert int(trainer[2]) == seq_len
    assert int(trainer[3]) == int(setting("training.steps")) == facts.total_steps
    assert int(trainer[4]) == int(setting("lr_scheduler.warmup_steps"))
    # [compile] enable with components ["loss"]: the loss alone is compiled (loss.py:29-30)
    assert config["compile.enable"]
    assert config["compile.components"] == ["loss"]
    assert any(line.endswith("Compiling the loss function with torch.compile") for line in lines)
    mode = setting("activation_checkpoint.mode")
    applied = f"Applied {mode} activation checkpointing to the model"
    assert any(line.endswith(applied) for line in lines)

    # Rank 0 holds the last stage under a V schedule: its loss is the run's; under 1F1B, -1
    # (train.py:473-480); the warning names the last stage's first rank either way, as
    # ensure_pp_loss_visible skips ZBVZeroBubble alone (metrics.py:200-219).
    losses = {float(x) for x in re.findall(r" - step: +\d+  loss: +(\S+)", "\n".join(lines))}
    assert (losses != {-1.0}) == v_schedule
    last_stage = facts.gpus // pp * (pp - 1)
    assert any(f"Please add rank {last_stage} to LOG_RANK" in line for line in lines)


def test_the_same_seed_trains_the_same_run_in_every_dialect() -> None:
    """Presentation never changes a number of the run: genact's log and torchtitan's of one
    seed show the same model, steps, batch and losses at the steps both log."""
    options = RecordOptions(seed=35, model="DeepSeek-V3", kind="continue", duration=60.0)
    genact, titan = make_plan(options), make_plan(options._replace(framework="torchtitan"))
    assert (genact.layout, genact.total_steps, genact.global_batch, genact.seq_len) == (
        titan.layout,
        titan.total_steps,
        titan.global_batch,
        titan.seq_len,
    )
    log = Log(facts_for(titan), color=False, interval=logging_interval(titan))
    assert log.family == "deepseek_v3"
    assert log.flavor == "671B"
