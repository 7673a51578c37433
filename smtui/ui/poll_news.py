"""How the main screen takes what the poller and the listing bring: answers, failures, metrics, hosts, prices, jobs."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from smtui.aws.errors import AUTH, CONFIG, NOT_FOUND, PollError
from smtui.aws.snapshot import TERMINAL_STATUSES, MetricPointsAdded, StatusChanged, TransitionAdded
from smtui.ui.log_screen import LogScreen
from smtui.ui.messages import HostsUpdated, JobNews, JobsFound, ListingFailed, PollResults, PricesUpdated
from smtui.ui.widgets.job_list import JobList


class PollNews:
    """The main screen's handlers of the poller's and the finder's messages. Mixed into
    :class:`~smtui.ui.watch.WatchScreen`; expects ``jobs``, ``selected``, ``banner``, ``tuning``, ``loaded``,
    the panes' ``_show_*`` methods and ``take_view``, ``_want_described`` and the title updates on the screen."""

    def on_poll_results(self, message: PollResults) -> None:
        """Everything the poller learnt in a moment, drawn once."""
        self.take_view(message.view, tuple(message.changed))
        for news in message.news.values():
            self._job_news(news)
        if message.failed_last:
            self._poll_failed(message.failures)
        elif message.news:
            self.banner = None  # an answer came: whatever failed for every job works again
        if self.selected in message.failures and self.selected not in message.news:
            self._show_selected()
        if message.metrics is True:
            self._metrics_updated(message.points)
        elif isinstance(message.metrics, PollError):
            self._metrics_failed(message.metrics)
        if message.loaded:
            self._show_selected()
            # Set once this frame is drawn: everything the first round brought is on the screen then.
            self.call_after_refresh(self.loaded.set)
        self._update_title()

    def _job_news(self, news: JobNews) -> None:
        snapshot = news.snapshot
        if snapshot.name == self.selected:
            added = [e.index for e in news.events if isinstance(e, TransitionAdded)]
            # Stages present on the first answer are history, not news: only later ones animate.
            self._show_selected(animate_from=min(added) if added and not news.first else None)
        for event in news.events:
            if (
                isinstance(event, StatusChanged)
                and not news.first
                and event.old_status not in TERMINAL_STATUSES
                and event.new_status in TERMINAL_STATUSES
            ):
                self.app.job_ended(snapshot)
        logs = self.app.screen
        if isinstance(logs, LogScreen) and logs.job == snapshot.name:
            logs.set_snapshot(snapshot)

    def _poll_failed(self, failures: dict[str, PollError]) -> None:
        error = next(reversed(failures.values()))
        kind = error.kind
        # Jobs that have ended are not polled any more: "every job fails" means every job still polled.
        if kind in (CONFIG, AUTH) or (kind != NOT_FOUND and self.jobs.all_polled_failing(kind)):
            # Credentials, configuration, or one failure that every job meets (the endpoint is gone):
            # say it once, up top.
            self.banner = error.message

    def _metrics_updated(self, points: list[MetricPointsAdded]) -> None:
        self._metrics_title(None)
        # Points of the first round are history; a point that extends a known series is news.
        state = self.jobs.get(self.selected)
        if state is None or not any(event.job == self.selected for event in points):
            return
        arrived: dict[str, int] = {}
        for event in points:
            if event.job == self.selected:
                arrived[event.metric] = arrived.get(event.metric, 0) + len(event.points)
        self._show_metrics(frozenset(metric for metric, count in arrived.items() if len(state.points(metric)) > count))

    def on_hosts_updated(self, message: HostsUpdated) -> None:
        self.take_view(message.view, message.jobs)
        if self.selected in message.jobs:
            self._show_hosts()

    def on_prices_updated(self, message: PricesUpdated) -> None:
        self.take_view(message.view, message.jobs)
        if self.selected in message.jobs:
            self._show_detail()
        self._update_title()

    def _metrics_failed(self, error: PollError) -> None:
        if self._metrics_error is None or self._metrics_error.kind != error.kind:
            # A toast when metrics start failing (or fail differently); the heading keeps saying it after.
            self.notify(f"Metrics: {error.message}", severity="warning", timeout=8, markup=False)
        self._metrics_title(error)

    def _metrics_title(self, error: PollError | None) -> None:
        if error == self._metrics_error:
            return
        self._metrics_error = error
        title = self.query_one("#metrics-title", Static)
        if error is None:
            title.update("Metrics")
        else:
            since = f" since {error.since.astimezone():%H:%M:%S}" if error.since else ""
            title.update(Text.assemble("Metrics  ", (f"! not updating{since}: {error.message}", "bold")))
        title.set_class(error is not None, "-stale")

    def on_jobs_found(self, message: JobsFound) -> None:
        self.take_view(message.view, message.changed)
        self._want_described()  # new rows in view, or a summary saying a description is out of date
        new = list(message.names)
        if new and not message.first:
            shown = ", ".join(new[:2]) + (f" and {len(new) - 2} more" if len(new) > 2 else "")
            self.notify(f"New job{'s' if len(new) > 1 else ''}: {shown}", timeout=6, markup=False)
        if message.truncated and message.first and message.done:
            self.notify(
                f"Showing the newest {message.listed} matching jobs: narrow the listing with --since, "
                "--status or --name-contains",
                severity="warning",
                timeout=12,
                markup=False,
            )
        previous, self.tuning = self.tuning, message.tuning
        if self.tuning is not None and previous is None:
            self._show_tuned()
        if self.tuning is not None:
            self.query_one(JobList).set_objective(self.tuning.objective, self.tuning.best_job)
            if previous is not None and not previous.ended and self.tuning.ended:
                best = f": best {self.tuning.best_job}" if self.tuning.best_job else ""
                self.notify(
                    f"Tuning job {self.tuning.name} {self.tuning.status}{best}",
                    title="Tuning job ended",
                    timeout=10,
                    markup=False,
                )
        if self._listing_error is not None:
            self._listing_error = None
            if self.banner and self.banner.startswith("Listing jobs"):
                self.banner = None
        self._update_jobs_title()
        self._update_title()
        if not self.jobs.names:
            self._show_selected()

    def on_listing_failed(self, message: ListingFailed) -> None:
        error = message.error
        if self._listing_error is None or self._listing_error.kind != error.kind:
            if self.jobs.names:
                self.notify(f"Listing jobs: {error.message}", severity="warning", timeout=8, markup=False)
            else:
                self.banner = f"Listing jobs: {error.message}"
        self._listing_error = error
        self._update_title()
