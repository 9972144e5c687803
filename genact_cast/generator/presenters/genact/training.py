"""One training epoch: a live block redrawn in place, with the log scrolling above it."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from genact_cast.generator import moe, physics
from genact_cast.generator import style as fmt
from genact_cast.generator.catalog import Architecture
from genact_cast.generator.dialects import parameters
from genact_cast.generator.events import (
    CheckpointSaved,
    CommReady,
    DataReady,
    Failed,
    Launched,
    ModelReady,
    Notice,
    Rendezvous,
    Restarted,
    RunEvent,
    StepStats,
    Trained,
)
from genact_cast.generator.pacing import log_interval, multiples, tick_steps
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.plan_failures import STUCK_KILL_SECONDS
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.style import BLUE, CYAN, GREY, Style, Text, flow

GPU_STATUS_LINES = 2
TICK_SECONDS = (0.45, 0.8)  # how often the live block is redrawn, in cast seconds
LOG_LINES = (6, 10)  # step lines an epoch, about
RESTARTS = 3  # torchrun --max-restarts
# A job's log_freq (torchtitan's default is 10): the largest of these that divides the
# groups' spacing. A cast shows groups of BURST lines, never a longer interval.
LOG_FREQS = (10, 5, 2, 1)
BURST = 3


def training_epoch(show: Show, epoch: int, events: Sequence[RunEvent], budget: float) -> None:
    con, plan, run = show.con, show.plan, show.run
    rng, s = con.rng, con.style
    spans = [e for e in events if isinstance(e, Trained)]
    covered = sum(span.last - span.first + 1 for span in spans)
    interval = log_interval(covered, round(budget / rng.uniform(*TICK_SECONDS)))
    last = epoch * plan.steps_per_epoch
    extra = [(0, 1), *((a, last) for a in range(len(plan.failures) + 1))]
    extra += [(e.attempt, e.step + 1) for e in events if isinstance(e, Restarted)]
    spike = plan.loss.spike
    if spike is not None:
        extra += [
            (a, st)
            for a in range(len(plan.failures) + 1)
            for st in (spike.grad_step, spike.loss_step)
        ]
    log_every = show.state.log_every
    if not log_every:  # the first epoch fixes how far apart the groups of lines are
        drawn = sum(len(t) for t in tick_steps(spans, interval, extra))
        log_every = show.state.log_every = interval * log_interval(drawn, rng.integer(*LOG_LINES))
        show.state.log_freq = next(f for f in LOG_FREQS if log_every % f == 0)
    log_freq = show.state.log_freq
    # Each group: a multiple of `log_every` and the job's next lines after it (log_freq
    # apart), so the log reads as logging every log_freq steps, fast-forwarded between.
    # (Spans end at saves and failures: a group's later lines may fall in the next span
    # of the same launch.)
    extra += [
        (span.attempt, s + k * log_freq)
        for span in spans
        for s in multiples(log_every, span.first - (BURST - 1) * log_freq, span.last)
        for k in range(BURST if log_every > log_freq else 1)
        if span.first <= s + k * log_freq <= span.last
    ]
    ticks = tick_steps(spans, interval, extra)
    drawn = sum(len(t) for t in ticks)
    failures = sum(isinstance(e, Failed) for e in events)
    pace = con.pacer(budget, drawn + 2 * failures)
    block = LiveBlock(show, epoch)

    resumed = {(e.attempt, e.step + 1) for e in events if isinstance(e, Restarted)}

    def logged(step: int, span: Trained) -> bool:
        in_group = step % log_freq == 0 and step % log_every < BURST * log_freq
        return in_group or step == 1 or (span.attempt, step) in resumed

    shown = _saves_shown(events, ticks, logged)
    above: list[tuple[float, list[Text]]] = []  # lines with the time they were logged
    # Saves whose background write has not finished yet (an epoch's end's too): logged
    # when it has.
    writing, show.state.writing = show.state.writing, []
    span_index = 0
    for event in events:
        if isinstance(event, Trained):
            for step in ticks[span_index]:
                stats = run.step(step, event.attempt)
                above += [item for item in writing if item[0] <= stats.t]
                writing = [item for item in writing if item[0] > stats.t]
                con.at(stats.t)
                show.state.step, show.state.last_loss = step, stats.loss
                show.state.losses.append(stats.loss)
                if logged(step, event):
                    above.append((stats.t, _log_lines(show, stats)))
                con.live_text(block.render(stats), block.height, _in_order(above))
                above = []
                pace()  # a natural break too
            span_index += 1
        elif isinstance(event, Notice):
            con.at(event.t)
            above.append((event.t, con.log_lines(f"[WARN] {event.message}", s.warning)))
        elif isinstance(event, CheckpointSaved):
            con.at(event.t)
            show.state.checkpoints.append(event.path)
            if id(event) in shown:  # logged when its write ends, above the next redraw
                writing += save_lines(show, event)
        elif isinstance(event, Failed):
            con.end_live()
            # A write still going when the rank died never ends: no line for it.
            above += [item for item in writing if item[0] <= event.t_fault]
            writing = []
            for line in _in_order(above):
                con.print(line)
            above = []
            _failure(show, event)
            pace()
        elif isinstance(event, Restarted):
            con.at(event.t)
            show.state.failures += 1
            show.state.lost_seconds += event.lost_seconds
            # The launch is a torchrun typed at the first node's shell: it restarts its
            # workers itself; no scheduler drains or requeues anything (generator/run.py).
            if not event.requeued:
                con.log(
                    f"[elastic] [default] Worker group FAILED. {RESTARTS - event.restarts + 1}/"
                    f"{RESTARTS} attempts left; will restart worker group",
                    s.warning,
                )
            if event.drained and not event.requeued:
                con.log(
                    f"[elastic] spare node {event.spare} joined the rendezvous at "
                    f"{plan.master}:{plan.master_port} in {event.drained}'s place "
                    f"({plan.gpus} GPUs)",
                    s.warning,
                )
            elif event.requeued:
                where = (
                    f"with spare node {event.spare} in {event.drained}'s place"
                    if event.drained
                    else "on the same nodes"
                )
                con.log(
                    f"[elastic] torchrun used its {RESTARTS} restarts and exited; started "
                    f"again by hand {where} ({plan.gpus} GPUs)",
                    s.warning,
                )
            # No save complete yet (the first still being written): the run starts over
            # from what the first launch read, the released weights or a fresh init.
            start = "the base model" if not plan.from_scratch else "scratch"
            where = (
                f"{event.checkpoint}/" if event.checkpoint else f"{start}, no complete checkpoint"
            )
            con.log(
                f"Resuming from {where} (step {event.step:,}); "
                f"{fmt.elapsed(event.lost_seconds)} of training lost"
            )
            pace()
        elif isinstance(event, Launched | Rendezvous | CommReady | DataReady):
            con.at(event.t)
            if isinstance(event, CommReady):
                con.log(f"NCCL communicators re-initialized ({plan.gpus} ranks)")
        elif isinstance(event, ModelReady):
            con.at(event.t)
            if event.loaded_from is None:
                con.log(f"Initialized weights from scratch in {event.seconds:.1f}s")
            elif event.loaded_from.startswith("/checkpoints/base/"):  # what the start read
                con.log(
                    f"Loaded base model {event.loaded_from}/ "
                    f"({fmt.gigabytes(plan.weights_bytes)} bf16) in {event.seconds:.1f}s"
                )
            else:
                con.log(
                    f"Loaded checkpoint {event.loaded_from}/ "
                    f"({fmt.gigabytes(plan.checkpoint_bytes)}) in {event.seconds:.1f}s"
                )
    con.end_live()
    # A write that outlasts the epoch's steps is logged when it ends, in the sections after.
    end = events[-1].t if events else 0.0
    show.state.writing = [item for item in writing if item[0] > end]
    for line in _in_order(above + [item for item in writing if item[0] <= end]):
        con.print(line)
    pace.finish()


def log_written(show: Show, until: float) -> None:
    """Log the background writes that ended by `until`, the time of a section after the
    steps (a validation, a save, the export)."""
    state = show.state
    done = [item for item in state.writing if item[0] <= until]
    state.writing = [item for item in state.writing if item[0] > until]
    for line in _in_order(done):
        show.con.print(line)


def _saves_shown(
    events: Sequence[RunEvent], ticks: list[list[int]], logged: Callable[[int, Trained], bool]
) -> set[int]:
    """The saves worth a line (by id): the latest between two step lines. In fast-forward a
    line for every save would drown the log; each still goes out when it happens, so the
    live block never runs ahead of a line logged before it."""
    shown: set[int] = set()
    window_has_save = False
    span_index = len(ticks)
    for event in reversed(events):  # spans are cut at saves: a window ends at a step line
        if isinstance(event, Trained):
            span_index -= 1
            if any(logged(step, event) for step in ticks[span_index]):
                window_has_save = False
        elif isinstance(event, CheckpointSaved):
            if not window_has_save:
                shown.add(id(event))
            window_has_save = True
    return shown


def _rate_width(peak: float) -> int:
    """The widest samples/s a run shows: its peak, or any slower step (the first's) drawn
    with decimals when it falls below 10."""
    return max(len(fmt.rate(peak)), fmt.RATE_WIDTH if peak < 1000 else 0)


def _seconds(value: float) -> str:
    """Seconds to the digits that make two saves' times tell apart: '0.23s', '41.7s'."""
    return f"{value:.2f}s" if value < 10 else f"{value:.1f}s"


def _in_order(logged: list[tuple[float, list[Text]]]) -> list[Text]:
    """Lines as the log has them: by the time they were logged."""
    return [line for _, lines in sorted(logged, key=lambda item: item[0]) for line in lines]


def save_lines(show: Show, event: CheckpointSaved | None) -> list[tuple[float, list[Text]]]:
    if event is None:
        return []
    # Stamped when the write ended: training went on after `blocking`, the write took
    # `seconds` from the end of the step it saves.
    written = event.t - event.blocking + event.waited + event.seconds
    now, show.state.elapsed = show.state.elapsed, written
    waited = f" ({_seconds(event.waited)} waiting for the previous write)" if event.waited else ""
    lines = show.con.log_lines(
        f"[Checkpoint] Saved step {event.step} to {event.path}/ "
        f"({fmt.gigabytes(event.size_bytes)}, async: training blocked "
        f"{_seconds(event.blocking)}{waited}, written in {_seconds(event.seconds)})"
    )
    show.state.elapsed = now
    return [(written, lines)]


def _failure(show: Show, event: Failed) -> None:
    """How the fault ends the launch (Failed.ends, Failed.watchdog): a process that dies
    exits at once with its CUDA error, and its node's torchrun agent, polling every 0.1 s,
    stops the node's other workers (the other nodes' agents restart theirs at the next
    rendezvous round); one stuck after its error, a GPU that hangs, or a lost host leaves
    its peers blocked in the collective until their NCCL watchdog gives up. The
    node's monitoring names the Xid (the driver logs it in the kernel log, not in the job's
    output)."""
    con, s, plan = show.con, show.style, show.plan
    con.at(event.t_fault)
    if event.same_node and event.errors:
        con.log(
            f"[ERROR] [rank{event.rank}] RuntimeError: CUDA error: {event.cuda_error} "
            f"(step {event.step:,}, {event.host} GPU {event.local_rank})",
            s.error,
        )
    if event.same_node:
        con.log(
            f"[WARN] dcgm on {event.host}: GPU {event.local_rank} reported Xid {event.xid} "
            f"({event.xid_text})",
            s.warning,
        )
        if event.ends == "stuck":
            # The process aborts on its error but cannot exit before the GPU's reset (the
            # real Xid 48 log, plan_failures.ENDS): its agent sees it running, and its
            # peers wait in the collective.
            con.log(
                f"[WARN] [rank{event.rank}] aborting, but the process cannot exit until "
                f"{event.host} GPU {event.local_rank} is reset; its peers wait in the collective",
                s.warning,
            )
    else:  # the host is lost: no GPU error, its ranks just stop
        first = event.rank - event.local_rank
        con.log(
            f"[ERROR] [elastic] lost {event.host} (step {event.step:,}): ranks {first}-"
            f"{first + physics.GPUS_PER_NODE - 1} stopped answering",
            s.error,
        )
    con.at(event.t)
    if not event.watchdog:
        con.log(
            f"[WARN] [elastic] {event.host}: local rank {event.local_rank} failed (exitcode: 1); "
            f"sending SIGTERM to the node's other {physics.GPUS_PER_NODE - 1} workers",
            s.warning,
        )
        if plan.nodes > 1:
            others = f"other {plan.nodes - 1} nodes' agents stop their"
            if plan.nodes == 2:
                others = "other node's agent stops its"
            con.log(
                f"[WARN] [elastic] the {others} workers for the next rendezvous round",
                s.warning,
            )
    else:
        op, seq = sequence_parallel_work(event.op, event.seq)
        numel_in, numel_out = collective_numels(plan, op, tp_group=event.op != op)
        con.log(
            f"[ERROR] [rank{event.peer}] Watchdog caught collective operation timeout: "
            f"WorkNCCL(SeqNum={seq}, OpType={op}, NumelIn={numel_in}, "
            f"NumelOut={numel_out}, Timeout(ms)={event.timeout_ms}) ran for {event.ran_ms} "
            f"milliseconds before timing out",
            s.error,
        )
        con.log(
            f"[ERROR] [rank{event.peer}] To avoid data inconsistency, we are taking the entire "
            f"process down.",
            s.error,
        )
        if event.ends == "stuck":
            # Its agent's SIGTERM goes unanswered too: SIGKILL 30 s later, and only then the
            # next rendezvous round (torch 2.9.0 multiprocessing/api.py:908-928).
            con.at(event.t + 1.5 + STUCK_KILL_SECONDS)
            con.log(
                f"[WARN] [elastic] {event.host}: local rank {event.local_rank} did not exit "
                f"{STUCK_KILL_SECONDS:.0f} s after SIGTERM; sent SIGKILL",
                s.warning,
            )
    # The broken GPU fails each restart's worker at CUDA initialisation (run_timeline).
    for retry, at in enumerate(event.retried):
        con.at(at)
        con.log(
            f"[ERROR] [elastic] restart {RESTARTS - event.retries + retry + 1} of {RESTARTS}: "
            f"rank {event.rank} failed again at CUDA initialisation: {event.cuda_error} "
            f"({event.host} GPU {event.local_rank} needs a reset)",
            s.error,
        )


def sequence_parallel_work(op: str, seq: int) -> tuple[str, int]:
    """The OpType and SeqNum the watchdog prints for the run's collective `op`, `seq`-th on
    its group. The plan's activations assume sequence parallelism wherever TP > 1: each
    all-reduce of tensor parallelism (the timeline's ALLREDUCE, counted as Shoeybi et al.
    2019 count them, collective_counts.tp_per_step) is a reduce-scatter and an all-gather
    (Korthikanti et al. 2022, arXiv 2205.05198, §4.2.2: g is a reduce-scatter, g-bar an
    all-gather), so the group counts two works for each: the `seq`-th all-reduce's pair is
    works 2 seq - 1 (the gather) and 2 seq (the scatter), the one caught by `seq`'s parity.
    FSDP's gathers and scatters are printed as they are."""
    if op != "ALLREDUCE":
        return op, seq
    if seq % 2:
        return "_ALLGATHER_BASE", 2 * seq - 1
    return "_REDUCE_SCATTER_BASE", 2 * seq


def collective_numels(plan: RunPlan, op: str, *, tp_group: bool = False) -> tuple[int, int]:
    """Elements in and out of the collective the watchdog caught: one block's parameters of
    this TP/PP shard, gathered or scattered over the shard group, or on the TP group
    (`tp_group`) a micro batch's activations (micro batch x sequence x hidden), gathered
    from or scattered to a TP-th of the sequence each. Of a mixture of experts, only this
    rank's EP share of the routed experts (each lives on one EP rank), as the step line's
    AllGather time carries."""
    a, layout = plan.arch, plan.layout
    if tp_group:
        activations = plan.micro_batch * plan.seq_len * a.hidden
        part = activations // layout.tp
        if op == "_ALLGATHER_BASE":
            return part, activations
        return activations, part
    block = _layer_params(a, layout.ep) // layout.tp
    group = layout.shard_group
    shard = -(-block // group)  # padded to a multiple of the group, as FSDP's flat parameter
    if op == "_ALLGATHER_BASE":
        return shard, shard * group
    if op == "_REDUCE_SCATTER_BASE":
        return shard * group, shard
    activations = plan.micro_batch * plan.seq_len * a.hidden
    return activations, activations


def _layer_params(a: Architecture, ep: int) -> int:
    """One decoder layer's parameters: of a dense model with its released config.json,
    exactly (its q/k/v/o, norms and gated MLP: parameters.hf_state_dict); else the card's
    size less the embedding, and the output layer unless the config ties it
    (tie_word_embeddings; review-realism7 FAIL 9: Llama-3.2-3B's tied output was taken off
    its rounded 3.21 B, 86,499,712 against the released layer's 100,669,440)."""
    shape = parameters.of_architecture(a)
    embeddings = a.vocab * a.hidden * (1 if shape.tied else 2)
    if a.ffn and not a.experts:
        exact = parameters.hf_state_dict(shape)
        return (exact - embeddings - a.hidden) // a.layers  # the final norm
    return int(moe.gathered_params(a, ep) - embeddings) // a.layers


def _log_lines(show: Show, stats: StepStats) -> list[Text]:
    plan = show.plan
    per_gpu = stats.tokens_per_second / plan.gpus
    text = (
        f"step {stats.step:>{len(str(plan.total_steps))}} | loss {stats.loss:.4f} | "
        f"{fmt.thousands(per_gpu)} tok/s/GPU | mfu {stats.mfu * 100:.1f}%"
    )
    if stats.aux_loss is not None:
        text += f" | aux {stats.aux_loss:.3e}"
    if stats.z_loss is not None:
        text += f" | z {stats.z_loss:.2e}"
    return show.con.log_lines(text)


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
