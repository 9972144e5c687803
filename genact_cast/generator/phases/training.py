"""One training epoch: a live block redrawn in place, with the log scrolling above it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from genact_cast.generator import catalog
from genact_cast.generator import style as fmt
from genact_cast.generator.console import Console
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.style import Text, flow

GPU_STATUS_LINES = 2
TICK_SECONDS = (0.35, 0.65)  # how often the live block is redrawn, in cast seconds


@dataclass
class Node:
    util: int
    temp: int


class ClusterSensors:
    """Utilization and temperature per node, drifting slowly from one redraw to the next."""

    def __init__(self, con: Console, plan: RunPlan) -> None:
        self.rng = con.rng
        self.low, self.high = plan.gpu.temperature_c
        self.nodes = [
            Node(self.rng.integer(95, 100), self.rng.integer(self.low + 5, self.high - 3))
            for _ in range(min(plan.nodes, 24))  # more than fit on screen is summarized
        ]

    def drift(self) -> None:
        for node in self.nodes:
            node.util = min(100, max(95, node.util + self.rng.integer(-1, 1)))
            node.temp = min(self.high, max(self.low, node.temp + self.rng.integer(-1, 1)))


def training_epoch(con: Console, plan: RunPlan, epoch: int, budget: float) -> None:
    rng, s = con.rng, con.style
    spe = plan.steps_per_epoch
    first, last = (epoch - 1) * spe + 1, epoch * spe
    steps = _tick_steps(plan, first, last, max(2, round(budget / rng.uniform(*TICK_SECONDS))))
    pace = con.pacer(budget, len(steps))
    sensors = ClusterSensors(con, plan)
    log_every = max(1, len(steps) // rng.integer(6, 10))
    warn_at = {rng.integer(2, len(steps) - 1) for _ in range(rng.integer(0, 2))}
    spike = plan.loss.spike

    previous = first - 1
    for index, step in enumerate(steps):
        step_seconds = plan.step_seconds * rng.uniform(0.985, 1.03)
        if step == 1:
            step_seconds = plan.first_step_seconds
        above: list[Text] = []
        if index in warn_at and step > 1:
            warning, step_seconds = _random_warning(con, plan, step_seconds)
            above += con.text_lines(f"[WARN] {warning}", indent="", paint=s.warning)
        con.advance(step_seconds + (step - previous - 1) * plan.step_seconds)
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
        tokens_per_s = plan.global_batch_tokens / step_seconds
        metrics = _Metrics(step, loss, grad_norm, tokens_per_s, step_seconds)
        if index % log_every == 0 or step == last:
            above += _log_lines(con, plan, metrics)
        sensors.drift()
        con.live(_block(con, plan, epoch, metrics, sensors), above)
        pace()
        con.natural_break()
    con.end_live()
    pace.finish()


@dataclass(frozen=True, slots=True)
class _Metrics:
    step: int
    loss: float
    grad_norm: float
    tokens_per_s: float
    step_seconds: float


def _tick_steps(plan: RunPlan, first: int, last: int, ticks: int) -> list[int]:
    """The steps the live block shows: spread over the epoch, spikes always among them."""
    count = last - first + 1
    ticks = min(ticks, count)
    steps = {first + (count - 1) * i // (ticks - 1) for i in range(ticks)} if ticks > 1 else {last}
    spike = plan.loss.spike
    if spike is not None:
        steps |= {s for s in (spike.grad_step, spike.loss_step) if first <= s <= last}
    return sorted(steps)


def _block(
    con: Console, plan: RunPlan, epoch: int, m: _Metrics, sensors: ClusterSensors
) -> list[Text]:
    s, width = con.style, con.width
    done = (m.step - (epoch - 1) * plan.steps_per_epoch) / plan.steps_per_epoch
    title = s.header(f"Epoch {epoch}/{plan.epochs}")
    percent = f" {math.floor(done * 100):3d}%"
    bar_width = min(40, width - title.width - len(percent) - 1)
    lines = [title + s.plain(" ") + s.bar(done, bar_width) + s.plain(percent)]

    memory = plan.memory_gib * (0.72 if m.step == 1 else 1.0)
    sep = s.plain(" | ")
    lines += flow(
        [
            s.label("Step ") + s.value(f"{m.step}/{plan.total_steps}"),
            s.metric("Loss", f"{m.loss:.4f}"),
            s.metric("LR", f"{plan.learning_rate(m.step):.1e}"),
            s.metric("Grad Norm", f"{m.grad_norm:.3f}"),
            s.metric("GPU Mem", f"{memory:.1f}GB/{plan.gpu.memory_gib:.1f}GB"),
        ],
        width,
        sep,
    )
    tflops = m.tokens_per_s / plan.gpus * plan.flops_per_token / 1e12
    remaining = (plan.total_steps - m.step) * plan.step_seconds
    lines += flow(
        [
            s.metric("Speed", f"{fmt.thousands(m.tokens_per_s)} tokens/s"),
            s.value(f"{fmt.thousands(m.tokens_per_s / plan.seq_len)} samples/s"),
            s.metric("TFLOP/s", f"{tflops:.1f}"),
            s.metric("MFU", f"{tflops / plan.gpu.peak_tflops * 100:.1f}%"),
            s.metric("ETA", fmt.hours_minutes(remaining)),
        ],
        width,
        sep,
    )
    lines += _gpu_status(con, plan, sensors)
    lines += _nccl_status(con, plan)
    return lines


def _gpu_status(con: Console, plan: RunPlan, sensors: ClusterSensors) -> list[Text]:
    s, width = con.style, con.width
    segments = [
        f"[GPU {i * 8}-{i * 8 + 7}: {n.util}% util, {n.temp}°C]" for i, n in enumerate(sensors.nodes)
    ]
    per_line = max(1, (width - 2 + 1) // (max(len(x) for x in segments) + 1))
    capacity = per_line * GPU_STATUS_LINES
    if plan.nodes > capacity or len(segments) < plan.nodes:
        shown = min(capacity - 1, len(segments))
        rest = sensors.nodes[shown:]
        hidden = plan.nodes - shown
        utils = [n.util for n in rest]
        temps = [n.temp for n in rest]
        summary = (
            f"[+{hidden} nodes: {min(utils)}-{max(utils)}% util, {min(temps)}-{max(temps)}°C]"
        )
        segments = [*segments[:shown], summary]
    return flow([s.gpu(x) for x in segments], width, s.plain(" "))


def _nccl_status(con: Console, plan: RunPlan) -> list[Text]:
    rng, s = con.rng, con.style
    hops = math.log2(max(2, plan.gpus))
    allreduce = plan.allreduce_seconds * 1000 * rng.uniform(0.92, 1.12)
    broadcast = hops * rng.uniform(0.05, 0.2)
    barrier = hops * rng.uniform(0.01, 0.04)
    return flow(
        [
            s.nccl(f"[NCCL] AllReduce: {_ms(allreduce)}"),
            s.nccl(f"Broadcast: {_ms(broadcast)}"),
            s.nccl(f"Barrier: {_ms(barrier)}"),
        ],
        con.width,
        s.nccl(" | "),
    )


def _ms(value: float) -> str:
    return f"{value:.1f}ms" if value >= 1 else f"{value:.2f}ms"


def _log_lines(con: Console, plan: RunPlan, m: _Metrics) -> list[Text]:
    per_gpu = m.tokens_per_s / plan.gpus
    mfu = per_gpu * plan.flops_per_token / 1e12 / plan.gpu.peak_tflops * 100
    text = (
        f"step {m.step:>{len(str(plan.total_steps))}} | loss {m.loss:.4f} | "
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
