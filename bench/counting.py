"""A simulator that counts the calls made of each operation, for the benchmarks that report calls a minute."""

from __future__ import annotations

import collections
import threading

from smtui.sim import Simulator


class CountingSimulator(Simulator):
    """The simulator, counting DescribeTrainingJob and GetMetricData calls; subclasses count more operations."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.counts: collections.Counter[str] = collections.Counter()
        self._count_lock = threading.Lock()

    def _count(self, operation: str, n: int = 1) -> None:
        with self._count_lock:
            self.counts[operation] += n

    def snapshot(self) -> collections.Counter[str]:
        with self._count_lock:
            return collections.Counter(self.counts)

    def describe_training_job(self, params: dict) -> dict:
        self._count("DescribeTrainingJob")
        return super().describe_training_job(params)

    def get_metric_data(self, params: dict) -> dict:
        self._count("GetMetricData")
        return super().get_metric_data(params)
