"""The main screen: the list of jobs, the selected job's timeline and metrics, and its details."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial

from rich.text import Text
from textual import messages, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from smtui.aws.discovery import TuningState
from smtui.aws.errors import AUTH, CONFIG, NOT_FOUND, PollError
from smtui.aws.snapshot import JobSnapshot, TransitionAdded
from smtui.present.durations import interval_text
from smtui.ui.actions import JobActions
from smtui.ui.fmt import metric_value, safe
from smtui.ui.log_screen import LogScreen
from smtui.ui.messages import JobsFound, JobUpdated, ListingFailed, MetricsUpdated, PollFailed
from smtui.ui.messages import MetricsFailed as MetricsFailedMessage
from smtui.ui.widgets.detail import DetailPane
from smtui.ui.widgets.job_list import COLUMN_SORTS, JobList
from smtui.ui.widgets.metric_series import MetricSeries
from smtui.ui.widgets.timeline import Timeline

#: Below this width the timeline and details stack instead of sitting side by side.
NARROW_WIDTH = 100
#: Seconds the details wait after a change of selection, so the frame answering the key goes out first.
DETAIL_DELAY = 0.03
#: Below this height the timeline is hidden and the panes lose their borders.
SHORT_HEIGHT = 20


class JobCommands(Provider):
    """Command palette entries: jump to any watched job."""

    async def discover(self) -> Hits:
        screen = self.app.watch_screen
        for name in screen.names:
            yield DiscoveryHit(f"Go to {name}", partial(screen.select_job, name), help="Select this job")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        screen = self.app.watch_screen
        for name in screen.names:
            command = f"Go to {name}"
            score = matcher.match(command)
            if score > 0:
                yield Hit(score, matcher.highlight(command), partial(screen.select_job, name), help="Select this job")


class WatchScreen(JobActions, Screen):
    """The main screen. It owns the selected job and the clock tick, and hands both down."""

    # Not repainting: a change to a screen's own reactive would redraw the whole screen (every
    # second, for the clock); the widgets that show these values refresh themselves.
    selected: reactive[str | None] = reactive(None, repaint=False)
    now: reactive[datetime | None] = reactive(None, repaint=False)
    #: Whether values that look like secrets are shown.
    reveal_secrets: reactive[bool] = reactive(False, init=False, repaint=False)

    BINDINGS = [
        Binding("l", "logs", "Logs"),
        Binding("slash", "filter", "Filter"),
        Binding("o", "sort", "Sort"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("x", "stop_job", "Stop"),
        Binding("a", "add_job", "Add"),
        Binding("d,delete", "remove_job", "Remove", show=False),
        Binding("c", "copy_arn", "Copy ARN", show=False),
        Binding("u", "copy_url", "Copy console URL", show=False),
        Binding("r", "refresh_job", "Refresh", show=False),
        Binding("s", "toggle_secrets", "Secrets"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, names: Sequence[str], *, subtitle: str = "", interval: float = 30.0,
                 scope: str | None = None) -> None:
        super().__init__()
        self.names = list(names)
        #: What a listing looks for (``smtui watch --status InProgress``), or None for named jobs only.
        self.scope = scope
        #: The tuning job whose training jobs are listed, as last described.
        self.tuning: TuningState | None = None
        self._listing_error: PollError | None = None
        self.subtitle = subtitle
        self.interval = interval
        self.snapshots: dict[str, JobSnapshot] = {}
        self.errors: dict[str, PollError] = {}
        self.banner: str | None = None
        self._title: Text | None = None
        self._metrics_error: PollError | None = None
        self._detail_pending = False

    def compose(self) -> ComposeResult:
        yield Static(id="title-bar", markup=False)
        yield Static(id="banner", markup=False)
        jobs = JobList(id="jobs")
        jobs.border_title = "Jobs"
        yield jobs
        with Horizontal(id="lower"):
            with VerticalScroll(id="timeline-pane", can_focus=True) as pane:
                pane.border_title = "Timeline"
                yield Timeline(id="timeline")
                yield Static("Metrics", id="metrics-title", markup=False)
                yield MetricSeries(id="metrics")
                yield Static(id="tuned", markup=False)
            detail = DetailPane(id="detail")
            detail.border_title = "Details"
            yield detail
        yield Input(id="job-filter", placeholder="/ filter jobs by name, status or stage · Enter keeps it · Escape clears")
        yield Footer()

    def on_mount(self) -> None:
        jobs = self.query_one(JobList)
        jobs.add_jobs(self.names)
        if self.names:
            self.selected = self.names[0]
        jobs.focus()
        self._update_title()
        self.now = self.app.clock.now()
        self.set_interval(self.app.tick_seconds, self._tick)

    def _tick(self) -> None:
        self.now = self.app.clock.now()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self.set_class(self.size.height < SHORT_HEIGHT, "-short")

    # -- selection -----------------------------------------------------------------

    def select_job(self, name: str) -> None:
        """Move the list cursor to ``name`` (which selects it)."""
        jobs = self.query_one(JobList)
        if name in jobs.rows:
            jobs.move_cursor(row=jobs.get_row_index(name))

    @on(DataTable.RowHighlighted, "#jobs")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.selected = event.row_key.value

    def watch_selected(self, name: str | None) -> None:
        # The cursor and the timeline answer the key at once; the details (the costliest pane to
        # draw) follow right after that frame, once however many keys were pressed meanwhile.
        self._show_selected(detail=False)
        # A timeline with more or fewer stages needs a new layout, and the pane's title changed.
        # Asked for here, both go out in the same frame as the cursor; left to the widgets, they
        # would reach the screen after that frame and wait for the next one or two.
        self.refresh(repaint=False, layout=True)
        self.post_message(messages.Update(self.query_one("#timeline-pane")))
        if not self._detail_pending:
            self._detail_pending = True
            self.set_timer(DETAIL_DELAY, self._deferred_detail)

    def _deferred_detail(self) -> None:
        self._detail_pending = False
        self._show_detail()

    def watch_now(self, now: datetime | None) -> None:
        if now is None:
            return
        self.query_one(JobList).tick(now)
        snapshot = self.snapshots.get(self.selected) if self.selected else None
        if snapshot is None or not snapshot.is_terminal:
            # Only a live job's timeline moves with the clock; an ended one is not redrawn every second.
            self.query_one(Timeline).now = now
        self._show_detail()

    def _show_selected(self, *, animate_from: int | None = None, fresh: frozenset[str] = frozenset(),
                       detail: bool = True) -> None:
        name = self.selected
        snapshot = self.snapshots.get(name) if name else None
        timeline = self.query_one(Timeline)
        if name is None and self.scope is not None:
            timeline.placeholder = (f"No job matches yet ({self.scope}). Jobs appear here as they are created; "
                                    "a adds one by name.")
        elif name is None:
            timeline.placeholder = "No job selected · a adds one by name"
        elif name in self.errors:
            timeline.placeholder = "No data: the last poll failed (see Details)"
        else:
            timeline.placeholder = "Waiting for the first answer…"
        timeline.now = self.now
        timeline.show(snapshot, animate_from=animate_from)
        pane = self.query_one("#timeline-pane")
        pane.border_title = f"Timeline · {name}" if name else "Timeline"
        error = self.errors.get(name) if name else None
        pane.border_subtitle = (
            f"stale: answer of {snapshot.fetched_at.astimezone():%H:%M:%S}" if error is not None and snapshot else ""
        )
        self._show_metrics(fresh)
        self._show_tuned()
        if detail:
            self._show_detail()

    def _show_metrics(self, fresh: frozenset[str] = frozenset()) -> None:
        name = self.selected
        snapshot = self.snapshots.get(name) if name else None
        names = snapshot.metric_names if snapshot else ()
        state = self.app.poller.store.get(name) if name else None
        series = {m: state.points(m) for m in names} if state else {}
        self.query_one(MetricSeries).show(names, series, snapshot.final_metrics if snapshot else {}, fresh)

    def _show_tuned(self) -> None:
        """Under a tuning job's training job's metrics: the values the tuner chose for it."""
        tuned = self.query_one("#tuned", Static)
        snapshot = self.snapshots.get(self.selected) if self.selected else None
        chosen = snapshot.response.get("HyperParameters") if snapshot is not None else None
        names = [n for n in self.tuning.parameters if n in chosen] if self.tuning and isinstance(chosen, dict) else []
        tuned.display = bool(names)
        if not names:
            return
        width = max(len(safe(name, 40)) for name in names)
        text = Text("Tuned hyperparameters", style="bold")
        for name in names:
            value = chosen[name]
            try:
                shown = metric_value(float(value))
            except (TypeError, ValueError):
                shown = safe(value, 60)
            text.append(f"\n{safe(name, 40):<{width}}  ", style="dim").append(shown)
        tuned.update(text)

    def _show_detail(self) -> None:
        name = self.selected
        if self.now is None:
            return
        self.query_one(DetailPane).show(name, self.snapshots.get(name) if name else None,
                                        self.errors.get(name) if name else None, self.now, reveal=self.reveal_secrets)

    # -- data from the poller ------------------------------------------------------

    def on_job_updated(self, message: JobUpdated) -> None:
        snapshot = message.snapshot
        previous = self.snapshots.get(snapshot.name)
        self.snapshots[snapshot.name] = snapshot
        had_error = self.errors.pop(snapshot.name, None) is not None
        self.banner = None
        now = self.now or snapshot.fetched_at
        self.query_one(JobList).update_job(snapshot.name, now, snapshot=snapshot, clear_error=had_error)
        if snapshot.name == self.selected:
            added = [e.index for e in message.events if isinstance(e, TransitionAdded)]
            # Stages present on the first answer are history, not news: only later ones animate.
            self._show_selected(animate_from=min(added) if added and previous is not None else None)
        if previous is not None and not previous.is_terminal and snapshot.is_terminal:
            self.app.job_ended(snapshot)
        logs = self.app.screen
        if isinstance(logs, LogScreen) and logs.job == snapshot.name:
            logs.set_snapshot(snapshot)
        self._update_title()

    def on_poll_failed(self, message: PollFailed) -> None:
        self.errors[message.name] = message.error
        # Jobs that have ended are not polled any more: "every job fails" means every job still polled.
        polled = [n for n in self.names if n not in self.snapshots or not self.snapshots[n].is_terminal]
        same = all(n in self.errors and self.errors[n].kind == message.error.kind for n in polled)
        if message.error.kind in (CONFIG, AUTH) or (same and bool(polled) and message.error.kind != NOT_FOUND):
            # Credentials, configuration, or one failure that every job meets (the endpoint is gone):
            # say it once, up top.
            self.banner = message.error.message
        self.query_one(JobList).update_job(message.name, self.now or message.error.since or datetime.now().astimezone(), error=message.error)
        if message.name == self.selected:
            self._show_selected()
        self._update_title()

    def on_metrics_updated(self, message: MetricsUpdated) -> None:
        self._metrics_title(None)
        jobs = self.query_one(JobList)
        fresh = set()
        for event in message.events:
            if event.points:
                jobs.update_metric(event.job, event.metric, event.points[-1].value, self.now or event.points[-1].timestamp)
            # Points of the first round are history; a point that extends a known series is news.
            state = self.app.poller.store.get(event.job)
            if event.job == self.selected and state and len(state.points(event.metric)) > len(event.points):
                fresh.add(event.metric)
        if any(event.job == self.selected for event in message.events):
            self._show_metrics(frozenset(fresh))

    def on_metrics_failed(self, message: MetricsFailedMessage) -> None:
        error = message.error
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
        new = self.watch_jobs(list(message.names), at_top=message.newest_first and not message.first)
        if new and not message.first:
            shown = ", ".join(new[:2]) + (f" and {len(new) - 2} more" if len(new) > 2 else "")
            self.notify(f"New job{'s' if len(new) > 1 else ''}: {shown}", timeout=6, markup=False)
        if message.truncated and message.first:
            self.notify(f"Showing the newest {len(new)} matching jobs: narrow the listing with --since, --status "
                        "or --name-contains", severity="warning", timeout=12, markup=False)
        previous, self.tuning = self.tuning, message.tuning
        if self.tuning is not None and previous is None:
            self._show_tuned()
        if self.tuning is not None:
            self.query_one(JobList).set_objective(self.tuning.objective, self.tuning.best_job, self.now)
            if previous is not None and not previous.ended and self.tuning.ended:
                best = f": best {self.tuning.best_job}" if self.tuning.best_job else ""
                self.notify(f"Tuning job {self.tuning.name} {self.tuning.status}{best}", title="Tuning job ended",
                            timeout=10, markup=False)
        if self._listing_error is not None:
            self._listing_error = None
            if self.banner and self.banner.startswith("Listing jobs"):
                self.banner = None
        self._update_jobs_title()
        self._update_title()
        if not self.names:
            self._show_selected()

    def on_listing_failed(self, message: ListingFailed) -> None:
        error = message.error
        if self._listing_error is None or self._listing_error.kind != error.kind:
            if self.names:
                self.notify(f"Listing jobs: {error.message}", severity="warning", timeout=8, markup=False)
            else:
                self.banner = f"Listing jobs: {error.message}"
        self._listing_error = error
        self._update_title()

    def show_banner(self, text: str) -> None:
        """A problem that concerns every job (credentials, endpoint): shown in the title bar."""
        self.banner = text
        self._update_title()

    def _update_title(self) -> None:
        counts: dict[str, int] = {}
        for name in self.names:
            snapshot = self.snapshots.get(name)
            status = snapshot.status if snapshot else None
            key = {"InProgress": "running", "Completed": "completed", "Failed": "failed", "Stopped": "stopped", "Stopping": "stopping"}.get(status or "", "waiting")
            counts[key] = counts.get(key, 0) + 1
        failing = sum(1 for name in self.names if name in self.errors)
        summary = ", ".join(f"{n} {k}" for k, n in counts.items() if k != "waiting" or n)
        text = Text.assemble(("smtui", "bold"), f"  {len(self.names)} job{'s' if len(self.names) != 1 else ''}: {summary}")
        if failing:
            text.append(f"  ! {failing} not updating", style="bold")
        poller = self.app.poller
        every = poller.effective_interval if poller is not None else self.interval
        if every > self.interval * 1.01:
            # The request budget stretched the polls: say so, with the budget that did it.
            cadence = f"every {interval_text(every)} ({poller.max_rps:g} req/s budget)"
        else:
            cadence = f"every {interval_text(self.interval)}"
        scope = f"  ·  {self.scope}" if self.scope else ""
        text.append(f"  ·  {cadence}{scope}  ·  {self.subtitle}", style="dim")
        banner = self.query_one("#banner", Static)
        if banner.display != bool(self.banner) or (self.banner and str(banner.render()) != f"! {self.banner}"):
            banner.update(f"! {self.banner}" if self.banner else "")
            banner.display = bool(self.banner)
        if text != self._title:
            # Static.update re-lays the screen out: only when the words change.
            self._title = text
            self.query_one("#title-bar", Static).update(text)

    def watch_reveal_secrets(self) -> None:
        self._show_detail()

    def action_toggle_secrets(self) -> None:
        self.reveal_secrets = not self.reveal_secrets
        self.notify("Secrets shown: s hides them again" if self.reveal_secrets else "Secrets hidden", timeout=3,
                    markup=False)

    def action_logs(self) -> None:
        if self.selected is None:
            return
        app = self.app
        self.app.push_screen(LogScreen(self.selected, app.source, snapshot=self.snapshots.get(self.selected),
                                       capacity=app.log_lines, interval=app.log_interval))

    def action_filter(self) -> None:
        box = self.query_one("#job-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#job-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(JobList).set_filter(event.value, self.now)
        self._update_jobs_title()

    def action_sort(self) -> None:
        self.query_one(JobList).cycle_sort(self.now)
        self._update_jobs_title()

    @on(DataTable.HeaderSelected, "#jobs")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        # A click on a column's header sorts by that column; a second click goes back to the order given.
        jobs = self.query_one(JobList)
        key = COLUMN_SORTS.get(str(event.column_key.value), "given")
        jobs.sort_by("given" if key == jobs.sort_key else key, self.now)
        self._update_jobs_title()

    def _update_jobs_title(self) -> None:
        jobs = self.query_one(JobList)
        title = "Jobs"
        tuning = self.tuning
        if tuning is not None:
            launched = f" {tuning.launched} of {tuning.max_jobs} launched" if tuning.max_jobs else ""
            title += f" · {tuning.name} {tuning.status}{launched}"
            if tuning.best_value is not None and tuning.objective is not None:
                title += f" · best {metric_value(tuning.best_value)}"
        if jobs.filter_text:
            # Border titles are markup: the filter is shown with only the characters a job name or status has.
            text = "".join(c for c in jobs.filter_text if c.isalnum() or c in "-_.: ")
            title += f" · “{text}” {jobs.row_count} of {len(self.names)}"
        if jobs.sort_key != "given":
            title += f" · by {jobs.sort_key}"
        jobs.border_title = title

    @on(Input.Submitted, "#job-filter")
    def _filter_submitted(self) -> None:
        self.query_one("#job-filter", Input).display = False
        self.query_one(JobList).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#job-filter", Input)
        if box.value:
            box.value = ""  # Input.Changed shows every job again
        box.display = False
        self.query_one(JobList).focus()
