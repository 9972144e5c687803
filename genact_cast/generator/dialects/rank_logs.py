"""Whether a job's processes write to the terminal or each to its own file.

On up to RANK_LOG_NODES nodes (64 processes) the dialects show what every process prints,
as their launchers do by default; this is also where the plan stops drawing NCCL_DEBUG=INFO
(run_plan.NCCL_DEBUG_NODES), whose every-process start-up is still worth reading there.
Past it users send each process's output to a file and keep the terminal for the
launchers and one rank:
at 64 processes already the interleaved copies of one exception are "very difficult to
figure out" (stas00, DeepSpeed issue #1193), and a 64-node job's start-up is "an insane
amount of noise" (DeepSpeed issue #1304). A DeepSpeed job that size runs under Slurm as the
transformers DeepSpeed guide runs it, srun starting one torchrun a node, whose
`--log-dir`, `--tee 3` and `--local-ranks-filter 0` keep every process's output in files and
show each node's local rank 0 on the console (deepspeed_srun; DeepSpeed's own
`--enable_each_rank_log DIR`, launcher/launch.py:209-252 at v0.17.5, would leave the console
the launchers' lines alone, no training to watch).
"""

from __future__ import annotations

from genact_cast.generator.dialects.facts import Facts

RANK_LOG_NODES = 8


def to_files(facts: Facts) -> bool:
    """Whether the job's processes each write to a file (past RANK_LOG_NODES nodes)."""
    return facts.nodes > RANK_LOG_NODES
