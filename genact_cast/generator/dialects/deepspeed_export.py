"""DeepSpeed v0.17.5's `zero_to_fp32.py`, run by hand after training: its prints and tqdm
bars, the fp32 safetensors it writes and their `ls -lh`.
"""

from __future__ import annotations

from genact_cast.generator.dialects.base import (
    Close,
    Line,
    Out,
    Redraw,
    ls_rows,
)
from genact_cast.generator.dialects.deepspeed_lines import (
    ACCELERATOR,
    dist,
    engine_initialized,
    line,
    zero_to_fp32,
)
from genact_cast.generator.dialects.deepspeed_model import (
    fp32_shards,
    state_dict_tensors,
)
from genact_cast.generator.dialects.deepspeed_pdsh import Pdsh
from genact_cast.generator.dialects.hf_lines import bar
from genact_cast.generator.events import (
    Exported,
)
from genact_cast.generator.rng import Rng

LOADING_DESC = "Loading checkpoint shards: "
GATHERING_DESC = "Gathering sharded weights: "
SHARDS_DESC = "Saving checkpoint shards: "


class Export(Pdsh):
    """zero_to_fp32.py's command, output and listing."""

    def _export(self, event: Exported) -> list[Out]:
        """zero_to_fp32.py (v0.17.5): importing deepspeed logs as every process does, then
        the script's prints between its three tqdm bars: the optimizer files it loads
        (:151), the parameters it gathers (:465) and the safetensors shards it writes."""
        f = self.facts
        # A new process, started by hand after the launcher's last line: typing the command
        # and importing torch and deepspeed take it seconds.
        typed = max(event.t - event.seconds, self.clock.last)
        begun = typed + Rng(f.seed * 211).uniform(6.0, 12.0)
        moment = self._at(begun)
        out: list[Out] = [
            Line(line(moment, ACCELERATOR, "Setting ds_accelerator to cuda (auto detect)")),
            Line(dist(moment, engine_initialized(False), rank=-1)),
        ]
        folder = f"{self.save}/global_step{f.total_steps}"
        tensors = state_dict_tensors(f)
        version = f.version("deepspeed")
        processing, detected, parsing, reconstructed = zero_to_fp32(
            folder, f.dp, version, tensors, f.params
        )
        shards = len(fp32_shards(f))
        # Reading every rank's optimizer file is most of it, gathering the weights a little,
        # writing the fp32 shards the rest.
        phases = [
            (f.dp, event.seconds * 0.55, LOADING_DESC),
            (tensors, event.seconds * 0.1, GATHERING_DESC),
            (shards, event.seconds * 0.35, SHARDS_DESC),
        ]
        texts = [[processing], [detected, parsing], [reconstructed]]
        for before, (total, seconds, desc) in zip(texts, phases, strict=True):
            out += [Line(text) for text in before]
            # A few redraws a bar: tqdm draws at most ten a second, the cast needs fewer.
            marks = sorted({0, total, *(total * k // 4 for k in range(1, 4))})
            for done in marks:
                elapsed = seconds * done / total
                rate = done / elapsed if done else None
                out.append(Redraw(bar(done, total, elapsed, rate, self.cols, desc)))
            out.append(Close())
        return out

    def export_listing(self, event: Exported) -> list[str]:
        """`ls -lh` of zero_to_fp32.py's output: fp32 shards of at most max_shard_size and
        their index (model.safetensors alone when one shard holds it); no config.json."""
        f = self.facts
        shards = fp32_shards(f)
        files = [
            (f"model-{i:05d}-of-{len(shards):05d}.safetensors", size)
            for i, size in enumerate(shards, 1)
        ]
        if len(shards) == 1:
            files = [("model.safetensors", shards[0])]
        else:
            files.append(("model.safetensors.index.json", 23.9e3 + 0.2e3 * f.layers))
        return ls_rows(f, event.t, files, folder=event.path)

    def export_words(self, event: Exported) -> list[str]:
        return [
            "python",
            f"{self.save}/zero_to_fp32.py",
            self.save,
            event.path,
            "--safe_serialization",
        ]
