"""What the main screen's chart keys do: open the metrics view (m) and choose the list's metric (M).

:class:`ChartActions` is mixed into :class:`~smtui.ui.watch.WatchScreen`. Marks
live in the job list's row model (Space and * set them there); the metrics
view gets the marked jobs, or the selected one, and the store's view.
"""

from __future__ import annotations

from collections import Counter

from smtui.ui.chart_data import job_metrics, reported_metrics
from smtui.ui.metric_picker import DEFAULT_CHOICE, MetricPicker
from smtui.ui.metrics_screen import MetricsScreen
from smtui.ui.widgets.job_list import JobList


class ChartActions:
    """The screen's chart keys. Expects ``selected``, ``jobs`` (the store's view), ``tuning`` and
    ``_update_jobs_title`` on the screen."""

    def action_metrics(self) -> None:
        rows = self.query_one(JobList).rows
        marked = [name for name in self.jobs.names if name in rows.marked]
        names = marked if len(marked) > 1 else [self.selected] if self.selected is not None else []
        if names:
            self.app.push_screen(
                MetricsScreen(
                    names, self.jobs, history=self.app.metric_history, tuning=self.tuning, metric=rows.metric_choice
                )
            )

    def on_job_list_marked(self) -> None:
        self._update_jobs_title()

    def action_choose_metric(self) -> None:
        rows = self.query_one(JobList).rows
        counts = Counter(m for state in self.jobs.states.values() for m in job_metrics(state))
        objective = self.tuning.objective if self.tuning is not None else None
        default = f"the tuning objective ({objective.metric})" if objective else "each job's first metric"
        self.app.push_screen(
            MetricPicker(
                "Metric column",
                [(m, counts[m]) for m in reported_metrics(self.jobs)],
                current=rows.metric_choice or DEFAULT_CHOICE,
                default=default,
            ),
            self._metric_chosen,
        )

    def _metric_chosen(self, chosen: str | None) -> None:
        if chosen is None:
            return  # cancelled
        self.query_one(JobList).set_metric(chosen or None)
        self._update_jobs_title()
