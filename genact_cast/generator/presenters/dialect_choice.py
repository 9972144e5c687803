"""Which dialect a plan is printed in, and the plan's numbers as the dialects print them
(`Facts`): what the `log` layout (framework.py), the dashboard's launch line and
`record --live` share."""

from __future__ import annotations

import importlib
from typing import Protocol

from genact_cast.generator.dialects import hf_config, parameters
from genact_cast.generator.dialects.base import Out
from genact_cast.generator.dialects.facts import Facts, exact_parameters, stack
from genact_cast.generator.events import Exported, RunEvent, StepStats
from genact_cast.generator.pacing import evaluation_stride
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.presenters.dialect_pacing import logging_interval

DIALECTS = ("torchtitan", "megatron", "deepspeed", "hf")
FAMILIES = {"Llama-2": "llama2", "Llama-3": "llama3", "Mistral": "mistral", "Qwen2": "qwen2"}


class Dialect(Protocol):
    interval: int
    logs_first_step: bool  # torchtitan logs step 1 besides every `interval` steps
    has_bar: bool  # a tqdm bar moves at every step between the log lines
    relaunched: bool  # its launcher does not restart workers: the operator runs it again
    shown_evaluations: set[int]  # the steps whose evaluation the cast shows (filled here)
    last_shown: str  # the last logger line the terminal shows, when Ctrl-C stops the run

    def launch_words(self) -> list[str]: ...

    def present(self, event: RunEvent) -> list[Out]: ...

    def step(self, stats: StepStats) -> list[Out]: ...

    def finish_training(self, t: float) -> list[Out]: ...

    def stopped(self, t: float) -> list[Out]: ...

    def export_words(self, event: Exported) -> list[str] | None: ...


def facts_for(plan: RunPlan) -> Facts:
    """The plan's numbers as the framework logs print them."""
    a = plan.arch
    params, ffn = exact_parameters(a.params, a.layers, a.hidden, a.heads, a.kv_heads, a.vocab)
    if a.ffn and not a.experts:
        # The released config.json's intermediate_size and the state dict it makes.
        ffn = a.ffn
        params = parameters.hf_state_dict(parameters.of_architecture(a))
    family_name, flavor = a.name.rsplit("-", 1)
    software = stack(plan.options.framework, plan.framework)
    examples = (
        plan.dataset.examples if plan.kind == "sft" else plan.steps_per_epoch * plan.global_batch
    )
    adapters = plan.lora
    return Facts(
        seed=plan.scene_seed,
        nccl_debug=plan.nccl_debug,
        start=plan.start,
        user=plan.user,
        hosts=tuple(plan.host(node) for node in range(plan.nodes)),
        port=plan.master_port,
        model_name=plan.model_name,
        family=FAMILIES.get(family_name, family_name.lower().replace("-", "")),
        flavor=flavor,
        params=params,
        layers=a.layers,
        hidden=a.hidden,
        heads=a.heads,
        kv_heads=a.kv_heads,
        vocab=a.vocab,
        ffn=ffn,
        seq_len=plan.seq_len,
        gpu=plan.gpu.name,
        capacity_gib=plan.gpu.memory_gib,
        peak_tflops=plan.gpu.peak_tflops,
        dp=plan.layout.dp,
        tp=plan.layout.tp,
        pp=plan.layout.pp,
        micro_batch=plan.micro_batch,
        grad_accum=plan.grad_accum,
        total_steps=plan.total_steps,
        warmup=plan.warmup_steps,
        peak_lr=plan.peak_lr,
        epochs=plan.epochs,
        steps_per_epoch=plan.steps_per_epoch,
        torch=software.torch,
        cuda=software.cuda,
        nccl=software.nccl,
        dataset=plan.dataset.name,
        dataset_examples=examples,
        eval_samples=plan.eval_samples,
        held_out_examples=plan.held_out_examples,
        kind=plan.kind,
        recompute=plan.layout.recompute,
        state_gib=plan.static_memory_gib,
        checkpoint_every=plan.checkpoint_every,
        eval_every=plan.eval_every,
        eval_shown=evaluation_stride(plan.eval_every, plan.total_steps),
        nccl_cuda=software.nccl_cuda,
        versions=software.versions,
        arch=a.name,
        experts=a.experts,
        top_k=a.top_k,
        expert_ffn=a.ffn if a.experts else 0,
        shared_experts=a.shared,
        routed=int(a.routed),
        ep=plan.layout.ep,
        dualpipe=plan.layout.dualpipe,
        replicas=plan.layout.replicas,
        method=adapters.method if adapters else "full",
        lora_rank=adapters.rank if adapters else 0,
        lora_alpha=adapters.alpha if adapters else 0,
        lora_dropout=adapters.dropout if adapters else 0.0,
        adapters=int(adapters.trainable) if adapters else 0,
        # the tokenizer saves a chat template: the checkpoint's own, or the one a fine-tune
        # on conversations sets
        chat=(plan.kind == "sft" and plan.dataset.task == "chat")
        or hf_config.ships_chat_template(a),
        step_seconds=plan.step_seconds,
        row_tokens=plan.row_tokens if plan.finetune else 0.0,
        epoch_tokens=int(plan.dataset.tokens) if plan.finetune else 0,
    )


def dialect_for(plan: RunPlan) -> Dialect:
    """The framework's dialect module, imported only when asked for."""
    options = plan.options
    if options.framework not in DIALECTS:
        raise ValueError(f"no dialect for framework {options.framework!r}")
    module = importlib.import_module(f"genact_cast.generator.dialects.{options.framework}")
    log: Dialect = module.Log(
        facts_for(plan), color=options.color, cols=options.cols, interval=logging_interval(plan)
    )
    return log


def launch_words(plan: RunPlan) -> list[str]:
    return dialect_for(plan).launch_words()
