"""The run: a plan played out in simulated wall-clock time, as typed events.

Pure: it depends on the plan alone, and so on the seed and the run options, never on
how the run is shown. Every random number is keyed noise (what it is for, which
step), so a step's loss is the same however many steps a presenter draws.
"""

import bisect
import math
from collections.abc import Iterable

from genact_cast.generator import catalog, moe, physics
from genact_cast.generator.events import (
    RunEvent,
    StepStats,
)
from genact_cast.generator.generation_scores import generation_score
from genact_cast.generator.noise import Noise
from genact_cast.generator.plan import RunPlan
from genact_cast.generator.run_timeline import Segment, Timeline
from genact_cast.generator.streams import (
    COMMS,
    EVAL,
    GRAD,
    GRAD_REPLAY,
    JITTER,
    LOSS,
    REPLAY,
    SENSORS,
    THERMAL,
    Z_LOSS,
)

# COMMS draws of the TP reduce-scatter, past the step * 4 + k slots of the others
TP_PAIR_KEYS = 1 << 40
# A resumed launch's gradient norms: their drift from the first launch's (relative, one
# standard deviation) and the steps it takes to get there (Run.grad_norm).
GRAD_REPLAY_DRIFT = 1e-3
REPLAY_DRIFT_STEPS = 10

TASK_METRICS = {
    "chat": ("Token Acc",),
    "summarization": ("ROUGE-1", "ROUGE-2", "ROUGE-L"),
    "translation": ("BLEU",),
    "math": ("GSM8K",),
}
GENERATION_METRICS = frozenset({"ROUGE-1", "ROUGE-2", "ROUGE-L", "BLEU"})


class Run:
    """Every event of the run in time order, and any step's numbers on demand."""

    def __init__(self, plan: RunPlan) -> None:
        self.plan = plan
        self.noise = Noise(plan.noise_seed)
        # Derived once: a run asks for thousands of steps.
        self.mean_step = plan.step_seconds
        self._batch_tokens = plan.batch_tokens_trained
        self._tflop_per_token_gpu = plan.flops_per_token / 1e12 / plan.gpus
        self._peak = plan.gpu.peak_tflops
        self._memory = plan.memory_gib
        self._schedule = (plan.peak_lr, plan.warmup_steps, plan.total_steps)
        self._segments: dict[int, list[Segment]] = {}
        # The last step's (segment, step, end): a presenter asks for steps in order, and a
        # step's length is its end less the one before it, worked out once instead of twice.
        self._last_end: tuple[Segment | None, int, float] = (None, 0, 0.0)
        recipe = catalog.recipes().get(plan.arch.name)
        self._z_loss = recipe.z_loss if recipe is not None and plan.kind != "sft" else 0.0
        rule = moe.router(plan.arch) if plan.moe is not None else None
        self._router = (rule.coeff, rule.balance == "seq_aux_loss") if rule is not None else None
        # (launch time, hosts) of every launch: a drained node's spare takes its place.
        self._rosters: list[tuple[float, tuple[str, ...]]] = []
        # The run's one GPU held at its power cap: the hottest of the run, clocked down by
        # the driver (nvidia-smi's "SW Power Cap" clock event), so the one that straggles.
        self.capped_gpu = int(self.noise.unit(THERMAL, 1 << 47) * plan.gpus)
        self.events: tuple[RunEvent, ...] = tuple(Timeline(self).build())

    # Steps

    def step(self, step: int, attempt: int = 0) -> StepStats:
        """Step `step` as trained by launch `attempt` (steps redone after a restart differ
        only by the bits that non-deterministic reductions change)."""
        plan, noise = self.plan, self.noise
        segment = self._segment(step, attempt)
        end = self._end(segment, step)
        if step <= segment.first:
            before = segment.t0
        else:
            last_segment, last_step, last_end = self._last_end
            if last_segment is segment and last_step == step - 1:
                before = last_end
            else:
                before = self._end(segment, step - 1)
        self._last_end = (segment, step, end)
        seconds = end - before - _paused_after(segment, step - 1)
        loss = plan.loss.smooth(step) + noise.normal(LOSS, step, plan.loss_noise)
        if attempt:  # the same data after a resume: only non-deterministic reductions differ
            loss += noise.normal(REPLAY, step * 8 + attempt, 2.5e-5)
        tokens_per_second = self._batch_tokens / seconds
        tflops = tokens_per_second * self._tflop_per_token_gpu
        # In field order, not by keyword: a dialect asks for a step at every line it logs
        # (1,600 or so), and a NamedTuple built by keyword costs 2.5x a positional one
        # (10.6k against 4.1k instructions, callgrind), an eighth of the whole step.
        return StepStats(
            step,
            segment.epoch,
            attempt,
            end,  # t
            seconds,
            loss,
            self.grad_norm(step, attempt),
            physics.learning_rate(step, *self._schedule),
            tokens_per_second,
            tflops,  # tflops_per_gpu
            tflops / self._peak,  # mfu
            self._memory,
            # the router's and the z-loss only where the model has them (looked up once)
            self.aux_loss(step, attempt) if self._router is not None else None,
            self.z_loss(step) if self._z_loss else None,
        )

    def prefetch(self, steps: Iterable[int], attempt: int = 0) -> None:
        """Draw at once the noise that `step(s, attempt)` draws for each of `steps` (its
        jitter, the one before it, its loss and gradient norm, and the router's and z-loss
        where the model has them): a dialect logs a thousand steps or more, and hashed one
        at a time the draws are half of what a step costs (Noise.prefetch)."""
        wanted = list(steps)
        noise = self.noise
        noise.prefetch(LOSS, wanted)
        noise.prefetch(GRAD, wanted)
        # _end's key of the step and of the one before it (seconds = the difference)
        noise.prefetch(
            JITTER, [key for s in wanted for key in (s * 4 - 4 + attempt, s * 4 + attempt)]
        )
        if attempt:
            noise.prefetch(REPLAY, [s * 8 + attempt for s in wanted])
            noise.prefetch(GRAD_REPLAY, [s * 8 + attempt for s in wanted])
        if self._z_loss:
            noise.prefetch(Z_LOSS, wanted)
        if self._router is not None:
            noise.prefetch(moe.ROUTER + 1, wanted)
            routed = [s * 8 for s in wanted] + (
                [s * 8 + attempt for s in wanted] if attempt else []
            )
            noise.prefetch(moe.ROUTER, routed)

    def z_loss(self, step: int) -> float | None:
        """The z-loss as logged where the recipe trains with one (recipes.tsv: OLMo 2's
        1e-5): multiplier x log(Z)^2, the squared log of the softmax normalizer (PaLM, arXiv
        2204.02311, section 5). An untrained model's logits are near 0, so log Z starts at
        ln(vocab) (11.5 for OLMo 2's 100,278 tokens: 1.3e-3); the loss pulls it towards 0
        over the first hundreds of full-LR steps, and a released model starts settled. The
        settled log Z of 1.5 is this project's estimate."""
        plan = self.plan
        if not self._z_loss:  # no z-loss in the recipe, or none at all (looked up once)
            return None
        fresh = math.log(plan.arch.vocab) if plan.kind == "pretrain" else 0.0
        # Over full-LR updates: during the warm-up a step moves the logits only as far as
        # its learning rate lets it.
        done = plan.loss.progress(step)
        log_z = 1.5 + (fresh - 1.5) * math.exp(-done / 300) if fresh else 1.5
        log_z *= 1 + self.noise.normal(Z_LOSS, step, 0.03)
        return self._z_loss * log_z * log_z

    def aux_loss(self, step: int, attempt: int = 0) -> float | None:
        """The router's load-balancing loss at `step` (a mixture of experts only); a step
        trained again after a restart routes the same tokens, up to nondeterminism."""
        router = self._router
        if router is None:
            return None
        noise = self.noise
        seen = float(self.plan.tokens_after(step))
        replay = noise.normal(moe.ROUTER, step * 8 + attempt, 1.0) * 0.01 if attempt else 0.0
        unit, normal = noise.unit(moe.ROUTER + 1, step), noise.normal(moe.ROUTER, step * 8, 1.0)
        # moe.aux_loss, its router read once: coefficient x balance term
        coeff, per_sequence = router
        return coeff * moe.balance_term(unit, normal + replay, seen, per_sequence)

    def all_to_all(self, step: int) -> float | None:
        """One expert all-to-all (dispatch or combine) of one layer at `step`, ±5 %, in s."""
        experts = self.plan.moe
        if experts is None or experts.ep == 1:  # no expert parallelism: nothing to dispatch
            return None
        return experts.all_to_all * (1 + self.noise.uniform(moe.ROUTER + 2, step, -0.05, 0.05))

    def replica_all_reduce(self, step: int) -> float | None:
        """HSDP's all-reduce of one block's gradient shard across the replicas at `step`,
        ±5 %, in s; None without replicas (flat FSDP or none)."""
        flow = self.plan.traffic
        if self.plan.layout.replicas <= 1:
            return None
        # Slot 3 of the step's four collective draws (_collective_times uses 0-2).
        return flow.replica_all_reduce * (1 + self.noise.uniform(COMMS, step * 4 + 3, -0.05, 0.05))

    def tp_scatter(self, step: int) -> float:
        """The reduce-scatter on the tensor-parallel group at `step`, in s. The plan's
        activations assume sequence parallelism wherever TP > 1, which turns each TP
        all-reduce into a reduce-scatter and an all-gather of half its traffic apiece
        (Korthikanti et al. 2022, arXiv 2205.05198, §4.2.2): the all-gather takes half the
        all-reduce's time at the step (`collectives`), the reduce-scatter the other half,
        jittering on its own (±5 %)."""
        half = self.plan.traffic.tp_all_reduce / 2
        return half * (1 + self.noise.uniform(COMMS, TP_PAIR_KEYS + step, -0.05, 0.05))

    def grad_norm(self, step: int, attempt: int = 0) -> float:
        """The gradient norm step `step` reports as trained by launch `attempt`. A launch
        after a resume starts from the saved weights and batches, so its first step's norm
        is the launch's before it; its non-deterministic reductions then move the weights it
        updates, and the norm drifts within a few steps, by far more than the loss, which
        stays within a ulp or two (KempnerInstitute/KempnerForge#114: the first resumed
        step's norm equal, the next 0.930 against 0.973 with the losses equal;
        facebookresearch/metaseq#269: after a restart "PPL and gnorms do move a bit").
        Here 0.1 % (one standard deviation) from the launch before, reached over ten
        steps: the replayed loss's 2.5e-5 is 1e-5 of it, and the norm is the more
        sensitive by two orders or more."""
        if attempt:
            segments = self._segments.get(attempt, [])
            before = [a for a in range(attempt) if self._trains(step, a)]
            norm = self.grad_norm(step, before[-1]) if before else self.grad_norm(step)
            since = step - segments[0].first if segments else REPLAY_DRIFT_STEPS
            drift = GRAD_REPLAY_DRIFT * min(1.0, since / REPLAY_DRIFT_STEPS)
            return norm * (1 + self.noise.normal(GRAD_REPLAY, step * 8 + attempt, drift))
        smooth = self.plan.grad_norm.smooth(step)
        return abs(smooth * (1 + self.noise.normal(GRAD, step, 0.08)))

    def _trains(self, step: int, attempt: int) -> bool:
        return any(s.first <= step <= s.last for s in self._segments.get(attempt, []))

    def _segment(self, step: int, attempt: int) -> Segment:
        for segment in self._segments.get(attempt, []):
            if segment.first <= step <= segment.last:
                return segment
        raise ValueError(f"step {step} was not trained by launch {attempt}")

    def _end(self, segment: Segment, step: int) -> float:
        mean = self.mean_step
        done = step - segment.first + 1
        # Keyed by the launch too: a step trained again after a restart takes its own time.
        key = step * 4 + segment.attempt
        jitter = mean * self.noise.uniform(JITTER, key, -0.01, 0.01) if done > 0 else 0.0
        if done == 1 and segment.slow_first:
            # A launch's first step keeps its MFU within REALISM.md's 0.05-0.15 with its
            # jitter: a first step drawn at 0.1499 was shown at 15.1 %.
            first = self.plan.first_step_seconds
            work = first * self.plan.first_step_mfu  # the step's seconds at an MFU of 1
            slowest, fastest = physics.FIRST_STEP_MFU
            jitter = min(max(jitter, work / fastest - first), work / slowest - first)
        index = bisect.bisect_right(segment.pause_steps, step - 1) - 1
        paused = segment.pause_totals[index] if index >= 0 else 0.0
        return segment.t0 + segment.slow_first + done * mean + jitter + paused

    def collectives(self, step: int) -> tuple[float, float, float, float]:
        """(all-gather, reduce-scatter, TP all-reduce) per call, and exposed per step (s)."""
        return _collective_times(self, step)

    # Hosts

    def hosts(self, t: float) -> tuple[str, ...]:
        """The job's hosts at `t`: the plan's, with each drained node's spare in its place
        from the launch that replaced it."""
        current = self._rosters[0][1] if self._rosters else ()
        for start, roster in self._rosters:
            if start > t:
                break
            current = roster
        return current

    def host(self, node: int, t: float) -> str:
        return self.hosts(t)[node]

    # Readings

    def gpu_reading(self, gpu: int, t: float) -> tuple[int, int, int]:
        """(utilization %, temperature °C, power W) of one GPU around time `t`."""
        g = self.plan.gpu
        bits = self.noise.bits(SENSORS, gpu * 1_000_003 + int(t // 60))
        watts_low, watts_high = g.power_watts
        util = 95 + (bits & 0xFFFF) * 6 // 0x10000
        watts = watts_low + ((bits >> 32) & 0xFFFF) * (watts_high - watts_low) // 0x10000
        if gpu == self.capped_gpu:  # held at its limit: it would draw more at full clocks
            watts = watts_high
        return util, self._temperature(gpu, t, bits), watts

    def _temperature(self, gpu: int, t: float, bits: int) -> int:
        """A GPU under constant load holds its own steady temperature (its slot's airflow,
        its node's inlet air: REALISM.md's 50-75 °C is a range across GPUs and clusters),
        drifting a few degrees over hours (the Llama 3 paper, 3.3.4, sees only a 1-2 %
        diurnal throughput swing from temperature) and flickering by a degree between
        polls. Readings stay within [low + 5, high - 2] °C."""
        low, high = self.plan.gpu.temperature_c
        level = low + 8 + self.noise.unit(THERMAL, gpu) * (high - low - 13)
        if gpu == self.capped_gpu:  # the hottest slot: more leakage, so it meets the cap
            level = high - 4
        # Drift: linear between hourly knots, each within ±2 °C.
        hour, into = divmod(t / 3600, 1.0)
        hourly = (gpu + 1) << 20 | int(hour)
        knots = [self.noise.uniform(THERMAL, hourly + k, -2, 2) for k in (0, 1)]
        drift = knots[0] + (knots[1] - knots[0]) * into
        flicker = ((bits >> 16) & 0xFFFF) * 3 // 0x10000 - 1  # -1, 0 or +1
        return min(high - 2, max(low + 5, round(level + drift) + flicker))

    # Evaluation

    def evaluation_metrics(
        self, epoch: int, step: int, loss: float
    ) -> tuple[tuple[str, float], ...]:
        """The held-out metrics of the run's kind: benchmarks, or the data's task metrics."""
        plan, noise = self.plan, self.noise
        if plan.kind != "sft":
            seen = float(step * plan.global_batch_tokens)
            if plan.kind == "continue":
                seen += plan.arch.released_tokens
            flops = 6 * moe.effective_params(plan.arch) * seen
            # Accuracy follows compute, less what the held-out loss says went wrong (a
            # spike not yet recovered from); each benchmark also has its own data-mix
            # offset for the run and one evaluation's luck, so none is a fixed function
            # of another, yet all move against the loss.
            # (Only a loss above the curve costs: noise below it earns no points.)
            setback = max(0.0, 0.5 * (loss - plan.loss.base(step)))
            published = catalog.published_scores()
            corpus = plan.dataset.name.split("/")[0]  # a sample is worth its dataset
            scores: list[tuple[str, float]] = []
            for i, b in enumerate(catalog.benchmarks()):
                luck = noise.uniform(EVAL, epoch * 64 + i, -0.003, 0.003)
                start = published.get((plan.arch.name, b.name))
                if plan.kind == "continue" and start is None:
                    # A released model's benchmark is shown only as its card or paper
                    # publishes it (model_scores.tsv): none where there is no figure.
                    continue
                if plan.kind == "continue" and start is not None:
                    # A released model starts at its card's score and moves a little:
                    # up to about a point over the run, less what a spike costs.
                    done = step / plan.total_steps
                    drift = noise.uniform(EVAL, 9000 + i, -0.004, 0.012) * done
                    # A corpus of one domain costs general abilities, each benchmark by
                    # what that mix took from published models: code most (domains.tsv:
                    # Code Llama against Llama 2 on MMLU, HellaSwag and ARC-c).
                    domain = catalog.domains()[corpus]
                    trained = step * plan.global_batch_tokens / 1e12
                    drift += domain.general_move(b.name) * math.sqrt(trained)
                    cost = min(0.04, max(0.0, setback))  # a spike costs a few points at most
                    scores.append((b.name, start[0] + drift - cost + luck))
                    continue
                # The score follows the run's compute, weighted by what its data is worth
                # on this benchmark (benchmark_data.tsv: FineWeb-Edu high on MMLU and
                # ARC-c, Dolma and the Pile near chance on MMLU); the same recipe differs
                # only by its training seed's luck, within the benchmark's standard error
                # (sqrt(p(1-p)/n) over its n questions: docs/realism.md).
                worth = catalog.benchmark_data().get((corpus, b.name), 1.0)
                expected = physics.benchmark_accuracy(
                    flops * worth, b.chance, b.best, b.slope, b.centre
                )
                onset = catalog.benchmark_onsets().get((corpus, b.name))
                if onset is not None:  # a format its smaller models cannot answer yet
                    share = onset.of(moe.effective_params(plan.arch))
                    expected = b.chance + (expected - b.chance) * share
                error = math.sqrt(expected * (1 - expected) / b.samples)
                value = expected - setback + noise.uniform(EVAL, 9000 + i, -error, error) + luck
                scores.append((b.name, min(b.ceiling(plan.arch.params), max(b.chance, value))))
            if plan.kind == "continue":
                scores.extend(self._domain_scores(epoch, step, setback))
            return tuple(scores)
        names = TASK_METRICS[plan.dataset.task]
        values: list[tuple[str, float]] = []
        for i, name in enumerate(names):
            if name in GENERATION_METRICS:  # under the best published fine-tune
                values.append((name, generation_score(plan, noise, name, epoch, loss)))
                continue
            # A run-long offset (the data's mix) and one evaluation's luck.
            jitter = noise.uniform(EVAL, 9100 + i, -0.03, 0.03) + noise.uniform(
                EVAL, epoch * 64 + 16 + i, -0.003, 0.003
            )
            if name == "Token Acc":
                value = physics.token_accuracy(loss) + jitter
            else:  # GSM8K
                # Near what the recipe's paper reports for this base (MetaMath: 66.5 % for
                # Llama-2-7B, 77.7 % for Mistral-7B; a strong base keeps its own score),
                # or by size where none is published (66 % at 7B, 72 % at 13B, 82 % at
                # 70B); reached by the last epoch and rising to it over the passes.
                target = catalog.math_sft_scores().get(plan.arch.name)
                if target is None:
                    target = min(0.9, 0.64 + 0.05 * math.log2(plan.arch.params / 7e9))
                behind = (plan.epochs - epoch) / max(1, plan.epochs - 1)
                value = min(0.965, target - 0.04 * behind + 0.5 * jitter)
                # A fine-tune starts from its base: never below the base's published score
                # (model_scores.tsv), and a little above it by the last epoch.
                card = catalog.published_scores().get((plan.arch.name, "GSM8K"))
                if card is not None:
                    floor = card[0] + 0.002 + 0.008 * (1 - behind)
                    value = max(value, floor + abs(jitter) * 0.2)
            values.append((name, max(0.0, value)))
        return tuple(values)

    def _domain_scores(self, epoch: int, step: int, setback: float) -> list[tuple[str, float]]:
        """A math or code corpus's own benchmarks, where the base model's card or paper
        publishes them: they start there and rise as the run goes, the more the weaker
        the base (Llemma, arXiv 2310.10631, Table 1: Code Llama 7B's GSM8K 10.5 → 36.4 %,
        MATH 4.5 → 18.0 % over 200B Proof-Pile-2 tokens; Code Llama, arXiv 2308.12950:
        Llama 2 7B's HumanEval 12.2 → 33.5 % over 500B code tokens; a strong base such as
        Qwen2.5 gains a few points at most)."""
        plan, noise = self.plan, self.noise
        domain = catalog.domains()[plan.dataset.name].domain
        published = catalog.published_scores()
        done = step / plan.total_steps
        # The share of (1 - base)^2 gained over 200B tokens: Llemma's and Code Llama's.
        reach = min(1.0, plan.total_tokens / 200e9) ** 0.5
        scores = []
        for i, (name, share) in enumerate(DOMAIN_BENCHMARKS.get(domain, ())):
            start = published.get((plan.arch.name, name))
            if start is None:
                continue
            luck = noise.uniform(EVAL, epoch * 64 + 24 + i, -0.006, 0.006)
            gain = share * (1 - start[0]) ** 2 * reach * done
            cost = min(0.04, setback)
            scores.append((name, max(0.0, start[0] + gain - cost + luck)))
        return scores


# The benchmarks of a domain and the share of (1 - base)^2 a 200B-token run gains on each.
DOMAIN_BENCHMARKS = {
    "math": (("GSM8K", 0.32), ("MATH", 0.15)),
    "code": (("HumanEval", 0.27),),
}


def _collective_times(run: Run, step: int) -> tuple[float, float, float, float]:
    """All-gather and reduce-scatter of one block, one TP all-reduce, and the step's
    exposed communication, in seconds, as measured at `step`: each collective jitters on
    its own (±5 %), and what is exposed follows the ends nothing hides and the experts'
    all-to-alls."""
    flow = run.plan.traffic
    gather, scatter, reduce = (
        1 + run.noise.uniform(COMMS, step * 4 + k, -0.05, 0.05) for k in range(3)
    )
    ends = flow.all_gather * (gather - 1) + flow.reduce_scatter * (scatter - 1)
    experts = run.plan.moe
    if experts is not None and experts.total > 0:
        # The all-to-alls' jitter moves what is exposed by the share of them left exposed
        # (traffic.traffic): all of them with the standard dispatcher; under DualPipe only
        # the unpaired warm-up's and cool-down's, the rest running under the paired chunk's
        # compute (DeepSeek-V3 report, arXiv 2412.19437, 3.2.1). Counting every call's
        # jitter there swung a 1.6 s exposure by 0.8 s (seed 1179).
        share = flow.experts_exposed / experts.total
        ends += share * experts.calls * ((run.all_to_all(step) or 0.0) - experts.all_to_all)
    return (
        flow.all_gather * gather,
        flow.reduce_scatter * scatter,
        flow.tp_all_reduce * reduce,
        max(0.0, flow.exposed + ends),
    )


def _paused_after(segment: Segment, step: int) -> float:
    """The seconds the loop spent after `step` evaluating or blocked by a save: between two
    steps, in neither's time (the step after an evaluation showed MFU 27 % against 36.5 %:
    seed 8, --duration 3600)."""
    found = segment.between
    index = bisect.bisect_left(found, (step,))
    return found[index][1] if index < len(found) and found[index][0] == step else 0.0
