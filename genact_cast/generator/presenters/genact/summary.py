"""The closing summary: what was trained, on what, for how long, and how the loss fell."""

from __future__ import annotations

import math

from genact_cast.generator import style as fmt
from genact_cast.generator.presenters.genact.show import Show
from genact_cast.generator.style import GREEN


def summary(show: Show, *, complete: bool = True) -> None:
    con, plan = show.con, show.plan
    s, state = con.style, con.state
    title = " Training summary " if complete else " Training stopped early "
    rule = max(0, min(60, con.width) - len(title))
    con.blank()
    con.print(s.header("─" * (rule // 2) + title + "─" * (rule - rule // 2)))
    tokens = plan.tokens_after(state.step)
    nodes = f"{plan.nodes} node{'s' if plan.nodes > 1 else ''}"
    rows: list[tuple[str, str]] = [
        ("Model", f"{plan.model_name} ({fmt.params(plan.arch.params)} params)"),
        ("Run", f"{plan.kind_label} on {plan.dataset.name}"),
        ("Cluster", f"{plan.gpus} x {plan.gpu.name} across {nodes}"),
        ("Steps", f"{state.step:,} of {plan.total_steps:,} ({fmt.tokens(tokens)} tokens)"),
        ("Time", fmt.elapsed(state.elapsed)),
    ]
    if state.failures:
        lost = fmt.elapsed(state.lost_seconds)
        # From where the log said each restart resumed (review-realism10 N8: "from
        # checkpoints" after restarts from the base model, none complete yet).
        start = "the base model" if not plan.from_scratch else "scratch"
        whence = (
            "checkpoints" if not state.from_start
            else start if state.from_start == state.failures
            else f"checkpoints and {start}"
        )  # fmt: skip
        rows.append(("Failures", f"{state.failures} (restarted from {whence}, {lost} lost)"))
    if state.last_loss is not None:
        loss = float(f"{state.last_loss:.4f}")
        rows.append(("Final loss", f"{loss:.4f} (PPL {math.exp(loss):.2f})"))
    rows.append(("Checkpoint", state.checkpoints[-1] if state.checkpoints else "none saved"))
    for label, value in rows:
        con.text(f"{label:<11} {value}")
    if state.losses:
        label = "  Loss curve  "
        curve = fmt.sparkline(state.losses, min(48, con.width - len(label)))
        con.print(s.plain(label) + s.paint(curve, GREEN))
