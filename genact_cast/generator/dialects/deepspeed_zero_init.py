"""zero.Init's own DeepSpeedConfig, in every process.

Under ZeRO-3 the script's from_pretrained (or from_config) builds the model inside
`deepspeed.zero.Init(config_dict_or_path=deepspeed_config())` (transformers 4.57.1
modeling_utils.py:4374 and :2299), and Init's constructor parses the configuration itself
(DeepSpeed v0.17.5 runtime/zero/partition_parameters.py:1005-1006), with no mpu: the
DeepSpeedConfig logs `Config mesh_device None world_size = <world>` (runtime/config.py:684,
world_size from dist.get_world_size(), :680) through DeepSpeed's logger, which has no rank
filter (utils/logging.py:25-58: INFO, to stdout) and which the Trainer lowers to WARNING on
the replicas only later, in deepspeed_init (integrations/deepspeed.py:450 at 4.57.1). So
every process prints it once, as it reaches its model's build, under pdsh's prefix of its
node; deepspeed.initialize's own DeepSpeedConfig (deepspeed/__init__.py:179) comes after
deepspeed_init, on rank 0 alone (deepspeed_engine).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from genact_cast.generator.dialects.base import Line, Out
from genact_cast.generator.dialects.deepspeed_lines import CONFIG_WORLD, line
from genact_cast.generator.rng import Rng

# A replica's FA2 warning as hf_loading writes it (transformers' `[LEVEL|file:line] asctime >>`)
_WARNED = re.compile(r"^(.*?)\[WARNING\|[^\]]*\] (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) >> ")


def world_message(world: int) -> str:
    """config.py:684's message with no mesh device (zero.Init's, and the engine's)."""
    return f"Config mesh_device None world_size = {world}"


def with_warnings(rows: list[str], world: int) -> list[str] | None:
    """The replicas' FA2 warnings (`rows`, one a process but the main one, each under its
    node's prefix), each preceded by that process's zero.Init config line: the process parses
    the configuration as zero.Init is entered, and its model's __init__, which warns, runs
    inside it within the millisecond. None when a row is not such a warning."""
    out: list[str] = []
    tail = f"] [INFO] [{CONFIG_WORLD}] {world_message(world)}"
    for row in rows:
        found = _WARNED.match(row)
        if found is None:
            return None
        out += [f"{found.group(1)}[{found.group(2)}{tail}", row]
    return out


def replicas(
    tags: list[str], built: datetime, world: int, seed: int, attempt: int, shown: int = 8
) -> tuple[list[str], datetime]:
    """Every process's line but the main one's, where no warning of theirs shows when they
    reach zero.Init: separate processes, a few ms to a quarter second after the main one (the
    spread hf_loading._replica_warnings draws from a real 8-process log), each under its
    node's prefix; and the last one's moment (zero.Init's exit, a collective, waits for it).
    `shown`: the local ranks of a node whose output reaches the terminal (1 under srun +
    torchrun's --local-ranks-filter 0: deepspeed_srun)."""
    rng = Rng(seed * 1031 + attempt)
    nodes = len(tags)
    owners = [0] * (shown - 1) + [node for node in range(1, nodes) for _ in range(shown)]
    keys = [rng.random() for _ in owners]
    owners = [owners[i] for i in sorted(range(len(owners)), key=keys.__getitem__)]
    offsets = sorted(rng.uniform(0.002, 0.25) for _ in owners)
    moments = [built + timedelta(seconds=dt) for dt in offsets]
    message = world_message(world)
    rows = [tags[n] + line(m, CONFIG_WORLD, message) for n, m in zip(owners, moments, strict=True)]
    return rows, moments[-1] if moments else built


def insert(
    texts: list[Out],
    first: int,
    last: int,
    tags: list[str],
    built: datetime,
    world: int,
    seed: int,
    attempt: int,
    shown: int = 8,
) -> tuple[int, datetime]:
    """Put the other processes' zero.Init config lines into `texts[first:last]` (the model's
    build, after the main process's own): beside their FA2 warnings where the replicas warn,
    else as a burst of their own at `last`. Returns the new `last` and the moment the last of
    them is stamped."""
    # from the end: the main process's own warning, one row, comes before the replicas'
    for i in range(last - 1, first - 1, -1):
        out = texts[i]
        if not isinstance(out, Line):
            continue
        rows = out.text.split("\r\n")
        if len(rows) != len(tags) * shown - 1:  # (every shown process but the main one)
            continue
        paired = with_warnings(rows, world)
        if paired is not None:
            texts[i] = Line("\r\n".join(paired), out.at)
            return last, built
    rows, until = replicas(tags, built, world, seed, attempt, shown)
    if rows:
        texts[last:last] = [Line("\r\n".join(rows))]
        last += 1
    return last, until
