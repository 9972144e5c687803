"""What a Megatron-LM job's terminal shows of its processes past RANK_LOG_NODES nodes.

There a user launches as Megatron-LM's own tests do at core_v0.14.0
(tests/functional_tests/shell_test_utils/_run_training.sh:155-170, with LAST_RANK=7, under
Slurm; tests/test_utils/recipes/common.yaml:39-42 the same): `torchrun ... --log-dir
$LOG_DIR --tee "0:3,7:3" --redirects 3`. Every process writes its stdout and
stderr to files under the log directory; local ranks 0 and 7 of each node are also copied
to the console, each line behind TailLog's header `[{role}{local_rank}]:` (torch 2.9.0
torch/distributed/elastic/multiprocessing/tail_log.py:39 and :121, the role "default"):
`[default0]:` and `[default7]:`. So the console shows `print_rank_0` (global rank 0 is
node 0's local rank 0) and `print_rank_last` and the timers (the last rank is the last
node's local rank 7), and of what every process prints, two copies a node. The torch
agents' and srun's own lines are not the workers' and come as before. Up to
RANK_LOG_NODES nodes (64 processes) the dialect launches as the tag's examples do
(examples/llama/train_llama3_8b_h100_fp8.sh:47-53, 186: torchrun with no --tee), and the
console shows every process's output: Megatron's tests tee at any size, for their own
logs, but a user reads every process there, as the other dialects show them; past it 64
processes' interleaved copies are no longer readable (rank_logs.py gives the threshold and
why), and the tee is what Megatron's own launch does about it.

Only the lines that reach the console are built: a teed launch asks `ranks()` which
processes' lines to make.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.rank_logs import to_files

GPUS_PER_NODE = 8  # --nproc_per_node, as every dialect launches
# `--tee "0:3,7:3"`: local rank 0 and LAST_RANK=7, stdout and stderr (3) of each.
TEED = (0, 7)
# $LOG_DIR of _run_training.sh is $OUTPUT_PATH/logs/$REPEAT; the job's own checkout here.
LOG_DIR = "logs"
ROLE = "default"  # torchrun's --role default, TailLog's name
# c10's MessageLogger tags a record's first line with the process's global rank
# (torchrun.teed): the record and the lines after it, until the next, are that process's.
_TORCH_TAG = re.compile(r"\[rank(\d+)\]:")


def header(local_rank: int) -> str:
    """TailLog's header for a local rank's stream (tail_log.py:121 at torch 2.9.0)."""
    return f"[{ROLE}{local_rank}]:"


def tee_words() -> list[str]:
    """torchrun's options that send every process to files and two of each node's to the
    console, as _run_training.sh passes them."""
    return [f"--log-dir={LOG_DIR}", "--tee=0:3,7:3", "--redirects=3"]


class Tee(NamedTuple):
    """The console's view of a job's processes: all of them as they print (`on` False), or
    the teed local ranks' lines behind their headers."""

    on: bool
    nodes: int

    @property
    def last_rank(self) -> int:
        return self.nodes * GPUS_PER_NODE - 1

    def shown(self, rank: int) -> bool:
        """Whether global rank `rank`'s output reaches the console."""
        return not self.on or rank % GPUS_PER_NODE in TEED

    def ranks(self) -> list[int]:
        """The global ranks whose output reaches the console, in order."""
        every = range(self.nodes * GPUS_PER_NODE)
        return [rank for rank in every if self.shown(rank)]

    def of_rank(self, rank: int, lines: Iterable[str]) -> list[str]:
        """`lines` printed by global rank `rank`, as the console shows them: none where it is
        not teed; each line behind its header where it is (a string holding several
        lines is several lines to TailLog)."""
        if not self.on:
            return list(lines)
        local = rank % GPUS_PER_NODE
        if local not in TEED:
            return []
        head = header(local)
        return [head + text.replace("\r\n", "\r\n" + head) for text in lines]

    def rank0(self, lines: Iterable[str]) -> list[str]:
        """print_rank_0's lines (megatron/training/utils.py at core_v0.14.0)."""
        return self.of_rank(0, lines)

    def last(self, lines: Iterable[str]) -> list[str]:
        """print_rank_last's and Timers.log's lines (the last rank prints them)."""
        return self.of_rank(self.last_rank, lines)

    def every_rank(self, line: str) -> list[str]:
        """A line every process prints once, as the console shows it."""
        if not self.on:
            return [line] * (self.nodes * GPUS_PER_NODE)
        return [header(local) + line for _ in range(self.nodes) for local in TEED]

    def records(self, lines: Sequence[str]) -> list[str]:
        """Lines of several processes' torch records (a watchdog's, a CUDA error's), each
        record's first line tagged `[rankN]:` by c10 and its continuation lines after it:
        each behind its process's header, those of processes not teed left out."""
        if not self.on:
            return list(lines)
        out: list[str] = []
        local = -1
        for text in lines:
            found = _TORCH_TAG.match(text)
            if found is not None:
                local = int(found.group(1)) % GPUS_PER_NODE
            elif local < 0:
                raise ValueError(f"no process's record begins with {text!r}")
            if local in TEED:
                out.append(header(local) + text)
        return out


def tee(facts: Facts) -> Tee:
    """How this job's console shows its processes: teed past RANK_LOG_NODES nodes."""
    return Tee(to_files(facts), facts.nodes)
