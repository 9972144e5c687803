"""What the panes read from the plan and the run: the job, the GPU lines, the NCCL times,
and the workers' command line."""

from __future__ import annotations

from genact_cast.generator import physics
from genact_cast.generator.dashboard.view import GpuRow, Job, Stat
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.run import Run


def worker_command(plan: RunPlan) -> str:
    """A worker's command line as nvitop shows it: the launcher starts each rank as
    `python -u SCRIPT ARGS` (torch.distributed.run), or `python -u -m MODULE ARGS`."""
    if plan.options.framework == "genact":
        from genact_cast.generator.presenters.genact.launch import command_words

        words = command_words(plan)
    else:
        from genact_cast.generator.presenters.dialect_choice import launch_words

        words = launch_words(plan)
    for i, word in enumerate(words):
        if word == "-m" and i + 1 < len(words):
            return " ".join(["python", "-u", *words[i:]])
        if word.endswith(".py"):
            return " ".join(["python", "-u", *words[i:]])
    return " ".join(words)


def job_of(plan: RunPlan) -> Job:
    return Job(
        model=plan.model_name,
        kind=plan.kind_label,
        framework=f"{plan.options.framework} · torch {plan.framework.torch}",
        gpu_name=plan.gpu.name,
        gpus=plan.gpus,
        nodes=plan.nodes,
        layout=plan.layout.describe(),
        capacity_gib=plan.gpu.memory_gib,
        power_limit_w=plan.gpu.power_watts[1],
        epochs=plan.epochs,
        total_steps=plan.total_steps,
    )


def gpu_rows(
    plan: RunPlan, run: Run, t: float, room: int, straggler: int | None
) -> tuple[list[GpuRow], str | None]:
    """The GPU panel's lines: one per GPU when they fit, else one per node (8 GPUs).

    Readings are the run's (`Run.gpu_reading`), so a warning that names a GPU's
    temperature agrees with the panel. Memory is filled in by the caller.
    """
    per_node = physics.GPUS_PER_NODE
    if plan.gpus <= room:
        rows = []
        for gpu in range(plan.gpus):
            util, temp, watts = run.gpu_reading(gpu, t)
            node, local = divmod(gpu, per_node)
            label = f"GPU {gpu}" if plan.nodes == 1 else f"{run.host(node, t)}:{local}"
            rows.append(GpuRow(label, util, 0.0, temp, watts, straggler == gpu))
        return rows, None
    shown = plan.nodes if plan.nodes <= room else max(0, room - 1)
    rows = []
    for node in range(shown):
        readings = [run.gpu_reading(node * per_node + i, t) for i in range(per_node)]
        util = round(sum(r[0] for r in readings) / per_node)
        temp = max(r[1] for r in readings)
        watts = sum(r[2] for r in readings)
        slow = straggler is not None and straggler // per_node == node
        rows.append(GpuRow(run.host(node, t), util, 0.0, temp, watts, slow))
    hidden = None
    if shown < plan.nodes:
        low, high = plan.gpu.temperature_c
        hidden = f"+{plan.nodes - shown} nodes: 95-100% util, {low + 5}-{high - 3}°C"
    return rows, hidden


def nccl_stats(plan: RunPlan, run: Run, step: int) -> list[Stat]:
    """Per-call collective times and the step's exposed communication, as the log shows."""
    gather, scatter, reduce, exposed = run.collectives(step)
    stats = [
        Stat("all-gather / block", _ms(gather)),
        Stat("reduce-scatter / block", _ms(scatter)),
    ]
    if plan.tensor_parallel > 1:  # sequence parallelism's pair in one row (Run.tp_scatter)
        stats.append(Stat("RS + AG (TP)", _ms(reduce / 2 + run.tp_scatter(step))))
    experts = run.all_to_all(step)
    if experts is not None:
        stats.append(Stat("all-to-all (EP) / layer", _ms(experts)))
    stats.append(Stat("exposed / step", _ms(exposed)))
    return stats


def _ms(seconds: float) -> str:
    value = seconds * 1000
    return (
        f"{value:,.0f} ms"
        if value >= 100
        else f"{value:.1f} ms"
        if value >= 1
        else f"{value:.2f} ms"
    )
