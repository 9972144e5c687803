"""The Hugging Face Trainer's model loading, as transformers 4.57.1 logs it: from_pretrained's
(or from_config's) configuration, weights and generation-config lines, each process's
`Loading checkpoint shards` bar, and the tokenizer's files after the model."""

from __future__ import annotations

from datetime import datetime, timedelta

from genact_cast.generator import released_shards
from genact_cast.generator.dialects.base import (
    Line,
    Out,
)
from genact_cast.generator.dialects.hf_config import (
    CONFIG_LOGGED,
    GENERATE_LOGGED,
    GENERATION_FILE_LOADED,
    LOADING_FILE,
    generation_message,
    model_config_message,
    tokenizer_files,
)
from genact_cast.generator.dialects.hf_job import Job
from genact_cast.generator.dialects.hf_lines import (
    INSTANTIATING,
    LOADING_CONFIG,
    LOADING_WEIGHTS,
    bar,
    line,
    model_class,
    with_prefix,
)
from genact_cast.generator.dialects.hf_warnings import FLASH_DTYPE_WHERE, flash_dtype
from genact_cast.generator.rng import Rng

SHARDS_BAR = "Loading checkpoint shards: "  # modeling_utils.py:5465 at 4.57.1


class Loading(Job):
    """from_pretrained's lines, for the script's start, a restart round's (hf_watchdog) and
    the merged export's reload (hf_saves)."""

    # the latest stamp of the last loading's Flash Attention warnings, every process's
    # (None where none warned): a collective after the __init__ cannot end before it
    warned_until: datetime | None = None

    def _loading(
        self,
        moment: datetime,
        seconds: float,
        *,
        pretrained: bool,
        done: datetime,
        processes: int = 8,
        dtype_given: bool = False,
    ) -> list[Out]:
        """from_pretrained's lines (from_config's first one alone, from scratch), in each of
        the node's `processes` (its eight workers; the merged export's main process alone)."""
        f = self.facts
        self.warned_until = None
        # AutoConfig.from_pretrained: the file, then the config it built (as JSON, over lines)
        config = model_config_message(f.arch or f.model_name)
        lines: list[Out] = [
            Line(
                line(
                    moment,
                    LOADING_CONFIG,
                    f"loading configuration file {f.loaded}/config.json",
                )
            ),
            *(Line(text) for text in with_prefix(moment, CONFIG_LOGGED, config)),
        ]
        if pretrained:
            lines.append(
                Line(
                    line(
                        moment,
                        LOADING_WEIGHTS,
                        f"loading weights file {f.loaded}/{weights_file(f.loaded)}",
                    )
                )
            )
        # from_config (_from_config, modeling_utils.py:2285-2308 at 4.57.1: the config's
        # dtype sets the default dtype, then cls(config)) builds the model under its dtype;
        # from_pretrained does only when a dtype is asked for (`_set_default_dtype` under
        # `if dtype is not None`, :1238-1287): QLoRA's `--dtype=bfloat16`, the merge's
        # bf16 reload. Without one the weights load in float32 (FSDP's fp32 masters under
        # `--bf16` mixed precision) and nothing is logged. The model's __init__ then logs
        # the generation config it derives.
        if not pretrained or dtype_given:
            lines.append(
                Line(
                    line(
                        moment,
                        INSTANTIATING,
                        f"Instantiating {model_class(f.arch or f.model_name)} model under "
                        "default dtype torch.bfloat16.",
                    )
                )
            )
        warns = self.packs and pretrained and not dtype_given
        if warns:
            # the __init__'s attention check, in every process (a replica logs warnings):
            # from_pretrained without a dtype sets the config's to float32 (_get_dtype,
            # modeling_utils.py:1288-1294), which FSDP's mixed precision computes in bf16.
            # The main process's, between its weights file and its generation config:
            lines.append(Line(self._flash_warning(moment)))
            self.warned_until = moment
        lines += [
            # the model's __init__: its generation config, from its config
            *(
                Line(text)
                for text in with_prefix(
                    moment, GENERATE_LOGGED, generation_message(f.arch or f.model_name)
                )
            ),
        ]
        if warns and processes > 1:
            others = self.other_processes(processes)
            lines.append(Line("\r\n".join(self._replica_warnings(moment, others))))
        bars = self.shard_bars(seconds, processes) if pretrained else []
        if bars:
            lines.append(Line("\r\n".join(bars)))
        if pretrained:
            # With the weights in, from_pretrained reads the checkpoint's generation config
            # (modeling_utils.py:5079-5092 at 4.57.1, for every model that can generate): the
            # file the Trainer's saves write (generation_config_saved), from_model_config's
            # fields, so the same message as the model's __init__ logged; a family not
            # tabled prints neither line rather than an invented dump.
            generated = generation_message(f.arch or f.model_name)
            if generated:
                path = f"{f.loaded}/generation_config.json"
                lines.append(
                    Line(line(done, GENERATION_FILE_LOADED, f"loading configuration file {path}"))
                )
                lines += [Line(text) for text in with_prefix(done, GENERATE_LOGGED, generated)]
        # the script's AutoTokenizer.from_pretrained, after the model
        lines += [
            Line(line(done, LOADING_FILE, f"loading file {name}"))
            for name in tokenizer_files(f.arch or f.model_name)
        ]
        return lines

    def _flash_warning(self, moment: datetime) -> str:
        f = self.facts
        message = flash_dtype(model_class(f.arch or f.model_name))
        return line(moment, FLASH_DTYPE_WHERE, message, level="WARNING")

    def other_processes(self, processes: int) -> int:
        """The processes besides the main one whose warnings the terminal shows: its node's
        (DeepSpeed's pdsh relays every node's)."""
        return processes - 1

    def _replica_warnings(self, moment: datetime, others: int) -> list[str]:
        """The other processes' FA2 warnings, each stamped when that process reaches its
        model's __init__: they are separate processes, which reach it after the main one's
        generation config, milliseconds to tenths of a second apart (a real 8-process log,
        find_string id 12140220341, prints the seven replicas' warnings after the main
        process's `Generate config` and its shards bar's first frame), not at its very
        millisecond (review-tt15 T7)."""
        rng = Rng(self.facts.seed * 71 + round(moment.timestamp() * 1000))
        offsets = sorted(rng.uniform(0.002, 0.25) for _ in range(others))
        if offsets:
            self.warned_until = moment + timedelta(seconds=offsets[-1])
        return [self._flash_warning(moment + timedelta(seconds=dt)) for dt in offsets]

    def shard_bars(self, seconds: float, processes: int = 8, *, reading: bool = False) -> list[str]:
        """`Loading checkpoint shards`, one bar a process: every process of the node runs
        from_pretrained, and its tqdm has no rank check (modeling_utils.py:5464-5465 at
        4.57.1; transformers' bars are on by default, utils/logging.py:52). The processes
        read the same shards at once, and close their bars a little apart, fastest first:
        within the loading's `seconds`, or, where `seconds` is the storage's reading time
        alone (`reading`: DeepSpeed's bar), no faster than it (pins-d: a bar of 00:16 for a
        17.65 s read)."""
        f = self.facts
        # the released repository's own files, not a 5 GB packing of the model (Qwen's 4 GB
        # files, OLMo 2's float32: review-realism19 hf-shard-count); one file has no bar
        # (`if len(args_list) > 1`, modeling_utils.py:5464), an unlisted repository none
        shards = released_shards.released_files(f.loaded) or 0
        if shards < 2:
            return []
        rng = Rng(f.seed * 59 + processes)
        low, high = (1.0, 1.04) if reading else (0.96, 1.0)
        times = sorted(seconds * rng.uniform(low, high) for _ in range(processes))
        return [bar(shards, shards, t, shards / t, self.ncols, desc=SHARDS_BAR) for t in times]


def weights_file(arch: str) -> str:
    """The file from_pretrained names as it loads `arch`'s released weights: the index of a
    sharded checkpoint, the single file of one that is not (Llama-3.2-1B's model.safetensors;
    an unlisted repository's checkpoint is sharded: every such model passes 5 GB)."""
    single = released_shards.released_files(arch) == 1
    return "model.safetensors" if single else "model.safetensors.index.json"
