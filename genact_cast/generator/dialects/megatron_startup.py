"""How a Megatron-LM core_v0.14.0 job is started and what it says before training: the
torchrun (or srun) command with its environment, every node's torchrun banner, and the
warnings validate_args and initialize_megatron print for this configuration. Each depends
on the launch's flags and the cluster, not on the run's events, so the presenter
(megatron.py) only places them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from genact_cast.generator.dialects import megatron_comms as comms
from genact_cast.generator.dialects import torchrun
from genact_cast.generator.dialects.base import Incidentals, banner
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.megatron_lines import world_size
from genact_cast.generator.dialects.megatron_tee import Tee, tee_words
from genact_cast.generator.rng import Rng

SOFTMAX_WARNING = (
    "WARNING: constraints for invoking optimized fused softmax kernel are not met. "
    "We default back to unfused kernel invocations."
)
MOE_FFN_WARNING = "Warning: moe_ffn_hidden_size is not set, using ffn_hidden_size for MoE instead."
# torch.cuda.get_device_capability()[0], which get_device_arch_version returns: sm80, sm90,
# sm100 (NVIDIA's CUDA GPU compute capability table).
COMPUTE_MAJOR = {"A100": 8, "H100": 9, "H200": 9, "B200": 10}
# arguments.py:853-860 at the tag, with fsdp_impl "Megatron-FSDP" (Torch-FSDP2's twin).
FSDP_TP_WARNING = (
    "Using tensor model parallelism or context parallelism with Megatron-FSDP together. "
    "Try not to using them together since they require different CUDA_MAX_CONNECTIONS "
    "settings for best performance. sequence parallelism requires setting the "
    "environment variable CUDA_DEVICE_MAX_CONNECTIONS to 1 while Megatron-FSDP "
    "requires not setting CUDA_DEVICE_MAX_CONNECTIONS=1 for better parallelization."
)
# arguments.py:625-629: warn_rank_0 under --use-megatron-fsdp with optim_grads_params.
FSDP_TE_WARNING = (
    "Please make sure your TransformerEngine support FSDP + gradient accumulation fusion"
)
NO_P2P_OVERLAP = (
    "WARNING: Setting args.overlap_p2p_comm and args.align_param_gather to False since "
    "non-interleaved schedule does not support overlapping p2p communication and aligned param AG"
)


def make_helpers(user: str) -> list[str]:
    """compile_helpers runs `make -C <megatron/core/datasets>` without capturing its output
    (megatron/core/datasets/utils.py:25-26): GNU make's directory lines around its note that
    the helpers, built on the job's first run, are up to date. The checkout is the launch's
    working directory, where pretrain_gpt.py is."""
    where = f"/home/{user}/llm-train/megatron/core/datasets"
    return [
        f"make: Entering directory '{where}'",
        "make: Nothing to be done for 'default'.",
        f"make: Leaving directory '{where}'",
    ]


def command(
    *,
    nodes: int,
    master: str,
    port: int,
    max_restarts: int,
    args: Sequence[str],
    exclude: Sequence[str] = (),
    teed: bool = False,
) -> list[str]:
    """torchrun on one node; on several, one torchrun per node started by Slurm's srun,
    which brings every node's output to this terminal (Megatron prints the iteration line
    and the timers on the last rank, on the last node). `teed`: each process writes to
    files and two of each node's are copied to the console (megatron_tee)."""
    words = torchrun.command(
        nodes=nodes,
        master=master,
        port=port,
        max_restarts=max_restarts,
        script=["pretrain_gpt.py", *args],
        extra=tee_words() if teed else (),
    )
    if nodes == 1:
        return words
    # srun's -x/--exclude takes a host list: the nodes the job must not run on again.
    skip = [f"--exclude={','.join(exclude)}"] if exclude else []
    # --kill-on-bad-exit=1: a torchrun that gives up ends the step, not leaving the other
    # nodes' torchruns waiting for it; the multi-node torchrun launcher of BigScience's
    # Megatron-DeepSpeed runs that stas00's ml-engineering keeps (`SRUN_ARGS=" --wait=60
    # --kill-on-bad-exit=1"`; index:23152851033, index:5665528608) sets it for that reason.
    return [
        "srun",
        f"--nodes={nodes}",
        "--ntasks-per-node=1",
        "--kill-on-bad-exit=1",
        *skip,
        *words,
    ]


def validate_lines(
    facts: Facts, *, fsdp: bool, flags: Sequence[tuple[str, str | None]], tee: Tee
) -> list[str]:
    """What validate_args prints before the dump, for this command: rank 0's lines, and
    the MoE warning from every process, as the console shows them (`tee`)."""
    f = facts
    text = [world_size(world=f.gpus, data=f.dp, context=1, tensor=f.tp, pipeline=f.pp)]
    if f.pp > 1:
        text.append(NO_P2P_OVERLAP)
    text += [
        "Number of virtual stages per pipeline stage: None",
        "accumulate and all-reduce gradients in fp32 for bfloat16 data type.",
        "using torch.bfloat16 for parameters ...",
    ]
    # warn_rank_0 is warnings.warn on rank 0 (training/utils.py:385): the file, its line
    # and the call after the message, as Python's warnings module shows them.
    where = f"/home/{f.user}/llm-train/megatron/training/utils.py"
    if fsdp:
        # arguments.py:625-629, before the parameters' dtype block (:638-667) prints
        at = text.index("accumulate and all-reduce gradients in fp32 for bfloat16 data type.")
        text[at:at] = [f"{where}:385: UserWarning: {FSDP_TE_WARNING}", "  warnings.warn(message)"]
    if fsdp and f.tp > 1 and COMPUTE_MAJOR[f.gpu] < 10:
        # arguments.py:849-860: warn_rank_0 before Blackwell.
        text += [f"{where}:385: UserWarning: {FSDP_TP_WARNING}", "  warnings.warn(message)"]
    text = tee.rank0(text)
    if f.experts and "moe-ffn-hidden-size" not in dict(flags):
        # arguments.py:942-944 prints without a rank-0 guard: every process says it.
        text += tee.every_rank(MOE_FFN_WARNING)
    return text


def softmax_warning(facts: Facts) -> list[str]:
    """initialize.py's check for the fused softmax kernel (bf16, masked softmax fusion on):
    sequence length and (heads / TP) x micro batch must suit it."""
    f = facts
    attn_batch = (f.heads / f.tp) * f.micro_batch
    fits = 16 < f.seq_len <= 16384 and f.seq_len % 4 == 0 and attn_batch % 4 == 0
    return [] if fits else [SOFTMAX_WARNING]


def max_connections(*, fsdp: bool) -> int | None:
    """The tag's Llama example exports CUDA_DEVICE_MAX_CONNECTIONS=1
    (examples/llama/train_llama3_8b_h100_fp8.sh:4), but validate_args refuses 1 under
    --use-megatron-fsdp (arguments.py:631-632), and the tag's Megatron-FSDP guide says to
    leave it unset ("Disable CUDA_DEVICE_MAX_CONNECTIONS", custom_fsdp.md): None, not typed."""
    return None if fsdp else 1


def launch_words(
    facts: Facts, args: Sequence[str], *, exclude: Sequence[str], fsdp: bool, teed: bool
) -> list[str]:
    """The typed command: its environment, then torchrun or srun (`command`)."""
    f = facts
    words = command(
        nodes=f.nodes,
        master=f.master,
        port=f.port,
        max_restarts=3,
        args=args,
        exclude=exclude,
        teed=teed,
    )
    # NCCL's INFO lines below come from NCCL_DEBUG=INFO, which a large job leaves unset
    # (nccl_startup.debug_info).
    debug = ["NCCL_DEBUG=INFO"] if f.nccl_debug else []
    connections = max_connections(fsdp=fsdp)
    typed = [] if connections is None else [f"CUDA_DEVICE_MAX_CONNECTIONS={connections}"]
    return [*typed, *debug, *words]


def banners(
    facts: Facts, moment: datetime, incidentals: Incidentals, attempt: int, fresh: tuple[int, ...]
) -> list[str]:
    """Every node's torchrun warning once at a new launch (srun passes each node's lines on
    as they come)."""
    f = facts
    # The NGC container's torch, in dist-packages as the watchdog's frames show it.
    lines = banner(f, moment, incidentals, "dist-packages")
    for node in range(1, f.nodes):
        agent = comms.agent(f, incidentals, attempt, node, fresh)
        # Each node's torchrun warns at its own moment: a relaunch's draws are the same on
        # every node (Incidentals(facts, attempt)), and a command run again warned on all of
        # them at one millisecond (seed 42314: 128 nodes at 00:25:19.526000).
        delay = Rng(f.seed * 7_919 + attempt * 1_009 + node).uniform(0.2, 0.9) if attempt else None
        lines += banner(f, moment, agent, "dist-packages", delay)
    return lines
