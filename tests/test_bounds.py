"""Everything kept per job is bounded, and caches keyed by content let go: a screen left open for days stays small.

The caps: a job's status transitions (the newest 1,000 as objects; the timeline draws 50), its metric series
(the newest 10,080 points each, a week of one-minute points), its log lines (``--log-lines``, 10,000), the
details pane's layouts (four widths). ``bench/soak.py`` measures the whole over an hour.
"""

from __future__ import annotations

import gc
from datetime import timedelta

from smtui.aws.snapshot import MAX_POINTS, MAX_TRANSITIONS, JobSnapshot, MetricPoint, TransitionAdded, diff_snapshots
from smtui.aws.store import JobStore
from smtui.ui import log_screen as logs_screen
from smtui.ui.log_screen import LogScreen
from smtui.ui.widgets.detail import LAYOUTS_KEPT, DetailPane
from tests.conftest import ORIGIN
from tests.screens import RUNNING, SIZE, simulated_app, until_loaded, until_logs_read


def answer(transitions: int) -> dict:
    return {
        "TrainingJobName": "j",
        "TrainingJobStatus": "InProgress",
        "SecondaryStatus": "Training",
        "SecondaryStatusTransitions": [
            {
                "Status": ("Training", "Interrupted", "Restarting")[i % 3],
                "StartTime": ORIGIN + timedelta(minutes=i),
                "StatusMessage": f"stage {i}",
            }
            for i in range(transitions)
        ],
    }


def test_a_snapshot_holds_the_newest_transitions_and_knows_how_many_there_were():
    old = JobSnapshot.from_response("j", answer(9_999), ORIGIN)
    new = JobSnapshot.from_response("j", answer(10_000), ORIGIN)
    assert len(new.transitions) == MAX_TRANSITIONS and new.transition_count == 10_000
    assert new.transitions[-1].message == "stage 9999" and new.transitions[0].message == "stage 9000"
    added = [e for e in diff_snapshots(old, new) if isinstance(e, TransitionAdded)]
    assert [(e.index, e.transition.message) for e in added] == [(9_999, "stage 9999")]
    first = [e for e in diff_snapshots(None, new) if isinstance(e, TransitionAdded)]
    assert len(first) == MAX_TRANSITIONS and first[0].index == 9_000
    small = JobSnapshot.from_response("j", answer(5), ORIGIN)
    assert small.transition_count == len(small.transitions) == 5


def test_a_metric_series_keeps_its_newest_points():
    store = JobStore(["j"])
    starts = range(0, MAX_POINTS + 2_000, 500)
    for start in starts:
        store.merge_points(
            "j", "loss", [MetricPoint(ORIGIN + timedelta(minutes=start + i), float(start + i)) for i in range(500)]
        )
    points = store.get("j").series["loss"]
    assert MAX_POINTS * 0.8 < len(points) <= MAX_POINTS
    assert points[-1].value == starts[-1] + 499  # the newest are the ones kept
    assert [p.value for p in points] == sorted(p.value for p in points)
    assert store.latest_timestamp("j") == points[-1].timestamp


async def test_the_details_keep_a_few_layouts_and_a_closed_logs_view_lets_go(monkeypatch):
    monkeypatch.setattr(logs_screen, "LOG_RATES", {})
    with simulated_app(RUNNING, names=["mistral-7b-sft-distributed"]) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            detail = app.watch_screen.query_one(DetailPane)
            for width in range(40, 120, 5):  # a terminal dragged narrower and wider
                detail.plain_text(width)
            assert len(detail._body._laid_out) <= LAYOUTS_KEPT
            for _ in range(5):
                await pilot.press("l")
                for _ in range(100):
                    if isinstance(app.screen, LogScreen):
                        break
                    await pilot.pause(0.02)
                await until_logs_read(pilot)
                assert app.screen.tail.buffer.lines
                await pilot.press("escape")
                await pilot.pause()
            gc.collect()
            # Closed logs views hold no lines, whoever still refers to them for a while.
            closed = [o for o in gc.get_objects() if isinstance(o, LogScreen)]
            assert all(not screen.tail.buffer.lines for screen in closed)
