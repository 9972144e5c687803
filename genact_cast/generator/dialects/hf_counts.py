"""The Trainer's counters as a run under FSDP (or DeepSpeed's ZeRO) reports them: the
banner's trainable parameters, total_flos and SFTTrainer's num_tokens."""

from __future__ import annotations

from genact_cast.generator.dialects import hf_model
from genact_cast.generator.dialects.hf_job import Job


class Counts(Job):
    """The counts the banner, the SFT metrics and the final summary show; the DeepSpeed
    dialect's Trainer overrides them for ZeRO-3."""

    fsdp: bool  # the Trainer under FSDP (hf.Log), or the DeepSpeed engine
    resume_step: int  # the step this launch resumed from (0: the first launch)

    def trainable_shown(self) -> int:
        """The banner's trainable count on world rank 0: get_model_param_count after
        accelerator.prepare has wrapped the model (trainer.py:2449-2490, 2528 at 4.57.1),
        the sum of p.numel() over model.parameters() (trainer_pt_utils.py:1099-1113: only
        ZeRO-3's ds_numel is special-cased). FSDP2's DTensors (a TP run's ParallelismConfig)
        count whole; without TP fsdp.yaml is FSDP1 (accelerate 1.11.0's default
        fsdp_version 1), whose units' flat parameters are sharded over the ranks, rank 0's
        original parameters views of its shard: about the model over the ranks, as real
        logs show (stanford_alpaca#266: 842,302,976 for a 6,738,423,808-parameter 7B on 8;
        transformers#40463)."""
        f = self.facts
        if not self.fsdp or f.tp > 1 or f.dp < 2:
            return hf_model.trainable(f)
        return hf_model.fsdp1_rank0_trainable(f)

    def flos_parameters(self) -> int:
        """The parameters total_flos counts a token: each process adds 6 x its model's
        num_parameters(exclude_embeddings=True) x its batch's tokens (floating_point_ops,
        modeling_utils.py), and store_flos sums that over every process (trainer.py:
        4348-4353 at 4.57.1); the ranks of a TP group train on the same batch, and FSDP2's
        DTensors count whole on each."""
        return hf_model.non_embedding(self.facts) * self.facts.tp

    def total_flos(self) -> int:
        """state.total_flos at the end: 6 x flos_parameters x every token of the run (restored
        from the checkpoint after a resume). Under FSDP1 (fsdp.yaml without TP: accelerate
        1.11.0's fsdp_version 1, `accelerate config`'s default fsdp_use_orig_params true)
        the Trainer holds the FSDP wrapper (trainer.py:2490), whose __getattr__ reaches the
        model's floating_point_ops (:4945-4946); num_parameters sums p.numel() of the
        original parameters (modeling_utils.py:1705-1742), each a view of this rank's shard
        of its unit's flat parameter between steps. The ranks' views partition the model, so
        the sum store_flos takes over the ranks (:4348-4353) counts it once, each rank with
        its own batch's tokens: the run's tokens over the data-parallel ranks."""
        f = self.facts
        tokens = f.tokens_after(f.total_steps)  # each batch's real tokens (padding-free)
        if self.fsdp and f.tp == 1 and f.dp > 1:
            return 6 * hf_model.non_embedding(f) * (tokens // f.dp)
        return 6 * self.flos_parameters() * tokens

    def tokens_seen(self, step: int) -> float:
        """SFTTrainer's num_tokens after `step` steps: each batch's tokens summed over every
        process by gather_for_metrics (sft_trainer.py:1127-1134 at trl 0.24.0). The ranks of
        a TP group train on the same batch (prepare_data_loader shards over the data-parallel
        ranks only, data_loader.py:1109-1145 at accelerate 1.11.0, under DeepSpeed's AutoTP
        and FSDP2's ParallelismConfig alike): each token counts once a TP rank. The count is
        the process's own (`_total_train_tokens = 0` in SFTTrainer.__init__, sft_trainer.py:
        836, restored from no checkpoint): a relaunched run counts from its resume. A
        padding-free batch's count is its examples' tokens (`position_ids.size(1)` of the
        flattened batch, :1129), not its rows' length: an epoch counts its set's tokens
        (review-tt13 N4: every packed row was counted full)."""
        f = self.facts
        return float((f.tokens_after(step) - f.tokens_after(self.resume_step)) * f.tp)
