"""The job store: one home for what is known of each job, frozen views of it, and the facts derived from it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from smtui.aws.discovery import Objective
from smtui.aws.errors import NETWORK, NOT_FOUND, THROTTLED, PollError
from smtui.aws.snapshot import JobSnapshot, MetricPoint, StatusChanged

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def snapshot(
    name: str,
    status: str | None = "InProgress",
    *,
    secondary: str | None = "Training",
    created: float = 0,
    ended: float | None = None,
    metrics=("loss",),
    finals=None,
    reason: str | None = None,
    fetched: float = 0,
) -> JobSnapshot:
    """A snapshot of ``name`` as DescribeTrainingJob would answer, times in seconds after T0."""
    body: dict = {
        "TrainingJobName": name,
        "CreationTime": T0 + timedelta(seconds=created),
        "AlgorithmSpecification": {"MetricDefinitions": [{"Name": m, "Regex": "x"} for m in metrics]},
    }
    if status is not None:
        body["TrainingJobStatus"] = status
    if secondary is not None:
        body["SecondaryStatus"] = secondary
    if ended is not None:
        body["TrainingEndTime"] = T0 + timedelta(seconds=ended)
    if finals:
        body["FinalMetricDataList"] = [{"MetricName": k, "Value": v} for k, v in finals.items()]
    if reason is not None:
        body["FailureReason"] = reason
    return JobSnapshot.from_response(name, body, T0 + timedelta(seconds=fetched))


def points(*values: float, start: int = 0) -> list[MetricPoint]:
    return [MetricPoint(T0 + timedelta(minutes=start + i), v) for i, v in enumerate(values)]


def test_views_are_frozen_copies_and_newer_views_have_higher_versions():
    from smtui.aws.store import JobStore

    store = JobStore(["a", "b", "a"])
    first = store.view()
    assert first.names == ("a", "b") and store.view() is first  # one view per change
    store.record_answer(snapshot("a"))
    second = store.view()
    assert second.version > first.version
    assert first.get("a").snapshot is None and second.get("a").snapshot.status == "InProgress"
    with pytest.raises(TypeError):
        second.states["c"] = second.states["a"]  # type: ignore[index]
    assert store.add(["c", "a"], at_top=True) == ["c"] and store.view().names == ("c", "a", "b")
    assert store.remove("a") and not store.remove("a")
    assert store.view().names == ("c", "b") and "a" not in store.view()
    assert second.names == ("a", "b")  # what was handed out does not change


def test_answers_clear_errors_and_failures_keep_the_last_answer_and_since_when():
    from smtui.aws.store import JobStore

    store = JobStore(["a"])
    state, events = store.record_answer(snapshot("a"))
    assert isinstance(events[0], StatusChanged) and state.error is None
    later = T0 + timedelta(minutes=1)
    failed = store.record_failure("a", PollError(THROTTLED, "slow down"), later)
    assert failed.snapshot is state.snapshot and failed.error.since == later and failed.stale
    again = store.record_failure("a", PollError(THROTTLED, "slow down"), later + timedelta(minutes=1))
    assert again.error.since == later  # the same trouble, still: since the first time
    other = store.record_failure("a", PollError(NETWORK, "gone"), later + timedelta(minutes=2))
    assert other.error.since == later + timedelta(minutes=2)
    state, events = store.record_answer(snapshot("a"))
    assert state.error is None and events == []
    # A job removed while its call was out is not brought back.
    store.remove("a")
    assert store.record_answer(snapshot("a")) is None and store.record_failure("a", other.error, later) is None
    assert store.merge_points("a", "loss", points(1.0)) is None and "a" not in store


def test_metric_points_merge_by_timestamp():
    from smtui.aws.store import JobStore

    store = JobStore(["a"])
    first = store.merge_points("a", "loss", points(1.0, 0.5))
    assert first is not None and [p.value for p in first.points] == [1.0, 0.5]
    again = store.merge_points("a", "loss", points(0.5, 0.2, start=1))
    assert again is not None and [p.value for p in again.points] == [0.2]
    assert store.merge_points("a", "loss", points(1.0)) is None
    # An older point that was missing goes in its place.
    store.merge_points("a", "loss", [MetricPoint(T0 - timedelta(minutes=1), 9.0)])
    assert [p.value for p in store.get("a").points("loss")] == [9.0, 1.0, 0.5, 0.2]
    assert store.latest_timestamp("a") == T0 + timedelta(minutes=2)
    assert store.get("a").latest("loss") == 0.2


def test_metrics_failures_say_since_when_and_a_success_clears_them():
    from smtui.aws.store import JobStore

    store = JobStore()
    assert not store.record_metrics(None, T0)
    assert store.record_metrics(PollError(THROTTLED, "slow"), T0)
    assert not store.record_metrics(PollError(THROTTLED, "slow"), T0 + timedelta(minutes=1))
    assert store.metrics_error.since == T0 and store.view().metrics_error == store.metrics_error
    assert store.record_metrics(None, T0) and store.metrics_error is None


def test_counts_say_not_found_for_a_job_that_does_not_exist():
    from smtui.aws.store import JobStore

    store = JobStore(["run", "done", "ghost", "new", "flaky", "stale"])
    store.record_answer(snapshot("run"))
    store.record_answer(snapshot("done", "Completed", secondary="Completed", ended=60))
    store.record_failure("ghost", PollError(NOT_FOUND, "no such job"), T0)
    store.record_failure("flaky", PollError(NETWORK, "unreachable"), T0)
    store.record_answer(snapshot("stale"))
    store.record_failure("stale", PollError(THROTTLED, "slow"), T0)
    view = store.view()
    assert view.counts() == {"running": 2, "completed": 1, "waiting": 2, "not found": 1}
    assert view.failing == 2  # flaky and stale: the job that does not exist is not "not updating"
    assert view.get("ghost").not_found and not view.get("ghost").failing
    assert [state.name for state in view.polled] == ["run", "ghost", "new", "flaky", "stale"]


def test_the_shown_metric_is_the_objective_or_the_first_metric_final_values_first():
    from smtui.aws.store import JobStore

    store = JobStore(["a", "b"])
    store.record_answer(snapshot("a", metrics=("loss", "acc")))
    store.merge_points("a", "loss", points(1.0, 0.5))
    store.merge_points("a", "acc", points(0.7))
    state = store.get("a")
    assert state.shown_metric() == ("loss", 0.5)
    assert state.shown_metric(Objective("acc", maximize=True)) == ("acc", 0.7)
    assert state.shown_metric(Objective("auc", maximize=True)) is None
    store.record_answer(snapshot("a", "Completed", metrics=("loss", "acc"), finals={"loss": 0.25}))
    assert store.get("a").shown_metric() == ("loss", 0.25)  # the final value wins over the last point
    # No value for the first metric yet, but final ones: the first of those.
    store.record_answer(snapshot("b", "Completed", metrics=("loss",), finals={"acc": 0.9}))
    assert store.get("b").shown_metric() == ("acc", 0.9)


def test_sort_keys():
    from smtui.aws.store import JobStore

    store = JobStore(["run", "fail", "done", "none", "nan"])
    store.record_answer(snapshot("run", created=-600))
    store.record_answer(snapshot("fail", "Failed", secondary="Failed", created=-3600, ended=-2000))
    store.record_answer(snapshot("done", "Completed", secondary="Completed", created=-7200, ended=-7100))
    store.record_answer(snapshot("nan"))
    store.merge_points("run", "loss", points(0.5))
    store.merge_points("fail", "loss", points(0.1))
    store.merge_points("nan", "loss", points(float("nan")))
    view = store.view()

    def order(by: str, objective=None) -> list[str]:
        return sorted(view.names, key=lambda n: view.states[n].sort_key(by, T0, objective))

    assert order("name") == ["done", "fail", "nan", "none", "run"]
    assert order("status") == ["nan", "run", "fail", "done", "none"]
    assert order("elapsed") == ["fail", "run", "done", "nan", "none"]  # 1600 s, 600 s, 100 s, 0, none
    assert order("metric") == ["fail", "run", "done", "nan", "none"]  # no value and NaN last
    assert order("metric", Objective("loss", maximize=True))[:2] == ["run", "fail"]  # best first


def test_the_failure_reason_on_one_line_and_its_summary():
    plain = snapshot("a", "Failed", reason="CUDA out of memory.\n  Tried to allocate 2 GiB")
    assert plain.failure_reason == plain.failure_summary == "CUDA out of memory. Tried to allocate 2 GiB"
    algorithm = snapshot(
        "a",
        "Failed",
        reason="AlgorithmError: ExecuteUserScriptError:\nExitCode 1\n"
        'ErrorMessage "ValueError: bad value"\nCommand "python train.py"',
    )
    assert algorithm.failure_summary == 'ValueError: bad value" Command "python train.py'
    assert algorithm.failure_reason.startswith("AlgorithmError: ExecuteUserScriptError: ExitCode 1 ErrorMessage")
    huge = snapshot("a", "Failed", reason="x" * 1_000_000)
    assert len(huge.failure_summary) == 4096 and len(huge.failure_reason) == 1_000_000
    assert snapshot("a", reason="  \n").failure_reason is None and snapshot("a").failure_summary is None


def test_the_tallies_stay_exact_through_any_changes():
    """The counts a title shows are kept change by change; after any sequence they are what counting anew says."""
    import random
    from collections import Counter

    from smtui.aws.errors import AUTH
    from smtui.aws.store import JobStore

    rng = random.Random(17)
    store = JobStore(f"job-{i}" for i in range(12))
    statuses = ["InProgress", "Stopping", "Completed", "Failed", "Stopped", None, "Weird"]
    kinds = [NETWORK, THROTTLED, NOT_FOUND, AUTH]
    for step in range(600):
        name = f"job-{rng.randrange(16)}"
        roll = rng.random()
        if roll < 0.45:
            store.record_answer(snapshot(name, rng.choice(statuses)))
        elif roll < 0.8:
            store.record_failure(name, PollError(rng.choice(kinds), "x"), T0)
        elif roll < 0.9:
            store.add([name], at_top=rng.random() < 0.5)
        else:
            store.remove(name)
        view = store.view()
        states = list(view.states.values())
        polled = [s for s in states if not s.is_terminal]
        assert dict(view.tally.phases) == {p: n for p, n in Counter(s.phase for s in states).items() if n}, step
        assert view.failing == sum(s.failing for s in states)
        assert view.tally.polled == len(polled)
        assert dict(view.tally.polled_errors) == dict(Counter(s.error.kind for s in polled if s.error)), step
        for kind in kinds:
            assert view.all_polled_failing(kind) == (
                bool(polled) and all(s.error is not None and s.error.kind == kind for s in polled)
            )


def test_the_total_cost_is_what_billing_each_job_says_through_any_changes():
    """The title's total is kept as sums of cost lines; at any moment it is the jobs' bills added up."""
    import random

    from smtui.aws.store import JobStore
    from smtui.present.cost import NoPrice, Price, billing

    rng = random.Random(23)
    store = JobStore(f"job-{i}" for i in range(10))
    kinds = ["ml.p4d.24xlarge", "ml.g5.xlarge", "ml.trn1.32xlarge"]
    for step in range(500):
        name = f"job-{rng.randrange(14)}"
        roll = rng.random()
        if roll < 0.6:
            status = rng.choice(["InProgress", "InProgress", "Stopping", "Completed", "Failed", "Stopped", None])
            body = dict(snapshot(name, status).response)
            body["TrainingJobArn"] = f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}"
            body["ResourceConfig"] = {"InstanceType": rng.choice(kinds), "InstanceCount": rng.randint(1, 8)}
            if rng.random() < 0.8:  # some start later than the moments asked about (a clock behind AWS's)
                body["TrainingStartTime"] = T0 + timedelta(seconds=rng.randrange(-3600, 600))
            if status in ("Completed", "Failed", "Stopped") and rng.random() < 0.8:
                body["BillableTimeInSeconds"] = rng.randrange(0, 40_000)
            store.record_answer(JobSnapshot.from_response(name, body, T0))
        elif roll < 0.8:
            kind = rng.choice(kinds)
            price = Price(kind, "us-east-1", rng.uniform(0.5, 40)) if rng.random() < 0.7 else NoPrice("none")
            store.record_price(("us-east-1", kind), price)
        elif roll < 0.9:
            store.add([name])
        else:
            store.remove(name)
        view = store.view()
        for now in (T0 - timedelta(hours=2), T0, T0 + timedelta(seconds=rng.randrange(0, 86_400))):
            bills = [billing(s.snapshot.response, now, s.price) for s in view.states.values() if s.snapshot]
            expected = sum(b.cost_usd for b in bills if b.cost_usd is not None)
            # A job training with no price counts as unpriced even in the moments before its start.
            unpriced = sum(1 for b in bills if b.cost_usd is None and (b.seconds or (b.estimated and b.seconds == 0)))
            total, count = view.costs(now)
            assert total == pytest.approx(expected, rel=1e-9, abs=1e-6), step
            assert count == unpriced, step
