"""A failure in the run's timeline: where the fault strikes in its step, how the launch ends
(a death its agent sees at its next poll, or peers left to their NCCL watchdog), the
collective they time out in, the restarts that fail again on a broken GPU, and the restart
or relaunch from the last checkpoint whose write had ended."""

from __future__ import annotations

from typing import TYPE_CHECKING

from genact_cast.generator import collective_counts, physics
from genact_cast.generator.events import CheckpointSaved, Failed, Restarted, RunEvent
from genact_cast.generator.streams import SAVES

if TYPE_CHECKING:
    from genact_cast.generator.noise import Noise
    from genact_cast.generator.plan import RunPlan

MAX_RESTARTS = 3  # torchrun --max-restarts of the launch command
COLLECTIVES = ("_ALLGATHER_BASE", "_REDUCE_SCATTER_BASE", "ALLREDUCE")


class Failing:
    """The timeline's failures (run_timeline.Timeline), on its clock and its roster."""

    plan: RunPlan
    noise: Noise
    t: float  # the timeline's clock
    attempt: int  # launches of the workers so far
    events: list[RunEvent]
    saved: list[tuple[int, str, float]]  # (step, path, when its write ended) of resumable saves
    used: list[int]  # each node's torchrun agent: the restarts it made since it started
    resumed_at: int  # the step this launch's processes resumed after (0: the first)
    roster: list[str]  # the job's hosts, a spare in place of each node taken out
    spares: int  # spare nodes the scheduler gave the job so far
    last_restart: float  # when the last restart's workers were started

    def _launch(self, checkpoint: str | None) -> None:
        """A launch of the workers (run_timeline.Timeline's)."""
        raise NotImplementedError

    def _fail(self, epoch: int, step: int, failure: object) -> int:
        """The job dies at `step`; torchrun restarts it from the last checkpoint."""
        from genact_cast.generator.dialects.rank_logs import RANK_LOG_NODES
        from genact_cast.generator.plan_failures import (
            DUMP_WAIT_SECONDS,
            STUCK_KILL_SECONDS,
            FailurePlan,
            relaunch_seconds,
            slurm_notices,
            watchdog_timeout_ms,
        )

        assert isinstance(failure, FailurePlan)
        plan, noise = self.plan, self.noise
        into = noise.uniform(SAVES, 7000 + step, 5.0, 60.0)  # the fault strikes in the step
        # The peers wait for the framework's own timeout, the one its console prints
        # (deepspeed's 30 minutes were shown while the run counted ten: seed 46101's console
        # went 2,532 s from the fault to the relaunch, its timeline 1,270 s).
        timeout_ms = watchdog_timeout_ms(
            plan.options.framework, tp=plan.layout.tp, dp=plan.layout.dp
        )
        ran_ms = timeout_ms + int(noise.uniform(SAVES, 7001 + step, 20, 900))
        fault = self.t + into
        rank = failure.rank
        # A process that dies (plan_failures.ENDS) exits with its CUDA error at once (its exit takes
        # a fraction of a second); its node's launcher sees it at its next poll and stops
        # the node's other workers: torchrun every --monitor-interval (0.1 s, torch 2.9.0
        # run.py:477-482), the deepspeed launcher every second (launch.py:339-355 at
        # v0.17.5). Peers elsewhere are stopped by their own agents at the next rendezvous
        # round, except where no agent restarts: a torchrun typed at a shell whose node has
        # no restart left stops its own node and exits, and the deepspeed launcher never
        # restarts, so the other nodes' ranks wait in the collective for their watchdogs, as
        # after a hang (under srun, --kill-on-bad-exit=1 ends the step at that exit). A
        # process stuck after its error, or a hang, leaves every peer to its watchdog.
        dies = failure.ends == "dies"
        node = rank // physics.GPUS_PER_NODE
        # torch 2.9.0 counts restarts per node: each torchrun's agent restarts its workers
        # `if self._remaining_restarts > 0` only when its own worker group FAILED, and
        # restarts for another node's return to the rendezvous in its HEALTHY branch, which
        # "membership changes do not count as retries" (elastic/agent/server/api.py:898-928).
        # A death fails its own node's group; a hang fails every group whose ranks time out
        # in the collective (all but a lost host's).
        left = tuple(MAX_RESTARTS - used for used in self.used)
        lost = not failure.same_node
        counted = [node] if dies else [n for n in range(plan.nodes) if not (lost and n == node)]
        # The deepspeed launcher has no restarts of its own (every failure is a relaunch by
        # hand): its one count is kept as before, on every node alike.
        shared = plan.options.framework == "deepspeed"
        if shared:
            counted = list(range(plan.nodes))
        # An agent with none left stops its workers and returns FAILED: torchrun raises
        # ChildFailedError and closes the rendezvous (launcher/api.py:293, 311-313), and the
        # launch ends (a restart of the others meets the closed rendezvous).
        gives_up = tuple(n for n in counted if left[n] == 0)
        # Past RANK_LOG_NODES nodes srun starts DeepSpeed's torchruns (dialects.deepspeed_srun)
        # with --kill-on-bad-exit=1: the dead worker's torchrun (--max_restarts 0) exits 1
        # and srun ends the step at once, before any peer's watchdog fires.
        srun = shared and plan.nodes > RANK_LOG_NODES
        if shared:
            stranded = plan.nodes > 1 and not (dies and srun)
        else:
            # Only a death on another node, whose agent gives up, leaves the shell's node's
            # ranks in the collective: under srun (--kill-on-bad-exit=1) its exit ends the
            # step at once.
            stranded = dies and bool(gives_up) and node > 0 and not plan.launched_by_slurm
        if stranded:  # the others' groups fail at their watchdogs: those with none left give up
            gives_up += tuple(n for n in range(plan.nodes) if n != node and left[n] == 0)
        # A host lost under srun (Megatron on several nodes, DeepSpeed past RANK_LOG_NODES):
        # slurmctld finds it down after SlurmdTimeout and ends the step, minutes before any
        # watchdog's timeout; the launch ends there (the console's `CANCELLED ... DUE TO
        # NODE FAILURE`). Seed 320 under deepspeed: the console went 1,981 s from that line
        # to the relaunch while the timeline counted the 600 s watchdog and 380 s.
        slurm_lost = lost and (plan.launched_by_slurm or srun)
        watchdog = (not dies or stranded) and not slurm_lost
        if slurm_lost:
            self.t = slurm_notices(plan.scene_seed, fault)
        elif watchdog:
            self.t = fault + ran_ms / 1000  # the peers wait in the collective
        else:
            # (srun's torchrun polls as any torchrun does)
            poll = 1.0 if shared and not srun else 0.1
            key = 10_000_000_000 + 4 * step
            exit_seconds = noise.uniform(SAVES, key, 0.05, 0.4)
            self.t = fault + exit_seconds + noise.uniform(SAVES, key + 1, 0, poll)
        # FSDP gathers and scatters parameters; only tensor parallelism all-reduces
        # (activations), so an ALLREDUCE is caught only where TP > 1.
        ops = COLLECTIVES if plan.layout.tp > 1 else COLLECTIVES[:2]
        op = ops[int(noise.unit(SAVES, 7003 + step) * len(ops))]
        # The SeqNum of the group the collective ran on, counted by this launch's processes.
        layout = plan.layout
        within = noise.unit(SAVES, 7002 + step)
        seq = collective_counts.seq_num(
            op,
            step=step,
            resumed_at=self.resumed_at,
            layers=-(-plan.arch.layers // layout.pp),
            micro_batches=layout.grad_accum,
            pp=layout.pp,
            full_recompute=layout.checkpointing,
            within=within,
        )
        # A torchrun that gives up ends the launch, and the job starts anew (Slurm requeues it;
        # a torchrun typed at a shell is run again). Where the node itself is out: under
        # Slurm (srun) it is drained and the job requeued on a spare; under a torchrun typed
        # at a shell no scheduler can do that, so the other nodes' agents restart their
        # workers (an attempt) and wait at the rendezvous for a spare node's torchrun.
        in_place = failure.same_node or not plan.launched_by_slurm
        # A GPU that stays broken until reset ("gpu"): each restart's worker on it fails
        # again at CUDA initialisation, a few tens of seconds after its start, and its node's
        # agent counts each, until it has none left; then its torchrun exits and the job runs
        # without the node. None where the hang itself ends the launch, nor for a DeepSpeed
        # job, whose launchers start its workers once: the deepspeed launcher on up to 8
        # nodes (v0.17.5 launcher/launch.py:339-355 kills the node's processes at the first
        # exit and returns; no restart loop), srun + torchrun past 8 with torchrun's default
        # --max_restarts 0 (dialects.deepspeed_srun): the job is relaunched after the first
        # failure (xid74's finding: seed 19's lost time held 44-180 s of rounds never made).
        retries = left[node] if failure.kind == "gpu" and not gives_up and not shared else 0
        if retries:
            gives_up = (node,)
        retried: list[float] = []  # each restart: start, rendezvous, the CUDA error
        # A process stuck after its error (ends "stuck") does not end on its agent's SIGTERM
        # either: the agent waits 30 s for it before its SIGKILL (multiprocessing/api.py:
        # 908-928 at torch 2.9.0), as in the real Xid 48 log (plan_failures.ENDS), and only
        # then rendezvouses again.
        take_down = 2.5 + (STUCK_KILL_SECONDS if failure.ends == "stuck" else 0.0)
        # After a watchdog's timeout torch 2.9 dumps and takes the processes down a minute
        # later (plan_failures.DUMP_WAIT_SECONDS), which the deepspeed launcher, srun's
        # torchruns and Megatron's agents see only then: their restarts and relaunches come
        # after that minute (the DeepSpeed and Megatron dialects show it; seed 46101
        # --kind continue --gpus 64 --failures 2: 2,532 s from the fault to the relaunch on
        # the console, 2,470 s in the timeline; Megatron 47401 --failures 1: 461 s from the
        # watchdog to the requeued job's torchrun on the console, 400 s in the timeline).
        dumps = watchdog and plan.options.framework in ("deepspeed", "megatron")
        down = self.t + (DUMP_WAIT_SECONDS if dumps else 0.0)
        for retry in range(retries):
            before = retried[-1] if retried else down + take_down  # the agent's take-down
            retried.append(before + noise.uniform(SAVES, 9_000_000 + step * 4 + retry, 25, 70))
        same = in_place and not gives_up and failure.kind != "gpu"
        self.events.append(
            Failed(
                self.t,
                step,
                self.roster[rank // physics.GPUS_PER_NODE],
                rank,
                rank % physics.GPUS_PER_NODE,
                failure.xid,
                failure.xid_text,
                op,
                seq,
                timeout_ms,
                ran_ms,
                failure.cuda_error,
                fault,
                0,
                failure.same_node,
                not same,
                tuple(retried),
                failure.ends,
                watchdog,
                left,
                gives_up,
                within,
            )
        )
        # A save whose write had not ended when the rank died never completes (every rank
        # writes its shard): the job goes back to the last one written. The cut save is
        # dropped for good: its write ended at no later time either, so a later failure
        # must not count it as written once its planned end has passed.
        self.saved = [(s, p, end) for s, p, end in self.saved if end <= fault]
        resume_step, path = self.saved[-1][:2] if self.saved else (0, "")
        checkpoint_end = next(
            (
                e.t
                for e in reversed(self.events)
                if isinstance(e, CheckpointSaved) and e.step == resume_step
            ),
            0.0,
        )
        # An in-place restart: every agent stops its workers (those of a death already
        # stopped), the rendezvous completes once each has joined it, and the new workers
        # start: seconds. A run started again (by hand, or Slurm's requeue) waits minutes
        # (plan_failures.relaunch_seconds), and so does every relaunch of the deepspeed
        # launcher, which has no restarts of its own: its command is typed again.
        wait = relaunch_seconds(failure.relaunch_roll, failure.kind, slurm=plan.launched_by_slurm)
        if same and plan.options.framework != "deepspeed":
            wait = noise.uniform(SAVES, 10_000_000_000 + 4 * step + 2, 3.0, 20.0)
        self.t = max([down, *retried]) + wait
        self.attempt += 1
        if same:
            for n in counted:
                self.used[n] += 1
        else:  # the job started anew: new torchruns
            self.used = [0] * plan.nodes
        # The genact log is the shell's node's torchrun: its agent's own "N/M attempts left"
        # where its group failed here (its count before this restart), else none (it saw the
        # failed node back at the rendezvous; torch 2.9.0 api.py:915-928). Each agent keeps
        # its own count (pytorch/pytorch#108158: "max_restarts is checked against local
        # worker group restarts"), so the log never shows another node's count as its own.
        shell_left = left[0] if same and 0 in counted else -1
        # The agent whose torchrun used its restarts and closed the rendezvous (the shell's
        # own first where it is among them), named before a spare takes its node's place.
        quitter = 0 if 0 in gives_up else (gives_up[0] if gives_up else -1)
        gave_up = self.roster[quitter] if quitter >= 0 and not same else ""
        drained = spare = ""
        if failure.kind != "app":
            # A spare takes the node's place: a host the job has not used (the next name
            # after the plan's nodes and the spares before it).
            node = rank // physics.GPUS_PER_NODE
            drained = self.roster[node]
            spare = self.roster[node] = plan.host(plan.nodes + self.spares)
            self.spares += 1
            if not shared:
                self.used[node] = 0  # the spare's torchrun: an agent of its own
        self.events.append(
            Restarted(
                self.t,
                self.attempt,
                path,
                resume_step,
                # Time lost (docs/realism.md, "Time lost"): from the end of the last
                # work kept (the save resumed from, or the previous restart if later, whose
                # time is already counted) to this restart: each second counted once.
                self.t - max(checkpoint_end, self.last_restart),
                not same,
                drained,
                shell_left,
                spare,
                gave_up,
            )
        )
        self.resumed_at = resume_step
        self.last_restart = self.t
        self._launch(path or None)
        return resume_step + 1
