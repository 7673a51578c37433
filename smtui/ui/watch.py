"""The main screen: the list of jobs, the selected job's timeline and metrics, and its details."""

from __future__ import annotations

import asyncio
from datetime import datetime

from rich.text import Text
from textual import messages, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from smtui.aws.discovery import TuningState
from smtui.aws.errors import PollError
from smtui.aws.store import JobsView
from smtui.ui.actions import JobActions
from smtui.ui.chart_actions import ChartActions
from smtui.ui.metrics_screen import MetricsScreen
from smtui.ui.poll_news import PollNews
from smtui.ui.selected import SelectedJobPanes
from smtui.ui.titles import jobs_title, title_line
from smtui.ui.widgets.detail import DetailPane
from smtui.ui.widgets.glance import HostPanel
from smtui.ui.widgets.job_list import JobList
from smtui.ui.widgets.metric_series import MetricSeries
from smtui.ui.widgets.timeline import Timeline

#: Below this width the timeline and details stack instead of sitting side by side.
NARROW_WIDTH = 100
#: Seconds the details wait after a change of selection, so the frame answering the key goes out first.
DETAIL_DELAY = 0.03
#: Below this height the timeline is hidden and the panes lose their borders.
SHORT_HEIGHT = 20
PANES = Binding.Group("next / previous pane")


class WatchScreen(PollNews, JobActions, ChartActions, SelectedJobPanes, Screen):
    """The main screen. It owns the selected job and the clock tick, and hands both down.

    What it knows of the jobs is the newest :class:`~smtui.aws.store.JobsView`
    the poller's messages (or the app, for a change the user made) brought.
    :attr:`loaded` is set once the first round of answers is on the screen.
    """

    # Not repainting: a change to a screen's own reactive would redraw the whole screen (every
    # second, for the clock); the widgets that show these values refresh themselves.
    selected: reactive[str | None] = reactive(None, repaint=False)
    now: reactive[datetime | None] = reactive(None, repaint=False)
    #: Whether values that look like secrets are shown.
    reveal_secrets: reactive[bool] = reactive(False, init=False, repaint=False)
    #: Seconds between two polls of a running job, as the request budget allows it.
    cadence: reactive[float] = reactive(0.0, init=False, repaint=False)

    BINDINGS = [
        Binding("l", "logs", "Logs", tooltip="logs of the selected job, every instance merged (Escape: back)"),
        Binding(
            "m",
            "metrics",
            "Charts",
            tooltip="the selected job's metrics as charts; with two or more jobs marked "
            "(Space), one metric of them all side by side",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="filter the jobs by name, status or stage (Enter keeps it, Escape clears)",
        ),
        Binding(
            "M",
            "choose_metric",
            "Metric",
            show=False,
            tooltip="the metric the Metric column shows for every job, from those the jobs report (and sorts by)",
        ),
        Binding(
            "o",
            "sort",
            "Sort",
            tooltip="sort the jobs: by name, status, elapsed time, metric (a tuning job's "
            "objective: best first), utilisation (idlest first), cost (highest "
            "first), then as given",
        ),
        Binding("escape", "clear_filter", "Clear filter", show=False, system=True),
        Binding("x", "stop_job", "Stop", tooltip="stop the selected job, after a confirmation (not with --read-only)"),
        Binding("a", "add_job", "Add", tooltip="watch another job, by name"),
        Binding(
            "d,delete",
            "remove_job",
            "Remove",
            show=False,
            tooltip="stop watching the selected job (the job itself goes on)",
        ),
        Binding(
            "c",
            "copy_arn",
            "Copy ARN",
            show=False,
            tooltip="send the job's ARN to the terminal's clipboard (OSC 52, over SSH too)",
        ),
        Binding(
            "u",
            "copy_url",
            "Copy console URL",
            show=False,
            tooltip="send the job's console URL to the terminal's clipboard (OSC 52)",
        ),
        Binding("r", "refresh_job", "Refresh", show=False, tooltip="poll the selected job now"),
        Binding(
            "s",
            "toggle_secrets",
            "Secrets",
            tooltip="show / hide values that look like secrets (tokens, passwords, keys)",
        ),
        Binding("tab", "app.focus_next", "Next pane", show=False, group=PANES),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False, group=PANES),
        Binding("question_mark", "app.help", "Help", tooltip="help: keys and what every status symbol means"),
        Binding("q", "app.quit", "Quit", tooltip="quit"),
    ]

    def __init__(
        self,
        view: JobsView,
        *,
        subtitle: str = "",
        interval: float = 30.0,
        max_rps: float | None = None,
        scope: str | None = None,
        places: str | None = None,
    ) -> None:
        super().__init__()
        #: The header of the column saying where each job is, when several regions or accounts are watched.
        self.places = places
        #: The newest view of the store this screen has seen.
        self.jobs = view
        #: What a listing looks for (``smtui watch --status InProgress``), or None for named jobs only.
        self.scope = scope
        #: The tuning job whose training jobs are listed, as last described.
        self.tuning: TuningState | None = None
        self._listing_error: PollError | None = None
        self.subtitle = subtitle
        self.interval = interval
        self.max_rps = max_rps
        self.set_reactive(WatchScreen.cadence, interval)
        self.banner: str | None = None
        self._title: Text | None = None
        self._metrics_error: PollError | None = None
        self._detail_pending = False
        #: Set once every job has had its first answer (or failure) and the screen shows it.
        self.loaded = asyncio.Event()

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
                yield Static("Instances", id="hosts-title", markup=False)
                yield HostPanel(id="hosts")
            detail = DetailPane(id="detail")
            detail.border_title = "Details"
            yield detail
        yield Input(
            id="job-filter", placeholder="/ filter jobs by name, status or stage · Enter keeps it · Escape clears"
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        jobs = self.query_one(JobList)
        self.now = self.app.clock.now()
        jobs.tick(self.now)
        jobs.set_places(self.places)
        jobs.show(self.jobs)
        jobs.focus()
        self.query_one("#job-filter", Input).cursor_blink = self.app.settings.cursor_blink
        self._update_title()
        self.set_interval(self.app.settings.tick, self._tick)

    def _tick(self) -> None:
        self.now = self.app.clock.now()

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")
        self.set_class(self.size.height < SHORT_HEIGHT, "-short")
        self._update_title()

    # -- the view of the store ---------------------------------------------------------

    def take_view(self, view: JobsView, changed: tuple[str, ...] | None = None) -> None:
        """Draw from ``view`` if it is newer than the one held; ``changed`` names the jobs whose state changed
        (None: any may have)."""
        if view.version > self.jobs.version:
            self.jobs = view
        self.query_one(JobList).show(self.jobs, changed)
        charts = self.app.screen
        if isinstance(charts, MetricsScreen):
            charts.take_view(self.jobs)

    # -- selection -----------------------------------------------------------------

    def select_job(self, name: str) -> None:
        """Move the list cursor to ``name`` (which selects it)."""
        self.query_one(JobList).select(name)

    def on_job_list_highlighted(self, message: JobList.Highlighted) -> None:
        self.selected = message.name
        self.app.follow_hosts(message.name)

    def on_job_list_in_view(self) -> None:
        self._want_described()

    def _want_described(self) -> None:
        """Ask for the jobs whose rows (or details) show more than a listing's summary: the selected one first."""
        wanted = [self.selected] if self.selected is not None else []
        jobs = self.query_one(JobList)
        self.app.want_described(wanted + jobs.in_view())
        # Host figures for the rows in view only, unless the list is sorted by them.
        self.app.show_hosts(None if jobs.sort_key == "util" else jobs.in_view())

    def watch_selected(self, name: str | None) -> None:
        self._want_described()
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
        state = self.jobs.get(self.selected)
        if state is None or not state.is_terminal:
            # Only a live job's timeline moves with the clock; an ended one is not redrawn every second.
            self.query_one(Timeline).now = now
        self._show_detail()

    def show_banner(self, text: str) -> None:
        """A problem that concerns every job (credentials, endpoint): shown in the title bar."""
        self.banner = text
        self._update_title()

    def watch_cadence(self) -> None:
        if self.is_mounted:
            self._update_title()

    def _update_title(self) -> None:
        text = title_line(
            self.jobs,
            interval=self.interval,
            effective=self.cadence,
            max_rps=self.max_rps,
            scope=self.scope,
            subtitle=self.subtitle,
            now=self.now,
            width=self.size.width - 2 if self.size.width else None,
            each=self.places is not None,
        )
        banner = self.query_one("#banner", Static)
        if banner.display != bool(self.banner) or (self.banner and str(banner.render()) != f"! {self.banner}"):
            banner.update(f"! {self.banner}" if self.banner else "")
            banner.display = bool(self.banner)
        if text != self._title:
            # One row whatever it says: repainting the bar alone, not laying the whole screen out again.
            self._title = text
            self.query_one("#title-bar", Static).update(text, layout=False)

    def _update_jobs_title(self) -> None:
        jobs = self.query_one(JobList)
        metric = "".join(c for c in jobs.rows.metric_choice or "" if c.isalnum() or c in "-_.:/ ") or None
        jobs.border_title = jobs_title(
            tuning=self.tuning,
            filter_text=jobs.filter_text,
            shown=jobs.row_count,
            total=len(self.jobs),
            sort_key=jobs.sort_key,
            marked=len(jobs.rows.marked),
            metric=metric,
        )

    # -- keys of the screen ----------------------------------------------------------

    def watch_reveal_secrets(self) -> None:
        self._show_detail()

    @on(Input.Changed, "#job-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(JobList).set_filter(event.value)
        self._update_jobs_title()

    @on(Input.Submitted, "#job-filter")
    def _filter_submitted(self) -> None:
        self.query_one("#job-filter", Input).display = False
        self.query_one(JobList).focus()

    def on_job_list_sorted(self) -> None:
        self._update_jobs_title()
