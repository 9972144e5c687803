"""DeepSpeed v0.17.5's log: the `deepspeed` launcher, each node's `deepspeed.launcher.launch`,
the engine (ZeRO-3, bf16, AdamW and WarmupCosineLR from ds_config.json), `log_dist` and
`timer.py` lines every `steps_per_print` steps, and a DeepSpeedExamples-style `train.py`.

The parts live beside it: deepspeed_pdsh (shared state, pdsh's interleaving),
deepspeed_launch (the command, the launch and the processes' ends), deepspeed_engine
(initialize, checkpoints), deepspeed_export (zero_to_fp32.py).
"""

from __future__ import annotations

import math

from genact_cast.generator.dialects import deepspeed_config as dsc
from genact_cast.generator.dialects.base import (
    Clock,
    Incidentals,
    Line,
    Out,
)
from genact_cast.generator.dialects.deepspeed_engine import Engine
from genact_cast.generator.dialects.deepspeed_export import Export
from genact_cast.generator.dialects.deepspeed_launch import Launcher
from genact_cast.generator.dialects.deepspeed_lines import (
    TIMER,
    dist,
    line,
    loss,
    step,
    timer,
)
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.events import (
    CheckpointSaved,
    CommReady,
    DataReady,
    Evaluated,
    Exported,
    Failed,
    Launched,
    ModelReady,
    Restarted,
    RunEvent,
    StepStats,
)

STEPS_PER_PRINT = 10


class Log(Launcher, Engine, Export):
    """The `deepspeed` launcher over pdsh, the engine and `train.py`: `log_dist` and timer lines
    every `steps_per_print` steps with the script's loss, `global_stepN` checkpoints, the NCCL
    watchdog on every rank of the failed node, and the launcher's and pdsh's exit lines."""

    logs_first_step = False
    has_bar = False
    relaunched = True

    def __init__(
        self, facts: Facts, *, color: bool, cols: int = 100, interval: int = STEPS_PER_PRINT
    ) -> None:
        del color  # DeepSpeed's logger prints no colour, and knows nothing of the terminal
        self.cols = cols  # tqdm, in zero_to_fp32.py, does
        self.facts = facts
        self.interval = interval
        self.incidentals = Incidentals(facts, 0)
        self.clock = Clock()
        self.save = "checkpoints"
        self.resume_step = 0
        self.attempt = 0
        self._timer_from = 0.0  # when this process's training loop began
        self._untimed = 0.0  # seconds since then outside the timed steps (evaluations, saves)
        self._timer_base = 0  # the engine's step when this process's timer started at 0
        self.config = dsc.ds_config(facts, interval)
        self._tags = [f"{host}: " if facts.nodes > 1 else "" for host in facts.hosts]
        # Without a hostfile the launcher runs on `localhost`, and names it so.
        self.hosts = list(facts.hosts) if facts.nodes > 1 else ["localhost"]

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            return self._launched(event)
        if isinstance(event, CommReady):
            return self._comm(event)
        if isinstance(event, ModelReady):
            return self._engine(event)
        if isinstance(event, DataReady):  # the throughput timer starts with training
            self._timer_base = self.resume_step
            self._timer_from, self._untimed = event.t, 0.0
            return []
        if isinstance(event, Evaluated):
            self._untimed += event.seconds
        if isinstance(event, CheckpointSaved):
            self._untimed += event.blocking
        if isinstance(event, CheckpointSaved):
            return self._checkpoint(event)
        if isinstance(event, Evaluated):
            moment = self._at(event.t)
            text = (
                f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d} | INFO     | "
                f"__main__:evaluate:88 - [Rank 0] Validation loss: {event.loss:.4f}, "
                f"perplexity: {math.exp(event.loss):.4f}"
            )
            return [Line(self._tag(0) + text)]
        if isinstance(event, Failed):
            return self._failed(event)
        if isinstance(event, Restarted):
            self.resume_step = event.step
            if event.drained in self.hosts:  # the requeued job runs on the spare instead
                node = self.hosts.index(event.drained)
                self.hosts[node] = event.spare
                self._tags[node] = f"{event.spare}: "
            return []
        if isinstance(event, Exported):
            return self._export(event)
        return []

    def step(self, stats: StepStats) -> list[Out]:
        """The engine's step line and the throughput timer of this process: its counters start
        at 0 when the process does (epoch 0 throughout), and it times steps from its third."""
        f = self.facts
        moment = self._at(stats.t)
        own = stats.step - self._timer_base  # the timer's global_step_count
        current = f.global_batch / stats.seconds
        # avg_samples_per_sec (timer.py:288-293): the batch over the mean time of every step
        # this process timed (its third on), which the drawn steps only sample: the loop's
        # time since it began, less evaluations and saves, over the steps it ran.
        elapsed = stats.t - self._timer_from - self._untimed
        running = f.global_batch * own / elapsed if own > 0 and elapsed > 0 else current
        lr = dsc.learning_rate(self.config, stats.step)
        lines = [dist(moment, step(stats.step, 0, [lr, lr], (0.9, 0.95)))]
        # The timer reports when its own count, restarted with the process, is a multiple of
        # steps_per_print (timer.py:249-263), the engine when the restored step is.
        if own % self.interval == 0:
            lines.append(
                line(
                    moment,
                    TIMER,
                    timer(
                        epoch=0,
                        micro_step=own * f.grad_accum,
                        global_step=own,
                        running_avg=running,
                        current=current,
                        # DeepSpeed divides by 1024**3 and calls it GB.
                        mem_allocated_gb=f.state_gib,
                        max_mem_allocated_gb=stats.memory_gib,
                    ),
                )
            )
        lines.append(loss(moment, 0, stats.loss))
        return [Line(self._tag(0) + text) for text in lines]
