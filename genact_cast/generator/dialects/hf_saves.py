"""The Trainer's saves, as transformers 4.57.1 logs them: `checkpoint-N` every save_steps
(the model's config, generation config, shards and tokenizer; PEFT's adapter), and the
script's final `trainer.save_model()` export, a LoRA run's merged reload and save with it."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath

from genact_cast.generator.dialects import hf_model, hf_warnings
from genact_cast.generator.dialects.base import (
    Line,
    Out,
)
from genact_cast.generator.dialects.common import clock_second
from genact_cast.generator.dialects.hf_lines import (
    config_saved,
    deleting,
    generation_config_saved,
    saving,
    sharded_save,
    tokenizer_saved,
)
from genact_cast.generator.dialects.hf_loading import Loading
from genact_cast.generator.dialects.hf_peft import adapter_saved
from genact_cast.generator.events import (
    CheckpointSaved,
    Evaluated,
    Exported,
)


class Saves(Loading):
    """`Trainer._save` and the script's export; the log's clock and its evaluation's lines
    are the presenter's (hf.Log)."""

    held_evaluation: Evaluated | None  # an epoch end's evaluation, printed after its save
    fsdp: bool  # accelerate's FSDP (False: DeepSpeed)
    state_dict_warned: bool  # this launch's processes entered FSDP.state_dict_type
    first_batches: int  # launches whose first micro batch the run's state carries
    saved_first_batches: dict[int, int]  # first_batches by the step each save holds
    train_metrics: list[str]  # `log_metrics("train", ...)`, printed after the export
    on_disk: list[int]  # the checkpoint-N folders the output directory holds, oldest first
    output: str  # --output_dir
    save_total_limit: int | None  # --save_total_limit (None: every checkpoint is kept)
    # --output_dir, and its text as the folders' paths begin (`Path(output_dir) / ""`)
    _deleted_root: tuple[str, str] = ("", "")

    def _at(self, t: float) -> datetime:
        """The log's stamp for run time `t` (hf.Log's clock)."""
        raise NotImplementedError

    def _evaluate(self, event: Evaluated, end: float | None = None) -> list[Out]:
        """The evaluation's lines (hf.Log's)."""
        raise NotImplementedError

    def _state_dict_warnings(self) -> list[Out]:
        """torch's FSDP1 state_dict_type FutureWarning from each local process, at the
        launch's first switch of the state-dict type (hf_warnings.state_dict_type); none
        under FSDP2 (tensor parallel: --fsdp_version=2) or DeepSpeed."""
        if not self.fsdp or self.facts.tp > 1 or self.state_dict_warned:
            return []
        self.state_dict_warned = True
        return [Line(text) for text in hf_warnings.state_dict_type(self.facts)]

    def _saves_at(self, step: int) -> bool:
        """save_strategy "steps" (trainer_callback.py:590-607 at v4.57.1): every save_steps,
        and at max_steps; none at an epoch's end that falls between. Under "epoch" (where
        the saves fall at the epochs' ends, Facts.saves_by_epoch), each epoch's end: the
        same steps."""
        f = self.facts
        return step % f.checkpoint_every == 0 or step == f.total_steps

    def _checkpoint(self, event: CheckpointSaved) -> list[Out]:
        held, self.held_evaluation = self.held_evaluation, None
        if held is not None and held.step != event.step:
            held = None
        if not self._saves_at(event.step):
            return []
        self.saved_first_batches[event.step] = self.first_batches
        # Where the run evaluated first, the save moves to where the evaluation began.
        end = event.t - (held.seconds if held is not None else 0.0)
        moment = self._at(end - event.blocking)
        folder = f"{self.output}/checkpoint-{event.step}"
        # save_pretrained logs the shard count once rank 0 has written every shard
        # (modeling_utils.py, after the write loop); the optimizer state follows.
        weights = self._at(
            end - event.blocking + event.waited + (event.weights_seconds or event.seconds)
        )
        shards = hf_model.saved_shards(self.facts)
        out = self._state_dict_warnings()
        out += self._saved(moment, weights, folder, shards)
        weights_at = clock_second(weights)
        out += [Line(text, weights_at) for text in self._saved_state(event.step, folder, weights)]
        rotated = max(weights, self._at(end))
        rotated_at = clock_second(rotated)
        out += [Line(text, rotated_at) for text in self._rotated(event.step, rotated)]
        if held is not None:
            out += self._evaluate(held, event.t)
        return out

    def _rotated(self, step: int, moment: datetime) -> list[str]:
        """`_rotate_checkpoints` at the end of `_save_checkpoint` (trainer.py:3367-3370 at
        4.57.1), on the process that saves: past save_total_limit, the oldest checkpoints by
        mtime (the order they were written, a relaunch's too) are deleted (:4396-4419)."""
        self.on_disk.append(step)
        limit = self.save_total_limit
        if limit is None or len(self.on_disk) <= limit:
            return []
        gone, self.on_disk = self.on_disk[:-limit], self.on_disk[-limit:]
        # `Path(output_dir) / name` as _sorted_checkpoints joins it, made once a run (a run
        # saving every few steps deletes hundreds of checkpoints)
        if self._deleted_root[0] != self.output:
            self._deleted_root = (self.output, str(PurePosixPath(self.output) / "x")[:-1])
        root = self._deleted_root[1]
        return [deleting(moment, f"{root}checkpoint-{old}") for old in gone]

    def _saved_state(self, step: int, folder: str, done: datetime) -> list[str]:
        """What `_save_optimizer_and_scheduler` logs after the model (`done`: when the
        weights' shards were written): nothing under FSDP; the DeepSpeed dialect prints the
        engine's `save_checkpoint` here, as it begins."""
        del step, folder, done
        return []

    def _saved(self, moment: datetime, done: datetime, folder: str, shards: int) -> list[Out]:
        """`Trainer._save` then `save_pretrained`: the config, the generation config, the
        shards, the tokenizer; for a PeftModel, the adapter (hf_peft). Each line with the
        second its stamp prints (`moment`'s, from the shards' on `done`'s)."""
        at, done_at = clock_second(moment), clock_second(done)
        if self.facts.adapters:
            first, *rest = adapter_saved(moment, done, folder, chat=self.facts.chat)
            return [Line(first, at), *(Line(text, done_at) for text in rest)]
        return [
            Line(saving(moment, folder), at),
            Line(config_saved(moment, folder), at),
            Line(generation_config_saved(moment, folder), at),
            Line(sharded_save(done, folder, shards), done_at),
            *(Line(text, done_at) for text in tokenizer_saved(done, folder, chat=self.facts.chat)),
        ]

    def _export(self, event: Exported) -> list[Out]:
        """The script's `trainer.save_model()`, then `trainer.log_metrics("train", ...)`."""
        moment = self._at(event.t - event.seconds)
        merged = self.facts.method == "lora"
        # A merged export writes the small adapter first, then the merged weights; the log's
        # clock reaches the export's end only with its last line.
        done = moment if merged else self._at(event.t)
        saved = self._saved(moment, done, self.output, len(event.shards))
        out = self._state_dict_warnings()
        out += saved
        if merged:
            out += self._merged(event)
        return [*out, *(Line(text) for text in self.train_metrics)]

    def _merged(self, event: Exported) -> list[Out]:
        """A LoRA run's merged export: after `trainer.save_model()` wrote the adapter, the
        script's main process reloads it on the bf16 base weights
        (`AutoPeftModelForCausalLM.from_pretrained(output_dir, dtype=torch.bfloat16)`,
        which loads the base model by from_pretrained), folds it in with
        `merge_and_unload()` (peft's progress bar is off by default: tuners_utils.py,
        progressbar=False) and calls `save_pretrained` on the merged model: the config,
        generation config and shards lines."""
        # The reload takes the export's first half, from the adapter's save; the merged
        # weights' write ends the export: each line stamped when it is logged.
        half = event.seconds / 2
        begin = event.t - event.seconds
        moment = self._at(begin)
        loaded = self._at(begin + half)
        folder = f"{self.output}/merged"
        lines = self._loading(
            moment, half, pretrained=True, done=loaded, processes=1, dtype_given=True
        )
        done = self._at(event.t)
        return [
            *lines,
            Line(config_saved(loaded, folder)),
            Line(generation_config_saved(loaded, folder)),
            Line(sharded_save(done, folder, len(event.shards))),
        ]
