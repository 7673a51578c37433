"""What a metrics round asks of the instances: which hosts' series, over which window, in how many calls."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from smtui.aws.host_metrics import HOST_WINDOW, LIST_WINDOW
from smtui.aws.poller import Poller
from smtui.clock import FrozenClock
from smtui.present.utilisation import CPU, DISK, GPU, HOST_METRICS, MEMORY

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
SECOND = timedelta(seconds=1)

#: Job name: (status, instance type, instance count).
JOBS = {
    "p4d": ("InProgress", "ml.p4d.24xlarge", 2),
    "g5": ("InProgress", "ml.g5.2xlarge", 1),
    "m5": ("InProgress", "ml.m5.xlarge", 1),
    "trn": ("InProgress", "ml.trn1.32xlarge", 128),
    "done": ("Completed", "ml.g5.2xlarge", 1),
}


class RecordingSource:
    """Answers DescribeTrainingJob for :data:`JOBS` and records every GetMetricData round as the client sends it."""

    def __init__(self, jobs: dict[str, tuple[str, str, int]], clock: FrozenClock) -> None:
        self.jobs = jobs
        self.clock = clock
        #: (the host queries, the training queries, start, end) of each call of ``get_metric_data``.
        self.rounds: list[tuple[list, list, datetime, datetime]] = []

    async def describe_training_job(self, name: str) -> dict:
        status, kind, count = self.jobs[name]
        response = {
            "TrainingJobName": name,
            "TrainingJobStatus": status,
            "SecondaryStatus": "Training",
            "CreationTime": NOW - timedelta(hours=3),
            "TrainingStartTime": NOW - timedelta(hours=2),
            "ResourceConfig": {"InstanceType": kind, "InstanceCount": count, "VolumeSizeInGB": 50},
            "AlgorithmSpecification": {"MetricDefinitions": [{"Name": "train:loss", "Regex": "x"}]},
        }
        if status != "InProgress":
            response["TrainingEndTime"] = NOW - timedelta(minutes=30)
        return response

    async def get_metric_data(self, queries, start, end, period=60):
        self.rounds.append(([q for q in queries if q.host], [q for q in queries if not q.host], start, end))
        point = self.clock.now() - timedelta(minutes=1)
        return {q: [(point, 50.0)] for q in queries}


async def started(jobs=JOBS, selected: str | None = None) -> tuple[Poller, RecordingSource, FrozenClock]:
    clock = FrozenClock(NOW)
    source = RecordingSource(jobs, clock)
    poller = Poller(source, list(jobs), lambda event: None, clock=clock, max_rps=None)
    poller.select(selected)
    for name in jobs:
        await poller.poll_job(name)
    return poller, source, clock


def near(start: datetime, expected: datetime) -> bool:
    """A window's start is a second or two before the newest point held, so that point is asked again."""
    return timedelta(0) <= expected - start <= 2 * SECOND


def asked(hosts: list) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for query in hosts:
        out.setdefault(query.job, set()).add((query.host, query.metric))
    return out


async def test_with_nothing_selected_the_list_metrics_of_every_running_host_over_ten_minutes():
    poller, source, clock = await started()
    calls = poller.calls
    await poller.poll_metrics()
    # The training series reach back to the jobs' start, two hours: the hosts' ten minutes get a call of their own.
    (training, hosts) = source.rounds
    assert training[0] == [] and len(training[1]) == 5 and hosts[1] == []
    assert hosts[2] == NOW - LIST_WINDOW - SECOND and hosts[3] == NOW + SECOND
    by_job = asked(hosts[0])
    assert set(by_job) == {"p4d", "g5", "m5", "trn"}  # the ended job is not asked: nothing of it is shown
    assert by_job["p4d"] == {(f"algo-{i}", m) for i in (1, 2) for m in (GPU, CPU)}
    assert by_job["m5"] == {("algo-1", CPU)} and len(by_job["trn"]) == 128  # no GPUs: CPU alone
    assert poller.calls == calls + 2
    # A minute later every series goes on from its newest point: one call for all of them.
    clock.set(NOW + timedelta(minutes=1))
    await poller.poll_metrics()
    (hosts, training, start, _end) = source.rounds[-1]
    # (the ended job's last training points came in the first round)
    assert len(source.rounds) == 3 and len(training) == 4 and len(hosts) == 4 + 2 + 1 + 128
    assert near(start, NOW - timedelta(minutes=1)) and poller.calls == calls + 3


async def test_the_selected_job_gets_every_metric_over_the_last_hour_and_its_type_decides_which():
    poller, source, clock = await started(selected="p4d")
    await poller.poll_metrics()
    hosts = source.rounds[-1]
    assert hosts[2] == NOW - HOST_WINDOW - SECOND
    assert asked(hosts[0])["p4d"] == {(f"algo-{i}", m) for i in (1, 2) for m in HOST_METRICS}
    # The 128 Trainium instances publish no GPU metrics: 384 series, not 640. Its last hour is a call of its own;
    # the others' minute, training metrics and host figures, is the other.
    clock.set(NOW + timedelta(minutes=1))
    poller.select("trn")
    before = len(source.rounds)
    await poller.poll_metrics()
    (hosts, training, start, _end), (others, others_training, others_start, _) = sorted(
        source.rounds[before:], key=lambda call: call[2]
    )
    assert len(source.rounds) == before + 2
    assert asked(hosts) == {"trn": {(f"algo-{i}", m) for i in range(1, 129) for m in (CPU, MEMORY, DISK)}}
    assert len(hosts) == 384 and not training
    assert near(start, NOW + timedelta(minutes=1) - HOST_WINDOW)  # its last hour, once
    assert len(others) == 2 * 2 + 2 + 1 and len(others_training) == 4
    assert others_start >= NOW - timedelta(minutes=2)  # from the newest points held
    clock.set(NOW + timedelta(minutes=2))
    await poller.poll_metrics()
    (hosts, training, start, _end) = source.rounds[-1]
    assert len(hosts) == 384 + 2 * 2 + 2 + 1 and len(training) == 4  # one call again
    assert near(start, NOW + timedelta(minutes=1) - timedelta(minutes=1))


async def test_an_ended_job_selected_has_its_hosts_last_hour_fetched_once():
    poller, source, clock = await started()
    await poller.poll_metrics()
    poller.select("done")
    clock.set(NOW + timedelta(minutes=1))
    await poller.poll_metrics()
    ended = [r for r in source.rounds if any(q.job == "done" for q in r[0])]
    assert len(ended) == 1
    hosts, training, start, end = ended[0]
    assert training == [] and {q.metric for q in hosts} == set(HOST_METRICS)
    assert (start, end) == (NOW - timedelta(minutes=30) - HOST_WINDOW, NOW - timedelta(minutes=29))
    clock.set(NOW + timedelta(minutes=2))
    await poller.poll_metrics()
    assert not any(q.job == "done" for q in source.rounds[-1][0])


async def test_a_round_over_500_series_is_two_calls_in_the_count_and_the_budget():
    jobs = {"p4d-128": ("InProgress", "ml.p4d.24xlarge", 128)}
    poller, source, clock = await started(jobs, selected="p4d-128")
    calls = poller.calls
    await poller.poll_metrics()
    # Its training series reach back two hours, its hosts one: a call for the one, 640 series (two calls) for the other.
    assert [len(r[0]) + len(r[1]) for r in source.rounds] == [1, 640]
    assert poller.calls == calls + 3


class SilentSource(RecordingSource):
    """As :class:`RecordingSource`, but the ``quiet`` job's series (training and hosts) have no points yet."""

    async def get_metric_data(self, queries, start, end, period=60):
        answer = await super().get_metric_data(queries, start, end, period)
        return {q: [] if q.job == "quiet" else points for q, points in answer.items()}


async def test_a_series_with_no_points_does_not_stretch_every_later_window_back_to_its_start():
    # A job still downloading has no training points, and hosts may publish nothing yet: asked once, each is
    # asked again from PUBLISH_LAG before the last window's end, not from the job's start hours ago, which would
    # bring every other series' known points back in every call.
    from smtui.aws.metric_windows import PUBLISH_LAG

    jobs = {"quiet": ("InProgress", "ml.g5.2xlarge", 1), "busy": ("InProgress", "ml.g5.2xlarge", 1)}
    clock = FrozenClock(NOW)
    source = SilentSource(jobs, clock)
    poller = Poller(source, list(jobs), lambda event: None, clock=clock, max_rps=None)
    for name in jobs:
        await poller.poll_job(name)
    await poller.poll_metrics()
    assert min(r[2] for r in source.rounds) <= NOW - timedelta(hours=2)  # the first round: from the start
    for minutes in range(1, 6):
        clock.set(NOW + timedelta(minutes=minutes))
        before = len(source.rounds)
        await poller.poll_metrics()
        this_round = source.rounds[before:]
        assert len(this_round) == 1  # training and host series share one call again
        hosts, training, start, _end = this_round[0]
        assert {q.job for q in training} == {q.job for q in hosts} == {"quiet", "busy"}
        previous_end = NOW + timedelta(minutes=minutes - 1) + SECOND
        assert near(start, previous_end - PUBLISH_LAG)


async def test_with_the_rows_in_view_named_only_their_hosts_and_the_selected_jobs_are_asked():
    poller, source, clock = await started(selected="p4d")
    poller.show_hosts(["g5"])  # the rows in view: g5 (the selected job's hosts come whatever the view)
    await poller.poll_metrics()
    hosts = [query for round_ in source.rounds for query in round_[0]]
    assert {query.job for query in hosts} == {"p4d", "g5"}
    # Back in view after long, a row's hosts are asked for the list's window at most, not since its last point.
    poller.select(None)
    assert poller.show_hosts(["m5", "trn", "g5"]) == ["m5", "trn"]  # those newly in view
    assert poller.show_hosts(["m5", "trn"]) == []
    clock.set(NOW + timedelta(hours=2))
    before = len(source.rounds)
    await poller.poll_metrics()
    (hosts, _training, start, _end) = next(round_ for round_ in source.rounds[before:] if round_[0])
    assert {query.job for query in hosts} == {"m5", "trn"}
    assert start >= NOW + timedelta(hours=2) - LIST_WINDOW - 2 * SECOND
    # A list sorted by utilisation needs every running job's figures: None asks them all.
    assert poller.show_hosts(None) == []
    clock.set(NOW + timedelta(hours=2, minutes=1))
    await poller.poll_metrics()
    assert {query.job for query in next(r for r in reversed(source.rounds) if r[0])[0]} == {"p4d", "g5", "m5", "trn"}


class LateSource(RecordingSource):
    """CloudWatch as it is: each series' points a minute and a half late, one a minute until the job ended at NOW."""

    async def describe_training_job(self, name: str) -> dict:
        response = await super().describe_training_job(name)
        if "TrainingEndTime" in response:
            response["TrainingEndTime"] = NOW
        return response

    async def get_metric_data(self, queries, start, end, period=60):
        self.rounds.append(([q for q in queries if q.host], [q for q in queries if not q.host], start, end))
        until = min(self.clock.now() - timedelta(seconds=90), NOW)
        minutes = [NOW - timedelta(minutes=m) for m in range(60, -1, -1)]
        return {q: [(t, 1.0) for t in minutes if start <= t <= until] for q in queries}


async def test_a_job_that_just_ended_is_asked_for_its_metrics_until_the_last_ones_are_in():
    # Its last points reach CloudWatch after it ended: a round just after the end does not have them yet.
    clock = FrozenClock(NOW + timedelta(seconds=10))
    source = LateSource({"ending": ("Completed", "ml.g5.2xlarge", 1)}, clock)
    poller = Poller(source, ["ending"], lambda event: None, clock=clock, max_rps=None)
    poller.select("ending")
    await poller.poll_job("ending")
    for minutes in (0, 1, 2, 3, 4, 5):
        clock.set(NOW + timedelta(seconds=10) + timedelta(minutes=minutes))
        await poller.poll_metrics()
    loss = poller.store.get("ending").points("train:loss")
    assert loss and loss[-1].timestamp == NOW  # the final point, which came a minute and a half late
    assert poller.store.get("ending").hosts["algo-1"]["GPUUtilization"][-1].timestamp == NOW
    # Once PUBLISH_LAG has passed since the end, nothing more is asked for it.
    asked_before = len(source.rounds)
    clock.set(NOW + timedelta(minutes=10))
    await poller.poll_metrics()
    assert len(source.rounds) == asked_before
