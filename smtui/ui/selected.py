"""What the main screen shows of the selected job: its timeline, metrics, tuned values and details."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from smtui.present.numbers import metric_value
from smtui.ui.fmt import safe
from smtui.ui.widgets.detail import DetailPane
from smtui.ui.widgets.glance import HostPanel
from smtui.ui.widgets.metric_series import MetricSeries
from smtui.ui.widgets.timeline import Timeline


class SelectedJobPanes:
    """Fills the panes below the list from the selected job's state. Mixed into
    :class:`~smtui.ui.watch.WatchScreen`; expects ``selected``, ``jobs`` (the store's view), ``now``, ``scope``,
    ``tuning`` and ``reveal_secrets`` on the screen."""

    #: The timeline pane's border title and subtitle as last set.
    _timeline_borders: tuple[str, str] | None = None

    def _show_selected(
        self, *, animate_from: int | None = None, fresh: frozenset[str] = frozenset(), detail: bool = True
    ) -> None:
        name = self.selected
        state = self.jobs.get(name)
        snapshot = state.snapshot if state is not None else None
        timeline = self.query_one(Timeline)
        if name is None and self.scope is not None:
            timeline.placeholder = (
                f"No job matches yet ({self.scope}). Jobs appear here as they are created; a adds one by name."
            )
        elif name is None:
            timeline.placeholder = "No job selected · a adds one by name"
        elif state is not None and state.error is not None:
            timeline.placeholder = "No data: the last poll failed (see Details)"
        elif snapshot is not None and snapshot.partial:
            timeline.placeholder = "Describing the job (the list shows what the listing said)…"
        else:
            timeline.placeholder = "Waiting for the first answer…"
        timeline.now = self.now
        # A listing's summary has no stages: the timeline waits for the job's description.
        timeline.show(
            None if snapshot is not None and snapshot.partial and not snapshot.transitions else snapshot,
            animate_from=animate_from,
        )
        borders = (
            f"Timeline · {name}" if name else "Timeline",
            f"stale: answer of {snapshot.fetched_at.astimezone():%H:%M:%S}" if state and state.stale else "",
        )
        if borders != self._timeline_borders:
            # Setting a border's text repaints the whole pane, even to the same text: only when it changed.
            self._timeline_borders = borders
            pane = self.query_one("#timeline-pane")
            pane.border_title, pane.border_subtitle = borders
        self._show_metrics(fresh)
        self._show_tuned()
        self._show_hosts()
        if detail:
            self._show_detail()

    def _show_metrics(self, fresh: frozenset[str] = frozenset()) -> None:
        state = self.jobs.get(self.selected)
        snapshot = state.snapshot if state is not None else None
        names = snapshot.metric_names if snapshot else ()
        series = {metric: state.points(metric) for metric in names} if state is not None else {}
        self.query_one(MetricSeries).show(names, series, snapshot.final_metrics if snapshot else {}, fresh)

    def _show_tuned(self) -> None:
        """Under a tuning job's training job's metrics: the values the tuner chose for it."""
        tuned = self.query_one("#tuned", Static)
        state = self.jobs.get(self.selected)
        chosen = state.snapshot.response.get("HyperParameters") if state and state.snapshot else None
        names = [n for n in self.tuning.parameters if n in chosen] if self.tuning and isinstance(chosen, dict) else []
        tuned.display = bool(names)
        if not names:
            return
        # Names are never cut: the column is as wide as the longest (a very long one wraps in the pane).
        width = max(len(safe(name, 1024)) for name in names)
        text = Text("Tuned hyperparameters", style="bold")
        for name in names:
            value = chosen[name]
            try:
                shown = metric_value(float(value))
            except (TypeError, ValueError):
                shown = safe(value, 60)
            text.append(f"\n{safe(name, 1024):<{width}}  ", style="dim").append(shown)
        tuned.update(text)

    def _show_hosts(self) -> None:
        """Under the metrics: the selected job's instances, a line per host (the spread for many)."""
        state = self.jobs.get(self.selected)
        shown = state is not None and state.snapshot is not None and (bool(state.hosts) or not state.is_terminal)
        for widget in (self.query_one("#hosts-title"), self.query_one(HostPanel)):
            widget.display = shown
        if shown:
            self.query_one(HostPanel).utilisation = state.utilisation() if state.hosts else None

    def _show_detail(self) -> None:
        if self.now is None:
            return
        state = self.jobs.get(self.selected)
        self.query_one(DetailPane).show(
            self.selected,
            state.snapshot if state else None,
            state.error if state else None,
            self.now,
            reveal=self.reveal_secrets,
            summary=state.summary(self.now) if state else None,
        )
