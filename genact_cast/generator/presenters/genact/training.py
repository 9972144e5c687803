"""One training epoch: a live block redrawn in place, with the log scrolling above it."""

from __future__ import annotations

from collections.abc import Sequence

from genact_cast.generator import style as fmt
from genact_cast.generator.events import (
    CheckpointSaved,
    CommReady,
    DataReady,
    Evaluated,
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
from genact_cast.generator.pacing import BURST, cadence, evaluation_stride, multiples, tick_steps
from genact_cast.generator.presenters.genact.checkpoint import checkpoint
from genact_cast.generator.presenters.genact.failure import RESTARTS, log_failure
from genact_cast.generator.presenters.genact.live_block import LiveBlock
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.presenters.genact.validation import in_loop_lines, validation
from genact_cast.generator.presenters.genact.written import (
    in_order,
    save_lines,
    saves_shown,
)
from genact_cast.generator.style import Text


def training_epoch(show: Show, epoch: int, events: Sequence[RunEvent], budget: float) -> None:
    con, plan, run = show.con, show.plan, show.run
    s = con.style
    spans = [e for e in events if isinstance(e, Trained)]
    # The steps shown, as every dialect shows them (pacing.cadence): the live block's
    # redraws, and the log's groups of lines, fixed by the first epoch.
    shown_at = cadence(plan, epoch, events, budget, show.state.log_every)
    interval, extra = shown_at.interval, list(shown_at.extra)
    log_every = show.state.log_every = shown_at.log_every
    log_freq = show.state.log_freq = shown_at.log_freq
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
    resumed = {(e.attempt, e.step + 1) for e in events if isinstance(e, Restarted)}

    def logged(step: int, span: Trained) -> bool:
        in_group = step % log_freq == 0 and step % log_every < BURST * log_freq
        return in_group or step == 1 or (span.attempt, step) in resumed

    shown = saves_shown(events, ticks, logged)
    # The evaluations inside the epoch the cast shows: a subset where there are hundreds,
    # and every one at a step whose line or save the cast shows, as every framework
    # dialect shows them (presenters/shown_steps.py): the loop evaluates right after that
    # step, so a shown line or save without it would hide the time it took.
    stride = evaluation_stride(plan.eval_every, plan.total_steps)
    at_shown = {
        step
        for span, steps in zip(spans, ticks, strict=True)
        for step in steps
        if logged(step, span)
    }
    at_shown.update(e.step for e in events if isinstance(e, CheckpointSaved) and id(e) in shown)
    shown_evaluations = {
        e.step
        for e in events
        if isinstance(e, Evaluated) and (e.step % stride == 0 or e.step in at_shown)
    }
    evaluations = len(shown_evaluations)
    # An earlier epoch's end crossed again after a resume from a save before it
    # (simulation._phases): its validation block and save, as the first pass showed them,
    # each a share of the epoch's time.
    replayed = [e for e in events if isinstance(e, Evaluated) and e.metrics]
    replay_share = budget / 20
    replay_saves = {
        e.step for e in events if isinstance(e, CheckpointSaved) and e.at_epoch_end and e.path
    }
    budget -= replay_share * sum(1 + (e.step in replay_saves) for e in replayed)
    pace = con.pacer(budget, drawn + 2 * failures + evaluations)
    # The bar of the epoch each step is in: a replayed step is drawn under its own epoch's.
    blocks: dict[int, LiveBlock] = {}

    def block_of(step: int) -> LiveBlock:
        at = (step - 1) // plan.steps_per_epoch + 1
        if at not in blocks:
            blocks[at] = LiveBlock(show, at)
        return blocks[at]

    block = block_of(spans[0].first if spans else (epoch - 1) * plan.steps_per_epoch + 1)
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
                block = block_of(step)
                con.live_text(block.render(stats), block.height, in_order(above))
                above = []
                pace()  # a natural break too
            span_index += 1
        elif isinstance(event, Evaluated) and event.metrics:
            con.end_live()
            for line in in_order(above):
                con.print(line)
            above = []
            validation(show, event, replay_share)
        elif isinstance(event, CheckpointSaved) and event.at_epoch_end:
            con.at(event.t)
            if event.path:  # else an epoch's end the framework does not save at
                checkpoint(show, event, replay_share)
        elif isinstance(event, Evaluated):
            if event.step in shown_evaluations:
                # The held-out loss as the loop measures it; while it runs, the step counter
                # stands still (a pause at its start: the dashboard shows the GPUs then).
                con.at(event.t - event.seconds)
                pace()
                con.at(event.t)
                above.append((event.t, in_loop_lines(show, event)))
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
            for line in in_order(above):
                con.print(line)
            above = []
            log_failure(show, event)
            pace()
        elif isinstance(event, Restarted):
            con.at(event.t)
            show.state.failures += 1
            show.state.lost_seconds += event.lost_seconds
            # The launch is a torchrun typed at the first node's shell: it restarts its
            # workers itself; no scheduler drains or requeues anything (generator/run.py).
            # Its lines are its own agent's (torch 2.9.0 elastic/agent/server/api.py:
            # 898-928): its count where its own group failed, else the restart for another
            # node's return to the rendezvous, which costs it nothing.
            if not event.requeued and event.shell_left >= 0:
                con.log(
                    f"[elastic] [default] Worker group FAILED. {event.shell_left}/"
                    f"{RESTARTS} attempts left; will restart worker group",
                    s.warning,
                )
            elif not event.requeued:
                con.log(
                    "[elastic] [default] Detected 1 new nodes from group_rank=0; will restart "
                    "worker group",
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
                # The torchrun that gave up closed the rendezvous (torch 2.9.0 launcher/
                # api.py:311-313): the shell's own, or another node's, named.
                who = "" if event.gave_up in ("", plan.master) else f"{event.gave_up}'s "
                con.log(
                    f"[elastic] {who}torchrun used its {RESTARTS} restarts and exited; started "
                    f"again by hand {where} ({plan.gpus} GPUs)",
                    s.warning,
                )
            # No save complete yet (the first still being written): the run starts over
            # from what the first launch read, the released weights or a fresh init.
            start = "the base model" if not plan.from_scratch else "scratch"
            where = (
                f"{event.checkpoint}/" if event.checkpoint else f"{start}, no complete checkpoint"
            )
            show.state.from_start += not event.checkpoint
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
    for line in in_order(above + [item for item in writing if item[0] <= end]):
        con.print(line)
    pace.finish()


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
