"""A run trains only on data published before its log's first day (issue 17, review-realism9
F9).

F9: `--seed 8160 --start 2024-03-01T10:00:00Z --gpu A100` pre-trained on FineWeb/sample-350BT,
published on 2024-04-21 (HuggingFaceFW/fineweb v1.0.0); with `--start 2024-03-15` seeds 8173,
8176 and 8185 drew FineWeb-Edu (May 2024) and 8183 Tulu-3-SFT-Mix (2024-11-21); a pinned
`--dataset Cosmopedia` made a log of 2024-01-15, a month before Cosmopedia's release. Each
set's date and source: datasets.tsv."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from genact_cast.errors import BadOption, SeedRefused
from genact_cast.generator import RecordOptions, catalog, make_plan, run_dates

# Days the review's casts were dated, around the publications of FineWeb (2024-04-21),
# FineWeb-Edu (2024-05-31) and Tulu 3 (2024-11-21).
STARTS = (date(2024, 3, 1), date(2024, 3, 15), date(2024, 5, 1), date(2024, 8, 1), date(2025, 1, 1))


@pytest.fixture(autouse=True)
def window_from_2024(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every set of the catalogue came out before today's window (2025-10-21 on, N10), so the
    window alone keeps these logs after their data; the publication checks guard a set that
    comes out inside a window, as these sets did inside the review's 2024 dates: the window
    is opened back to 2024 for them."""
    now = run_dates.window()
    wide = run_dates.Window(date(2024, 1, 1), now.last, now.closed_by)
    monkeypatch.setattr(run_dates, "window", lambda: wide)


def _plans(start: date, seeds: range) -> list[tuple[int, str, date]]:
    at = datetime(start.year, start.month, start.day, 10, tzinfo=timezone.utc)
    found = []
    for seed in seeds:
        try:
            plan = make_plan(RecordOptions(seed=seed, start=at, gpu="A100"))
        except (BadOption, SeedRefused):
            continue
        found.append((seed, plan.dataset.name, plan.start.date()))
    return found


@pytest.mark.parametrize("start", STARTS, ids=str)
def test_no_run_trains_on_data_published_after_its_log_starts(start: date) -> None:
    published = {d.name: d.released for d in catalog.datasets()}
    plans = _plans(start, range(8160, 8200))
    assert len(plans) >= 30
    late = [(seed, name) for seed, name, day in plans if published[name] >= day]
    assert not late, late


@pytest.mark.parametrize(
    ("dataset", "start", "kind"),
    [("Tulu-3-SFT-Mix", date(2024, 8, 1), "sft"), ("Cosmopedia", date(2024, 1, 15), "continue")],
)
def test_a_pinned_set_is_refused_before_its_publication(
    dataset: str, start: date, kind: str
) -> None:
    at = datetime(start.year, start.month, start.day, 10, tzinfo=timezone.utc)
    with pytest.raises(BadOption) as refused:
        make_plan(RecordOptions(seed=8160, start=at, gpu="H100", dataset=dataset, kind=kind))
    released = next(d.released for d in catalog.datasets() if d.name == dataset)
    assert f"published on {released:%Y-%m-%d}" in str(refused.value)


@pytest.mark.parametrize("dataset", ["Cosmopedia", "Tulu-3-SFT-Mix", "FineWeb-Edu"])
def test_a_pinned_set_dates_the_drawn_log_after_its_publication(dataset: str) -> None:
    released = next(d.released for d in catalog.datasets() if d.name == dataset)
    for seed in range(20):
        try:
            plan = make_plan(RecordOptions(seed=seed, dataset=dataset))
        except (BadOption, SeedRefused):
            continue
        assert plan.start.date() > released, (seed, plan.start)


def test_every_set_has_a_publication_date_before_the_first_run() -> None:
    for data in catalog.datasets():
        assert date(2015, 1, 1) < data.released < date(2025, 6, 1), data
