"""A straggler shows why it is slow, the same way wherever its GPU is read (review-realism9
W8: 22 straggler lines at 550-946 W and 59-72 °C, a GPU at full clocks that was slow)."""

from genact_cast.generator.events import Notice
from genact_cast.generator.options import RecordOptions
from genact_cast.generator.plan import make_plan
from genact_cast.generator.run import Run

SEEDS = range(8100, 8125)  # the review's default seeds (12 straggler lines)


def test_a_straggler_is_held_at_its_power_cap_hot_and_the_same_gpu_each_time() -> None:
    seen = 0
    for seed in SEEDS:
        plan = make_plan(RecordOptions(seed=seed))
        run = Run(plan)
        high = plan.gpu.temperature_c[1]
        cap = plan.gpu.power_watts[1]
        ranks = set()
        for event in run.events:
            if not (isinstance(event, Notice) and event.kind == "straggler"):
                continue
            seen += 1
            fields = dict(event.fields)
            rank = int(fields["rank"])
            ranks.add(rank)
            # The cause: the driver holds its clocks down at the power limit (nvidia-smi's
            # "SW Power Cap" clock event reason), and it runs at the top of the range.
            assert "power cap" in event.message, event.message
            assert int(fields["watts"]) == cap, (seed, event.message)
            assert int(fields["temp"]) >= high - 7, (seed, event.message)
            assert float(fields["slow"]) > float(fields["median"])
            # The GPU panel reads the same GPU the same way at that moment.
            _, temp, watts = run.gpu_reading(rank, event.t)
            assert watts == cap, (seed, rank, watts)
            assert temp >= high - 7, (seed, rank, temp)
        assert len(ranks) <= 1, (seed, ranks)  # one capped GPU a run, not a new one each time
    assert seen >= 8, "too few straggler lines among the seeds: widen SEEDS"
