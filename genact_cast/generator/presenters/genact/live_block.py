"""The epoch's live block, redrawn in place under the scrolling log: progress bar, metrics,
throughput, each node's GPU sensors and the step's collectives."""

from __future__ import annotations

import math

from genact_cast.generator import physics
from genact_cast.generator import style as fmt
from genact_cast.generator.events import (
    StepStats,
)
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.style import BLUE, CYAN, GREY, Style, Text, flow

GPU_STATUS_LINES = 2


def _rate_width(peak: float) -> int:
    """The widest samples/s a run shows: its peak, or any slower step (the first's) drawn
    with decimals when it falls below 10."""
    return max(len(fmt.rate(peak)), fmt.RATE_WIDTH if peak < 1000 else 0)


class LiveBlock:
    """The epoch's live status: laid out once, then filled in at every redraw."""

    def __init__(self, show: Show, epoch: int) -> None:
        con, plan = show.con, show.plan
        self.show = show
        s, width = con.style, con.width
        total = plan.total_steps
        title = s.header(f"Epoch {epoch}/{plan.epochs}")
        self.bar_width = min(40, width - title.width - len(" 100%") - 1)
        sep = s.literal(" | ")
        peak_speed = plan.global_batch_tokens / (plan.step_seconds * 0.97)
        capacity = f"{plan.gpu.memory_gib:.1f}GiB"
        lines = [
            title + s.literal(" ") + s.field("bar", self.bar_width, None) + Text(" {pct:>3}%", 5)
        ]
        lines += flow(
            [
                s.paint("Step ", BLUE) + s.field("step", 2 * len(str(total)) + 1),
                _metric(s, "Loss", "loss", 7),
                _metric(s, "LR", "lr", 7),
                _metric(s, "Grad Norm", "gn", 7),
                _metric(s, "GPU Mem", "mem", len(capacity) * 2 + 1),
                *([_metric(s, "Aux Loss", "aux", 9)] if plan.moe is not None else []),
            ],
            width,
            sep,
        )
        per_seq = plan.tokens_per_sequence
        lines += flow(
            [
                _metric(s, "Speed", "tps", len(fmt.thousands(peak_speed)) + len(" tokens/s")),
                s.field("sps", _rate_width(peak_speed / per_seq) + len(" samples/s")),
                _metric(s, "TFLOP/s", "tflops", 6),
                _metric(s, "MFU", "mfu", 6),
                _metric(s, "ETA", "eta", 7),
            ],
            width,
            sep,
        )
        self.sensors = ClusterSensors(show, width)
        lines += flow(self.sensors.fields(s), width, s.literal(" "))
        grey_sep = s.field("sep", 3, GREY)
        # Without data parallelism nothing is gathered or reduce-scattered: no FSDP line.
        sharded = plan.data_parallel > 1
        comms = (
            [
                s.field("ag", len("[NCCL] AllGather: ") + 9, GREY),
                s.field("rs", len("ReduceScatter: ") + 9, GREY),
            ]
            if sharded
            else []
        )
        if plan.layout.replicas > 1:  # HSDP: each block's gradient shard across replicas
            comms.append(s.field("replicas", len("AllReduce(replicate): ") + 9, GREY))
        self.nccl = "" if sharded else "[NCCL] "  # the first collective shown carries it
        if plan.tensor_parallel > 1:  # sequence parallelism: a gather, a scatter (Run.tp_scatter)
            comms.append(s.field("tpag", len("[NCCL] AllGather(TP): ") + 9, GREY))
            comms.append(s.field("tprs", len("ReduceScatter(TP): ") + 9, GREY))
        if plan.moe is not None and plan.moe.ep > 1:
            comms.append(s.field("a2a", len("AllToAll(EP): ") + 9, GREY))
        comms.append(s.field("exposed", len("Exposed: ") + 9 + len("/step"), GREY))
        lines += flow(comms, width, grey_sep)
        self.height = len(lines)
        self.template = "".join(line.ansi + "\r\n" for line in lines)
        self.bars: dict[int, str] = {}
        self.first_step = (epoch - 1) * plan.steps_per_epoch
        self.capacity = f"GiB/{capacity}"
        self.per_sample = 1 / per_seq
        self.total = plan.total_steps
        self.step_seconds = plan.step_seconds
        self.steps_per_epoch = plan.steps_per_epoch
        self.tensor_parallel = plan.tensor_parallel > 1
        self.experts = plan.moe is not None
        self.dispatches = plan.moe is not None and plan.moe.ep > 1

    def render(self, stats: StepStats) -> str:
        show, total = self.show, self.total
        done = (stats.step - self.first_step) / self.steps_per_epoch
        filled = round(done * self.bar_width)
        bar = self.bars.get(filled)
        if bar is None:
            bar = self.bars[filled] = show.con.style.bar(done, self.bar_width).ansi
        gather, scatter, reduce, exposed = show.run.collectives(stats.step)
        self.sensors.read(stats.t)
        values = dict(self.sensors.values())
        values.update(
            {
                "bar": bar,
                "pct": str(math.floor(done * 100)),
                "step": f"{stats.step}/{total}",
                "loss": f"{stats.loss:.4f}",
                "lr": f"{stats.lr:.1e}",
                "gn": f"{stats.grad_norm:.3f}",
                "mem": f"{stats.memory_gib:.1f}{self.capacity}",
                "tps": f"{stats.tokens_per_second:,.0f} tokens/s",
                "sps": f"{fmt.rate(stats.tokens_per_second * self.per_sample)} samples/s",
                "tflops": f"{stats.tflops_per_gpu:.1f}",
                "mfu": f"{stats.mfu * 100:.1f}%",
                "eta": fmt.hours_minutes((total - stats.step) * self.step_seconds),
                "ag": f"[NCCL] AllGather: {_ms(gather)}",
                "rs": f"ReduceScatter: {_ms(scatter)}",
                "exposed": f"Exposed: {_ms(exposed)}/step",
                "sep": " | ",
            }
        )
        replicas = show.run.replica_all_reduce(stats.step)
        if replicas is not None:
            values["replicas"] = f"AllReduce(replicate): {_ms(replicas)}"
        if self.tensor_parallel:
            values["tpag"] = f"{self.nccl}AllGather(TP): {_ms(reduce / 2)}"
            values["tprs"] = f"ReduceScatter(TP): {_ms(show.run.tp_scatter(stats.step))}"
        if self.experts:
            values["aux"] = f"{stats.aux_loss or 0.0:.3e}"
        if self.dispatches:
            values["a2a"] = f"AllToAll(EP): {_ms(show.run.all_to_all(stats.step) or 0.0)}"
        return self.template.format_map(values)


def _metric(s: Style, label: str, name: str, width: int) -> Text:
    """'Loss: {loss}' with the label blue and the value bold white."""
    return s.paint(f"{label}:", BLUE) + s.literal(" ") + s.field(name, width)


class ClusterSensors:
    """Utilization and temperature per node shown, as the run reads them.

    Nodes beyond what fits on screen are summarized as one range, as dashboards of
    large clusters do.
    """

    def __init__(self, show: Show, width: int) -> None:
        plan = show.plan
        self.run = show.run
        self.low, self.high = plan.gpu.temperature_c
        widest = len(f"[GPU {plan.gpus - 8}-{plan.gpus - 1}: 100% util, 75°C]")
        per_line = max(1, (width - 2 + 1) // (widest + 1))
        capacity = per_line * GPU_STATUS_LINES
        self.nodes = plan.nodes
        self.shown = plan.nodes if plan.nodes <= capacity else capacity - 1
        self._values: dict[str, str] = {}
        self._turn = 0

    def read(self, t: float) -> None:
        """Refresh one node a redraw, in turn, as a monitor polling its nodes does."""
        nodes = range(self.shown) if not self._values else (self._turn % max(1, self.shown),)
        self._turn += 1
        for i in nodes:
            util, temp, _ = self.run.gpu_reading(i * physics.GPUS_PER_NODE, t)
            self._values[f"gpu{i}"] = f"[GPU {i * 8}-{i * 8 + 7}: {util}% util, {temp}°C]"
        if self.shown < self.nodes:
            hidden = self.nodes - self.shown
            lo_t, hi_t = self.low + 5, self.high - 3
            self._values["rest"] = f"[+{hidden} nodes: 95-100% util, {lo_t}-{hi_t}°C]"

    def fields(self, s: Style) -> list[Text]:
        segments = [
            s.field(f"gpu{i}", len(f"[GPU {i * 8}-{i * 8 + 7}: 100% util, 75°C]"), CYAN)
            for i in range(self.shown)
        ]
        if self.shown < self.nodes:
            hidden = self.nodes - self.shown
            segments.append(s.field("rest", len(f"[+{hidden} nodes: 95-100% util, 50-75°C]"), CYAN))
        return segments

    def values(self) -> dict[str, str]:
        return self._values


def _ms(seconds: float) -> str:
    value = seconds * 1000
    return (
        f"{value:,.0f}ms" if value >= 100 else f"{value:.1f}ms" if value >= 1 else f"{value:.2f}ms"
    )
