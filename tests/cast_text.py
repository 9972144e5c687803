"""Reading a generated cast back as a viewer sees it: its text, not the plan behind it.

`replay` plays the output through a tiny terminal model that knows only what the
generator writes (text, CR, CRLF, cursor up, erase down, SGR) and keeps, besides the
lines left on screen, every state of the live block it erased. `read_run` then parses
that text into the figures a reader would check: a checker built on it can only see
what the cast shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

TOKEN = re.compile(r"\x1b\[(\d*)A|\x1b\[J|\x1b\[[0-9;?]*[A-Za-z]|\r\n|\r|\n|[^\x1b\r\n]+")
STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\] (.*)$")
STAMP_WIDTH = len("[2025-01-01 00:00:00] ")


# Characters a terminal draws two columns wide (East Asian wide and full-width, emoji).
WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
    "\uffe0-\uffe6\U0001f300-\U0001faff]"
)


def columns(text: str) -> int:
    return len(text) + len(WIDE.findall(text))


@dataclass
class Screen:
    """What stayed on screen, the live-block states erased on the way, and the widest line."""

    lines: list[str]
    frames: list[tuple[int, list[str]]]  # (row the block was erased from, its lines)
    widest: int
    widest_line: str


def replay(output: str) -> Screen:
    lines = [""]
    row = col = 0
    frames: list[tuple[int, list[str]]] = []
    widest, widest_line = 0, ""
    for match in TOKEN.finditer(output):
        token = match.group(0)
        if token in ("\r\n", "\n"):
            row, col = row + 1, 0
            if row == len(lines):
                lines.append("")
        elif token == "\r":
            col = 0
        elif token == "\x1b[J":
            frames.append((row, lines[row:]))
            del lines[row + 1 :]
            lines[row] = lines[row][:col]
        elif token.startswith("\x1b[") and token.endswith("A"):
            row = max(0, row - int(match.group(1) or 1))
        elif token.startswith("\x1b"):
            continue
        else:
            line = lines[row]
            lines[row] = line[:col] + token + line[col + len(token) :]
            col += len(token)
            width = columns(lines[row])
            if width > widest:
                widest, widest_line = width, lines[row]
    while lines and lines[-1] == "":
        lines.pop()
    return Screen(lines, frames, widest, widest_line)


# Logical lines: the generator wraps long lines at spaces with a known indent; joining
# them back (with one space) lets the same regular expression read any --cols.

SECTION = re.compile(r"^\[(Validation|Checkpoint|Export)\] ")
NEXT_IN_SECTION = (
    "  Evaluating ",
    "  Saving model shards",
    "  Staging model shards",
    "  Waiting for the previous",
    "  Converting",
)
# NCCL_DEBUG=INFO lines, and the version NCCL prints bare among them.
NCCL = re.compile(r"^(\S+:\d+:\d+ \[0\] NCCL INFO |NCCL version )")
BANNER = re.compile(r"^W\d{4} \d\d:\d\d:\d\d\.\d{6} ")
SUMMARY_RULE = re.compile(r"^─+ Training (summary|stopped early) ─+$")


@dataclass
class Item:
    """A logical line, or an erased state of the training live block, in screen order."""

    text: str
    frame: list[str] | None = None


def logical(lines: list[str]) -> list[tuple[int, str]]:
    """(first row, text) of each logical line."""
    out: list[str] = []
    rows: list[int] = []
    mode = ""
    for row, line in enumerate(lines):
        joined = False
        if out and line.startswith(" "):
            joined = _continues(mode, line)
        elif out and mode == "prompt" and line.startswith("> "):
            out[-1] = out[-1].removesuffix("\\").rstrip() + " " + line[2:]
            continue
        if joined:
            out[-1] = out[-1] + " " + line.strip()
            continue
        out.append(line)
        rows.append(row)
        if STAMP.match(line):
            mode = "log"
        elif NCCL.match(line):
            mode = "nccl"
        elif BANNER.match(line):
            mode = "banner"
        elif SECTION.match(line):
            mode = "section"
        elif "$ " in line and "@" in line.split("$ ")[0]:
            mode = "prompt"
        elif line.startswith("  ") and not line.startswith("    "):
            mode = "text"
        else:
            mode = "other"
    return list(zip(rows, out, strict=True))


def _continues(mode: str, line: str) -> bool:
    """Whether `line`, indented, continues the logical line of kind `mode` above it."""
    if mode == "log":
        return line.startswith(" " * STAMP_WIDTH)
    if mode in ("nccl", "banner", "prompt"):
        return True
    if mode == "section":
        return not line.startswith(NEXT_IN_SECTION)
    listed = (
        "model-",
        "model.safetensors",
        "adapter_",
        "... ",
    )  # export lines, never continuations
    return mode == "text" and line.startswith("    ") and not line.lstrip().startswith(listed)


def items(screen: Screen) -> list[Item]:
    """Logical lines and erased training frames, in the order a viewer saw them."""
    erased: dict[int, list[list[str]]] = {}
    for row, frame in screen.frames:
        if frame and frame[0].startswith("Epoch "):
            erased.setdefault(row, []).append(frame)
    # A frame erased at a row was on screen before the logical line written from that row.
    out: list[Item] = []
    pending = sorted(erased)
    for row, text in logical(screen.lines):
        while pending and pending[0] <= row:
            for frame in erased.pop(pending.pop(0)):
                out.append(Item(frame[0], frame))
        out.append(Item(text))
    for row in pending:
        for frame in erased[row]:
            out.append(Item(frame[0], frame))
    return out


# Figures


NUM = r"[\d,]+(?:\.\d+)?"


def number(text: str) -> float:
    return float(text.replace(",", ""))


def tokens(text: str) -> float:
    """'15T', '1.3T', '627B', '4.2M' back into a count."""
    units = {"T": 1e12, "B": 1e9, "M": 1e6, "K": 1e3}
    if text[-1] in units:
        return float(text[:-1]) * units[text[-1]]
    return float(text)


def gigabytes(text: str) -> float:
    value, unit = text.split()
    return float(value) * (1000.0 if unit == "TB" else 1.0)


def seconds_of(text: str) -> float:
    """'3d 13h 02m 38s', '4h 48m 50s', '22m 16s', '0m', '2d 1h', '3h 33m' back to seconds."""
    total = 0.0
    for amount, unit in re.findall(r"(\d+)([dhms])", text):
        total += int(amount) * {"d": 86400, "h": 3600, "m": 60, "s": 1}[unit]
    return total


def path_of(text: str) -> str:
    """A path that a narrow terminal may have broken with a space: joined back."""
    return text.replace(" ", "").rstrip("/")


@dataclass
class Frame:
    epoch: int
    epochs: int
    step: int
    total: int
    loss: str
    lr: str
    grad_norm: float
    memory: float
    capacity: float
    tokens_per_second: float
    samples_per_second: float
    tflops: float
    mfu: float
    eta: str
    gpus: list[tuple[int, int, int, int]]  # first GPU, last GPU, util %, °C
    rest: tuple[int, int, int] | None  # hidden nodes, low °C, high °C
    all_gather: float | None  # ms
    reduce_scatter: float | None
    tp_all_reduce: float | None
    exposed: float | None
    attempt: int = 0
    aux_loss: float | None = None
    all_to_all: float | None = None  # ms
    replica_all_reduce: float | None = None  # ms: HSDP's all-reduce across replicas
    tp_named_all_reduce: float | None = None  # ms: a TP collective shown as `AllReduce(TP)`
    percent: int | None = None  # the epoch bar's percentage, as printed (may be negative)


def parse_frame(lines: list[str]) -> Frame | None:
    head = re.match(r"Epoch (\d+)/(\d+) ", lines[0])
    body = " | ".join(line.strip() for line in lines[1:])
    step = re.search(r"Step (\d+)/(\d+)", body)
    if head is None or step is None:
        return None

    def grab(pattern: str) -> str:
        found = re.search(pattern, body)
        if found is None:
            raise ValueError(f"no {pattern!r} in frame {lines!r}")
        return found.group(1)

    def ms(name: str) -> float | None:
        found = re.search(name + r": ([\d,.]+)ms", body)
        return number(found.group(1)) if found else None

    memory = re.search(r"GPU Mem: ([\d.]+)GiB/([\d.]+)GiB", body)
    assert memory is not None, body
    rest = re.search(r"\[\+(\d+) nodes: 95-100% util, (\d+)-(\d+)°C\]", body)
    percent = re.search(r"(-?\d+)%\s*$", lines[0])
    return Frame(
        percent=int(percent.group(1)) if percent else None,
        epoch=int(head.group(1)),
        epochs=int(head.group(2)),
        step=int(step.group(1)),
        total=int(step.group(2)),
        loss=grab(r"Loss: ([\d.]+)"),
        lr=grab(r"LR: ([\d.e+-]+)"),
        grad_norm=float(grab(r"Grad Norm: ([\d.]+)")),
        memory=float(memory.group(1)),
        capacity=float(memory.group(2)),
        tokens_per_second=number(grab(r"Speed: ([\d,]+) tokens/s")),
        samples_per_second=number(grab(r"([\d,.]+) samples/s")),
        tflops=float(grab(r"TFLOP/s: ([\d.]+)")),
        mfu=float(grab(r"MFU: ([\d.]+)%")) / 100,
        eta=grab(r"ETA: ((?:\d+[dhm] ?)+)").strip(),
        gpus=[
            (int(a), int(b), int(u), int(t))
            for a, b, u, t in re.findall(r"\[GPU (\d+)-(\d+): (\d+)% util, (\d+)°C\]", body)
        ],
        rest=(int(rest.group(1)), int(rest.group(2)), int(rest.group(3))) if rest else None,
        all_gather=ms(r"AllGather"),
        reduce_scatter=ms(r"ReduceScatter"),
        # sequence parallelism's reduce-scatter and all-gather move what an all-reduce would
        tp_all_reduce=tp_pair(ms(r"AllGather\(TP\)"), ms(r"ReduceScatter\(TP\)")),
        tp_named_all_reduce=ms(r"AllReduce\(TP\)"),
        exposed=ms(r"Exposed"),
        aux_loss=float(aux.group(1))
        if (aux := re.search(r"Aux Loss: ([\d.e+-]+)", body))
        else None,
        all_to_all=ms(r"AllToAll\(EP\)"),
        replica_all_reduce=ms(r"AllReduce\(replicate\)"),
    )


def tp_pair(gather: float | None, scatter: float | None) -> float | None:
    """The time of the TP group's all-gather and reduce-scatter together, as of the
    all-reduce they replace under sequence parallelism; None unless both are shown."""
    return None if gather is None or scatter is None else gather + scatter


@dataclass
class StepLine:
    at: datetime
    step: int
    loss: str
    tokens_per_gpu: float
    mfu: float
    attempt: int
    aux_loss: float | None = None  # the router's load-balancing loss (MoE)
    z_loss: float | None = None


@dataclass
class Save:
    at: datetime | None  # the log line's time (None for the epoch-end section)
    step: int
    path: str
    size_gb: float
    blocking: float | None
    seconds: float
    attempt: int
    gbps: float = 0.0  # the speed the epoch-end line states
    optimizer_gb: float | None = None  # the epoch-end section's "Saving optimizer state"
    waited: float = 0.0  # the epoch-end section's wait for the previous save's write
    # An epoch-end section's async save: its write goes on after the section, and its end
    # is the `[Checkpoint] Saved step` line logged when it comes (`written_at`); pending
    # until then, and for good where a rank died first.
    pending: bool = False
    written_at: datetime | None = None


@dataclass
class Evaluation:
    epoch: int
    samples: int
    loss: str
    ppl: str
    seconds: float
    metrics: dict[str, str]
    train_losses: list[float]  # the last few training losses shown before it
    examples: int = 0  # a fine-tune's held-out examples, packed into the samples
    generated: int = 0  # outputs generated for ROUGE or BLEU
    generation_seconds: float = 0.0  # their Gen time, after the loss pass

    @property
    def pause(self) -> float:
        """The time the evaluation holds training up: its loss pass and any generation."""
        return self.seconds + self.generation_seconds


@dataclass
class Failure:
    xid_at: datetime
    host: str
    gpu: int
    rank: int
    xid: int
    xid_text: str
    watchdog_at: datetime
    watchdog_rank: int
    seq: int
    op: str
    timeout_ms: int
    ran_ms: int
    step: int
    restart_at: datetime | None = None
    attempt: int = 0
    lost: str = ""
    resume_path: str = ""  # empty when it starts over: no complete checkpoint yet
    from_start: bool = False
    resume_step: int = -1
    reloaded: tuple[float, float] | None = None  # (size GB, seconds)
    reloaded_path: str = ""
    cuda_error: str = ""  # what the faulty rank died with
    monitor: tuple[str, int, int] | None = None  # (host, GPU, Xid) the monitoring line names
    numels: tuple[int, int] | None = None  # NumelIn, NumelOut of the collective timed out
    took_down: bool = False  # the peer took the process down
    requeued: bool = False
    drained: str = ""
    spare: str = ""  # the host in the drained one's place
    joined_at: datetime | None = None  # when the spare's torchrun joined the rendezvous
    endpoint: str = ""  # the rendezvous it joined
    # (restart, rank, host) of each restart whose worker failed at CUDA initialisation
    init_failures: list[tuple[int, int, str]] = field(default_factory=list)
    init_errors: list[str] = field(default_factory=list)  # the CUDA error each of them names
    # when the node's agent stopped the other workers of a worker that died (no watchdog)
    stopped_at: datetime | None = None
    # the shell's agent's "N/M attempts left" at its restart, -1 for its restart after
    # another node's return to the rendezvous, None where neither line was seen
    shell_left: int | None = None
    gave_up: str = ""  # the host whose torchrun used its restarts (a requeue)
    # False where no line names the step in flight (a hang): `step` is then the one after
    # the last shown, a lower bound
    step_named: bool = True

    @classmethod
    def seen(
        cls,
        at: datetime,
        step: int,
        *,
        host: str = "",
        gpu: int = -1,
        rank: int = -1,
        xid: int = -1,
        cuda_error: str = "",
        step_named: bool = True,
    ) -> Failure:
        """A failure as its first line shows it: what later lines tell (the Xid, the
        watchdog's collective, the restart) is unknown yet."""
        return cls(
            xid_at=at,
            host=host,
            gpu=gpu,
            rank=rank,
            xid=xid,
            xid_text="",
            watchdog_at=at,
            watchdog_rank=-1,
            seq=-1,
            op="",
            timeout_ms=-1,
            ran_ms=-1,
            step=step,
            cuda_error=cuda_error,
            step_named=step_named,
        )


@dataclass
class Notice:
    at: datetime
    text: str


@dataclass
class Run:
    """Every figure the cast shows, as text or numbers parsed from the text."""

    items: list[Item]
    stamps: list[tuple[datetime, str]] = field(default_factory=list)
    banner: str = ""
    banner_pids: list[int] = field(default_factory=list)
    user: str = ""
    prompt_host: str = ""
    facts: dict[str, re.Match[str]] = field(default_factory=dict)
    nccl: list[str] = field(default_factory=list)
    nccl_debug: bool = False  # the typed command sets NCCL_DEBUG=INFO (NCCL prints only then)
    frames: list[Frame] = field(default_factory=list)
    step_lines: list[StepLine] = field(default_factory=list)
    saves: list[Save] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    summary: dict[str, str] = field(default_factory=dict)
    export: dict[str, str] = field(default_factory=dict)
    shards: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def fact(self, name: str) -> re.Match[str]:
        found = self.facts.get(name)
        if found is None:
            raise AssertionError(f"the cast never shows its {name} line")
        return found

    def losses(self) -> dict[tuple[int, int], str]:
        """(attempt, step) → loss, from every live frame and step line shown."""
        shown: dict[tuple[int, int], str] = {}
        for f in self.frames:
            shown[(f.attempt, f.step)] = f.loss
        for s in self.step_lines:
            shown[(s.attempt, s.step)] = s.loss
        return shown


FACTS = {
    "rendezvous": r"Rendezvous complete: master_addr=(?P<master>\S+) master_port=(?P<port>\d+) "
    r"group_rank=0 group_world_size=(?P<nodes>\d+) local_world_size=(?P<local>\d+) "
    r"world_size=(?P<world>\d+)$",
    "backend": r"Setting up NCCL backend \((?P<gpus>\d+) GPUs across (?P<nodes>\d+) nodes?\)$",
    "building": r"Building model: (?P<name>\S+) \((?P<arch>\S+) architecture\)$",
    "init": r"Initializing weights from scratch \(.*\) in (?P<seconds>[\d.]+)s$",
    "load": r"Loading model: (?P<name>\S+) from (?P<path>.+?) \((?P<gb>[\d.]+ [GT]B) bf16\) "
    r"in (?P<seconds>[\d.]+)s$",
    "size": r"Model size: (?P<params>[\d.]+)B parameters, (?P<layers>\d+) layers, hidden "
    r"(?P<hidden>\d+), (?P<heads>\d+) heads \((?P<kv>\d+) KV\), vocab (?P<vocab>[\d,]+)$",
    "lora": r"(?P<label>Q?LoRA): rank (?P<rank>\d+), alpha (?P<alpha>\d+), dropout "
    r"(?P<dropout>[\d.]+) on (?P<targets>[\w, ]+?); trainable (?P<trainable>[\d,]+) of "
    r"(?P<total>[\d,]+) parameters "
    r"\((?P<pct>[\d.]+)%\); frozen weights (?P<frozen>.+)$",
    "moe": r"MoE: (?P<experts>\d+) experts \(top-(?P<top_k>\d+)(?: \+ (?P<shared>\d+) shared)?\) "
    r"in (?P<layers>\d+) layers, (?P<active>[\d.]+)B of (?P<total>[\d.]+)B parameters active "
    r"per token; (?:experts split over EP (?P<ep>\d+) \((?P<link>NVLink|IB)\), all-to-all dispatch "
    r"and combine|(?P<whole>every GPU runs all experts of a block \(FSDP gathers them, no expert "
    r"parallelism\))); "
    r"(?:auxiliary-loss-free balancing \(bias update speed (?P<bias>[\d.e+-]+)\), )?"
    r"(?P<balance>load-balancing|sequence-wise balance) loss coefficient (?P<coeff>[\d.e+-]+)$",
    "parallel": r"Parallelism: (?P<layout>.+?) over (?P<gpus>\d+) GPUs; activation checkpointing "
    r"(?P<ac>full|selective|off)(?:; pipeline bubble (?P<bubble>[\d.]+)%)?"
    r"(?P<dualpipe> \(DualPipe\))?$",
    "memory": r"Memory per GPU: (?P<total>[\d.]+) GiB of (?P<capacity>[\d.]+) GiB \(state "
    r"(?P<state>[\d.]+), activations (?P<act>[\d.]+), logits (?P<logits>[\d.]+), buffers "
    r"(?P<buffers>[\d.]+)\)$",
    "tokenizer": r"Loading tokenizer: AutoTokenizer \(vocab_size=(?P<vocab>\d+)\)$",
    "dataset": r"Dataset: (?P<name>\S+) \((?:(?P<examples>[\d,]+) examples"
    r"(?: \+ (?P<held>[\d,]+) held out)?, )?"
    r"(?P<tokens>[\d.]+[TBMK]?) tokens(?:, (?P<task>\w+))?\)$",
    "batch": r"Global batch: (?P<seqs>[\d,]+) sequences (?:x (?P<seq>\d+) = (?P<tokens>[\d,]+) "
    r"tokens(?:, (?:(?P<packed>[\d,]+) )?examples packed)?|of up to (?P<upto>\d+) tokens) "
    r"\(micro batch (?P<micro>\d+), "
    r"grad accum "
    r"(?P<accum>\d+), data parallel (?P<dp>\d+)\)$",
    "optimizer": r"Optimizer: AdamW .*\| LR (?P<peak>[\d.e+-]+), warm-up (?P<warmup>[\d,]+) "
    r"steps, cosine to (?P<floor>[\d.e+-]+)$",
    "precision": r"Precision: (?P<dtype>\w+) \| torch (?P<torch>\S+) \| CUDA (?P<cuda>\S+) \| "
    r"NCCL (?P<nccl>\S+)$",
    "checkpoints": r"Checkpoints: every (?P<every>[\d,]+) steps, async, to (?P<fs>\S+) at "
    r"(?P<gbps>[\d.]+) GB/s aggregate \((?P<size>[\d.]+ [GT]B) each\)$",
    "training": r"Training: (?P<kind>[a-z -]+) \| (?P<epochs>\d+) epochs? x (?P<steps>[\d,]+) "
    r"steps \((?P<tokens>[\d.]+[TBMK]?) tokens(?:, (?P<per_param>[\d,]+) tokens/param)?\)$",
}

STEP_LINE = re.compile(
    r"step +(\d+) \| loss ([\d.]+) \| ([\d,]+) tok/s/GPU \| mfu ([\d.]+)%"
    r"(?: \| aux ([\d.e+-]+))?(?: \| z ([\d.e+-]+))?$"
)
SAVED = re.compile(
    r"\[Checkpoint\] Saved step (\d+) to (.+?) \(([\d.]+ [GT]B), async: training blocked "
    r"([\d.]+)s(?: \(([\d.]+)s waiting for the previous write\))?, written in ([\d.]+)s\)$"
)
# A kernel (dmesg) line in the job's own output: never shown.
NVRM = re.compile(r"NVRM: Xid")
CUDA_FAULT = re.compile(
    r"\[ERROR\] \[rank(\d+)\] RuntimeError: CUDA error: (.+) \(step ([\d,]+), (\S+) GPU "
    r"(\d+)\)$"
)
# A host lost (no Xid: plan_failures' "host" kind): its ranks stop.
HOST_LOST = re.compile(
    r"\[ERROR\] \[elastic\] lost (\S+) \(step ([\d,]+)\): ranks (\d+)-(\d+) stopped answering$"
)
# A broken GPU fails each restart at CUDA initialisation ("gpu" kind).
INIT_FAILED = re.compile(
    r"\[ERROR\] \[elastic\] \S+'s agent: restart (\d+) of (\d+): rank (\d+) failed again at "
    r"CUDA initialisation: (.+) \((\S+) GPU (\d+) needs a reset\)$"
)
# A worker that died: its node's agent stops the others at once (Failed.watchdog false).
AGENT_STOP = re.compile(
    r"\[WARN\] \[elastic\] (\S+): local rank (\d+) failed \(exitcode: -6\); sending SIGTERM to "
    r"the node's other (\d+) workers$"
)
MONITOR = re.compile(r"\[WARN\] dcgm on (\S+): GPU (\d+) reported Xid (\d+) \((.+)\)$")
WATCHDOG = re.compile(
    r"\[ERROR\] \[rank(\d+)\] Watchdog caught collective operation timeout: WorkNCCL\(SeqNum="
    r"(\d+), OpType=(\w+)(?:, NumelIn=(\d+), NumelOut=(\d+))?, Timeout\(ms\)=(\d+)\) ran for "
    r"(\d+) milliseconds before timing out$"
)
TAKEDOWN = re.compile(
    r"\[ERROR\] \[rank(\d+)\] To avoid data inconsistency, we are taking the entire process "
    r"down\.$"
)
# The genact log's launch is a torchrun typed at the first node's shell: past its restarts
# the operator starts it again; a node that is out is replaced by a spare's torchrun joining
# the rendezvous. No scheduler line ([slurm] ...) belongs in it.
REQUEUE = re.compile(
    r"\[elastic\] (?:(?P<quitter>\S+)'s )?torchrun used its \d+ restarts and exited; started again "
    r"by hand (?:with "
    r"spare node (?P<spare>\S+) in (?P<drained>\S+)'s place|on the same nodes) \((\d+) GPUs\)$"
)
JOINED = re.compile(
    r"\[elastic\] spare node (?P<spare>\S+) joined the rendezvous at (?P<endpoint>\S+) in "
    r"(?P<drained>\S+)'s place \((\d+) GPUs\)$"
)
SLURM = re.compile(r"\[slurm\] ")
RESTART = re.compile(
    r"\[torchrun\] Worker group failed; restarting workers \(attempt (\d+) of \d+\) after "
    r"(.+) lost$"
)
ELASTIC = re.compile(
    r"\[elastic\] \[default\] Worker group FAILED\. (\d+)/(\d+) attempts left; will restart "
    r"worker group$"
)
# The shell's agent after another node's worker died: that node back at the rendezvous, a
# restart that does not count (torch 2.9.0 elastic/agent/server/api.py:915-928).
REJOINED = re.compile(
    r"\[elastic\] \[default\] Detected 1 new nodes from group_rank=0; will restart worker "
    r"group$"
)
RESUME = re.compile(r"Resuming from (.+?) \(step ([\d,]+)\)(?:; (.+) of training lost)?$")
RELOADED = re.compile(r"Loaded checkpoint (.+?) \(([\d.]+ [GT]B)\) in ([\d.]+)s$")
# No complete save yet: the restart reads what the first launch read (or initializes again).
FROM_START = re.compile(r"(?:the base model|scratch), no complete checkpoint$")
RELOADED_BASE = re.compile(r"Loaded base model (.+?) \(([\d.]+ [GT]B) bf16\) in ([\d.]+)s$")
REINITIALIZED = re.compile(r"Initialized weights from scratch in ([\d.]+)s$")


def read_run(output: str) -> Run:
    screen = replay(output)
    run = Run(items(screen))
    attempt = 0
    section = ""
    recent: dict[tuple[int, int], float] = {}  # (attempt, step) → loss, since the last eval
    block: list[str] = []  # an epoch's live block, left on screen when the epoch ended
    for item in run.items:
        if block and not (item.frame is None and item.text.startswith("  ")):
            frame = parse_frame(block)
            if frame is not None:
                frame.attempt = attempt
                run.frames.append(frame)
                recent[(frame.attempt, frame.step)] = float(frame.loss)
            block = []
        if item.frame is not None:
            frame = parse_frame(item.frame)
            if frame is not None:
                frame.attempt = attempt
                run.frames.append(frame)
                recent[(frame.attempt, frame.step)] = float(frame.loss)
            continue
        text = item.text
        if text.startswith("Epoch "):
            section, block = "epoch", [text]
            continue
        if section == "epoch" and text.startswith("  "):
            block.append(text)
            continue
        stamped = STAMP.match(text)
        if stamped:
            section = ""
            at = datetime.strptime(stamped.group(1), "%Y-%m-%d %H:%M:%S")
            message = stamped.group(2)
            run.stamps.append((at, message))
            _log_line(run, at, message, attempt)
            if any(r.match(message) for r in (RESTART, ELASTIC, REJOINED, REQUEUE)):
                attempt += 1
            step = STEP_LINE.match(message)
            if step:
                recent[(attempt, int(step.group(1)))] = float(step.group(2))
            continue
        if BANNER.match(text):
            run.banner = run.banner or text
            run.banner_pids.append(int(text.split()[2]))
            continue
        if NCCL.match(text):
            run.nccl.append(text)
            continue
        if "$ " in text and "NCCL_DEBUG=INFO" in text:
            run.nccl_debug = True
        if "$ " in text and "@" in text.split("$ ")[0] and not run.user:
            who = text.split(":")[0]
            run.user, run.prompt_host = who.split("@")
            continue
        header = SECTION.match(text)
        if header:
            section = header.group(1).lower()
            if section == "validation":
                found = re.match(
                    r"\[Validation\] Epoch (\d+) \| Evaluating on ([\d,]+) samples"
                    r"(?: \(([\d,]+) examples packed\))?",
                    text,
                )
                assert found, text
                last = [recent[key] for key in sorted(recent)[-5:]]
                run.evaluations.append(
                    Evaluation(
                        int(found.group(1)),
                        int(number(found.group(2))),
                        "",
                        "",
                        0.0,
                        {},
                        last,
                        int(number(found.group(3) or "0")),
                    )
                )
                recent = {}
            elif section == "checkpoint":
                found = re.match(r"\[Checkpoint\] Saving model to (.+)$", text)
                assert found, text
                run.saves.append(Save(None, -1, path_of(found.group(1)), 0.0, None, 0.0, attempt))
            continue
        if SUMMARY_RULE.match(text):
            section = "summary"
            continue
        body = text.strip()
        generating = re.match(r"Generating ([\d,]+) (\w+)(?: \(|\.\.\.)", body)
        if section == "validation" and generating:
            run.evaluations[-1].generated = int(number(generating.group(1)))
        elif section == "validation" and body and not body.startswith(("Evaluating", "Generating")):
            for part in body.split(" | "):
                name, _, value = part.partition(": ")
                e = run.evaluations[-1]
                if name == "Val Loss":
                    e.loss = value
                elif name == "Val PPL":
                    e.ppl = value
                elif name == "Eval time":
                    e.seconds = float(value.rstrip("s"))
                elif name == "Gen time":
                    e.generation_seconds = float(value.rstrip("s"))
                else:
                    e.metrics[name] = value
        elif section == "checkpoint":
            state = re.match(r"Saving optimizer state: ([\d.]+ [GT]B)$", body)
            if state:
                run.saves[-1].optimizer_gb = gigabytes(state.group(1))
            waited = re.match(r"Waiting for the previous checkpoint's write: ([\d.]+)s$", body)
            if waited:
                run.saves[-1].waited = float(waited.group(1))
            staged = re.match(r"Checkpoint staged in ([\d.]+)s$", body)
            if staged:  # async: training blocked while waiting and staging alone
                run.saves[-1].blocking = run.saves[-1].waited + float(staged.group(1))
            background = re.match(r"Writing in the background: ([\d.]+ [GT]B)$", body)
            if background:
                save = run.saves[-1]
                save.size_gb, save.pending = gigabytes(background.group(1)), True
                save.step = int(save.path.rsplit("step-", 1)[-1])
            found = re.match(
                r"Checkpoint saved in ([\d.]+)s \(([\d.]+ [GT]B) at "
                r"([\d.]+) GB/s\)$",
                body,
            )
            if found:
                save = run.saves[-1]
                save.seconds = float(found.group(1))
                save.size_gb = gigabytes(found.group(2))
                save.gbps = float(found.group(3))
                save.step = int(save.path.rsplit("step-", 1)[-1])
        elif section == "export":
            shard = re.match(
                r"(model-\d{5}-of-\d{5}\.safetensors|(?:adapter_)?model\.safetensors)"
                r" +([\d.]+) GB$",
                body,
            )
            if shard:
                run.shards.append((shard.group(1), float(shard.group(2))))
            elif body in ("model.safetensors.index.json", "adapter_config.json"):
                run.export[body] = body
            elif ": " in body:
                name, _, value = body.partition(": ")
                run.export[name] = value
            elif body.startswith("... "):
                run.export["more"] = body
        elif section == "summary" and body:
            found = re.match(r"(\S+(?: \S+)?) {2,}(.*)$", body) or re.match(r"(\S+) (.*)$", body)
            if found:
                run.summary[found.group(1)] = found.group(2)
    if block:
        frame = parse_frame(block)
        if frame is not None:
            frame.attempt = attempt
            run.frames.append(frame)
    return run


def _log_line(run: Run, at: datetime, message: str, attempt: int) -> None:
    for name, pattern in FACTS.items():
        if name not in run.facts:
            found = re.match(pattern, message)
            if found:
                run.facts[name] = found
                return
    step = STEP_LINE.match(message)
    if step:
        run.step_lines.append(
            StepLine(
                at,
                int(step.group(1)),
                step.group(2),
                number(step.group(3)),
                float(step.group(4)) / 100,
                attempt,
                float(step.group(5)) if step.group(5) else None,
                float(step.group(6)) if step.group(6) else None,
            )
        )
        return
    saved = SAVED.match(message)
    if saved:
        path = path_of(saved.group(2))
        section = next(
            (v for v in run.saves if v.pending and v.path == path and v.attempt == attempt), None
        )
        if section is not None:  # the end of an epoch-end section's background write
            section.pending, section.written_at = False, at
            section.seconds = float(saved.group(6))
            return
        run.saves.append(
            Save(
                at,
                int(saved.group(1)),
                path_of(saved.group(2)),
                gigabytes(saved.group(3)),
                float(saved.group(4)),
                float(saved.group(6)),
                attempt,
                waited=float(saved.group(5) or 0.0),
            )
        )
        return
    if NVRM.search(message):
        run.errors.append(f"a kernel log line in the job's output: {message}")
    fault = CUDA_FAULT.match(message)
    if fault:
        run.failures.append(
            Failure.seen(
                at,
                int(number(fault.group(3))),
                host=fault.group(4),
                gpu=int(fault.group(5)),
                rank=int(fault.group(1)),
                cuda_error=fault.group(2),
            )
        )
        return
    lost = HOST_LOST.match(message)
    if lost:
        first = int(lost.group(3))
        run.failures.append(
            Failure.seen(
                at, int(number(lost.group(2))), host=lost.group(1), gpu=0, rank=first, xid=0
            )
        )
        return
    init = INIT_FAILED.match(message)
    if init and run.failures:
        f = run.failures[-1]
        f.init_failures.append((int(init.group(1)), int(init.group(3)), init.group(5)))
        f.init_errors.append(init.group(4))
        return
    stop = AGENT_STOP.match(message)
    if stop and run.failures:
        run.failures[-1].stopped_at = at
        return
    monitor = MONITOR.match(message)
    if monitor and (not run.failures or run.failures[-1].restart_at is not None):
        # A GPU that hangs prints nothing: the monitoring's Xid is the failure's first line.
        # Its rank is the GPU's on that host; its step, the one after the last shown.
        last = [run.frames[-1].step] if run.frames else []
        last += [run.step_lines[-1].step] if run.step_lines else []
        run.failures.append(
            Failure.seen(
                at,
                max(last, default=0) + 1,
                host=monitor.group(1),
                gpu=int(monitor.group(2)),
                step_named=False,
            )
        )
    if monitor and run.failures:
        f = run.failures[-1]
        f.monitor = (monitor.group(1), int(monitor.group(2)), int(monitor.group(3)))
        f.xid, f.xid_text = int(monitor.group(3)), monitor.group(4)
        return
    watchdog = WATCHDOG.match(message)
    if watchdog:
        if not run.failures or run.failures[-1].watchdog_rank != -1:
            run.errors.append(f"watchdog without a failed rank before it: {message}")
            run.failures.append(Failure.seen(at, -1))
        f = run.failures[-1]
        f.watchdog_at = at
        f.watchdog_rank = int(watchdog.group(1))
        f.seq = int(watchdog.group(2))
        f.op = watchdog.group(3)
        if watchdog.group(4):
            f.numels = (int(watchdog.group(4)), int(watchdog.group(5)))
        f.timeout_ms = int(watchdog.group(6))
        f.ran_ms = int(watchdog.group(7))
        return
    if TAKEDOWN.match(message) and run.failures:
        run.failures[-1].took_down = True
        return
    requeue = REQUEUE.match(message)
    if requeue:
        if not run.failures:
            run.errors.append(f"requeue without a failure: {message}")
            return
        f = run.failures[-1]
        f.restart_at, f.requeued, f.drained = at, True, requeue.group("drained") or ""
        f.spare = requeue.group("spare") or ""
        f.gave_up = requeue.group("quitter") or run.prompt_host
        f.attempt = (run.failures[-2].attempt if len(run.failures) > 1 else 0) + 1
        return
    restart = RESTART.match(message)
    if restart:
        if not run.failures:
            run.errors.append(f"restart without a failure: {message}")
            return
        f = run.failures[-1]
        f.restart_at, f.attempt, f.lost = at, int(restart.group(1)), restart.group(2)
        return
    joined = JOINED.match(message)
    if joined:
        if not run.failures:
            run.errors.append(f"a spare joined without a failure: {message}")
            return
        f = run.failures[-1]
        f.drained, f.spare, f.joined_at = joined.group("drained"), joined.group("spare"), at
        f.endpoint = joined.group("endpoint")
        return
    if SLURM.match(message):
        run.errors.append(f"a scheduler's requeue under a torchrun typed at a shell: {message}")
        return
    elastic = ELASTIC.match(message) or REJOINED.match(message)
    if elastic:
        if not run.failures:
            run.errors.append(f"restart without a failure: {message}")
            return
        f = run.failures[-1]
        f.restart_at = at
        f.shell_left = int(elastic.group(1)) if elastic.re is ELASTIC else -1
        f.attempt = (run.failures[-2].attempt if len(run.failures) > 1 else 0) + 1
        return
    resume = RESUME.match(message)
    if resume and run.failures:
        f = run.failures[-1]
        f.resume_path, f.resume_step = path_of(resume.group(1)), int(number(resume.group(2)))
        if FROM_START.match(resume.group(1)):
            f.resume_path, f.from_start = "", True
        f.lost = resume.group(3) or f.lost
        return
    reloaded = RELOADED.match(message)
    if reloaded and run.failures:
        f = run.failures[-1]
        f.reloaded_path = path_of(reloaded.group(1))
        f.reloaded = (gigabytes(reloaded.group(2)), float(reloaded.group(3)))
        return
    base = RELOADED_BASE.match(message)
    if base and run.failures:
        f = run.failures[-1]
        f.reloaded = (gigabytes(base.group(2)), float(base.group(3)))
        return
    again = REINITIALIZED.match(message)
    if again and run.failures:
        run.failures[-1].reloaded = (0.0, float(again.group(1)))
        return
    if message.startswith("[WARN] "):
        run.notices.append(Notice(at, message[len("[WARN] ") :]))


def stamped_times(run: Run) -> Iterator[datetime]:
    for at, _ in run.stamps:
        yield at
