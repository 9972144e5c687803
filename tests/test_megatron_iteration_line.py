"""Megatron's iteration line against the code that prints it: training_log's log_string at
core_v0.14.0 (megatron/training/training.py:1523-1578), transcribed below for the branches the
dialect takes (no skipped samples, energy, decoupled LR, zeros or params norm)."""

# ruff: noqa: UP032  (training_log's own str.format calls, kept verbatim)

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from genact_cast.generator.dialects.megatron_lines import iteration

START = datetime(2025, 4, 13, 23, 41, tzinfo=timezone.utc)
finite = st.floats(allow_nan=False, allow_infinity=False)


def training_log(
    moment: datetime,
    it: int,
    train_iters: int,
    consumed: int,
    elapsed_ms: float,
    throughput: float | None,
    learning_rate: float,
    batch_size: int,
    losses: list[tuple[str, float]],
    loss_scale: float,
    grad_norm: float | None,
    skipped: int,
    nans: int,
) -> str:
    log_string = f" [{moment.strftime('%Y-%m-%d %H:%M:%S')}]"
    log_string += " iteration {:8d}/{:8d} |".format(it, train_iters)
    log_string += " consumed samples: {:12d} |".format(consumed)
    log_string += " elapsed time per iteration (ms): {:.1f} |".format(elapsed_ms)
    if throughput is not None:
        log_string += f" throughput per GPU (TFLOP/s/GPU): {throughput:.1f} |"
    log_string += f" learning rate: {learning_rate:.6E} |"
    log_string += f" global batch size: {batch_size:5d} |"
    for key, avg in losses:
        log_string += " {}: {:.6E} |".format(key, avg)
    log_string += f" loss scale: {loss_scale:.1f} |"
    if grad_norm is not None:
        log_string += f" grad norm: {grad_norm:.3f} |"
    log_string += " number of skipped iterations: {:3d} |".format(skipped)
    log_string += " number of nan iterations: {:3d} |".format(nans)
    return log_string


@given(
    st.integers(0, 10**9),
    st.integers(1, 10**6),
    st.integers(0, 10**9),
    finite,
    st.one_of(st.none(), finite),
    finite,
    st.integers(1, 10**6),
    st.lists(
        st.tuples(st.sampled_from(["lm loss", "load_balancing_loss", "50%"]), finite), max_size=3
    ),
    finite,
    st.one_of(st.none(), finite),
    st.integers(0, 2000),
    st.integers(0, 2000),
)
def test_the_iteration_line_is_training_logs(
    seconds: int,
    it: int,
    consumed: int,
    elapsed_ms: float,
    throughput: float | None,
    lr: float,
    batch: int,
    losses: list[tuple[str, float]],
    loss_scale: float,
    grad_norm: float | None,
    skipped: int,
    nans: int,
) -> None:
    moment = START + timedelta(seconds=seconds)
    lm_loss, extra = (losses[0][1], losses[1:]) if losses else (2.5, [])
    expected = training_log(
        moment, it, it + 7, consumed, elapsed_ms, throughput, lr, batch,
        [("lm loss", lm_loss), *extra], loss_scale, grad_norm, skipped, nans,
    )  # fmt: skip
    assert expected == iteration(
        moment=moment,
        iteration=it,
        train_iters=it + 7,
        consumed_samples=consumed,
        elapsed_ms=elapsed_ms,
        learning_rate=lr,
        global_batch=batch,
        lm_loss=lm_loss,
        loss_scale=loss_scale,
        grad_norm=grad_norm,
        skipped=skipped,
        nans=nans,
        tflops=throughput,
        extra_losses=extra,
    )
