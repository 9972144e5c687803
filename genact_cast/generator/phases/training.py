"""One training epoch: a live block redrawn in place, with the log scrolling above it."""

from __future__ import annotations

import math

from genact_cast.generator import catalog, physics
from genact_cast.generator import style as fmt
from genact_cast.generator.console import Console
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.style import BLUE, CYAN, GREY, Style, Text, flow

GPU_STATUS_LINES = 2
TICK_SECONDS = (0.35, 0.65)  # how often the live block is redrawn, in cast seconds


def training_epoch(con: Console, plan: RunPlan, epoch: int, budget: float) -> None:
    rng, s = con.rng, con.style
    spe = plan.steps_per_epoch
    first, last = (epoch - 1) * spe + 1, epoch * spe
    steps = _tick_steps(plan, first, last, max(2, round(budget / rng.uniform(*TICK_SECONDS))))
    pace = con.pacer(budget, len(steps))
    block = LiveBlock(con, plan, epoch)
    log_every = max(1, len(steps) // rng.integer(6, 10))
    warn_at = {rng.integer(2, max(2, len(steps) - 1)) for _ in range(rng.integer(0, 2))}
    spike = plan.loss.spike

    previous = first - 1
    steady, batch_tokens = plan.step_seconds, plan.global_batch_tokens
    for index, step in enumerate(steps):
        step_seconds = steady * rng.uniform(0.985, 1.03)
        if step == 1:
            step_seconds = plan.first_step_seconds
        above: list[Text] = []
        if index in warn_at and step > 1:
            warning, step_seconds = _random_warning(con, plan, step_seconds)
            above += con.text_lines(f"[WARN] {warning}", indent="", paint=s.warning)
        con.advance(step_seconds + (step - previous - 1) * steady)
        previous = step

        loss = plan.loss.smooth(step) + rng.normal(0.0, plan.loss_noise)
        grad_norm = plan.grad_norm.smooth(step) * (1 + rng.normal(0.0, 0.08))
        con.state.step, con.state.last_loss = step, loss
        con.state.losses.append(loss)
        if spike is not None and step == spike.grad_step:
            above += con.text_lines(
                f"[WARN] step {step}: grad_norm {grad_norm:.2f} above clip 1.0, gradients clipped",
                indent="",
                paint=s.warning,
            )
        tokens_per_s = batch_tokens / step_seconds
        if index % log_every == 0 or step == last:
            above += _log_lines(con, plan, step, loss, tokens_per_s)
        con.live_text(block.render(step, loss, grad_norm, tokens_per_s), block.height, above)
        pace()  # a natural break too
    con.end_live()
    pace.finish()


def _tick_steps(plan: RunPlan, first: int, last: int, ticks: int) -> list[int]:
    """The steps the live block shows: spread over the epoch, spikes always among them."""
    count = last - first + 1
    ticks = min(ticks, count)
    steps = {first + (count - 1) * i // (ticks - 1) for i in range(ticks)} if ticks > 1 else {last}
    spike = plan.loss.spike
    if spike is not None:
        steps |= {s for s in (spike.grad_step, spike.loss_step) if first <= s <= last}
    return sorted(steps)


class LiveBlock:
    """The epoch's live status: laid out once, then filled in at every redraw."""

    def __init__(self, con: Console, plan: RunPlan, epoch: int) -> None:
        self.con, self.plan, self.epoch = con, plan, epoch
        s, width = con.style, con.width
        total = plan.total_steps
        title = s.header(f"Epoch {epoch}/{plan.epochs}")
        self.bar_width = min(40, width - title.width - len(" 100%") - 1)
        sep = s.literal(" | ")
        peak_speed = plan.global_batch_tokens / (plan.step_seconds * 0.98)
        lines = [
            title + s.literal(" ") + s.field("bar", self.bar_width, None) + Text(" {pct:>3}%", 5)
        ]
        lines += flow(
            [
                s.paint("Step ", BLUE) + s.field("step", 2 * len(str(total)) + 1),
                _metric(s, "Loss", "loss", 7),
                _metric(s, "LR", "lr", 7),
                _metric(s, "Grad Norm", "gn", 7),
                _metric(s, "GPU Mem", "mem", len(f"{plan.gpu.memory_gib:.1f}GB") * 2 + 1),
            ],
            width,
            sep,
        )
        lines += flow(
            [
                _metric(s, "Speed", "tps", len(fmt.thousands(peak_speed)) + len(" tokens/s")),
                s.field("sps", len(fmt.thousands(peak_speed / plan.seq_len)) + len(" samples/s")),
                _metric(s, "TFLOP/s", "tflops", 6),
                _metric(s, "MFU", "mfu", 6),
                _metric(s, "ETA", "eta", 7),
            ],
            width,
            sep,
        )
        self.sensors = ClusterSensors(con, plan, width)
        lines += flow(self.sensors.fields(s), width, s.literal(" "))
        grey_sep = s.field("sep", 3, GREY)
        lines += flow(
            [
                s.field("allreduce", len("[NCCL] AllReduce: ") + 9, GREY),
                s.field("broadcast", len("Broadcast: ") + 8, GREY),
                s.field("barrier", len("Barrier: ") + 8, GREY),
            ],
            width,
            grey_sep,
        )
        self.height = len(lines)
        self.template = "".join(line.ansi + "\r\n" for line in lines)
        # Constants of the epoch, so that a redraw only formats what changes.
        self.bars: dict[int, str] = {}
        self.first_step = (epoch - 1) * plan.steps_per_epoch
        self.steps_per_epoch = plan.steps_per_epoch
        self.total = plan.total_steps
        self.schedule = (plan.peak_lr, plan.warmup_steps, plan.total_steps)
        self.step_seconds = plan.step_seconds
        self.tflop_per_token_gpu = plan.flops_per_token / 1e12 / plan.gpus
        self.percent_of_peak = 100 / plan.gpu.peak_tflops
        self.per_sample = 1 / plan.seq_len
        self.memory = plan.memory_gib
        self.capacity = f"GB/{plan.gpu.memory_gib:.1f}GB"
        self.allreduce_ms = plan.allreduce_seconds * 1000
        self.hops = math.log2(max(2, plan.gpus))

    def render(self, step: int, loss: float, grad_norm: float, tokens_per_s: float) -> str:
        rng = self.con.rng
        done = (step - self.first_step) / self.steps_per_epoch
        filled = round(done * self.bar_width)
        bar = self.bars.get(filled)
        if bar is None:
            bar = self.bars[filled] = self.con.style.bar(done, self.bar_width).ansi
        tflops = tokens_per_s * self.tflop_per_token_gpu
        memory = self.memory * (0.72 if step == 1 else 1.0)
        allreduce = self.allreduce_ms * rng.uniform(0.92, 1.12)
        self.sensors.drift()
        return self.template.format_map(
            {
                "bar": bar,
                "pct": math.floor(done * 100),
                "step": f"{step}/{self.total}",
                "loss": f"{loss:.4f}",
                "lr": f"{physics.learning_rate(step, *self.schedule):.1e}",
                "gn": f"{grad_norm:.3f}",
                "mem": f"{memory:.1f}{self.capacity}",
                "tps": f"{tokens_per_s:,.0f} tokens/s",
                "sps": f"{tokens_per_s * self.per_sample:,.0f} samples/s",
                "tflops": f"{tflops:.1f}",
                "mfu": f"{tflops * self.percent_of_peak:.1f}%",
                "eta": fmt.hours_minutes((self.total - step) * self.step_seconds),
                "allreduce": f"[NCCL] AllReduce: {_ms(allreduce)}",
                "broadcast": f"Broadcast: {_ms(self.hops * rng.uniform(0.05, 0.2))}",
                "barrier": f"Barrier: {_ms(self.hops * rng.uniform(0.01, 0.04))}",
                "sep": " | ",
                **self.sensors.values(),
            }
        )


def _metric(s: Style, label: str, name: str, width: int) -> Text:
    """'Loss: {loss}' with the label blue and the value bold white."""
    return s.paint(f"{label}:", BLUE) + s.literal(" ") + s.field(name, width)


class ClusterSensors:
    """Utilization and temperature per node shown, drifting slowly between redraws.

    Nodes beyond what fits on screen are summarized as one range, as dashboards of
    large clusters do.
    """

    def __init__(self, con: Console, plan: RunPlan, width: int) -> None:
        self.rng = con.rng
        self.low, self.high = plan.gpu.temperature_c
        widest = len(f"[GPU {plan.gpus - 8}-{plan.gpus - 1}: 100% util, 75°C]")
        per_line = max(1, (width - 2 + 1) // (widest + 1))
        capacity = per_line * GPU_STATUS_LINES
        self.nodes = plan.nodes
        self.shown = plan.nodes if plan.nodes <= capacity else capacity - 1
        self.util = [self.rng.integer(95, 100) for _ in range(self.shown)]
        self.temp = [self.rng.integer(self.low + 5, self.high - 3) for _ in range(self.shown)]
        self.hidden_util = (self.rng.integer(95, 97), 100)
        self.hidden_temp = (self.low + self.rng.integer(0, 6), self.high - self.rng.integer(0, 4))
        self._values = {f"gpu{i}": self._segment(i) for i in range(self.shown)}
        if self.shown < self.nodes:
            (ulo, uhi), (tlo, thi) = self.hidden_util, self.hidden_temp
            hidden = self.nodes - self.shown
            self._values["rest"] = f"[+{hidden} nodes: {ulo}-{uhi}% util, {tlo}-{thi}°C]"

    def _segment(self, i: int) -> str:
        return f"[GPU {i * 8}-{i * 8 + 7}: {self.util[i]}% util, {self.temp[i]}°C]"

    def fields(self, s: Style) -> list[Text]:
        segments = [
            s.field(f"gpu{i}", len(f"[GPU {i * 8}-{i * 8 + 7}: 100% util, 75°C]"), CYAN)
            for i in range(self.shown)
        ]
        if self.shown < self.nodes:
            hidden = self.nodes - self.shown
            segments.append(s.field("rest", len(f"[+{hidden} nodes: 95-100% util, 50-75°C]"), CYAN))
        return segments

    def drift(self) -> None:
        """One node's readings move by a step; the others hold, as real sensors mostly do."""
        if self.shown:
            i = self.rng.integer(0, self.shown - 1)
            self.util[i] = min(100, max(95, self.util[i] + self.rng.integer(-1, 1)))
            self.temp[i] = min(self.high, max(self.low, self.temp[i] + self.rng.integer(-1, 1)))
            self._values[f"gpu{i}"] = self._segment(i)

    def values(self) -> dict[str, str]:
        """The status segments as they read now, by field name."""
        return self._values


def _ms(value: float) -> str:
    return f"{value:.1f}ms" if value >= 1 else f"{value:.2f}ms"


def _log_lines(
    con: Console, plan: RunPlan, step: int, loss: float, tokens_per_s: float
) -> list[Text]:
    per_gpu = tokens_per_s / plan.gpus
    tflops = physics.tflops_per_gpu(tokens_per_s, plan.gpus, plan.flops_per_token)
    mfu = tflops / plan.gpu.peak_tflops * 100
    text = (
        f"step {step:>{len(str(plan.total_steps))}} | loss {loss:.4f} | "
        f"{fmt.thousands(per_gpu)} tok/s/GPU | mfu {mfu:.1f}%"
    )
    return con.log_lines(text)


def _random_warning(con: Console, plan: RunPlan, step_seconds: float) -> tuple[str, float]:
    rng = con.rng
    template = rng.pick(catalog.warnings())
    rank = rng.integer(1, plan.gpus - 1)
    pause = rng.uniform(0.4, 2.5)
    fields = {
        "pause": pause,
        "rank": rank,
        "seq": rng.integer(1000, 90000),
        "ms": rng.integer(1200, 9000),
        "gpu": rank % 8,
        "node": rank // 8,
        "temp": rng.integer(82, 86),
        "slow": step_seconds * rng.uniform(1.04, 1.1),
        "median": step_seconds,
        "worker": rng.integer(0, 7),
    }
    message = template.format(**fields)
    slower = step_seconds + (pause if "GC pause" in template else 0.0)
    return message, slower
