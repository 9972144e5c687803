"""Exporting the final model to safetensors shards, then the totals."""

from __future__ import annotations

import math

from genact_cast.generator import physics
from genact_cast.generator import style as fmt
from genact_cast.generator.events import Exported
from genact_cast.generator.presenters.genact.show import Show

LISTED_SHARDS = 3


def export(show: Show, event: Exported, budget: float) -> None:
    con = show.con
    rng, s = con.rng, con.style
    shards = event.shards
    ticks = rng.integer(6, 12)
    pace = con.pacer(budget, ticks + 4)
    con.section("[Export]", "Training complete! Exporting final model...")
    pace()
    con.print(s.plain("  Converting to SafeTensors format..."))
    pace()
    label = s.plain("  Exporting: ")
    for tick in range(1, ticks + 1):
        done = tick / ticks
        bar = s.block_bar(done, min(20, con.width - label.width - 7))
        con.live([label + bar + s.plain(f" {round(done * 100)}%")])
        con.at(event.t - event.seconds * (1 - done))
        pace()
    con.end_live()

    adapters = show.plan.lora
    if adapters is not None and adapters.method == "lora":  # one model again, then saved
        con.text("Merging LoRA adapters into the base weights (merge_and_unload)...")
    saved_alone = adapters is not None and adapters.method == "qlora"
    names = physics.safetensors_names(len(shards))
    if saved_alone:  # PEFT's save_pretrained: the adapter and its config, no base weights
        names = ["adapter_model.safetensors"]
    shown = list(range(len(shards)))
    if len(shards) > LISTED_SHARDS + 1:
        shown = [*range(LISTED_SHARDS), len(shards) - 1]
    for index in shown:
        if index == len(shards) - 1 and len(shown) < len(shards):
            con.text(f"... {len(shards) - len(shown)} more shards", indent="    ")
        con.print(s.plain(f"    {names[index]}  ") + s.value(f"{shards[index] / 1e9:.2f} GB"))
    if saved_alone:
        con.print(s.plain("    adapter_config.json"))
    elif len(shards) > 1:  # one shard is the whole model: save_pretrained writes no index
        con.print(s.plain(f"    {physics.SAFE_WEIGHTS_INDEX_NAME}"))
    pace()
    con.text(f"Model saved to: {event.path}")
    con.print(s.plain("  Total training time: ") + s.value(fmt.elapsed(event.t)))
    if show.state.failures:
        con.print(
            s.plain(f"  Failures: {show.state.failures}, time lost: ")
            + s.value(fmt.elapsed(show.state.lost_seconds))
        )
    loss = float(f"{con.state.last_loss or 0.0:.4f}")
    con.print(
        s.plain("  Final metrics: ")
        + s.label("Loss=")
        + s.value(f"{loss:.4f}")
        + s.plain(", ")
        + s.label("PPL=")
        + s.value(f"{math.exp(loss):.2f}")
    )
    pace.finish()
    con.natural_break()
