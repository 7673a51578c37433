"""The title bar at any width: what matters first, and the parts that do not fit left out whole."""

from __future__ import annotations

from smtui.aws.store import JobStore
from smtui.ui.titles import title_line


def test_the_parts_after_the_counts_are_left_out_whole_when_the_terminal_is_narrow():
    store = JobStore()
    store.add(["job-a", "job-b"])
    view = store.view()

    def title(width: int | None) -> str:
        return title_line(
            view,
            interval=30,
            effective=30,
            max_rps=5,
            scope="InProgress jobs",
            subtitle="demo simulator at http://127.0.0.1:4566",
            width=width,
        ).plain

    whole = title(None)
    assert whole.endswith("  ·  every 30s  ·  InProgress jobs  ·  demo simulator at http://127.0.0.1:4566")
    assert title(len(whole)) == whole
    head = whole[: whole.index("  ·  every")]
    assert title(len(whole) - 1) == f"{head}  ·  every 30s  ·  InProgress jobs"
    assert title(len(head) + 14) == f"{head}  ·  every 30s"
    assert title(len(head) + 13) == title(10) == head  # never a part cut short, nor a dangling separator


def test_the_total_cost_moves_once_a_minute():
    from datetime import datetime, timedelta, timezone

    from smtui.aws.snapshot import JobSnapshot
    from smtui.present.cost import Price

    t0 = datetime(2026, 12, 1, 5, 0, tzinfo=timezone.utc)
    store = JobStore(["run"])
    body = {
        "TrainingJobName": "run",
        "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/run",
        "TrainingJobStatus": "InProgress",
        "CreationTime": t0,
        "TrainingStartTime": t0,
        "ResourceConfig": {"InstanceType": "ml.p4d.24xlarge", "InstanceCount": 1},
    }
    store.record_answer(JobSnapshot.from_response("run", body, t0))
    store.record_price(("us-east-1", "ml.p4d.24xlarge"), Price("ml.p4d.24xlarge", "us-east-1", 36.0))
    view = store.view()

    def total(seconds: float) -> str:
        text = title_line(
            view, interval=30, effective=30, max_rps=5, scope=None, subtitle=None, now=t0 + timedelta(seconds=seconds)
        ).plain
        return text.split("  ·  ")[1]

    # $36 an hour is a cent a second: the bar says what the job had cost at the start of the minute.
    assert total(60) == total(119.9) == "$0.60" and total(120) == "$1.20"
