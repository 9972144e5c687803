"""What a torchrun job prints when a collective hangs or a worker dies: the watchdogs' lines
through the elastic agent's (stopping the workers, restarting them, giving up), from torch
2.9.0's elastic agent; imported only where a run fails (the rank watchdogs' lines with it)."""

from collections.abc import Callable, Sequence
from datetime import timedelta

from genact_cast.generator.dialects import torchrun
from genact_cast.generator.dialects.base import MAX_RESTARTS, Incidentals, Line, Out
from genact_cast.generator.dialects.facts import Facts
from genact_cast.generator.dialects.rank_watchdog import (
    Collective,
    faulty_rank_lines,
    node_watchdog_lines,
)
from genact_cast.generator.dialects.torchrun import torch_site
from genact_cast.generator.events import Failed
from genact_cast.generator.rng import Rng


def timed_out(facts: Facts, event: Failed, timeout_ms: int) -> Facts:
    """The log's clock from a hang on: the run's peers wait `event.timeout_ms` in the hung
    collective, a framework's `timeout_ms` (its own process groups' timeout), and its watchdog
    fires that long after the collective began (ProcessGroupNCCL.cpp:683's `ran for` counts
    from the work's start): every line from the watchdog's on comes that much later (or
    earlier), and the last step logged stays where it was, before the hang."""
    shift = timedelta(milliseconds=timeout_ms - event.timeout_ms)
    return facts._replace(start=facts.start + shift)


def failure_lines(
    facts: Facts,
    incidentals: Incidentals,
    event: Failed,
    *,
    restarts_left: int = MAX_RESTARTS,
    binary: str = "/usr/bin/python",
    timeout_ms: int | None = None,
    ranks: int = 1,
    agent_info: bool = False,
    numels: tuple[int, int] | None = None,
    collective: Callable[[int], Collective] | None = None,
    tee: int | None = None,
    before: Facts | None = None,
) -> list[Out]:
    """What a torchrun job prints when a collective hangs: each shown local rank's NCCL
    watchdog gives up and takes its process down (SIGABRT), the elastic agent stops the
    node's other workers, and, with restarts left, brings the worker group up again.

    `timeout_ms` is the framework's process-group timeout (the run's when None); `ranks` how
    many local ranks the terminal shows (1 behind `--local-ranks-filter 0`, 8 without);
    the agent's restart messages are INFO, shown only when the command sets LOGLEVEL=INFO;
    `numels`: the framework's own (in, out) sizes of the collective, where it knows them;
    `collective(rank)`: the group it ran on, where that is not the default group; `tee`:
    the rank whose stream `--tee` tags (torchrun.teed: the watchdog's lines, not the agent's);
    `before`: the log's clock before the hang (`facts` is the watchdog's, `timed_out`), on
    which the faulty GPU's process reports its error. A worker that died
    (`event.watchdog` false) is stopped by the agent instead (`stopped_by_agent`).
    """
    source = torchrun.torch_source(facts.torch)
    site = torch_site(facts.torch)
    # The faulty GPU's process, where the terminal shows it (node 0, a shown local rank),
    # prints its CUDA error at the fault (it dies, or is stuck after it).
    shown = event.errors and event.rank < ranks
    faulty = faulty_rank_lines(before or facts, event, event.rank, "site-packages") if shown else []
    faulty = torchrun.teed(faulty, tee)
    if not event.watchdog:
        return [Line(text) for text in faulty] + stopped_by_agent(
            facts, incidentals, event, binary=binary
        )
    limit = event.timeout_ms if timeout_ms is None else timeout_ms
    lines = node_watchdog_lines(facts, event, ranks, limit, numels, collective)
    if shown:  # its own watchdog died with it: no timeout of its own
        lines = [text for text in lines if not text.startswith(f"[rank{event.rank}]:")]
    lines = faulty + torchrun.teed(lines, tee)
    agent = incidentals.agent_pid
    later = facts.moment(event.t + 1.5)
    first = _first_aborted(event)
    for local in range(8):
        if local == first:
            continue
        lines.append(
            torchrun.closing_signal(later, agent, source, incidentals.worker_pids[local], site=site)
        )
    lines.append(
        torchrun.worker_failed(
            facts.moment(event.t + 2.1),
            agent,
            source,
            exitcode=-6,
            local_rank=first,
            pid=incidentals.worker_pids[first],
            binary=binary,
            site=site,
        )
    )
    if restarts_left > 0 and agent_info:
        later = facts.moment(event.t + 2.2)
        lines += [
            torchrun.group_failed(later, agent, source, restarts_left, MAX_RESTARTS, site=site),
            torchrun.stopping(later, agent, source, site=site),
            torchrun.rendezvousing(facts.moment(event.t + 2.3), agent, source, site=site),
        ]
    return [Line(text) for text in lines]


# How long a node's workers take to exit on the agent's SIGTERM (SubprocessContext._close
# waits for them before the agent logs the failed worker), and how soon after the failing
# agent rejoins the rendezvous another node's agent sees it waiting (its next poll).
_EXIT_SECONDS = (0.3, 1.5)
_REJOIN_SECONDS = (0.5, 2.5)


def stopped_by_agent(
    facts: Facts, incidentals: Incidentals, event: Failed, *, binary: str
) -> list[Out]:
    """The shell's node's torchrun after a worker died (`event.watchdog` false): on the
    faulty node, SubprocessContext._poll sees the worker's exit at the agent's next poll
    (every --monitor-interval, 0.1 s) and _close sends the others SIGTERM, then logs the
    failed worker (torch 2.9.0 elastic/multiprocessing/api.py:855-894, 902-908); the agent
    restarts the group (agent/server/api.py:898-910, INFO). Another node's agent sees the
    failed node waiting at the rendezvous (num_nodes_waiting, api.py:915-928) once it has
    stopped its own workers, and stops all of its workers (no failure to log)."""
    source = torchrun.torch_source(facts.torch)
    site = torch_site(facts.torch)
    agent, pids = incidentals.agent_pid, incidentals.worker_pids
    if event.rank >= 8:
        rejoin = Rng(facts.seed * 41 + event.seq).uniform(*_REJOIN_SECONDS)
        stop = facts.moment(event.t + rejoin)
        return [Line(torchrun.closing_signal(stop, agent, source, pid, site=site)) for pid in pids]
    stop = facts.moment(event.t)
    lines = [
        torchrun.closing_signal(stop, agent, source, pid, site=site)
        for local, pid in enumerate(pids)
        if local != event.local_rank
    ]
    lines.append(
        torchrun.worker_failed(
            facts.moment(event.t + _exited(facts, event)),
            agent,
            source,
            exitcode=-6,
            local_rank=event.local_rank,
            pid=pids[event.local_rank],
            binary=binary,
            site=site,
        )
    )
    return [Line(text) for text in lines]


def exit_lines(
    facts: Facts,
    incidentals: Incidentals,
    event: Failed,
    script: str,
    outer: Sequence[torchrun.Frame] = (),
) -> list[Out]:
    """The shell's node's torchrun where the launch ends (`event.exits`). Where its own
    agent has no restart left (`event.gives_up`) it exits with ChildFailedError, its
    failed worker (local rank 0, `failure_lines`) the root cause. Where another node's
    agent gave up and closed the rendezvous, this node's group, failed at its watchdog
    with restarts left, is restarted into the closed rendezvous: RendezvousClosedError.
    After restart rounds on a GPU that needs a reset (`event.retried`), only the agent that
    used its restarts raises it, naming the worker that failed at CUDA initialisation;
    where that is another node's, the shell's node's last round of workers is left waiting
    for it, and nothing ends them on their own: the user's Ctrl-C does
    (`interrupted_hang`, when the command is typed again)."""
    if not event.exits:
        return []
    if event.retried:
        if event.rank // 8:
            return []
        lines = torchrun.child_failed(
            script=script,
            host=facts.hosts[0],
            moment=facts.moment(event.retried[-1] + 0.8),
            rank=event.rank,
            local_rank=event.local_rank,
            pid=incidentals.worker_pids[event.local_rank],
            signum=0,
            outer=outer,
            exitcode=1,
        )
        return [Line(text) for text in lines]
    if event.gives_up and 0 not in event.gives_up:
        return [Line(text) for text in torchrun.rendezvous_closed(outer=outer)]
    # The root cause: the worker whose exit the agent saw first, the one that died
    # (`stopped_by_agent`), else the first to abort on its watchdog (`failure_lines`).
    died = not event.watchdog
    local = event.local_rank if died else _first_aborted(event)
    lines = torchrun.child_failed(
        script=script,
        host=facts.hosts[0],
        moment=facts.moment(event.t + (_exited(facts, event) if died else 2.1)),
        rank=local if not died else event.rank,
        local_rank=local,
        pid=incidentals.worker_pids[local],
        signum=6,
        outer=outer,
    )
    return [Line(text) for text in lines]


def _exited(facts: Facts, event: Failed) -> float:
    """Seconds after the agent's SIGTERMs (at `event.t`) that the failed worker is logged."""
    return Rng(facts.seed * 37 + event.seq).uniform(*_EXIT_SECONDS)


def _first_aborted(event: Failed) -> int:
    """The local rank of node 0 whose watchdog abort the agent sees: 0, unless that is the
    faulty GPU's process, stuck after its error (it never exits by itself)."""
    return 1 if event.errors and event.rank == 0 else 0


def restart_rounds(
    facts: Facts,
    incidentals: Incidentals,
    event: Failed,
    startup: Callable[[float, Incidentals], list[Out]],
    *,
    binary: str = "/usr/bin/python",
) -> tuple[Incidentals, list[Out]]:
    """The shell's node (node 0) in each restart round on a GPU that needs a reset
    (`event.retried`, when the worker on it failed again at CUDA initialisation): torch
    2.9's SimpleElasticAgent._invoke_run restarts every node's workers each round. The
    failing node's agent counts a retry (FAILED branch); every other agent's HEALTHY branch
    sees num_nodes_waiting > 0 and restarts its own workers, which counts none. Either way
    _stop_workers -> SubprocessContext._close warns `Sending process %s closing signal %s`
    for each live worker, and the new workers start again: rank 0 prints its start-up
    (`startup(t, workers)`, the dialect's in-place restart's lines). Returns the last
    round's workers and the lines; ChildFailedError comes after the last round
    (`exit_lines`)."""
    source = torchrun.torch_source(facts.torch)
    site = torch_site(facts.torch)
    here = event.rank // 8 == 0
    # The restart after the hang (`failure_lines`' workers stopped at event.t) brings up
    # the first round's workers.
    workers = incidentals.relaunched(facts, 60_000 + 8 * event.seq, same_agent=True)
    lines: list[Out] = []
    if not (here and event.local_rank == 0):
        lines += startup(event.t + 2.9, workers)
    for retry, at in enumerate(event.retried):
        last = retry == len(event.retried) - 1
        if not here and last:
            break  # the failing agent gives up: no one comes to the rendezvous again
        # On the failing node the worker on the broken GPU has exited with 1 and its agent
        # stops the others; another node's agent stops all its workers once it sees the
        # failing agent waiting at the rendezvous.
        stop = at + (0.4 if here else 0.9)
        lines += map(
            Line,
            torchrun.stopped_workers(
                facts.moment(stop),
                workers.agent_pid,
                source,
                workers.worker_pids,
                failed=event.local_rank if here else None,
                binary=binary,
                site=site,
                failed_at=facts.moment(stop + 0.4),
            ),
        )
        if last:
            break
        workers = workers.relaunched(facts, 60_000 + 8 * event.seq + retry + 1, same_agent=True)
        if not (here and event.local_rank == 0):
            lines += startup(stop + 1.1, workers)
    return workers, lines
