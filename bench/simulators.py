"""The simulator as the benchmark needs it: counting the calls smtui makes, and changing a job on cue."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

from smtui.sim import Simulator
from smtui.sim.operations import HANDLERS


class BenchSimulator(Simulator):
    """The simulator, counting each operation's calls, with secondary statuses the benchmark sets on cue.

    :meth:`change` gives a job a new secondary status from a moment on, as
    SageMaker would: a new stage in its transitions, a new LastModifiedTime,
    in DescribeTrainingJob and in ListTrainingJobs alike.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: Calls answered, by operation.
        self.calls: Counter[str] = Counter()
        #: The jobs DescribeTrainingJob answered for, once or more.
        self.described: set[str] = set()
        self._changes: dict[str, tuple[datetime, str]] = {}
        self._changes_lock = threading.Lock()

    def change(self, name: str, secondary: str, at: datetime | None = None) -> datetime:
        """From ``at`` (default: now) on, ``name`` is in stage ``secondary``; returns ``at``."""
        at = at or self.clock.now()
        with self._changes_lock:
            self._changes[name] = (at, secondary)
        return at

    def _changed(self, response: dict, *, full: bool) -> dict:
        with self._changes_lock:
            change = self._changes.get(response.get("TrainingJobName", ""))
        if change is None or self.clock.now() < change[0]:
            return response
        at, secondary = change
        response = {**response, "SecondaryStatus": secondary, "LastModifiedTime": at}
        if full:
            stages = [dict(stage) for stage in response.get("SecondaryStatusTransitions", ())]
            if stages and "EndTime" not in stages[-1]:
                stages[-1]["EndTime"] = at
            stages.append({"Status": secondary, "StartTime": at, "StatusMessage": "set by the benchmark"})
            response["SecondaryStatusTransitions"] = stages
        return response

    def describe_training_job(self, params: dict) -> dict:
        answer = self._changed(super().describe_training_job(params), full=True)
        self.described.add(answer["TrainingJobName"])
        return answer

    def running_names(self) -> set[str]:
        """The jobs in progress now (asked of the simulator directly: not counted as calls)."""
        names: set[str] = set()
        params: dict = {"StatusEquals": "InProgress", "MaxResults": 100}
        while True:
            page = Simulator.list_training_jobs(self, params)
            names.update(summary["TrainingJobName"] for summary in page["TrainingJobSummaries"])
            if not page.get("NextToken"):
                return names
            params = {**params, "NextToken": page["NextToken"]}

    def list_training_jobs(self, params: dict) -> dict:
        page = super().list_training_jobs(params)
        return {**page, "TrainingJobSummaries": [self._changed(s, full=False) for s in page["TrainingJobSummaries"]]}


def _counted(operation: str, method: str):
    answer = getattr(BenchSimulator, method)

    def counted(self: BenchSimulator, params: dict) -> dict:
        self.calls[operation] += 1
        return answer(self, params)

    counted.__name__ = method
    return counted


for (_service, _operation), _method in HANDLERS.items():
    setattr(BenchSimulator, _method, _counted(_operation, _method))
