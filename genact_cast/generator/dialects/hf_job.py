"""The Hugging Face Trainer's job as its user starts it: `accelerate launch train.py` with
the script's TrainingArguments (transformers 4.57.1, trl 0.24.0's SFT), the FSDP config
file and, under tensor parallelism, accelerate 1.11.0's ParallelismConfig flags."""

from __future__ import annotations

from genact_cast.generator import catalog, physics
from genact_cast.generator.catalog import architectures
from genact_cast.generator.dialects.common import py_float
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_config import ships_chat_template
from genact_cast.generator.dialects.hf_lines import MIN_LR_RATE, command
from genact_cast.generator.dialects.hf_peft import peft_args

# The template a fine-tune on conversations gives a tokenizer that ships none: trl 0.24.0
# reads a .jinja file into processing_class.chat_template (sft_trainer.py:639-643); without
# one, apply_chat_template on the conversations would raise.
CHAT_TEMPLATE_FILE = "./chat_template.jinja"


def template_given(facts: Facts) -> bool:
    """Whether the command gives the tokenizer its chat template (--chat_template_path): a
    fine-tune on conversations (Facts.chat) whose checkpoint's tokenizer has none of its own
    (hf_config.ships_chat_template). The saves' `chat template saved in` follows from the
    tokenizer's template alone, the shipped or the given one (review-tt9 fault 6)."""
    arch = next((a for a in architectures() if a.name == facts.arch), None)
    return facts.chat and (arch is None or not ships_chat_template(arch))


LOGGING_STEPS = 10
# A pre-training or continued run keeps its last checkpoints only, as run_clm pre-training
# recipes ask (mesolitica/malaya pretrained-model/mistral/run-191M.sh: `-m run_clm_mosaic
# ... --block_size 4096 --save_steps 200 --save_total_limit 2`): TrainingArguments'
# save_total_limit defaults to None (training_args.py:1000 at 4.57.1), which keeps every
# checkpoint-N of the run, hundreds of a 1-13B model's full state (review-dialects17 W1). Two
# keep the one a relaunch resumes from while the next is written.
SAVE_TOTAL_LIMIT = 2


class Job:
    """The run's command line: what train.py is asked to do."""

    def __init__(self, facts: Facts, *, cols: int, interval: int = LOGGING_STEPS) -> None:
        self.facts = facts
        self.interval = interval
        # tqdm's width: the terminal's (TIOCGWINSZ, utils.py:343 at tqdm 4.67.1), the bar
        # filling it to the last column; None where its stream is no terminal
        self.ncols: int | None = max(20, cols)
        self.output = "./out"

    @property
    def save_total_limit(self) -> int | None:
        """The command's --save_total_limit: a pre-training or continued run's (a fine-tune
        keeps the Trainer's default, every checkpoint of its few epochs)."""
        return None if self.facts.kind == "sft" else SAVE_TOTAL_LIMIT

    @property
    def packs(self) -> bool:
        """Whether the command packs (trl's SFT), and so asks for flash attention."""
        return self.facts.kind == "sft"

    def dataset_args(self) -> list[str]:
        """The set as load_dataset takes it (TrlParser's ScriptArguments: --dataset_name and
        --dataset_config, trl 0.24.0 scripts/utils.py): its Hub id and config (datasets.tsv),
        not its display name."""
        found = next((d for d in catalog.datasets() if d.name == self.facts.dataset), None)
        if found is None or found.hub == "-":
            return ["--dataset_name", self.facts.dataset]
        config = [] if found.hub_config == "-" else ["--dataset_config", found.hub_config]
        # trl's sft.py indexes the set with --dataset_train_split and, while it evaluates,
        # --dataset_test_split ('train' and 'test' unless given): a set whose splits are named
        # otherwise is asked for by name (ultrachat_200k's train_sft, cnn_dailymail's validation);
        # a set that ships no held-out split ('-') gets its 'test' from the script's own
        # train_test_split (hf_script)
        train, test = found.hub_splits
        splits = [] if train == "train" else ["--dataset_train_split", train]
        splits += [] if test in ("test", "-") else ["--dataset_test_split", test]
        return ["--dataset_name", found.hub, *config, *splits]

    def script_args(self) -> list[str]:
        """train.py's own arguments (TrainingArguments and the script's model and data)."""
        f = self.facts
        return [
            "--model_name_or_path",
            f.loaded,
            *self.dataset_args(),
            "--bf16",
            # INFO from the Trainer and the library (TrainingArguments.log_level, passive,
            # would leave transformers at its WARNING default and none of its lines).
            "--log_level=info",
            # TRL packs to max_length tokens a sequence (SFTConfig's default is 1024). Its
            # "bfd" packing runs padding-free, which only flash attention keeps apart: the
            # examples of a row attend to each other under the default sdpa (trl 0.24.0
            # sft_trainer.py:703-724 and :774-782, docs "Packing"; review-realism11 N10).
            *(["--packing", f"--max_length={f.seq_len}"] if self.packs else []),
            # A pre-training script in run_clm's shape cuts the tokenized text into blocks of
            # --block_size tokens (run_clm.py's DataTrainingArguments.block_size); without it,
            # the tokenizer's model_max_length capped at 1,024 (its `if data_args.block_size
            # is None` branch), not the sequence every number of the run counts
            # (review-dialects17 W3).
            *([] if self.packs else [f"--block_size={f.seq_len}"]),
            *(["--attn_implementation=flash_attention_2"] if self.packs else []),
            *([f"--chat_template_path={CHAT_TEMPLATE_FILE}"] if template_given(f) else []),
            f"--per_device_train_batch_size={f.micro_batch}",
            # the evaluation's batch (`Batch size = ...`, trainer.py:4648 at 4.57.1), whose
            # default would be 8 (training_args.py:864-865)
            f"--per_device_eval_batch_size={f.micro_batch}",
            f"--gradient_accumulation_steps={f.grad_accum}",
            f"--num_train_epochs={f.epochs}",
            f"--learning_rate={py_float(f.peak_lr)}",
            "--lr_scheduler_type=cosine_with_min_lr",
            # quoted as a shell needs it: the JSON holds a space and double quotes
            f"""--lr_scheduler_kwargs='{{"min_lr_rate": {py_float(MIN_LR_RATE)}}}'""",
            f"--warmup_steps={f.warmup}",
            # the run's AdamW, not TrainingArguments' defaults (beta2 0.999, no weight decay:
            # training_args.py:916-918 at 4.57.1)
            f"--adam_beta2={py_float(physics.ADAM_BETAS[1])}",
            f"--weight_decay={py_float(physics.WEIGHT_DECAY)}",
            f"--logging_steps={self.interval}",
            # every eval_steps (DefaultFlowCallback.on_step_end, trainer_callback.py:586-592
            # at 4.57.1): evaluated, then saved (trainer.py:3220-3228); a fine-tune by epoch
            *(
                ["--eval_strategy=epoch"]
                if f.evaluates_by_epoch
                else ["--eval_strategy=steps", f"--eval_steps={f.eval_every}"]
            ),
            # saves at the epochs' ends: save_strategy "epoch" (DefaultFlowCallback.on_epoch_end,
            # trainer_callback.py:620-622 at 4.57.1), after that end's evaluation
            # (trainer.py:3220-3228); else every save_steps and at max_steps (:594-607)
            *(
                ["--save_strategy=epoch"]
                if f.saves_by_epoch
                else [f"--save_steps={f.checkpoint_every}"]
            ),
            *(
                [f"--save_total_limit={self.save_total_limit}"]
                if self.save_total_limit is not None
                else []
            ),
            f"--output_dir={self.output}",
            *peft_args(f),  # LoRA / QLoRA: trl's ModelConfig flags
        ]

    def launch_words(self) -> list[str]:
        f = self.facts
        args = self.script_args()
        words = command(
            nodes=f.nodes,
            master=f.master,
            port=f.port,
            script="train.py",
            args=args,
            config="fsdp.yaml",
            max_restarts=3,
            # Tensor parallel inside a node: accelerate 1.11's ParallelismConfig (FSDP2),
            # set by the launcher (TrainingArguments 4.57.1 has no TP flag); the Trainer's
            # total batch counts data-parallel ranks only (world size ÷ TP). The launcher
            # refuses --use_parallelism_config unless --use_fsdp and --fsdp_version=2 are on
            # the command line too (commands/launch.py:1035-1036, checked before the config
            # file is read at :1041).
            parallelism=(
                [
                    "--use_fsdp",
                    "--fsdp_version=2",
                    "--use_parallelism_config",
                    f"--parallelism_config_dp_shard_size={f.dp}",
                    f"--parallelism_config_tp_size={f.tp}",
                ]
                if f.tp > 1
                else []
            ),
        )
        # NCCL's INFO lines come from this, where the job sets it (RunPlan.nccl_debug)
        return ["NCCL_DEBUG=INFO", *words] if f.nccl_debug else words
