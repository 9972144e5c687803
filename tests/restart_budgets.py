"""torchrun's restart budgets, re-derived from what the genact log shows (review-realism12
R1). A multi-node torchrun is one agent a node, each with its own `_remaining_restarts`
(torch 2.9.0 elastic/agent/server/api.py:446, set once per agent; :898-910, decremented only
when that agent's own worker group is UNHEALTHY or FAILED); a restart for another node's
return to the rendezvous is the HEALTHY branch, "membership changes do not count as retries"
(:915-928). A torch maintainer on pytorch/pytorch#108158: "max_restarts is checked against
local worker group restarts and the global restarts can exceed the configured max_restarts".

The log is typed at the first node's shell, so its `[default]` lines are that node's agent's:
its own "N/3 attempts left" where its group failed, or "Detected 1 new nodes" where another
node's worker died; another node's count is named with its host. From the text: a failure
with a watchdog fails every node's group (a lost host's agent is gone with it), a worker
that died and was stopped by its agent fails its own node's only."""

from __future__ import annotations

from tests.cast_text import Run

MAX_RESTARTS = 3


def budget_faults(run: Run) -> list[str]:
    out: list[str] = []
    shell = run.prompt_host
    hangs = 0  # failures that failed every node's group, since the launch's torchruns started
    base: dict[str, int] = {}  # a spare's torchrun started after this many of them
    deaths: dict[str, int] = {}  # each node's own deaths since then

    def used(host: str) -> int:
        return hangs - base.get(host, 0) + deaths.get(host, 0)

    for f in run.failures:
        where = f"failure at step {f.step} on {f.host} ({f.xid_at})"
        watchdog = f.watchdog_rank != -1
        lost = f.xid == 0
        counted_shell = watchdog or f.host == shell
        retries = [k for k, _, _ in f.init_failures]
        if retries and retries != list(range(used(f.host) + 1, MAX_RESTARTS + 1)):
            out.append(
                f"{where}: restarts {retries} on its broken GPU, but {f.host}'s agent had "
                f"used {used(f.host)} of {MAX_RESTARTS}"
            )
        if f.requeued:
            giver = f.gave_up
            spent = (watchdog or giver == f.host) and used(giver) == MAX_RESTARTS
            spent |= giver == f.host and bool(retries) and retries[-1] == MAX_RESTARTS
            if not spent:
                out.append(
                    f"{where}: {giver}'s torchrun 'used its restarts', but had used "
                    f"{used(giver)} of {MAX_RESTARTS}"
                )
            if counted_shell and used(shell) == MAX_RESTARTS and giver != shell:
                out.append(f"{where}: {shell}'s own torchrun had none left, yet {giver} gave up")
            hangs, base, deaths = 0, {}, {}  # started again by hand: new torchruns
            continue
        if counted_shell:
            if f.shell_left != MAX_RESTARTS - used(shell):
                out.append(
                    f"{where}: {shell}'s agent says {f.shell_left}/{MAX_RESTARTS} attempts "
                    f"left, but had used {used(shell)}"
                )
        elif f.shell_left != -1:
            out.append(
                f"{where}: a worker died on {f.host}, yet {shell}'s healthy agent logs its "
                f"group failed ({f.shell_left} attempts left)"
            )
        if watchdog and any(
            used(h) == MAX_RESTARTS for h in {shell, f.host, *deaths} if not (lost and h == f.host)
        ):
            out.append(f"{where}: an agent with no restarts left restarted its workers")
        if not watchdog and used(f.host) == MAX_RESTARTS:
            out.append(f"{where}: {f.host}'s agent had no restarts left, yet restarted")
        if watchdog:
            hangs += 1
        else:
            deaths[f.host] = deaths.get(f.host, 0) + 1
        if f.spare:  # a spare's torchrun in the lost node's place: an agent of its own
            base[f.spare] = hangs
            deaths.pop(f.spare, None)
    return out
