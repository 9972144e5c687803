"""A node drained after a hardware fault never comes back (issue 17): the requeued job runs
on a spare host in its place, and nothing after the drain names the drained host."""

from __future__ import annotations

from genact_cast.generator import RecordOptions, make_plan
from genact_cast.generator.events import Failed, Notice, Restarted
from genact_cast.generator.run import Run


def test_a_drained_host_is_replaced_by_a_spare_for_the_rest_of_the_run() -> None:
    drains = 0
    for seed in range(40):
        plan = make_plan(RecordOptions(seed=seed, failures=2))
        run = Run(plan)
        first = set(run.hosts(0.0))
        assert first == {plan.host(node) for node in range(plan.nodes)}
        gone: set[str] = set()
        for event in run.events:
            if isinstance(event, Restarted) and event.drained:
                drains += 1
                assert event.spare, (seed, event)
                assert event.spare not in first | gone, (seed, event)
                gone.add(event.drained)
                after = run.hosts(event.t + 1.0)
                assert event.drained not in after, (seed, after)
                assert event.spare in after, (seed, after)
                assert len(set(after)) == plan.nodes
            named = ""
            if isinstance(event, Failed):
                named = event.host
            elif isinstance(event, Notice):
                named = dict(event.fields).get("host", "")
            assert named not in gone, f"seed {seed}: {named} drained, named again by {event}"
            if named:
                assert named in run.hosts(event.t), (seed, named)
    assert drains >= 5, "too few drained nodes among the seeds to test anything"
