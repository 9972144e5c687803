"""What a dialect needs to know about the run, and how its text fits the terminal.

`Facts` gathers the plan's numbers in the shape the framework logs print them (exact parameter
counts, CUDA device names, the parallel layout), so the dialect modules never reach into the
plan itself.
"""

import re
from datetime import datetime, timedelta
from typing import NamedTuple

# torch.cuda.get_device_name() of each GPU of the catalog.
DEVICE_NAMES = {
    "A100": "NVIDIA A100-SXM4-80GB",
    "H100": "NVIDIA H100 80GB HBM3",
    "H200": "NVIDIA H200",
    "B200": "NVIDIA B200",
}


class Facts(NamedTuple):
    seed: int  # for the dialect's own incidental draws (pids, addresses), never the run's numbers
    start: datetime  # simulated wall clock of launch (t = 0)
    user: str
    hosts: tuple[str, ...]  # one per node, the first is the master
    port: int
    model_name: str
    family: str  # torchtitan's model name: "llama3", "llama2", "qwen2"...
    flavor: str  # torchtitan's flavor: "8B", "70B"...
    params: int  # exact, as the framework counts them
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    vocab: int
    ffn: int
    seq_len: int
    gpu: str  # catalog name: A100, H100, H200, B200
    capacity_gib: float
    peak_tflops: float
    dp: int
    tp: int
    pp: int
    micro_batch: int
    grad_accum: int
    total_steps: int
    warmup: int
    peak_lr: float
    epochs: int
    steps_per_epoch: int
    torch: str  # "2.5.1+cu124"
    cuda: str
    nccl: str
    dataset: str
    dataset_examples: int  # sequences (pre-training) or examples (fine-tuning) per epoch
    eval_samples: int
    kind: str  # "pretrain", "continue", "sft"
    recompute: str  # activation checkpointing: "off", "selective" or "full"
    state_gib: float  # sharded weights, gradients and optimizer state per GPU
    checkpoint_every: int  # steps between saves

    @property
    def nodes(self) -> int:
        return len(self.hosts)

    @property
    def gpus(self) -> int:
        return self.nodes * 8

    @property
    def master(self) -> str:
        return self.hosts[0]

    @property
    def global_batch(self) -> int:
        return self.dp * self.micro_batch * self.grad_accum

    @property
    def device_name(self) -> str:
        return DEVICE_NAMES[self.gpu]

    def moment(self, t: float) -> datetime:
        """The wall clock `t` seconds after launch."""
        return self.start + timedelta(seconds=t)


def exact_parameters(
    params: float, layers: int, hidden: int, heads: int, kv_heads: int, vocab: int
) -> tuple[int, int]:
    """The exact parameter count of a Llama-shaped model near `params`, and its FFN width.

    Embedding and output (untied), per layer q/k/v/o and a SwiGLU MLP of width `ffn` plus two
    RMSNorms, and a final norm. The FFN width is what the nominal size leaves, rounded to 256
    as the architectures round it (Llama-3-8B: 14,336, 8,030,261,248 parameters).
    """
    head_dim = hidden // heads
    attention = 2 * hidden * hidden + 2 * hidden * kv_heads * head_dim
    fixed = 2 * vocab * hidden + hidden + layers * (attention + 2 * hidden)
    ffn = max(256, round((params - fixed) / (3 * hidden * layers) / 256) * 256)
    return fixed + 3 * hidden * ffn * layers, ffn


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def visible_width(text: str) -> int:
    return len(_SGR.sub("", text))


def fit(text: str, width: int) -> list[str]:
    """`text` as rows that stay clear of the terminal's last column (`width` - 1 at most).

    Breaks after a space where one falls in the row, as loggers that know the terminal width
    wrap; colour sequences are kept whole and take no columns.
    """
    limit = max(1, width - 1)
    if "\x1b" not in text:
        return _fit_plain(text, limit)
    rows: list[str] = []
    tokens = [piece for piece in re.split(r"(\x1b\[[0-9;]*m)", text) if piece]
    row, columns, last_space = "", 0, -1
    for token in tokens:
        if _SGR.fullmatch(token):
            row += token
            continue
        for char in token:
            if columns == limit:
                if last_space > 0:
                    rows.append(row[:last_space])
                    row = row[last_space:]
                else:
                    rows.append(row)
                    row = ""
                columns = visible_width(row)
                last_space = -1
            row += char
            columns += 1
            if char == " ":
                last_space = len(row)
    rows.append(row)
    return rows


def _fit_plain(text: str, limit: int) -> list[str]:
    """`fit` for text without colour: the same breaks, found with `rfind`."""
    rows: list[str] = []
    start = 0
    while len(text) - start > limit:
        space = text.rfind(" ", start, start + limit)
        end = space + 1 if space >= start else start + limit
        rows.append(text[start:end])
        start = end
    rows.append(text[start:])
    return rows
