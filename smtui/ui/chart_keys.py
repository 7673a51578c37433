"""What the metrics view's keys do: the clock, log and smoothing toggles, zoom, pan, scroll, the metric compared."""

from __future__ import annotations

from textual.containers import VerticalScroll

from smtui.present.chart_view import XWindow, next_smoothing
from smtui.ui.chart_data import job_metrics, reported_metrics
from smtui.ui.metric_picker import MetricPicker


class ChartKeys:
    """The metrics view's actions. Mixed into :class:`~smtui.ui.metrics_screen.MetricsScreen`; expects ``jobs``,
    ``names``, ``metric``, ``window``, ``clock_axis``, ``log_scale``, ``smoothing``, ``comparing``, ``_states``
    and ``_redraw`` on the screen."""

    def action_back(self) -> None:
        self.dismiss()

    def action_toggle_clock(self) -> None:
        self.clock_axis = not self.clock_axis
        self._redraw()

    def action_toggle_log(self) -> None:
        self.log_scale = not self.log_scale
        self._redraw()

    def action_smoothing(self) -> None:
        self.smoothing = next_smoothing(self.smoothing)
        self._redraw()

    def _set_window(self, window: XWindow) -> None:
        if window != self.window:
            self.window = window
            self._redraw()

    def action_zoom_in(self) -> None:
        self._set_window(self.window.zoom_in())

    def action_zoom_out(self) -> None:
        self._set_window(self.window.zoom_out())

    def action_pan(self, steps: int) -> None:
        self._set_window(self.window.pan(steps))

    def action_to_start(self) -> None:
        self._set_window(self.window.to_start())

    def action_to_end(self) -> None:
        self._set_window(self.window.to_end())

    def action_whole(self) -> None:
        self._set_window(XWindow())

    def action_scroll(self, rows: int) -> None:
        box = self.query_one("#charts", VerticalScroll)
        box.scroll_to(y=box.scroll_y + rows, animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("choose_metric", "next_metric"):
            return self.comparing
        return True

    def action_next_metric(self, step: int) -> None:
        metrics = reported_metrics(self.jobs, self.names)
        if not metrics:
            return
        index = metrics.index(self.metric) if self.metric in metrics else -step
        self._choose(metrics[(index + step) % len(metrics)])

    def action_choose_metric(self) -> None:
        counts = self._metric_counts()
        self.app.push_screen(
            MetricPicker("Metric to compare", counts, current=self.metric),
            lambda chosen: self._choose(chosen) if chosen else None,
        )

    def _metric_counts(self) -> list[tuple[str, int]]:
        metrics = reported_metrics(self.jobs, self.names)
        states = self._states()
        return [(m, sum(1 for s in states if m in job_metrics(s))) for m in metrics]

    def _choose(self, metric: str) -> None:
        if metric != self.metric:
            self.metric = metric
            self._redraw()
