"""torchtitan v0.2.0 when a GPU hangs: the NCCL watchdog of rank 0's timed-out collective
(its SeqNum counted from FSDP2's collectives per step, its group, its timeout), the flight
recorder's dump a minute later, and torchrun's restart."""

from __future__ import annotations

from datetime import timedelta

from genact_cast.generator import collective_counts
from genact_cast.generator.dialects import torchtitan_fr as fr
from genact_cast.generator.dialects import torchtitan_mesh as titan_mesh
from genact_cast.generator.dialects import torchtitan_shards as split
from genact_cast.generator.dialects.base import MAX_RESTARTS, Incidentals, Line, Out
from genact_cast.generator.dialects.rank_watchdog import Collective
from genact_cast.generator.dialects.torchtitan_job import Job
from genact_cast.generator.dialects.torchtitan_lines import TRAIN_TIMEOUT_SECONDS
from genact_cast.generator.dialects.torchtitan_pipeline import has_last_stage
from genact_cast.generator.events import Failed
from genact_cast.generator.rng import Rng

_NOT_RECORDED = "ProcessGroupNCCL.cpp:730] Stack trace of the failed collective not found"
_TAG = "[rank0]:"  # the tee's tag of rank 0's stream
_ABORTED = f"{_TAG}terminate called after throwing an instance of 'c10::DistBackendError'"
INIT_TIMEOUT_SECONDS = 300  # comm.init_timeout_seconds (config/job_config.py:758)


class Watchdog(Job):
    """The job's failures: what rank 0 prints when a collective times out."""

    # This node's torchrun left waiting by another node's that gave up (interrupted_hang).
    hung = False

    incidentals: Incidentals
    failures: int  # the launches torchrun has restarted
    resume_step: int  # the step this launch resumed from (0: the first launch)

    def _start_lines(self, at: float) -> list[Out]:
        """Rank 0's start-up lines, each time its workers start (the log's own)."""
        raise NotImplementedError

    def _round_lines(self, at: float, workers: Incidentals) -> list[Out]:
        """A restart round's rank 0 (a GPU that needs a reset): its start-up, then its first
        collective, set_determinism's broadcast (train.py:118 -> distributed/utils.py:126-130
        at v0.2.0), creates the default group's communicator and prints NCCL's lines until
        bootstrapInit waits for the rank whose worker never came up (review-tt10 fault 2)."""
        texts: list[str] = []
        if self.facts.nccl_debug:  # unset, NCCL prints nothing and nothing is drawn
            from genact_cast.generator.dialects.nccl_startup import nccl_startup

            texts = nccl_startup(
                self.facts,
                workers,
                tag="[rank0]:",
                local_ranks=(0,),
                trees=False,
                until_bootstrap=True,
            )
        return [*self._start_lines(at), *(Line(text) for text in texts)]

    def collectives_per_step(self) -> int:
        """The default group's collectives in one training step of this launch: FSDP2's
        units (models/llama3/infra/parallelize.py:298-318 at v0.2.0: tok_embeddings, each
        block, [norm, output], the root holding none) all-gather in forward (all of them)
        and again in backward (all but [norm, output], which keep their parameters), and
        reduce-scatter in backward, for every microbatch (forward_backward_step per
        microbatch, train.py:415-492); under expert parallelism the experts are a unit of
        their own on another group, dp_shard_mod_ep (qwen3/infra/parallelize.py:127-152),
        and their all-to-alls go to the ep group: neither counts here. Then
        clip_grad_norm_'s all-reduce (train.py:513)."""
        f = self.facts
        return collective_counts.fsdp_per_step(
            layers=-(-f.layers // f.pp), micro_batches=f.grad_accum, pp=f.pp
        )

    def watchdog_seq(self, step: int) -> int:
        """The timed-out work's SeqNum: the default group counts its collectives from this
        launch's process group (a relaunch starts again at 0), step by step, and the hang
        falls somewhere in the step in flight. Where FSDP's group is the default one, the
        logged steps' loss reductions (dp_cp, then the world too) count on it as well."""
        per_step = self.collectives_per_step()
        done = max(step - 1 - self.resume_step, 0)
        within = int(Rng(self.facts.seed * 61 + step).random() * per_step)
        # the logged steps' loss reductions, where FSDP's group is the default one too
        shard_on_default = titan_mesh.collective_group(self.facts, "ALLGATHER", 0) is None
        logged = (
            titan_mesh.loss_reductions(self.facts, self.resume_step + 1, step - 1, self.interval)
            if shard_on_default
            else 0
        )
        return done * per_step + logged + 1 + within

    def default_works(self, step: int) -> int:
        loaded = bool(self.resume_step) or self.initial_load_path() is not None
        return titan_mesh.default_works(
            self.facts, step, self.resume_step, loaded=loaded, log_freq=self.interval
        )

    def _collective(self, event: Failed) -> Collective | None:
        """Rank 0's part in the timed-out collective where it ran on a mesh group of its
        own; None where it ran on the default group (a 1-D mesh of the world)."""
        f = self.facts
        group = titan_mesh.collective_group(f, event.op, 0)
        if group is None:
            return None
        if event.op == "ALLREDUCE":
            tokens = f.micro_batch * f.seq_len
            seq = titan_mesh.tp_seq(f, event.step - self.resume_step, full=self.ac_mode() == "full")
            return Collective(group.label(), 0, event.op, seq, tokens, tokens)
        numel_in, numel_out = split.fsdp_numels(f, event.op) or (0, 0)
        return Collective(group.label(), 0, event.op, event.seq, numel_in, numel_out)

    def _failure(self, event: Failed) -> list[Out]:
        # imported where a run fails: most runs never do
        from genact_cast.generator.dialects.agent_failures import failure_lines, timed_out

        # The shell's node's agent: its restarts left, counted per node by the run
        # (Failed.left); past its --max_restarts it exits and the command is run again.
        left = event.left[0] if event.left else MAX_RESTARTS
        self.failures += 1
        # `--local-ranks-filter 0`: rank 0 alone, every line of its stream tagged by the tee.
        # torch in /usr/local/lib/python3.12/site-packages: python.org's build, whose
        # interpreter torchrun's shebang names
        # The flight recorder's dump (torchtitan turns it on): the watchdog takes the process
        # down a minute after the timeout, and this log runs that minute behind the run's.
        event = event._replace(seq=self.watchdog_seq(event.step))
        if not event.watchdog:  # a worker died: torchrun stops the rest, no watchdog fires
            out = failure_lines(
                self.facts, self.incidentals, event, binary="/usr/local/bin/python", tee=0
            )
            return out + self._after(event)
        # The timed-out group's own timeout (set_pg_timeouts at step 1 sets some of them).
        seconds = titan_mesh.timeout_seconds(
            self.facts,
            titan_mesh.collective_group(self.facts, event.op, 0),
            resumed=bool(self.resume_step),
            init=INIT_TIMEOUT_SECONDS,
            train=TRAIN_TIMEOUT_SECONDS,
        )
        before = self.facts
        self.facts = timed_out(self.facts, event, seconds * 1000)
        found = self.facts.moment(event.t)
        self.facts = self.facts._replace(
            start=self.facts.start + timedelta(seconds=fr.DUMP_WAIT_SECONDS)
        )
        own = self._collective(event)
        lines = failure_lines(
            self.facts,
            self.incidentals,
            event,
            restarts_left=left,
            timeout_ms=seconds * 1000,
            binary="/usr/local/bin/python",
            numels=split.fsdp_numels(self.facts, event.op),
            collective=None if own is None else lambda _: own,
            tee=0,
            before=before,
        )
        # Tagged first (the tee's tag before torch's own): the dump's lines take both.
        texts = fr.with_dump(
            [out.text for out in lines if isinstance(out, Line)],
            found.year,
            Rng(self.facts.seed * 59 + event.seq).random(),
            default_works=None if own is None else self.default_works(event.step),
        )
        # With the flight recorder on, torch 2.9's printTraceback prints "Stack trace of the
        # failed collective: " and the recorded traceback, not the "not found ... FlightRecorder
        # is disabled" line (:730) that a recorder-off run prints; no real torch 2.9 log pins
        # that branch's line number (those in the index are other releases': :733, :801), so
        # the line is left out rather than given an invented number (review-tt4 fault 1).
        texts = [[text for text in group if _NOT_RECORDED not in text] for group in texts]
        dumped = iter(texts)
        out = [
            new
            for out in lines
            for new in ([Line(text) for text in next(dumped)] if isinstance(out, Line) else [out])
        ]
        return self._with_fault_dump(out, event) + self._after(event)

    def _with_fault_dump(self, out: list[Out], event: Failed) -> list[Out]:
        """Rank 0's faulthandler dump (torchtitan_faulthandler) after its `what()` block,
        where its own watchdog aborted it: the lines its stream shows right after the abort's
        trace, before the agent's."""
        from genact_cast.generator.dialects import torchtitan_faulthandler as dump
        from genact_cast.generator.dialects.rank_watchdog import node_frames

        texts = [item.text if isinstance(item, Line) else "" for item in out]
        f = self.facts
        # Rank 0 on the faulty GPU dies of its CUDA error instead, its main thread raising
        # that error wherever it next waits on the GPU: no frames here to hold that to. Under
        # a pipeline, a mixture of experts' forward may wait on the host in its MoE layers
        # (expert parallelism's token dispatch; the experts' for-loop where grouped mm is
        # missing), through torch frames no source here pins (torchtitan_faulthandler).
        moe_pipeline = f.pp > 1 and (f.experts > 0 or f.dualpipe)
        if _ABORTED not in texts or (event.errors and event.rank == 0) or moe_pipeline:
            return out
        at = texts.index(_ABORTED) + 1
        while at < len(texts) and texts[at].startswith(_TAG):
            at += 1
        per_step = self.collectives_per_step()
        within = int(Rng(f.seed * 61 + event.step).random() * per_step)  # watchdog_seq's
        compiled = self.toml is not None and self.toml.float8_compiled
        # The AC wrappers' frames (checkpoint_wrapper, torch.utils.checkpoint) and compile's
        # are not read here: under them the dump stays the next batch's, as before the
        # dispatch was drawn (leaving it out lost rank 0's dump, review-dialects20a FAIL).
        if self._in_moe_forward(event, within) and self.ac_mode() == "none" and not compiled:
            frames = dump.expert_dispatch_frames(self.family, moe_hooked=f.tp > 1)
            libc = node_frames(f, event, 1)[0].libc
            lines = dump.fault_dump(frames, libc, f.seed * 79 + event.seq, f.user)
            return [*out[:at], *(Line(_TAG + text) for text in lines), *out[at:]]
        main = dump.main_frames(
            logs=event.step == 1 or event.step % self.interval == 0,
            last_micro_batch=within * f.grad_accum // per_step >= f.grad_accum - 1,
            dp_cp=f.dp > 1,
            # every collective of the step but the grad norm's all-reduce (the last) is
            # the schedule's, under a pipeline whose last stage rank 0 does not hold
            in_schedule=f.pp > 1 and not has_last_stage(f) and within < per_step - 1,
        )
        libc = node_frames(f, event, 1)[0].libc
        lines = dump.fault_dump(main, libc, f.seed * 79 + event.seq, f.user)
        return [*out[:at], *(Line(_TAG + text) for text in lines), *out[at:]]

    def _in_moe_forward(self, event: Failed, within: int) -> bool:
        """Whether rank 0's main thread waits in a MoE layer's token dispatch: a mixture of
        experts under expert parallelism whose hang is a forward all-gather of FSDP's
        (the embedding's or a block's, watchdog_seq's `within`-th collective of the step:
        each micro batch gathers its units in order, then gathers and scatters for the
        backward), so that a MoE layer's dispatch is still ahead in that forward and its
        copy of the splits to the host waits for the stream (expert_parallel.py:104). The
        [norm, output] gather leaves no MoE layer ahead; a backward's leaves the splits on
        the host already (next batch, as a dense model's)."""
        f = self.facts
        if not f.experts or f.ep < 2 or f.pp > 1 or event.op != "_ALLGATHER_BASE":
            return False
        if self.family not in ("deepseek_v3", "llama4", "qwen3"):
            return False
        units = f.layers + 2
        per_micro = 3 * units - 1
        if within >= f.grad_accum * per_micro:  # the grad norm's all-reduce
            return False
        return within % per_micro <= units - 2

    def _after(self, event: Failed) -> list[Out]:
        """The restart rounds on a GPU that needs a reset, and torchrun's exit past its
        restarts."""
        from genact_cast.generator.dialects.agent_failures import exit_lines, restart_rounds

        # Another node's agent gives up after the last round: this one waits (interrupted_hang).
        self.hung = event.exits and bool(event.retried) and event.rank // 8 != 0
        out: list[Out] = []
        if event.retried:
            self.incidentals, out = restart_rounds(
                self.facts,
                self.incidentals,
                event,
                self._round_lines,
                binary="/usr/local/bin/python",
            )
        return out + exit_lines(self.facts, self.incidentals, event, "torchtitan.train")
