"""torchtitan v0.2.0's job as its user starts it: the train spec and flavor that build the
model, the shipped config (train_configs/*.toml) or the user's own, the `torchrun` command
with the flags that make the config the run's, and the export to Hugging Face's format."""

from __future__ import annotations

import re

from genact_cast.generator.dialects import torchtitan_deepseek as deepseek
from genact_cast.generator.dialects import torchtitan_llama4 as llama4
from genact_cast.generator.dialects import torchtitan_pipeline as pipeline
from genact_cast.generator.dialects import torchtitan_release as release
from genact_cast.generator.dialects import torchtitan_shards as split
from genact_cast.generator.dialects.base import MAX_RESTARTS, ls_rows
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.torchtitan_hf_index import index_bytes
from genact_cast.generator.dialects.torchtitan_lines import (
    FOLDER,
    LOG_FREQ,
    VALIDATION_DATASET,
    VALIDATION_PATH,
    command,
)
from genact_cast.generator.evaluation_batches import (
    VALIDATION_BATCH,
    VALIDATION_SEQ_LEN,
    Geometry,
    torchtitan_validation_shape,
    torchtitan_validation_steps,
)
from genact_cast.generator.events import Exported

SHARDED_DIR = "sharded"  # torch/distributed/checkpoint/hf_storage.py's SHARDED_DIR_NAME


# Meta released 405B only as Llama 3.1 (meta-llama/Llama-3.1-405B; llama3_405b.toml's
# hf_assets_path ./assets/hf/Llama-3.1-405B); 8B and 70B were Meta-Llama-3 first.
META_NAMES = {"Llama-3-405B": "Llama-3.1-405B"}


def meta_name(name: str) -> str:
    """A model's name as Meta released it."""
    return META_NAMES.get(name, name)


def hf_repo(facts: Facts) -> str:
    """The Hugging Face repository of the architecture, as assets/hf/ names it."""
    return repo_name(facts.arch or facts.model_name)


def repo_name(arch: str) -> str:
    """The Hugging Face repository of an architecture of the catalogue, by its name."""
    name = meta_name(arch)
    return name.replace("Llama-3-", "Meta-Llama-3-", 1) if name.startswith("Llama-3-") else name


GC_FREQ = 50  # training.gc_freq (config/job_config.py:245)


# v0.2.0 registers c4, c4_test and c4_validation alone (datasets/hf_datasets.py:35-51) and
# any other `training.dataset` raises in _validate_dataset (:54-63). Its users add theirs to
# DATASETS from a module of their own, `DATASETS["fineweb"] = DatasetConfig(...)` (a real
# one: find_string id 17252935942, register_pretrain_dataset), which the trainer imports as it
# starts, before it builds the data loader: `experimental.custom_import` (config/
# job_config.py:831, train.py:78-79). `python -m` puts the working directory on sys.path, so
# the user's llm_datasets.py beside the command is importable.
REGISTRATION_MODULE = "llm_datasets"


class Job:
    """The run's torchtitan job: what the command line and its config file say."""

    def __init__(self, facts: Facts, *, interval: int = LOG_FREQ) -> None:
        self.facts = facts
        self.interval = interval
        # The train spec that builds the architecture (lineup.UNSUPPORTED keeps the others
        # away from torchtitan) and its flavor.
        self.family = release.family(facts)
        self.max_seq_len = 0  # the flavor's own, where update_from_config warns past it
        shipped = release.shipped_flavor(facts) if self.family == "llama3" else None
        # torchtitan ships no fine-tuning data: a fine-tune is the user's own dataset,
        # registered in their checkout, with their own config; so is any qwen3 run here.
        self.toml = release.SHIPPED[shipped] if shipped and facts.kind != "sft" else None
        if self.family == llama4.FAMILY and llama4.ships(facts) and facts.kind != "sft":
            # Llama 4 Scout: the shipped 17bx16e flavor and its train config
            shipped, self.toml = llama4.FLAVOR, release.LLAMA4_TOML
        if self.family == deepseek.FAMILY and deepseek.ships(facts) and facts.kind != "sft":
            # DeepSeek-V3: the shipped 671B flavor and its train config
            shipped, self.toml = deepseek.FLAVOR, release.DEEPSEEK_TOML
        if self.toml is not None and self.toml.float8_compiled and facts.gpu == "A100":
            # float8 needs SM89 or later (quantization/float8.py:36-43): on an A100 the
            # 405B config cannot run; the user's own config trains in bf16.
            self.toml = None
        if self.family == "qwen3":
            found = release.qwen3_flavor(facts)
            self.flavor, self.max_seq_len = found or (release.user_flavor(facts), 0)
        elif self.family == llama4.FAMILY:
            self.flavor = shipped or release.user_flavor(facts)
            self.max_seq_len = llama4.FLAVOR_MAX_SEQ_LEN
        elif self.family == deepseek.FAMILY:
            self.flavor = shipped or release.user_flavor(facts)
            self.max_seq_len = deepseek.FLAVOR_MAX_SEQ_LEN
        else:
            # A Llama-architecture model the tag does not ship is the user's own flavor of
            # the llama3 train spec, registered in their fork (docs/extension.md's way) and
            # named by its size as the tag names its own.
            self.flavor = shipped or release.user_flavor(facts)
        # One GC collection between two logged steps at most, on a logged step.
        self.gc_freq = interval * -(-GC_FREQ // interval)
        self.validation_freq = facts.eval_every

    # The command and its config

    def config_path(self) -> str:
        if self.toml is not None:
            return self.toml.path
        return f"./train_configs/{self.facts.model_name.lower().replace('-', '_')}.toml"

    def _overrides(self) -> list[str]:
        """The flags that make the shipped config the run's: what the output shows."""
        f, toml = self.facts, self.toml
        if toml is None:
            # The user's own config says the rest; activation checkpointing off is typed:
            # v0.2.0 defaults to selective (config/job_config.py:588) and every shipped
            # config sets selective or full, so a run without it (no `Applied ... activation
            # checkpointing` line, activation_checkpoint.py:325) says so where it is seen.
            return ["--activation_checkpoint.mode=none"] if self.ac_mode() == "none" else []
        # the llama3 configs turn profiling and TensorBoard on (llama3_8b.toml:8, :14),
        # whose lines this output does not show; llama4_17bx16e.toml leaves both off
        words = (
            ["--profiling.no_enable_profiling", "--metrics.no_enable_tensorboard"]
            if toml.profiling
            else []
        )
        if self.interval != LOG_FREQ:
            words.append(f"--metrics.log_freq={self.interval}")
        if self.gc_freq != GC_FREQ:
            words.append(f"--training.gc_freq={self.gc_freq}")
        settings = [
            ("--training.local_batch_size", pipeline.local_batch(f), toml.local_batch_size),
            ("--training.seq_len", f.seq_len, toml.seq_len),
            ("--training.steps", f.total_steps, toml.steps),
            ("--lr_scheduler.warmup_steps", f.warmup, toml.warmup_steps),
            ("--parallelism.tensor_parallel_degree", f.tp, toml.tensor_parallel),
            ("--parallelism.pipeline_parallel_degree", f.pp, 1),
            # the run's schedule where it pipelines (the config's is Interleaved1F1B for
            # DeepSeek-V3, which the run does not use)
            (
                "--parallelism.pipeline_parallel_schedule",
                pipeline.schedule_name(f) if f.pp > 1 else toml.schedule,
                toml.schedule,
            ),
            # the schedule's micro batch (config/job_config.py:370, default 1)
            (
                "--parallelism.pipeline_parallel_microbatch_size",
                f.micro_batch if f.pp > 1 else pipeline.MICROBATCH,
                pipeline.MICROBATCH,
            ),
            # HSDP (config/job_config.py:268-295 at v0.2.0): replicate across the shard groups
            ("--parallelism.data_parallel_replicate_degree", f.replicas, 1),
            ("--parallelism.data_parallel_shard_degree", f.dp // f.replicas, f.dp),
            # expert parallelism over the data-parallel ranks, experts not split by TP
            # (ETP 1: parallel_dims.py:57-64 takes ETP = TP or 1, torchtitan_mesh's mesh)
            ("--parallelism.expert_parallel_degree", f.ep, toml.expert_parallel),
            ("--parallelism.expert_tensor_parallel_degree", 1, toml.expert_tensor_parallel),
        ]
        words += [f"{flag}={value}" for flag, value, shipped in settings if value != shipped]
        if pipeline.accumulation(f) > 1:
            words.append(f"--training.global_batch_size={f.global_batch}")
        mode = self.ac_mode()
        if mode != toml.ac_mode:
            words.append(f"--activation_checkpoint.mode={mode}")
        words.append("--checkpoint.enable")
        # The run's step saves stage and write in the background (RunPlan.async_saves): the
        # shipped tomls say async_mode = "disabled", so the command turns it on
        # (config/job_config.py:527 at v0.2.0; components/checkpoint.py:391 dcp.async_save);
        # without it a save logs its whole write as "Finished saving" (review-tt16 T11)
        words.append("--checkpoint.async_mode=async")
        if f.checkpoint_every != toml.checkpoint_interval:
            words.append(f"--checkpoint.interval={f.checkpoint_every}")
        words += self.dataset_words()
        words.append("--validation.enable")
        if self.validation_freq != toml.validation_freq:
            words.append(f"--validation.freq={self.validation_freq}")
        if self.validation_steps() != toml.validation_steps:
            words.append(f"--validation.steps={self.validation_steps()}")
        return [*words, *self.validation_shape_words()]

    def ac_mode(self) -> str:
        return "none" if self.facts.recompute == "off" else self.facts.recompute

    def dataset_name(self) -> str:
        """c4 is the one training set the tag registers (datasets/hf_datasets.py:35-51) and
        the shipped configs' `dataset = "c4"`; the run's other data is the user's own,
        registered in their checkout (docs/datasets.md's way) and named on the command line
        over a shipped config (review-realism9 F4: the run trains on its own data in every
        dialect)."""
        if self.trains_on_c4():
            return "c4"
        # a key of DATASETS, as the tag's own ("c4", "c4_test"): FineWeb-Edu/sample-350BT
        # is registered as fineweb_edu_sample_350bt
        return re.sub(r"[^a-z0-9]+", "_", self.facts.dataset.lower()).strip("_")

    def dataset_path(self) -> str:
        return "allenai/c4" if self.trains_on_c4() else f"datasets/{self.facts.dataset}"

    def validation_dataset(self) -> tuple[str, str]:
        """The held-out set the validator prepares (job_config.py's `validation.dataset`,
        default c4_validation): the run's own data's held-out split, whose loss the run
        prints, registered beside the training set."""
        if self.trains_on_c4():
            return VALIDATION_DATASET, VALIDATION_PATH
        return f"{self.dataset_name()}_validation", self.dataset_path()

    def trains_on_c4(self) -> bool:
        return self.facts.dataset.casefold() == "c4"

    def dataset_words(self) -> list[str]:
        """A shipped config's c4 replaced by the run's data (the user's own config names it),
        registered by the user's own module (REGISTRATION_MODULE)."""
        if self.toml is None or self.trains_on_c4():
            return []
        name, path = self.validation_dataset()
        return [
            f"--experimental.custom_import={REGISTRATION_MODULE}",
            f"--training.dataset={self.dataset_name()}",
            f"--training.dataset_path={self.dataset_path()}",
            f"--validation.dataset={name}",
            f"--validation.dataset_path={path}",
        ]

    def validation_shape(self) -> tuple[int, int]:
        """validation.local_batch_size and validation.seq_len (job_config.py:862-866; no
        shipped toml sets them). Under PP the validator runs the training schedule's own
        eval() (components/validate.py:131-137): torch 2.9 splits the batch into at most
        as many chunks as it has rows (pipelining/microbatch.py:173-181) and the schedule
        then raises `Expecting N arg_mbs but got M` (schedules.py:419-421), and its stages
        hold the training micro batch's shape. So a PP run validates in the training local
        batch and sequence length, as the tag's own PP validation test does with
        debug_model.toml's 8 x 2048 (tests/integration_tests/features.py:515-529)."""
        return torchtitan_validation_shape(self._geometry())

    def _geometry(self) -> Geometry:
        f = self.facts
        return Geometry(f.gpus, f.dp, f.pp, f.micro_batch, f.grad_accum, f.seq_len)

    def validation_shape_words(self) -> list[str]:
        batch, seq_len = self.validation_shape()
        words = []
        if batch != VALIDATION_BATCH:
            words.append(f"--validation.local_batch_size={batch}")
        if seq_len != VALIDATION_SEQ_LEN:
            words.append(f"--validation.seq_len={seq_len}")
        return words

    def validation_steps(self) -> int:
        """The held-out set's tokens in batches of the validation shape on every
        data-parallel rank."""
        return torchtitan_validation_steps(self.facts.eval_samples, self._geometry())

    def initial_load_path(self) -> str | None:
        """The base checkpoint a fine-tune or continued pre-training starts from: neither a
        shipped toml nor the defaults name one, and without --checkpoint.initial_load_path
        and no checkpoint folder yet, components/checkpoint.py:577-598 loads nothing."""
        name = meta_name(self.facts.loaded)
        return None if self.facts.kind == "pretrain" else f"/checkpoints/base/{name}"

    def launch_words(self) -> list[str]:
        f = self.facts
        args = ["--job.config_file", self.config_path(), *self._overrides()]
        base = self.initial_load_path()
        if base is not None:
            # DCP weights only (the default initial_load_model_only, job_config.py:474)
            args.append(f"--checkpoint.initial_load_path={base}")
        words = command(
            nodes=f.nodes, endpoint=f"{f.master}:{f.port}", args=args, max_restarts=MAX_RESTARTS
        )
        return ["NCCL_DEBUG=INFO", *words] if f.nccl_debug else words

    def hf_assets_path(self) -> str:
        """The run's own `model.hf_assets_path`: a shipped config's (train_configs/
        llama3_{8b,70b,405b}.toml:20 at v0.2.0: ./assets/hf/Llama-3.1-{8B,70B,405B}), where
        its tokenizer came from; a user's own config, the architecture's repository."""
        if self.toml is not None:
            return self.toml.hf_assets or f"./assets/hf/Llama-3.1-{self.flavor}"
        return f"./assets/hf/{hf_repo(self.facts)}"

    def export_words(self, event: Exported) -> list[str]:
        f = self.facts
        return [
            "python",
            "scripts/checkpoint_conversion/convert_to_hf.py",
            f"{FOLDER}/step-{f.total_steps}",
            event.path,
            "--model_name",
            self.family,
            "--model_flavor",
            self.flavor,
            # The model's own index.json gives the shards' mapping (convert_to_hf.py:66-71;
            # the default is Llama-3.1-8B's), as scripts/download_hf_assets.py saves it.
            "--hf_assets_path",
            self.hf_assets_path(),
        ]

    def export_listing(self, event: Exported) -> list[str]:
        """`ls -lh` of convert_to_hf.py's output: the last save is model-only in float32
        (checkpoint.py's export_dtype), so HuggingFaceStorageWriter writes float32 shards,
        as many as the model's index maps, twice their bf16 size, their index, and leaves
        its `sharded/` staging folder (enable_consolidation); no config.json."""
        f = self.facts
        shards = split.export_shards(f, hf_repo(f), list(event.shards), release.model_params(f))
        count = len(shards)
        files = [
            *(
                (f"model-{i:05d}-of-{count:05d}.safetensors", size)
                for i, size in enumerate(shards, 1)
            ),
            ("model.safetensors.index.json", index_bytes(f, count, 4 * release.model_params(f))),
            (SHARDED_DIR, 4096.0),
        ]
        rows = ls_rows(f, event.t, files, folder=event.path)
        last = rows[-1].replace("-rw-r--r-- 1 ", "drwxr-xr-x 2 ", 1)
        return [*rows[:-1], last]
