"""The Hugging Face Trainer on DeepSpeed v0.17.5, as its docs run it: `deepspeed train.py
--deepspeed ds_config.json ...` (the hf dialect's train.py and Trainer, transformers 4.57.1
and accelerate 1.11.0), with the `deepspeed` launcher over pdsh, each node's
`deepspeed.launcher.launch`, and the engine the Trainer's `deepspeed_init` and accelerate's
`prepare` start (ZeRO-3, the configuration dump, `save_checkpoint` under each
`checkpoint-N`, `load_checkpoint` on a relaunch with `--resume_from_checkpoint`).

accelerate's DeepSpeedPlugin sets `steps_per_print` to infinity (utils/dataclasses.py:1289),
so the engine prints no step or throughput lines while training: the Trainer's own log
dicts are the run's progress.

The parts live beside it: deepspeed_pdsh (shared state, pdsh's interleaving),
deepspeed_launch (the command, the launch and the processes' ends), deepspeed_engine
(initialize, checkpoints), deepspeed_splits (the communicators the engine splits off).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from genact_cast.generator.dialects import deepspeed_config as dsc
from genact_cast.generator.dialects import deepspeed_srun, deepspeed_works, hf, hf_model, torch_dump
from genact_cast.generator.dialects import deepspeed_zero_init as zero_init
from genact_cast.generator.dialects.base import (
    Above,
    Clock,
    Close,
    Incidentals,
    Line,
    Out,
    Redraw,
    SubBar,
)
from genact_cast.generator.dialects.deepspeed_engine import Engine
from genact_cast.generator.dialects.deepspeed_launch import TIMEOUT_MS, Launcher
from genact_cast.generator.dialects.deepspeed_lines import (
    CONFIG_WORLD,
    TP_DATA_CHECK,
    TP_DATA_CHECKED,
    ZERO3_INIT_DONE,
    checkpoint_begin,
    dist,
    line,
    model_states,
    saving_model,
)
from genact_cast.generator.dialects.deepspeed_model import (
    autotp_local,
    autotp_sliced,
    state_dict_tensors,
    zero3_counted,
)
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.hf_lines import INSTANTIATING, LOADING_WEIGHTS
from genact_cast.generator.dialects.hf_lines import line as hf_line
from genact_cast.generator.dialects.hf_warnings import FLASH_DTYPE_WHERE
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
from genact_cast.generator.rng import Rng

# modeling_utils.py at 4.57.1: get_init_context (from_pretrained) and _from_config.
ZERO3_DETECTED = ("modeling_utils.py:4373", "modeling_utils.py:2301")
# A tqdm bar as tqdm formats it (std.py format_meter's `{l_bar}{bar}{r_bar}`: `desc: NN%|`,
# the bar, `| n/total [`), whatever its description: trl 0.24.0's dataset maps (hf_data:
# `Converting train dataset to ChatML: 100%|...`, `Tokenizing train dataset: 100%|...`).
_TQDM_BAR = re.compile(r"[^\r\n]*: *\d+%\|[^\r\n|]*\| *[\d.]+\w?/[\d.]+\w? \[[^\r\n]*\Z")
# The output kinds that draw a bar, as a tuple: `Redraw | Close | SubBar` made a union each line.
_BARS = (Redraw, Close, SubBar)
_FLASH_WARNING = f"[WARNING|{FLASH_DTYPE_WHERE}]"
SHARE_LOADING = 0.35  # of the start-up before the engine: loading the model under zero.Init


class _Trainer(hf.Log):
    """The hf dialect's Trainer, with the engine's `save_checkpoint` after each model save
    (`_save_optimizer_and_scheduler`, trainer.py at 4.57.1), and no FSDP load on a resume:
    the engine's `load_checkpoint` reads it (deepspeed_load_checkpoint)."""

    fsdp = False
    shown_locals = 8  # the local ranks of each node whose output reaches the terminal

    def other_processes(self, processes: int) -> int:
        """pdsh relays every node's processes, each warning at its own moment (srun each
        node's local rank 0 alone: deepspeed_srun)."""
        return min(processes, self.shown_locals) * max(self.facts.nodes, 1) - 1

    def trainable_shown(self) -> int:
        """Under AutoTP, rank 0's own parameters: its slices of the layers, the rest whole."""
        if self.facts.tp > 1:
            return autotp_local(self.facts)
        return super().trainable_shown()

    def flos_parameters(self) -> int:
        """Under AutoTP each of the TP group's processes counts its own slices (plain
        tensors) with the rest whole, for the same batch."""
        f = self.facts
        sliced = autotp_sliced(f)
        return (hf_model.non_embedding(f) - sliced + sliced // f.tp) * f.tp

    def total_flos(self) -> int:
        """Under ZeRO-3 each process counts the parameters it holds whole after its micro
        batch, the persistent ones (zero3_counted), for its own batch's tokens: summed over
        the processes, 6 x those x every token, but for each launch's first micro batch,
        whose forward and backward record the trace and so release every parameter, the
        persistent ones too (partitioned_param_coordinator.py:228-254 and 425-440 at v0.17.5:
        reset_step at each forward's start turns the trace from invalid to recording, then
        complete). AutoTP (ZeRO-2) keeps the whole parameters."""
        f = self.facts
        if f.tp > 1:
            return super().total_flos()
        tokens = f.tokens_after(f.total_steps)  # each batch's real tokens (padding-free)
        # one micro batch of every process, its rows as full as the run's on average
        micro = round(f.dp * f.micro_batch * (f.row_tokens or f.seq_len))
        return 6 * zero3_counted(f) * (tokens - self.first_batches * micro)

    def _saved_state(self, step: int, folder: str, done: datetime) -> list[str]:
        name = f"global_step{step}"
        model = f"{folder}/{name}/{model_states(self.facts.tp)}"
        return [dist(done, checkpoint_begin(name)), dist(done, saving_model(model))]


class Log(Launcher, Engine):
    """`deepspeed train.py --deepspeed ds_config.json`: the launch on every node, the Trainer's
    lines from world rank 0, the engine's initialize, load and saves, the NCCL watchdog on
    every rank of the failed node, and the launcher's and pdsh's exit lines."""

    logs_first_step = False
    last_shown = ""  # set by the presenter when Ctrl-C stops the run
    relaunched = True

    def __init__(
        self, facts: Facts, *, color: bool, cols: int = 100, interval: int = hf.LOGGING_STEPS
    ) -> None:
        del color  # neither DeepSpeed's logger nor the Trainer prints colour
        self.cols = cols
        self.facts = facts
        self.interval = interval
        self.incidentals = Incidentals(facts, 0)
        self.clock = Clock()
        self.resume_step = 0
        self.attempt = 0
        # Under srun + torchrun (past rank_logs.RANK_LOG_NODES nodes) only each node's local
        # rank 0 reaches the terminal, every line under torchrun's tee prefix, srun adding
        # none (deepspeed_srun); under pdsh every line of a node under its host name.
        self.srun = deepspeed_srun.srun_launch(facts)
        if self.srun:
            self._tags = [deepspeed_srun.TEE_TAG] * facts.nodes
        else:
            self._tags = [f"{host}: " if facts.nodes > 1 else "" for host in facts.hosts]
        self._arrival = []
        self._dumped = timedelta(0)  # the dump's minute the log runs behind until the relaunch
        # Without a hostfile the launcher runs on `localhost`, and names it so.
        self.hosts = list(facts.hosts) if facts.nodes > 1 else ["localhost"]
        self.trainer = _Trainer(facts, color=False, cols=cols, interval=interval)
        self.trainer.clock = self.clock
        self.shown_evaluations = self.trainer.shown_evaluations  # one set, filled by the presenter
        self.save = self.trainer.output
        self.config = dsc.ds_config(facts)
        self.trainer.shown_locals = 1 if self.srun else 8
        # Over pdsh a tqdm bar would reach the terminal only as one line at its close, glued
        # to whatever the process logged meanwhile: a multi-node run passes --disable_tqdm,
        # and the Trainer's PrinterCallback prints the log dicts instead, on every node's
        # local rank 0. torchrun's tee forwards what the file holds at each poll, a partial
        # line too (tail_log.py's readline), so under srun the bar is drawn as the Trainer's
        # default has it (ProgressCallback: world rank 0's bar, the dicts above it).
        self.has_bar = self.trainer.has_bar = facts.nodes == 1 or self.srun
        if facts.nodes > 1:
            # pdsh runs every node's launcher over ssh with no tty (even node 0's): tqdm's
            # TIOCGWINSZ on its stderr fails and no COLUMNS is set, so it knows no width
            # (tqdm 4.67.1 utils.py:333-349) and draws its 10-cell bar.
            self.trainer.ncols = None

    def trainer_works(self, step: int) -> int:
        return deepspeed_works.trainer_works(
            self.facts, self.resume_step, step, self.interval, self.trainer.eval_batches
        )

    def autotp_default_works(self, step: int) -> int:
        return deepspeed_works.autotp_default_works(
            self.facts, self.resume_step, step, self.interval, self.trainer.eval_batches
        )

    def trainer_args(self) -> list[str]:
        """The hf dialect's train.py arguments with the DeepSpeed config (TrainingArguments
        .deepspeed); on several nodes without the bar, logging on world rank 0 only."""
        many = self.facts.nodes > 1
        resume = self.resume_step
        bar = [] if self.srun else ["--disable_tqdm=True"]
        return [
            *self.trainer.script_args(),
            "--deepspeed",
            "ds_config.json",
            *([*bar, "--log_on_each_node=False"] if many else []),
            *([f"--resume_from_checkpoint={self.save}/checkpoint-{resume}"] if resume else []),
        ]

    def present(self, event: RunEvent) -> list[Out]:
        if isinstance(event, Launched):
            self.trainer.present(event)
            self._arrival = []  # new processes: their own timing
            return self._launched(event)
        if isinstance(event, CommReady):
            return self._comm(event)
        if isinstance(event, ModelReady):
            return self._model(event)
        if isinstance(event, DataReady) and self.facts.tp > 1:
            # AutoTP's forward pre-hook checks the first batch across the TP group and logs
            # it once per launch (engine.py:495-511 at v0.17.5), as the first step begins.
            # Every process runs the hook, but by then deepspeed_init has set DeepSpeed's
            # logger to the process's level (transformers integrations/deepspeed.py:450 at
            # 4.57.1): WARNING wherever should_log is false (training_args.py:2437-2482,
            # log_level_replica), i.e. on every rank but world rank 0 (local rank 0 of the
            # one node, or --log_on_each_node=False on several), so only rank 0's INFO shows.
            checked = line(self._at(event.t), TP_DATA_CHECK, TP_DATA_CHECKED)
            return [*self._rank0(self.trainer.present(event)), Line(self._tag(0) + checked)]
        if isinstance(event, DataReady | Evaluated | CheckpointSaved):
            return self._rank0(self.trainer.present(event))
        if isinstance(event, Failed):
            # torch 2.9's dump on the timeout (torch_dump): every watchdog waits a minute for
            # it before the take-down, and the log runs that minute behind the run's.
            from genact_cast.generator.dialects.agent_failures import timed_out  # a failure's

            before = self.facts
            if event.watchdog:
                wait = timedelta(seconds=torch_dump.DUMP_WAIT_SECONDS)
                self.facts = timed_out(self.facts, event, TIMEOUT_MS)
                self.facts = self.facts._replace(start=self.facts.start + wait)
                self.trainer.facts = self.facts
                self._dumped = wait
            return self._failed(event, before)
        if isinstance(event, Restarted):
            self.resume_step = event.step
            self.trainer.present(event)
            interrupted = self.hang_interrupted()  # on the hosts of the launch that ended
            # The run's relaunch comes after the dump's minute (timeline_failure): the
            # relaunched job's lines are on the run's clock again.
            self.facts = self.facts._replace(start=self.facts.start - self._dumped)
            self.trainer.facts = self.facts
            self._dumped = timedelta(0)
            if event.drained in self.hosts:  # the requeued job runs on the spare instead
                node = self.hosts.index(event.drained)
                self.hosts[node] = event.spare
                if not self.srun:
                    self._tags[node] = f"{event.spare}: "
                else:  # (srun's hosts, Facts.hosts, as the Megatron dialect's)
                    hosts = tuple(self.hosts)
                    self.facts = self.facts._replace(hosts=hosts)
                    self.trainer.facts = self.facts
            return interrupted
        if isinstance(event, Exported):
            # The script's trainer.save_model() (ZeRO-3 gathers the 16-bit weights:
            # stage3_gather_16bit_weights_on_model_save) and its metrics, then the processes end.
            ended = self._rank0(self.trainer.present(event))
            return [*ended, *self._exited(event.t)]
        return []

    def step(self, stats: StepStats) -> list[Out]:
        return self._rank0(self.trainer.step(stats))

    def finish_training(self, t: float) -> list[Out]:
        return self._rank0(self.trainer.finish_training(t))

    def export_words(self, event: Exported) -> list[str] | None:
        """The Trainer saves the final model itself (`trainer.save_model()`)."""
        del event
        return None

    def _model(self, event: ModelReady) -> list[Out]:
        """from_pretrained (or from_config) under zero.Init, which partitions the weights as
        they load, then `trainer.train()`: deepspeed_init, accelerate's prepare and
        deepspeed.initialize."""
        f = self.facts
        # The start-up beyond reading a checkpoint: building the model under zero.Init (a
        # share of it) and deepspeed.initialize (the rest).
        reading = event.reading if event.loaded_from is not None else 0.0
        building = (event.seconds - reading) * SHARE_LOADING
        # A first launch from released weights reads them in from_pretrained, at the storage
        # speed the plan draws them at, as the hf dialect's bar shows (review-realism9 F2:
        # 29.4 GB in 1.95 s against 8 GB/s); a relaunch's checkpoint is read later, by the
        # engine's load_checkpoint (deepspeed_engine._load).
        shards = reading if not self.resume_step else 0.0
        loading = building + shards
        # The communicator came up in deepspeed.init_distributed, which TrainingArguments'
        # device set-up calls before the script's from_pretrained (_setup_devices,
        # training_args.py at 4.57.1): the loading begins once it is up, where the run's
        # timeline lets the two overlap; the log from here runs that much later
        # (review-realism11 T1: zero.Init's exit was stamped 1.34 s before the lines of the
        # model's build, which waited for the communicator's).
        late = max(0.0, self.clock.last - (event.t - event.seconds + self.trainer.comm_seconds))
        start = event.t - event.seconds + late
        part = event._replace(t=start + loading, seconds=loading)
        # As the Trainer's script decides it at its first launch (a relaunch builds the
        # same way and resumes the rest from its checkpoint).
        pretrained = self.trainer.pretrained
        if pretrained is None:
            pretrained = event.loaded_from is not None
        # zero.Init partitions the model as it is built, before its weights load (stamped
        # off the shared clock, on the Trainer's terms: its lines run its NCCL wait behind).
        offset = start + self.trainer.comm_seconds
        built = self.facts.moment(self.clock.at(offset + building * 0.1))
        detected = hf_line(
            built,
            ZERO3_DETECTED[0 if pretrained else 1],
            "Detected DeepSpeed ZeRO-3: activating zero.init() for this model",
        )
        # zero.Init's exit after the model's __init__ ran under it: from scratch that build
        # (and its random initialisation) is the whole loading; before a checkpoint's
        # weights load, only the empty partitioned model's, which allocates and partitions
        # every parameter on the GPUs: its share of the start-up, before the shards' bar.
        finished = built
        if not pretrained:
            finished = self.facts.moment(start + loading)
        elif shards:
            finished = self.facts.moment(offset + building)
        raw = self.trainer.present(part)
        # zero.Init's exit partitions with every process (a collective): not before the last
        # process's __init__ warned (51c56cb drew those up to 250 ms after the main one's)
        if self.trainer.warned_until is not None:
            finished = max(finished, self.trainer.warned_until)
        built_message = (
            f"finished initializing model - num_params = {state_dict_tensors(f)}, "
            f"num_elems = {hf_model.built(f) / 1e9:.2f}B"
        )
        if pretrained and shards:
            # the bar counts the shards' reading only, once zero.Init's build has ended
            bars = Line("\r\n".join(self.trainer.shard_bars(shards, reading=True)))
            raw = [
                bars if isinstance(o, Line) and o.text.startswith(hf.SHARDS_BAR) else o for o in raw
            ]
        texts = self._rank0(raw)
        # trl's dataset preparation (the Trainer's lines after it run that much later): the
        # whole log from here on, the engine's lines too.
        # (the clock, shared with the Trainer, counts on the shifted start's terms)
        preparing = self.trainer.comm_seconds + late
        self.facts = self.facts._replace(start=self.facts.start + timedelta(seconds=preparing))
        self.trainer.facts, self.trainer.comm_seconds = self.facts, 0.0
        self.clock.last -= preparing

        # After the instantiation line (from scratch too: _from_config sets the default
        # dtype before its ZeRO-3 check, modeling_utils.py:2290-2301 at 4.57.1); the model
        # is built, partitioned, under zero.Init before its weights load.
        # from_pretrained under ZeRO-3 logs no instantiation line: its get_init_context runs
        # right after `loading weights file` (modeling_utils.py:1169, 4967 at 4.57.1), before
        # the weights load (review-mg9 fault 6: the two lines came after the Trainer's).
        def after(where: str) -> int | None:
            return next(
                (
                    i + 1
                    for i, out in enumerate(texts)
                    if isinstance(out, Line) and f"|{where}]" in out.text[:80]
                ),
                None,
            )

        at = after(INSTANTIATING)
        if at is None:
            at = after(LOADING_WEIGHTS) if pretrained else None
        if at is None:
            at = len(texts)
        # A quantized (QLoRA) model is built on the meta device instead, not under zero.Init
        # (get_init_context, modeling_utils.py:4371-4376 at 4.57.1): neither line; nor under
        # ZeRO-2 with AutoTP, where no zero.Init runs (is_deepspeed_zero3_enabled is False).
        if f.method != "qlora" and f.tp == 1:
            # get_init_context's line, then the model's __init__ (its generation config's
            # lines, modeling_utils.py:4967-4971 at 4.57.1), then zero.Init's exit
            rows = [out.text if isinstance(out, Line) else None for out in texts]
            end = at
            # past the processes' attention warning, which the __init__ logs first
            if end < len(rows) and f"[WARNING|{FLASH_DTYPE_WHERE}]" in (rows[end] or "")[:80]:
                end += 1
            if end < len(rows) and "|configuration_utils.py:986]" in (rows[end] or ""):
                # through the message's closing empty line
                end = next(
                    (i + 1 for i in range(at, len(rows)) if rows[i] in ("", self._tag(0))), at
                )
            # and the other processes' warnings: zero.Init's exit partitions the parameters
            # with every process (a collective), so each has run its __init__ by then
            if end < len(rows) and f"[WARNING|{FLASH_DTYPE_WHERE}]" in (rows[end] or "")[:80]:
                end += 1
            # every process's zero.Init parses the configuration (deepspeed_zero_init): the
            # main one's right after get_init_context's line, the others' beside their own
            # build; zero.Init's exit, a collective, after the last of them
            end, until = zero_init.insert(
                texts,
                at,
                end,
                self._tags,
                built,
                f.gpus,
                f.seed,
                self.attempt,
                shown=self.trainer.shown_locals,
            )
            done = line(max(finished, until), ZERO3_INIT_DONE, built_message)
            main = line(built, CONFIG_WORLD, zero_init.world_message(f.gpus))
            texts[end:end] = [Line(self._tag(0) + done)]
            texts[at:at] = [Line(self._tag(0) + detected), Line(self._tag(0) + main)]
        engine = event._replace(seconds=event.seconds - loading)
        return [*texts, *self._engine(engine)]

    def _shard_bars(self, bars: list[str]) -> Line:
        """Every rank of every node loads every shard under ZeRO-3, each with its bar; pdsh
        prefixes each line it relays, the bar's too: tqdm starts every redraw with a carriage
        return (std.py, status_printer), so the terminal draws the bar over the prefix while
        the stream keeps it. The nodes' bars arrive interleaved, in pdsh's order."""
        order = self._order(len(bars))
        return Line("\r\n".join(self._tags[node] + "\r" + text for text in bars for node in order))

    def _rank0(self, outs: list[Out]) -> list[Out]:
        """The Trainer's output from world rank 0, under node 0's pdsh tag; on several nodes,
        PrinterCallback's dicts come from every node's local rank 0 (state
        .is_local_process_zero, trainer_callback.py:708) and no bar is drawn."""
        tag = self._tag(0)
        if not tag:
            return outs
        out: list[Out] = []
        for item in outs:
            if isinstance(item, _BARS):
                # torchrun's tee writes its prefix before each redraw, whose carriage return
                # draws the bar over it (deepspeed_srun); pdsh's runs draw none
                if self.srun:
                    out.append(item)
                continue
            text, at = item  # a Line's or an Above's (thousands a run: read once)
            if text.startswith("{'") and not self.srun:
                out += self._every_node(text, len(out))
                continue
            if text.startswith(hf.SHARDS_BAR):
                out.append(self._shard_bars(text.split("\r\n")))
                continue
            # (a bar has its `%|`: a log line, most of a run's, is passed without the regex)
            if "%|" in text and _TQDM_BAR.match(text):
                # Any other bar (trl's dataset maps on world rank 0, whatever their words):
                # tqdm starts every redraw with a carriage return, and pdsh prefixes the
                # line it relays, so the terminal draws the bar over the host name.
                out.append(Line(tag + "\r" + text))
                continue
            if text.startswith(_FLASH_WARNING):
                # every process of every node warns as its model's __init__ runs: the main
                # process's alone, then the others' in the order of their own stamps
                warnings = text.split("\r\n")
                if len(warnings) == 1:
                    out.append(Line(tag + text, at))
                    continue
                per = (len(warnings) + 1) // self.facts.nodes
                owners = [0] * (per - 1) + [
                    n for n in range(1, self.facts.nodes) for _ in range(per)
                ]
                rng = Rng(self.facts.seed * 1019 + self.attempt)
                keys = [rng.random() for _ in owners]
                owners = [owners[i] for i in sorted(range(len(owners)), key=keys.__getitem__)]
                rows = [self._tags[node] + row for node, row in zip(owners, warnings, strict=True)]
                out.append(Line("\r\n".join(rows)))
                continue
            # the same stamp, its time with it (tqdm.write's lines above the bar, under srun)
            out.append(Above(tag + text, at) if isinstance(item, Above) else Line(tag + text, at))
        return out
