"""torchtitan's step line as the dialect makes it, by one %-format of the stamp and the
step's numbers (torchtitan_lines.stamped_step_format: a run logs a thousand of them or
more), is the line of `step`'s f-string (components/metrics.py:440 at v0.2.0) stamped by
`stamped` (tools/logging.py:21), in colour and without."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from genact_cast.generator.dialects.torchtitan_lines import (
    PLAIN,
    Colors,
    stamped,
    stamped_step_format,
    step,
)

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
numbers = st.one_of(finite, st.floats(-1e6, 1e6), st.floats(0, 1e9))


@settings(max_examples=1500)
@given(
    st.integers(0, 10**7),
    numbers,
    numbers,
    st.floats(0, 200),
    st.floats(0, 100),
    st.floats(0, 1e8),
    st.floats(0, 1e7),
    st.floats(0, 100),
    st.booleans(),
)
@example(1, -8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, True)  # a pipeline's hidden loss, -1.0 x 8
@example(10, 10.5, 1.23456789, 61.5, 77.66, 1234.5, 1234567.891, 45.005, False)  # tps ties
def test_one_format_gives_the_stamped_f_string(
    number: int,
    loss: float,
    grad_norm: float,
    memory_gib: float,
    memory_pct: float,
    tps: float,
    tflops: float,
    mfu_pct: float,
    color: bool,
) -> None:
    colors = Colors(enabled=True) if color else PLAIN
    stamp = "2025-11-03 08:41:07,513"
    expected = stamped(
        stamp,
        step(
            step=number,
            loss=loss,
            grad_norm=grad_norm,
            memory_gib=memory_gib,
            memory_pct=memory_pct,
            tps=tps,
            tflops=tflops,
            mfu_pct=mfu_pct,
            colors=colors,
        ),
    )
    values = (stamp, number, loss, grad_norm, memory_gib, memory_pct)
    made = stamped_step_format(colors) % (
        *values,
        format(round(tps), ","),
        format(tflops, ",.2f"),
        mfu_pct,
    )
    assert made == expected
