"""The options the genact-cast commands share, as typer reads them, and what turns them
into the library's options (cli.py declares the commands)."""

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from genact_cast.errors import BadOption
from genact_cast.option_types import integer, real

if TYPE_CHECKING:
    from genact_cast.generator import RecordOptions


class CastFormat(str, Enum):
    v2 = "v2"
    v3 = "v3"


# Options shared by `record` and `run`: one simulation, one set of options.
Seed = Annotated[
    int | None,
    typer.Option(parser=integer, help="Seed of the run; random (and printed) when absent."),
]
Duration = Annotated[
    str | None,
    typer.Option(help="Length of the run at speed 1, e.g. 180, 90s, 5m; default: the seed's."),
]
Speed = Annotated[float, typer.Option(parser=real, help="Speed factor: divides every pause.")]
Cols = Annotated[
    int,
    typer.Option(
        parser=integer,
        help="Terminal width in columns (60 to 1000); cols x rows at most 200,000.",
    ),
]
Rows = Annotated[
    int,
    typer.Option(
        parser=integer,
        help="Terminal height in rows (20 to 500); cols x rows at most 200,000.",
    ),
]
Model = Annotated[str | None, typer.Option(help="Pin the model, e.g. Llama-3-8B.")]
Gpus = Annotated[
    int | None, typer.Option(parser=integer, help="Pin the GPU count: 8, 16, ... 2048.")
]
Gpu = Annotated[str | None, typer.Option(help="Pin the GPU type: A100, H100, H200, B200.")]
Dataset = Annotated[str | None, typer.Option(help="Pin the dataset, e.g. FineWeb.")]
Color = Annotated[bool, typer.Option(help="Colours in the output.")]
Kind = Annotated[
    str | None,
    typer.Option(
        help="Pin the kind of run: pretrain (from scratch), continue (continued "
        "pre-training) or sft (supervised fine-tuning)."
    ),
]
Method = Annotated[
    str | None,
    typer.Option(
        help="Pin how a fine-tune trains: full (every weight), lora (adapters on frozen bf16 "
        "weights) or qlora (adapters on 4-bit NF4 weights); implies --kind sft."
    ),
]
Failures = Annotated[
    str | None,
    typer.Option(
        metavar="<int|auto>",
        help="How many hardware failures (Xid, NCCL watchdog, restart from the last "
        "checkpoint) the run has: auto (the default) draws them from its GPUs and hours at "
        "one per 50,000 GPU-hours; a number pins them (0 to what the run could plausibly see).",
    ),
]
NcclDebug = Annotated[
    str | None,
    typer.Option(
        metavar="<auto|on|off>",
        help="Whether the job sets NCCL_DEBUG=INFO (the command shows it, and NCCL prints its "
        "INFO lines then): auto (the default) draws it, for one job in five on up to 8 nodes; "
        "on sets it (Megatron and DeepSpeed, which show every node's lines: up to 8 nodes); "
        "off leaves it unset.",
    ),
]
Framework = Annotated[
    str,
    typer.Option(
        help="Print the run as this framework does: genact (genact-cast's own log), "
        "torchtitan, megatron, deepspeed or hf (the Hugging Face Trainer)."
    ),
]
# The window's days are run_dates.window()'s (test_run_dates holds them equal): written out
# rather than computed, so that --help reads no data table.
Start = Annotated[
    str | None,
    typer.Option(
        help="Simulated start time, ISO 8601 (e.g. 2025-10-30T14:23:15Z), from 2025-10-21 to "
        "2025-11-04: the days on which every release the dialects name is current."
    ),
]
LayoutOption = Annotated[
    str,
    typer.Option(
        "--layout", help="log: the scrolling log; dashboard: full-screen panes (80x24 or more)."
    ),
]


class Visibility(str, Enum):
    public = "public"
    unlisted = "unlisted"
    private = "private"


Server = Annotated[
    str | None,
    typer.Option(help="asciinema server; default $ASCIINEMA_SERVER_URL or asciinema.org."),
]


def fitted(columns: int, lines: int, cols: int | None, rows: int | None) -> tuple[int, int]:
    """The terminal's size held to what a run can have (an option is checked as given):
    a terminal wider or taller than the limits, or with more cells than the exports
    draw, runs at the most it can, as a small one runs at the least."""
    from genact_cast.generator import options as bounds
    from genact_cast.limits import MAX_DRAWN_CELLS

    if cols is None:
        cols = min(max(bounds.MIN_COLS, columns), bounds.MAX_COLS)
    if rows is None:
        rows = min(max(bounds.MIN_ROWS, lines), bounds.MAX_ROWS)
        rows = max(bounds.MIN_ROWS, min(rows, MAX_DRAWN_CELLS // max(cols, bounds.MIN_COLS)))
    return cols, rows


def parse_failures_option(text: str | None) -> int | None:
    from genact_cast.generator.options import parse_failures

    return None if text is None else parse_failures(text)


def parse_nccl_debug_option(text: str | None) -> bool | None:
    from genact_cast.generator.options import parse_nccl_debug

    return None if text is None else parse_nccl_debug(text)


def record_options(
    seed: int | None,
    duration: str | None,
    speed: float,
    cols: int,
    rows: int,
    model: str | None,
    gpus: int | None,
    gpu: str | None,
    dataset: str | None,
    color: bool,
    start: str | None,
) -> "RecordOptions":
    from genact_cast.commands.record import parse_start
    from genact_cast.durations import parse_duration
    from genact_cast.generator import RecordOptions

    return RecordOptions(
        seed=random_seed() if seed is None else seed,
        duration=None if duration is None else parse_duration(duration, "--duration"),
        speed=speed,
        cols=cols,
        rows=rows,
        model=model,
        gpus=gpus,
        gpu=gpu,
        dataset=dataset,
        color=color,
        start=None if start is None else parse_start(start),
    )


def runnable(options: "RecordOptions", *, seed_given: bool) -> "RecordOptions":
    """`options` with a seed whose run the framework trains: a seed the user did not pin is
    drawn again while its run is one the framework refuses (SeedRefused: `--nccl-debug on`
    past 8 nodes under Megatron's srun), as the user asked for a run of that framework, not
    that seed.
    A pinned seed stays, and its refusal is the answer, naming the nearest seeds the
    framework runs."""
    from genact_cast.errors import SeedRefused
    from genact_cast.generator import make_plan

    if seed_given:
        try:
            make_plan(options)
        except SeedRefused as refusal:
            # a refusal that names seeds this framework does run (seed_hints)
            from genact_cast.seed_hints import nearest_runs

            hints = nearest_runs(options)
            raise SeedRefused("; ".join([str(refusal), *hints])) from None
        return options
    for _ in range(RANDOM_SEED_TRIES):
        try:
            make_plan(options)
        except SeedRefused:
            options = options._replace(seed=random_seed())
            continue
        break
    return options


# Megatron's `--nccl-debug on` refuses 123 of seeds 0-199 (runs past 8 nodes), DeepSpeed's
# 74: 200 draws all refused would happen about once in 10^41.
RANDOM_SEED_TRIES = 200


def random_seed() -> int:
    """A seed for a run the user did not pin (secrets costs 6 ms to import: only then)."""
    import secrets

    return secrets.randbelow(2**32)


class OnceCommand(typer.core.TyperCommand):
    """A command whose options are each given at most once: click keeps the last of
    `--seed 1 --seed 2` silently, where `embed --text a --text b` was refused."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # (typer's own click)
        if not ctx.resilient_parsing:
            _, _, order = self.make_parser(ctx).parse_args(args=list(args))
            seen: dict[str, int] = {}
            for param in order:
                option = getattr(param, "param_type_name", "") == "option"
                if (
                    not option
                    or getattr(param, "multiple", False)
                    or getattr(param, "count", False)
                ):
                    continue  # (arguments, and options meant to be repeated)
                name = max(param.opts, key=len)
                seen[name] = seen.get(name, 0) + 1
            for name, times in seen.items():
                if times > 1:
                    raise BadOption(f"{name} is given {times} times: give it once")
        return super().parse_args(ctx, args)
