"""The generator: a seed and options become a simulated training run, as a Cast."""

from __future__ import annotations

from collections.abc import Callable

from genact_cast.asciicast import Cast, CastWriter, Event, Header
from genact_cast.errors import BadOption
from genact_cast.generator import catalog
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.plan import RunPlan, make_plan
from genact_cast.generator.simulation import simulate

__all__ = [
    "RecordOptions",
    "RunPlan",
    "generate",
    "header_for",
    "make_plan",
    "simulate",
    "write_cast",
]


def header_for(plan: RunPlan, version: int = 2) -> Header:
    options = plan.options
    theme = None
    if options.theme is not None:
        themes = catalog.themes()
        theme = themes[catalog.find("theme", options.theme, {n: n for n in themes})]
    title = options.title
    if title is None:
        framework = "" if options.framework == "genact" else f"{options.framework}, "
        title = (
            f"{plan.model_name} on {plan.gpus}x {plan.gpu.name} "
            f"(genact-cast, {framework}seed {options.seed})"
        )
    return Header(
        cols=options.cols,
        rows=options.rows,
        version=version,
        timestamp=int(plan.start.timestamp()),
        idle_time_limit=options.idle_time_limit,
        title=title or None,
        term_type="xterm-256color",
        theme=theme,
    )


def generate(options: RecordOptions, version: int = 2) -> Cast:
    """The whole cast of one run, in memory."""
    _check_version(version)
    plan = make_plan(options)
    header = header_for(plan, version)
    events: list[Event] = []
    simulate(plan, events.append)
    return Cast(header, events)


def write_cast(
    options: RecordOptions,
    version: int,
    write: Callable[[bytes], object],
    seen: Callable[[Event], None] | None = None,
) -> CastWriter:
    """The cast of one run, in format `version`, handed to `write` as it is made (the bytes
    `encode(generate(...))` gives, with no cast held in memory); the writer, which counts
    what it wrote. `seen` is shown each event as it is written."""
    from genact_cast.progress import Reached

    _check_version(version)
    plan = make_plan(options)
    writer = CastWriter(header_for(plan, version), version, write)
    reached = Reached("making the cast", plan.budget.total / options.speed)

    def add(event: Event) -> None:
        writer.add(event)
        reached(event.time)
        if seen is not None:
            seen(event)

    try:
        # Where nothing watches (stderr no terminal, no `seen`), the writer takes the events
        # itself: one call less for each of thousands.
        simulate(plan, add if reached.shown or seen is not None else writer.add)
    finally:
        reached.close()
    writer.flush()
    return writer


def _check_version(version: int) -> None:
    if version not in (2, 3):
        raise BadOption(f"--format must be v2 or v3 (got v{version})")
