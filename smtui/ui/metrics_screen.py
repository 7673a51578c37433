"""The metrics view: every metric of a job as a chart, or one metric of several jobs side by side.

It opens with what the poller holds, fetches each job's whole history once
(:class:`~smtui.aws.history.MetricHistory`: one GetMetricData call per
opening, none for a job that had ended and was fetched before), and grows
with the poller's once-a-minute rounds, which it reads from the store's views
the main screen hands it: it makes no call of its own after that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Static

from smtui.aws.discovery import TuningState
from smtui.aws.errors import explain
from smtui.aws.history import MetricHistory
from smtui.aws.store import JobState, JobsView
from smtui.present.chart import ChartOptions
from smtui.present.chart_view import XWindow
from smtui.present.numbers import metric_value
from smtui.ui.chart_data import (
    ChartSpec,
    compare_chart,
    final_only,
    job_charts,
    job_metrics,
    objective_chart,
    reported_metrics,
)
from smtui.ui.chart_keys import ChartKeys
from smtui.ui.fmt import safe
from smtui.ui.once import DismissedOnce
from smtui.ui.widgets.line_chart import LineChart

#: The fewest rows a chart gets: below that, the charts scroll.
MIN_CHART = 10
ZOOM = Binding.Group("zoom in / out (time)")
PAN = Binding.Group("earlier / later")
SPAN_ENDS = Binding.Group("start / newest of the history")
SCROLL = Binding.Group("scroll the charts")


class MetricsScreen(ChartKeys, DismissedOnce, Screen[None]):
    """Charts of one job's metrics, or of one metric of several jobs (with ``names`` of two or more).

    Args:
        names: the jobs to chart.
        view: the store's view when the screen opens; :meth:`take_view` brings newer ones.
        history: fetches and keeps whole series (None: only what the poller holds).
        tuning: the tuning job whose training jobs are watched: its objective sets which way is better, and a
            comparison adds a chart of each training job's objective by launch order.
        metric: the metric a comparison shows first.
    """

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="back to the jobs"),
        Binding("t", "toggle_clock", "Time axis", tooltip="x axis: time since training started, or the wall clock"),
        Binding("L", "toggle_log", "Log", tooltip="log scale for the y axis (values above 0 only)"),
        Binding(
            "S",
            "smoothing",
            "Smooth",
            tooltip="smooth: an exponential moving average, stronger each press (0.6 to 0.99), then off",
        ),
        Binding("plus,equals_sign", "zoom_in", "Zoom", group=ZOOM),
        Binding("minus", "zoom_out", "Zoom out", show=False, group=ZOOM),
        Binding("left,h", "pan(-1)", "Earlier", show=False, group=PAN),
        Binding("right,l", "pan(1)", "Later", show=False, group=PAN),
        Binding("home", "to_start", "Start", show=False, group=SPAN_ENDS),
        Binding("end", "to_end", "Newest", show=False, group=SPAN_ENDS),
        Binding("0", "whole", "Whole history", show=False, tooltip="the whole history again (no zoom)"),
        Binding("M", "choose_metric", "Metric", tooltip="the metric a comparison shows"),
        Binding("tab", "next_metric(1)", "Next metric", show=False, tooltip="a comparison's next metric"),
        Binding(
            "shift+tab", "next_metric(-1)", "Previous metric", show=False, tooltip="a comparison's previous metric"
        ),
        Binding("down,j", "scroll(1)", "Down", show=False, group=SCROLL),
        Binding("up,k", "scroll(-1)", "Up", show=False, group=SCROLL),
        Binding("pagedown", "scroll(10)", "Page down", show=False, group=SCROLL),
        Binding("pageup", "scroll(-10)", "Page up", show=False, group=SCROLL),
        Binding("q", "app.quit", "Quit", tooltip="quit"),
    ]

    def __init__(
        self,
        names: Sequence[str],
        view: JobsView,
        *,
        history: MetricHistory | None = None,
        tuning: TuningState | None = None,
        metric: str | None = None,
    ) -> None:
        super().__init__()
        self.names = tuple(dict.fromkeys(names))
        self.jobs = view
        self.history = history
        self.tuning = tuning
        self.clock_axis = False
        self.log_scale = False
        self.smoothing = 0.0
        self.window = XWindow()
        self.metric = metric if metric else self._first_metric()
        #: Set while the history is being fetched; what went wrong the last time, if it did.
        self.fetching = False
        self.history_error: str | None = None
        self._fetched: set[str] = set()
        #: Set once the first fetch of the history has ended (or there was none to make) and its charts show.
        self.loaded = asyncio.Event()

    @property
    def comparing(self) -> bool:
        """Several jobs on one chart, rather than one job's metrics."""
        return len(self.names) > 1

    @property
    def objective(self):
        return self.tuning.objective if self.tuning is not None else None

    def compose(self) -> ComposeResult:
        yield Static(id="metrics-view-title", markup=False)
        yield Static(id="metrics-empty", markup=False)
        with VerticalScroll(id="charts", can_focus=False):
            yield Static(id="finals", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._redraw()
        self.fetch_history()

    def on_resize(self) -> None:
        self._size_charts()

    # -- data ---------------------------------------------------------------------------

    def take_view(self, view: JobsView) -> None:
        """A newer view of the store: redraw if one of the charted jobs changed."""
        if view.version <= self.jobs.version:
            return
        previous, self.jobs = self.jobs, view
        changed = [n for n in self._relevant() if previous.get(n) is not view.get(n)]
        if not changed:
            return
        if any(n not in self._fetched for n in changed):
            self.fetch_history()  # a job described for the first time: its history can be fetched now
        self._redraw()

    def _relevant(self) -> tuple[str, ...]:
        return self.jobs.names if self.comparing and self.tuning is not None else self.names

    def _states(self) -> list[JobState]:
        return [s for s in (self.jobs.get(n) for n in self.names) if s is not None]

    @work(exclusive=True, group="metric-history")
    async def fetch_history(self) -> None:
        """Fetch the whole history of the charted jobs that have been described (once for an ended job)."""
        snapshots = [s.snapshot for s in self._states() if s.snapshot is not None]
        if self.history is None or not snapshots or not self.history.needs(snapshots):
            self._fetched.update(s.name for s in snapshots)
            self.call_after_refresh(self.loaded.set)
            return
        self.fetching = True
        self._update_title()
        try:
            await self.history.fetch(snapshots)
        except Exception as exc:  # the poller's points still show; the title says what is missing
            self.history_error = explain(exc).message
        else:
            self.history_error = None
            self._fetched.update(s.name for s in snapshots)
        finally:
            self.fetching = False
        if self.is_attached:
            self._redraw()
            self.call_after_refresh(self.loaded.set)

    def _first_metric(self) -> str | None:
        objective = self.objective
        metrics = reported_metrics(self.jobs, self.names)
        if objective is not None and objective.metric in metrics:
            return objective.metric
        return metrics[0] if metrics else None

    # -- drawing ------------------------------------------------------------------------

    def _specs(self) -> list[ChartSpec]:
        if self.comparing:
            specs = []
            if self.metric is not None:
                specs.append(
                    compare_chart(
                        self._states(), self.metric, self.history, clock=self.clock_axis, objective=self.objective
                    )
                )
            if self.objective is not None:
                everyone = [s for s in (self.jobs.get(n) for n in self.jobs.names) if s is not None]
                specs.append(objective_chart(everyone, self.objective))
            return specs
        state = self.jobs.get(self.names[0]) if self.names else None
        if state is None:
            return []
        return job_charts(state, self.history, clock=self.clock_axis, objective=self.objective)

    def _redraw(self) -> None:
        try:
            box = self.query_one("#charts", VerticalScroll)
            finals = self.query_one("#finals", Static)
            empty = self.query_one("#metrics-empty", Static)
        except NoMatches:
            return  # the screen is closing (a fetch ended after Escape): its widgets are gone
        specs = self._specs()
        charts = list(self.query(LineChart))
        for extra in charts[len(specs) :]:
            extra.remove()
        new = [LineChart() for _ in specs[len(charts) :]]
        if new:
            box.mount_all(new, before=finals)
        charts = (charts + new)[: len(specs)]
        for chart, spec in zip(charts, specs):
            chart.show(spec.series, self._options(spec))
        self._show_finals(finals)
        has_points = any(s.points for spec in specs for s in spec.series)
        empty.display = not has_points and not (self.comparing and self.objective is not None and len(specs) > 1)
        if empty.display:
            empty.update(self._why_empty())
        self._size_charts(len(specs))
        self._update_title()

    def _options(self, spec: ChartSpec) -> ChartOptions:
        counting = spec.x_kind == "count"
        x_range = spec.x_range if counting else self.window.span(*spec.x_range)
        return ChartOptions(
            title=spec.title,
            x_kind=spec.x_kind,
            x_range=x_range,
            log=self.log_scale and not counting,
            smoothing=0.0 if counting else self.smoothing,
            marks="best" if self.comparing else "all",
        )

    def _show_finals(self, finals: Static) -> None:
        if self.comparing or not self.names:
            finals.display = False
            return
        state = self.jobs.get(self.names[0])
        only = final_only(state, self.history) if state is not None else []
        finals.display = bool(only)
        if only:
            finals.update(
                "Final values only (no CloudWatch points): "
                + " · ".join(f"{safe(m, 40)} {metric_value(v)}" for m, v in only)
            )

    def _size_charts(self, count: int | None = None) -> None:
        charts = list(self.query(LineChart))
        finals = list(self.query("#finals"))
        if not charts or not finals or not self.size.height:
            return
        available = self.size.height - 2 - (1 if finals[0].display else 0)
        if self.comparing and len(charts) == 2:
            first = max(MIN_CHART, available * 3 // 5)
            heights = [first, max(MIN_CHART, available - first)]
        else:
            heights = [max(MIN_CHART, available // len(charts))] * len(charts)
            if available // len(charts) >= MIN_CHART:
                heights[-1] += available - sum(heights)  # the rows left over go to the last chart
        for chart, height in zip(charts, heights):
            if chart.styles.height is None or chart.styles.height.value != height:
                chart.styles.height = height

    def _why_empty(self) -> str:
        states = self._states()
        if not states or all(s.snapshot is None for s in states):
            return "Waiting for the first answer…"
        if self.comparing:
            if self.metric is None:
                return "None of these jobs reports a metric yet."
            return f"No points of {self.metric} yet for these jobs. M chooses another metric."
        state = states[0]
        snapshot = state.snapshot
        assert snapshot is not None
        if not job_metrics(state):
            return (
                f"{state.name} defines no metrics: its algorithm has no MetricDefinitions and SageMaker reports "
                "no final metrics for it."
            )
        if self.fetching:
            return "Fetching the history from CloudWatch…"
        if snapshot.time("TrainingStartTime") is None and not snapshot.is_terminal:
            return f"{state.name} has not started training yet: its metrics appear once it does."
        return (
            "No points yet: SageMaker sends a job's metrics to CloudWatch about once a minute while it trains."
            if not snapshot.is_terminal
            else f"CloudWatch has no points of {state.name}'s metrics."
        )

    def _update_title(self) -> None:
        if not self.is_mounted:
            return
        parts = []
        if self.comparing:
            parts.append(f"Compare {len(self.names)} jobs · {self.metric or 'no metric'}")
        elif self.names:
            state = self.jobs.get(self.names[0])
            status = state.snapshot.status if state is not None and state.snapshot is not None else None
            parts.append(f"Metrics · {self.names[0]}" + (f" · {status}" if status else ""))
        parts.append("x: wall clock" if self.clock_axis else "x: time since training started")
        if self.smoothing:
            parts.append(f"smoothed: EMA {self.smoothing:g}")
        if self.log_scale:
            parts.append("log scale")
        if self.window.describe():
            parts.append(self.window.describe())
        if self.fetching:
            parts.append("fetching history…")
        elif self.history_error:
            parts.append(f"! history not fetched: {self.history_error}")
        for title in self.query("#metrics-view-title").results(Static):  # none while the screen closes
            title.update(" · ".join(parts), layout=False)  # one row: no layout
