"""The job list's row model, without Textual: order, filter, sorts, cells, column widths and the cursor."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from smtui.aws.discovery import Objective
from smtui.aws.errors import NETWORK, NOT_FOUND, THROTTLED, PollError
from smtui.aws.snapshot import JobSnapshot
from smtui.aws.store import JobStore
from smtui.ui.job_cells import COLUMNS, KEYS, cell_width, fit, fit_widths, row_cells
from smtui.ui.job_rows import JobRows
from tests.test_store import T0, points, snapshot

#: Where each column's cell is in a row.
STAGE, ELAPSED, METRIC = KEYS.index("stage"), KEYS.index("elapsed"), KEYS.index("metric")


def text(cell) -> str:
    return "".join(part for part, _ in cell)


def store_of(**statuses) -> JobStore:
    """A store with a job per keyword, each with that status (None: no answer yet), created a minute apart."""
    store = JobStore(statuses)
    for index, (name, status) in enumerate(statuses.items()):
        if status is not None:
            store.record_answer(
                snapshot(
                    name,
                    status,
                    secondary=status if status != "InProgress" else "Training",
                    created=-60 * (index + 1),
                    ended=0 if status != "InProgress" else None,
                )
            )
    return store


def rows_of(store: JobStore) -> JobRows:
    rows = JobRows()
    rows.tick(T0)
    rows.set_view(store.view())
    return rows


def test_the_model_does_not_import_textual():
    code = "import sys, smtui.ui.job_rows; print(any(m.startswith('textual') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_cells_say_status_stage_elapsed_and_metric():
    store = store_of(a="InProgress")
    store.merge_points("a", "loss", points(0.5, 0.25))
    cells = row_cells(store.get("a"), T0)
    # No instance metrics and no price yet: the utilisation and cost cells are empty (and one place: no place).
    assert [text(cell) for cell in cells] == ["▶ InProgress", "a", "", "▶ Training", "1m 00s", "", "", "   0.25 loss"]
    assert cells[0] == (("▶ InProgress", "active"),) and cells[METRIC][1] == ("loss", "muted")
    # A failed poll after an answer: the row keeps the answer, marked, with its age.
    store.record_failure("a", PollError(THROTTLED, "slow"), T0)
    cells = row_cells(store.get("a"), T0 + timedelta(seconds=40))
    assert text(cells[0]) == "▶ InProgress !" and text(cells[STAGE]) == "▶ Training  ! 40s old"
    assert cells[STAGE][-1][1] == "error"
    # No answer yet, a failed first poll, a job that does not exist.
    waiting = JobStore(["w", "n", "g"])
    waiting.record_failure("n", PollError(NETWORK, "down"), T0)
    waiting.record_failure("g", PollError(NOT_FOUND, "no"), T0)
    assert [text(row_cells(waiting.get(n), T0)[0]) for n in "wng"] == ["… waiting", "! unreachable", "⊘ not found"]
    assert text(row_cells(waiting.get("w"), T0)[ELAPSED]) == "–"


def test_the_objective_column_stars_the_best_job():
    store = store_of(a="Completed", b="Completed")
    store.merge_points("a", "auc", points(0.9))
    store.merge_points("b", "auc", points(0.8))
    objective = Objective("auc", maximize=True)
    assert row_cells(store.get("a"), T0, objective, "a")[METRIC] == (("    0.9", "success"), (" ★", "success"))
    assert row_cells(store.get("b"), T0, objective, "a")[METRIC] == (("    0.8", None),)
    rows = rows_of(store)
    rows.set_objective(objective, "a")
    assert rows.labels()[METRIC] == "auc ↑" and text(rows.cells(0)[METRIC]).endswith("★")


def test_the_elapsed_column_is_as_wide_as_its_widest_time():
    store = JobStore(["old"])
    store.record_answer(snapshot("old", created=-(1003 * 86400 + 19 * 3600)))
    rows = rows_of(store)
    assert text(rows.cells(0)[ELAPSED]) == "1003d 19h"
    assert rows.widths(200)[ELAPSED] == len("1003d 19h")
    assert rows.widths(30)[ELAPSED] == len("1003d 19h")  # it never gives way


def test_filter_sort_and_the_cursor_staying_on_its_job():
    store = store_of(c="Completed", a="InProgress", b="Failed", d=None)
    rows = rows_of(store)
    assert rows.shown == ["c", "a", "b", "d"] and rows.cursor == 0 and rows.cursor_name == "c"
    rows.move_cursor(1)
    assert rows.cursor_name == "a"
    assert rows.cycle_sort() == "name" and rows.shown == ["a", "b", "c", "d"] and rows.cursor_name == "a"
    assert rows.cycle_sort() == "status" and rows.shown == ["a", "b", "c", "d"]
    assert rows.cycle_sort() == "elapsed" and rows.shown[:3] == ["b", "a", "c"]
    assert rows.cursor_name == "a" and rows.cursor == 1
    assert rows.set_filter("  PROG ") == 1 and rows.shown == ["a"] and rows.cursor_name == "a"
    assert rows.set_filter("zzz") == 0 and rows.cursor == -1 and rows.cursor_name is None
    assert rows.set_filter("") == 4 and rows.cursor == 0  # the cursor's job had gone: the first row
    # A click on a header sorts by it; a second click goes back to the order given.
    assert rows.click_sort("name") == "name" and rows.click_sort("name") == "given" and rows.shown[0] == "c"
    assert rows.click_sort("stage") == "status"
    with pytest.raises(ValueError):
        rows.sort_by("colour")


def test_new_jobs_and_removed_ones():
    store = store_of(a="InProgress", b="InProgress")
    rows = rows_of(store)
    rows.select("b")
    store.add(["new"], at_top=True)
    rows.set_view(store.view())
    assert rows.shown == ["new", "a", "b"] and rows.cursor_name == "b"  # the cursor stays on its job
    store.remove("b")
    rows.set_view(store.view())
    assert rows.cursor_name == "a"  # the row that took its place (the last one)
    for name in ("new", "a"):
        store.remove(name)
        rows.set_view(store.view())
    assert rows.shown == [] and rows.cursor_name is None
    # Every move on an empty list is a no-op, not an error.
    for move in (
        lambda: rows.move_cursor(-1),
        lambda: rows.move_cursor(1),
        lambda: rows.cursor_to(10**9),
        lambda: rows.cursor_to(0),
        lambda: rows.set_filter("x"),
        rows.cycle_sort,
    ):
        move()
        assert rows.cursor == -1 and rows.cursor_name is None
    assert rows.natural_widths() == [0 if column.key == "place" else len(column.label) for column in COLUMNS]


def test_an_older_view_is_ignored():
    store = store_of(a="InProgress")
    old = store.view()
    store.record_answer(snapshot("a", "Completed", secondary="Completed", ended=0))
    rows = rows_of(store)
    rows.set_view(old, ["a"])
    assert text(rows.cells(0)[0]) == "✓ Completed"


def test_changes_say_which_rows_to_repaint_and_when_the_layout_moves():
    store = store_of(a="InProgress", b="Completed", c="Completed")
    rows = rows_of(store)
    rows.take_changes()
    # A new metric value that fits the column: only its row.
    store.merge_points("b", "loss", points(0.5))
    store.merge_points("a", "loss", points(0.25))
    rows.set_view(store.view(), ["a", "b"])
    rows.take_changes()
    store.merge_points("b", "loss", points(0.75, start=1))
    rows.set_view(store.view(), ["b"])
    assert rows.take_changes() == ({"b"}, False)
    # The clock moves only the running job's elapsed time.
    rows.tick(T0 + timedelta(seconds=1))
    assert rows.take_changes() == ({"a"}, False)
    # A longer stage widens its column: the layout changes.
    store.record_answer(snapshot("a", secondary="DownloadingTrainingImage", created=-60))
    rows.set_view(store.view(), ["a"])
    assert rows.take_changes() == ({"a"}, True)
    # The cursor's move repaints the row it leaves and the one it lands on.
    rows.move_cursor(2)
    assert rows.take_changes() == ({"a", "c"}, False)
    # A job that now passes the filter, or sorts elsewhere, rebuilds the rows.
    rows.set_filter("completed")
    assert rows.shown == ["b", "c"]
    store.record_answer(snapshot("a", "Completed", secondary="Completed", created=-60, ended=0))
    rows.set_view(store.view(), ["a"])
    assert rows.shown == ["a", "b", "c"] and rows.cursor_name == "c"
    rows.set_filter("")
    rows.sort_by("status")
    store.record_answer(snapshot("c", "InProgress", created=-180))
    rows.set_view(store.view(), ["c"])
    assert rows.shown[0] == "c" and rows.cursor_name == "c"


def test_fit_pads_cuts_and_never_splits_a_wide_character():
    status, name, _place, stage, elapsed, _util, _cost, metric = COLUMNS
    assert fit((("ab", None),), 4, status) == (("ab", None), ("  ", None))
    assert fit((("7s", None),), 4, elapsed) == (("  ", None), ("7s", None))
    assert text(fit((("xgboost-churn-hpo-001-07405336", None),), 15, name)) == "xgboost…7405336"
    assert text(fit((("▶ Training", "active"),), 8, stage)) == "▶ Train…"
    # A stale row's age outlasts the stage's words, while there is room for both.
    kept = fit((("▶ Training", "active"), ("  ! 4s old", "error")), 14, stage)
    assert text(kept) == "▶ T…  ! 4s old" and kept[-1] == ("  ! 4s old", "error")
    assert text(fit((("▶ Training", "active"), ("  ! 4s old", "error")), 8, stage)) == "▶ Train…"
    assert text(fit((("  0.125 ", None), ("train:loss", "muted")), 8, metric)) == "  0.125 "
    # The metric's name shows whole or not at all: never "0.125 tr".
    assert fit((("  0.125 ", None), ("train:loss", "muted")), 12, metric) == (("  0.125 ", None), ("    ", None))
    assert text(fit((("  0.125 ", None), ("train:loss", "muted")), 18, metric)) == "  0.125 train:loss"
    wide = fit((("表示名前", None),), 5, stage)
    assert cell_width(wide) == 5 and text(wide).startswith("表示")
    assert cell_width(fit((("表示名前の長い", None),), 6, name)) == 6
    assert fit((("▶ Training", "active"),), 1, stage) == (("▶", "active"),)  # too narrow for an ellipsis


def test_columns_give_way_in_order_when_the_terminal_is_narrow():
    natural = [14, 30, 0, 22, 9, 8, 7, 18]  # status, job, (no place), stage, elapsed, utilisation, cost, metric
    assert fit_widths(natural, 200) == natural
    assert fit_widths(natural, 110) == [14, 30, 0, 21, 9, 8, 7, 7]  # the metric's name goes first
    assert fit_widths(natural, 100) == [14, 27, 0, 14, 9, 8, 7, 7]  # then the end of a long stage and of a long name
    assert fit_widths(natural, 90) == [14, 26, 0, 14, 9, 8, 0, 7]  # then the cost (the title bar has the total)
    assert fit_widths(natural, 70) == [14, 19, 0, 1, 9, 8, 0, 7]  # then the stage's words and more of the name
    assert fit_widths(natural, 60) == [14, 19, 0, 1, 9, 0, 0, 7]  # then the utilisation
    # Then the metric altogether, the status's word; what is left goes back to the job name.
    assert fit_widths(natural, 40) == [1, 21, 0, 1, 9, 0, 0, 0]
    assert fit_widths(natural, 20) == [1, 8, 0, 1, 9, 0, 0, 0]  # narrower still: the right end is cut off
    # With several regions, their column goes after the metric, before the status's word.
    placed = [14, 30, 9, 22, 9, 8, 7, 18]
    assert fit_widths(placed, 200) == placed
    assert fit_widths(placed, 60) == [14, 17, 9, 1, 9, 0, 0, 0]
    assert fit_widths(placed, 45) == [1, 26, 0, 1, 9, 0, 0, 0]


def test_cells_and_column_widths_stay_exact_through_any_sequence_of_changes():
    import random

    names = [f"job-{i}" for i in range(12)]
    store = JobStore(names)
    rows = JobRows()
    rows.tick(T0)
    rows.set_view(store.view())
    chance = random.Random(7)
    statuses = ["InProgress", "Completed", "Failed", "Stopped"]
    for step in range(400):
        name = chance.choice(names)
        action = chance.randrange(10)
        if action == 0:
            status = chance.choice(statuses)
            stage = chance.choice(["Training", "DownloadingTrainingImage", status])
            store.record_answer(
                snapshot(
                    name,
                    status,
                    secondary=stage,
                    created=-chance.randrange(10**6),
                    ended=None if status == "InProgress" else 0,
                )
            )
        elif action == 1:
            store.record_failure(name, PollError(chance.choice([THROTTLED, NETWORK, NOT_FOUND]), "x"), T0)
        elif action == 2:
            store.merge_points(name, "loss", points(chance.choice([0.5, 123456.0, float("nan")]), start=step))
        elif action == 3:
            rows.tick(T0 + timedelta(seconds=step * 97))
        elif action == 4:
            rows.set_filter(chance.choice(["", "job-1", "train", "fail", "zzz"]))
        elif action == 5:
            rows.cycle_sort()
        elif action == 6:
            rows.set_objective(
                chance.choice([None, Objective("loss", maximize=chance.random() < 0.5)]), chance.choice([None, *names])
            )
        elif action == 7:
            rows.set_metric(chance.choice([None, "loss", "accuracy"]))
        elif action == 8:
            rows.toggle_mark(name) if chance.random() < 0.8 else rows.mark_shown()
        else:
            rows.move_cursor(chance.randrange(-3, 4))
        rows.set_view(store.view(), [name])
        expected = [
            0 if KEYS[c] == "place" else max([cell_width(rows.cells(i)[c]) for i in range(len(rows))] + [len(label)])
            for c, label in enumerate(rows.labels())
        ]
        assert rows.natural_widths() == expected, step
        for index, shown in enumerate(rows.shown):  # what is kept is what the job's state says now
            assert rows.cells(index) == row_cells(
                store.get(shown), rows.now, rows.objective, rows.best_job, rows.metric_choice
            ), step
        assert rows.marked <= set(store.names) and rows.gutter == (2 if rows.marked else 0)
        assert rows.shown == [n for n in rows.shown if n in store] and len(set(rows.shown)) == len(rows.shown)
        assert (rows.cursor == -1) == (not rows.shown)


def test_rows_out_of_view_cost_nothing_until_they_come_into_view(monkeypatch):
    """A thousand running jobs, ten rows in view: a tick or a change works out the rows in view only; a row that
    comes into view is worked out then, and a column it widened widens."""
    import smtui.ui.job_rows as job_rows

    store = store_of(**{f"job-{i:04d}": "InProgress" for i in range(1000)})
    rows = rows_of(store)
    rows.set_visible(0, 10)
    rows.take_changes()
    worked: list[str] = []
    real = job_rows.row_cells

    def counting(state, *args, **kwargs):
        worked.append(state.name)
        return real(state, *args, **kwargs)

    monkeypatch.setattr(job_rows, "row_cells", counting)
    rows.tick(T0 + timedelta(seconds=1))
    assert sorted(worked) == [f"job-{i:04d}" for i in range(10)]
    # (job-0009 is ten minutes old: it reads to the minute, and the minute did not change.)
    assert rows.take_changes()[0] == {f"job-{i:04d}" for i in range(9)}
    worked.clear()
    # A job out of view changes (and its stage gets much longer): nothing is worked out, no row is repainted.
    store.record_answer(snapshot("job-0500", "InProgress", secondary="DownloadingTrainingImage", created=-60))
    rows.set_view(store.view(), ["job-0500"])
    assert worked == [] and rows.take_changes() == (set(), False) and rows.is_stale("job-0500")
    assert text(rows._cells["job-0500"][STAGE]) == "▶ Training"  # as it was
    # It comes into view: worked out, and the stage column widens for it.
    rows.set_visible(495, 505)
    assert "job-0500" in worked and not rows.is_stale("job-0500")
    assert text(rows.cells(500)[STAGE]).endswith("DownloadingTrainingImage")
    assert rows.take_changes()[1]  # a column changed width
    # Reading a stale row's cells directly works it out too.
    rows.tick(T0 + timedelta(seconds=2))
    assert rows.is_stale("job-0000")
    assert text(rows.cells(0)[ELAPSED]) == "1m 02s" and not rows.is_stale("job-0000")


def test_marks_take_a_gutter_and_go_with_their_job():
    store = store_of(a="InProgress", b="Completed", c="Failed")
    rows = rows_of(store)
    rows.take_changes()
    assert rows.gutter == 0
    assert rows.toggle_mark("b") and rows.gutter == 2
    assert rows.take_changes() == ({"b"}, True)  # the gutter came: every row moves
    rows.toggle_mark("c")
    assert rows.take_changes() == ({"c"}, False)
    assert rows.widths(40) == fit_widths(rows.natural_widths(), 38)
    store.remove("b")
    rows.set_view(store.view())
    assert rows.marked == {"c"}
    assert rows.mark_shown() == 2 and rows.marked == {"a", "c"}
    assert rows.mark_shown() == 0 and rows.gutter == 0


def test_a_chosen_metric_fills_the_column_and_sorts_best_first():
    store = JobStore(["a", "b", "c"])
    for index, name in enumerate(["a", "b", "c"]):
        store.record_answer(snapshot(name, "Completed", secondary="Completed", created=-60 * (index + 1), ended=0))
    store.merge_points("a", "validation:accuracy", points(0.80))
    store.merge_points("b", "validation:accuracy", points(0.95))
    store.merge_points("c", "train:loss", points(0.3))
    rows = rows_of(store)
    rows.set_metric("validation:accuracy")
    assert rows.labels()[-1] == "validation:accuracy ↑"
    assert [text(rows.cells(i)[-1]).strip() for i in range(3)] == ["0.8", "0.95", ""]
    rows.sort_by("metric")
    assert rows.shown == ["b", "a", "c"]  # higher accuracy first; c reports none
    rows.set_metric("train:loss")
    assert rows.labels()[-1] == "train:loss ↓" and rows.shown[0] == "c"
    rows.set_metric("train:lr")  # a name that says neither way: lowest first, no arrow
    assert rows.labels()[-1] == "train:lr"
    rows.set_metric(None)
    assert rows.labels()[-1] == "Metric"


def test_a_row_past_ten_minutes_reads_and_changes_to_the_minute_its_cost_with_it():
    from smtui.present.cost import Price

    store = JobStore(["young", "old"])
    for name, created in (("young", -590), ("old", -1230)):
        body = dict(snapshot(name, created=created).response)
        body["TrainingStartTime"] = body["CreationTime"]
        body["TrainingJobArn"] = f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}"
        body["ResourceConfig"] = {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 4}
        store.record_answer(JobSnapshot.from_response(name, body, T0))
    store.record_price(("us-east-1", "ml.p4d.24xlarge"), Price("ml.p4d.24xlarge", "us-east-1", 36.0))
    cost = KEYS.index("cost")

    def cells(name: str, seconds: float):
        found = row_cells(store.get(name), T0 + timedelta(seconds=seconds))
        return text(found[ELAPSED]), text(found[cost])

    # Under ten minutes: seconds, and a cost that moves each second (4 x $36/h is 4 cents a second).
    assert cells("young", 0) == ("9m 50s", "$23.60") and cells("young", 1) == ("9m 51s", "$23.64")
    # Past them, whole minutes: the cost is what the minute shown cost, so the row changes once a minute.
    assert cells("old", 0) == ("20m", "$48.00")
    assert cells("old", 29) == cells("old", 0) and cells("old", 29.9) == cells("old", 0)
    assert cells("old", 30) == ("21m", "$50.40")
    # The young job crosses ten minutes, and from there keeps to the minute too.
    assert cells("young", 10) == ("10m", "$24.00") and cells("young", 69) == ("10m", "$24.00")
    # An ended job reads as long as it took, to the minute (its cost no longer moves).
    store.record_answer(snapshot("old", "Completed", secondary="Completed", created=-4000, ended=-100))
    assert cells("old", 0)[0] == cells("old", 500)[0] == "1h 05m"
