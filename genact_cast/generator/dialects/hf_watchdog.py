"""The Hugging Face Trainer when a GPU hangs: each of the node's workers reports the timed-out
collective with its group's timeout (the default group's 30 minutes, a mesh group's ten),
torch 2.9 dumps, and accelerate's torchrun restarts the job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from genact_cast.generator.dialects import hf_mesh, hf_model, torch_dump
from genact_cast.generator.dialects.base import MAX_RESTARTS, Clock, Close, Incidentals, Line, Out
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_lines import model_class
from genact_cast.generator.dialects.hf_loading import Loading
from genact_cast.generator.dialects.rank_watchdog import Collective, collective_numels
from genact_cast.generator.events import Failed
from genact_cast.generator.rng import Rng

PG_TIMEOUT_MS = 1_800_000  # TrainingArguments.ddp_timeout's default, 1800 s
# The (dp_shard, tp) mesh's groups: init_device_mesh makes them with new_group and no
# timeout (accelerate 1.11.0 parallelism_config.py:202 passes none), which torch 2.9.0's
# _new_group_with_tag turns into _get_default_timeout(NCCL), default_pg_nccl_timeout: ten
# minutes (ProcessGroupNCCL.hpp's kProcessGroupNCCLDefaultTimeout). ddp_timeout reaches
# only init_process_group's default group (review-tt8 fault 2).
MESH_TIMEOUT_MS = 600_000
# run_clm's main_process_first("dataset map tokenization") and ("grouping texts together")
# (training_args.py:2538); SFTTrainer's for the train and the eval split (sft_trainer.py:894).
DATASET_BARRIERS = 2
# transformers 4.57.1 trainer.py: each optimizer step's get_batch_samples (:2618) counts the
# batches' labels and, with average_tokens_across_devices (True by default,
# training_args.py:1585), gathers the count across the world (:5625-5626,
# accelerator.gather); it counts where the batches carry labels and the model's forward takes
# **kwargs (:634-641; a PEFT model's base model's). Every class hf_lines.MODEL_CLASSES names
# takes **kwargs, and one says it takes no loss kwargs (modeling_gemma3.py at 4.57.1:
# `accepts_loss_kwargs = False`), so its count is never made. include_num_input_tokens_seen
# (False by default, training_args.py:1523) would gather once more a micro batch: unset.
NO_LOSS_KWARGS = frozenset({"Gemma3ForConditionalGeneration"})


def multiples(steps: range, every: int) -> int:
    """The steps of `steps` (consecutive) that are multiples of `every`: the logs or saves of
    a launch's steps, counted without a pass over them (a hang late in a long run comes after
    tens of thousands)."""
    if not steps:
        return 0
    return (steps[-1] // every) - ((steps[0] - 1) // every)


def token_count_gathers(f: Facts) -> int:
    """The label-count gathers of one step, or of one evaluation batch (prediction_step
    counts its labels the same way, :4901)."""
    return 0 if model_class(f.arch or f.model_name) in NO_LOSS_KWARGS else 1


def eval_batch_works(f: Facts) -> int:
    """An evaluation batch's works: its label count's gather, then evaluation_loop's
    gather of its loss (no compute_metrics, so prediction_loss_only)."""
    return token_count_gathers(f) + 1


# `accelerate launch` calls torch's run itself: its frames above torch's when the torchrun
# it runs exits (accelerate 1.11.0's console script, commands/accelerate_cli.py:50,
# commands/launch.py:1222 for a FSDP config and :853 in multi_gpu_launcher, which re-raises).
_ACCELERATE = "/usr/local/lib/python3.12/site-packages/accelerate/commands"
ACCELERATE = (
    ("/usr/local/bin/accelerate", 8, "<module>", "sys.exit(main())"),
    (f"{_ACCELERATE}/accelerate_cli.py", 50, "main", "args.func(args)"),
    (f"{_ACCELERATE}/launch.py", 1222, "launch_command", "multi_gpu_launcher(args)"),
    (f"{_ACCELERATE}/launch.py", 853, "multi_gpu_launcher", "distrib_run.run(args)"),
)


class Watchdog(Loading):
    """The job's failures: what the node's workers print when a collective times out."""

    # This node's torchrun left waiting by another node's that gave up (interrupted_hang).
    hung = False

    incidentals: Incidentals
    failures: int  # the launches torchrun has restarted
    clock: Clock  # the log's clock, in the run's seconds plus comm_seconds
    comm_seconds: float  # this launch's set-up time, which the run's timeline leaves out
    resume_step: int  # the step this launch resumed from (0: the first launch)
    eval_works: int  # the evaluation loop's gathers in this launch, two an eval batch
    interval: int  # --logging_steps
    pretrained: bool | None  # whether the script loads the model's weights
    load_offset: float  # seconds from this launch's start to its model's loading
    load_seconds: float  # the loading's own seconds

    def _round_lines(self, t: float, workers: Incidentals, event: Failed) -> list[Out]:
        """A restart round's start on node 0 (a GPU that needs a reset): the script loads
        its model as every start does (rank 0's INFO lines, each live process's shard bar),
        then its first collective, main_process_first's barrier, brings the default
        communicator up: each live process's NCCL lines until bootstrapInit waits for the
        rank whose worker never came up (nccl_startup's until_bootstrap). A round too short
        for the loading shows none of it (review-tt10 fault 2: nothing at all was shown)."""
        f = self.facts
        here = event.rank // 8 == 0
        ranks = [r for r in range(8) if not (here and r == event.local_rank)]
        begin = t + self.load_offset
        end = begin + self.load_seconds
        if any(t < at < end + 1.0 for at in event.retried):
            return []
        lines = self._loading(
            f.moment(begin),
            self.load_seconds,
            pretrained=bool(self.pretrained),
            done=f.moment(end),
            processes=len(ranks),
            dtype_given=f.method == "qlora",
        )
        if not f.nccl_debug:  # NCCL prints none of it (nccl_startup.debug_info)
            return lines
        from genact_cast.generator.dialects.nccl_startup import nccl_startup

        texts = nccl_startup(f, workers, local_ranks=ranks, until_bootstrap=True)
        return [*lines, *(Line(text) for text in texts)]

    def default_works(self, step: int) -> int:
        """The default group's last work in this launch before a hang in `step`, where the
        training collectives run on the mesh's groups (FSDP2 with TP): the script's two
        `main_process_first` contexts around the dataset's preparation (a barrier each on
        every rank), then the Trainer's own collectives on the default group (transformers
        4.57.1 trainer.py): at each logging step `_nested_gather(tr_loss)` (accelerate's
        gather, an all_gather_into_tensor) and `store_flos`'s `distributed_broadcast_scalars`
        (an all_gather), at each save `_save_checkpoint`'s `store_flos` again, and each
        eval batch's gathers (eval_batch_works). Every step, the hung one too, first
        gathers its batches' label count (token_count_gathers). The state dicts' gathers run
        on the mesh's groups (DTensor.full_tensor) and are not counted."""
        done = range(self.resume_step + 1, step)
        logs = multiples(done, self.interval)
        saves = multiples(done, self.facts.checkpoint_every)
        tokens = token_count_gathers(self.facts) * (len(done) + 1)
        return DATASET_BARRIERS + tokens + 2 * logs + saves + self.eval_works

    def _mesh_collective(self, event: Failed) -> Callable[[int], Collective] | None:
        """Under TP with data parallelism accelerate 1.11.0's mesh is (dp_shard, tp)
        (parallelism_config.py:182-214): FSDP2 gathers and scatters over dp_shard, the TP
        layers all-reduce over tp, each a group of its own (torch 2.9's new_group per row:
        accelerate passes no device_id to init_process_group, state.py:236/277)."""
        f = self.facts
        if f.tp == 1:
            return None
        name = "tp" if event.op == "ALLREDUCE" else hf_mesh.FSDP
        activations = f.micro_batch * f.seq_len * f.hidden
        numel_in, numel_out = (
            (activations, activations) if name == "tp" else collective_numels(f, event.op)
        )

        def own(rank: int) -> Collective:
            group = hf_mesh.group(f, rank, name)
            assert group is not None  # neither dimension spans the world
            return Collective(
                group.label(), group.rank_of(rank), event.op, event.seq, numel_in, numel_out
            )

        return own

    def fold_comm_seconds(self) -> None:
        """Carry this launch's set-up time (comm_seconds) from the lines' offset into the
        log's origin, and the clock with it: the clock counts in the same seconds as the
        lines it stamps, or every line of the next launch, until its run time passes the old
        offset, would share the last stamp (review-tt14 T6: a relaunch's set-up at one
        stamp after a launch whose dataset preparation took minutes)."""
        if not self.comm_seconds:
            return
        self.facts = self.facts._replace(
            start=self.facts.start + timedelta(seconds=self.comm_seconds)
        )
        self.clock.last -= self.comm_seconds
        self.comm_seconds = 0.0

    def _failure(self, event: Failed) -> list[Out]:
        # imported where a run fails: most runs never do
        from genact_cast.generator.dialects.agent_failures import failure_lines, timed_out

        # The shell's node's agent: its restarts left, counted per node by the run
        # (Failed.left); past its --max_restarts it exits and the command is run again.
        left = event.left[0] if event.left else MAX_RESTARTS
        self.failures += 1
        # torch 2.9 dumps on a timeout (torch_dump): each watchdog waits a minute for it
        # before it takes its process down, and this log runs that minute behind the run's.
        # The lines from here are stamped on the run's clock: this launch's set-up time
        # (comm_seconds, which the run's timeline leaves out) carried into it.
        if not event.watchdog:  # a worker died: torchrun stops the rest, no watchdog fires
            self.fold_comm_seconds()
            died = failure_lines(
                self.facts, self.incidentals, event, ranks=8, binary="/usr/local/bin/python"
            )
            return [*died, Close(leave=False), *self._after(event)]
        # a hang on a mesh group (TP with data parallelism) times out at its ten minutes
        mesh = self.facts.tp > 1 and self.facts.dp > 1
        timeout_ms = MESH_TIMEOUT_MS if mesh else PG_TIMEOUT_MS
        self.fold_comm_seconds()
        before = self.facts
        self.facts = timed_out(self.facts, event, timeout_ms)
        found = self.facts.moment(event.t)
        self.facts = self.facts._replace(
            start=self.facts.start + timedelta(seconds=torch_dump.DUMP_WAIT_SECONDS)
        )
        numels = hf_model.fsdp_numels(self.facts, event.op)
        if self.facts.tp > 1 and self.facts.dp == 1:
            # TP over the world and no data-parallel dimension: accelerate 1.11.0's mesh is
            # ("tp",) alone (parallelism_config.py:182-214), a 1-D mesh of the world, which
            # torch 2.9 makes the default group (device_mesh.py:553-572); no FSDP collective
            # spans it, and a step waits in the row-parallel layers' all-reduce of one
            # micro-batch's activations (DTensor's RowwiseParallel output, Replicate).
            event = event._replace(op="ALLREDUCE")
            activations = self.facts.micro_batch * self.facts.seq_len * self.facts.hidden
            numels = (activations, activations)
        collective = self._mesh_collective(event) if self.facts.dp > 1 else None
        # No rank filter: each of the node's eight workers reports the hang with its group's
        # timeout.
        lines = failure_lines(
            self.facts,
            self.incidentals,
            event,
            restarts_left=left,
            timeout_ms=timeout_ms,
            ranks=8,
            # python:3.12's image, whose pip installs torch in /usr/local/lib/python3.12/
            # site-packages, as the watchdog's frames name it: its interpreter is
            # /usr/local/bin/python (torchrun's `of binary:` is sys.executable).
            binary="/usr/local/bin/python",
            # one decoder layer's flat parameter as FSDP1 shards it, from the printed config
            numels=numels,
            collective=collective,
            before=before,
        )
        texts = [out.text for out in lines if isinstance(out, Line)]
        # torch 2.9's HeartbeatMonitor::runLoop takes the dump signal on the default group
        # alone (`pg_->getUid() == 0`), so its :1858 and :1575 lines name default_pg with that
        # group's counts wherever the hang was on a mesh group (review-tt9 fault 3).
        early, late = torch_dump.node_with_dump(
            texts,
            found.year,
            Rng(self.facts.seed * 59 + event.seq),
            default_works=None if collective is None else self.default_works(event.step),
        )
        # The C++ watchdog writes to stderr (the first line right after the bar), and the
        # process dies: nothing draws its bar again.
        return [*(Line(text) for text in [*early, *late]), Close(leave=False), *self._after(event)]

    def _after(self, event: Failed) -> list[Out]:
        """The restart rounds on a GPU that needs a reset, and torchrun's exit past its
        restarts."""
        from genact_cast.generator.dialects.agent_failures import exit_lines, restart_rounds

        rounds: list[Out] = []
        # Another node's agent gives up after the last round: this one waits (interrupted_hang).
        self.hung = event.exits and bool(event.retried) and event.rank // 8 != 0
        if event.retried:
            self.incidentals, rounds = restart_rounds(
                self.facts,
                self.incidentals,
                event,
                lambda t, workers: self._round_lines(t, workers, event),
                binary="/usr/local/bin/python",
            )
        return rounds + exit_lines(self.facts, self.incidentals, event, "train.py", ACCELERATE)
