"""Whether a job's processes write to the terminal or each to its own file.

On up to RANK_LOG_NODES nodes (64 processes) the dialects show what every process prints,
as their launchers do by default; this is also where the plan stops drawing NCCL_DEBUG=INFO
(run_plan.NCCL_DEBUG_NODES), whose every-process start-up is still worth reading there.
Past it users send each process's output to a file and keep the terminal for the launcher:
at 64 processes already the interleaved copies of one exception are "very difficult to
figure out" (stas00, DeepSpeed issue #1193), and a 64-node job's start-up is "an insane
amount of noise" (DeepSpeed issue #1304). Each launcher has the option: DeepSpeed's
`--enable_each_rank_log DIR` (launcher/launch.py:209-252 at v0.17.5, passed to every node
by PDSHRunner, multinode_runner.py:113-114).
"""

from __future__ import annotations

from genact_cast.generator.dialects.facts import Facts

RANK_LOG_NODES = 8
# DeepSpeed's folder for them, relative to the job's working directory (launch.py makes it)
DEEPSPEED_LOG_DIR = "logs"


def to_files(facts: Facts) -> bool:
    """Whether the job's processes each write to a file (past RANK_LOG_NODES nodes)."""
    return facts.nodes > RANK_LOG_NODES
