"""The logs screen: one job's CloudWatch Logs, every instance merged, followed live."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Input, Static

from smtui.aws.calls import LogsSource
from smtui.aws.log_tail import DEFAULT_CAPACITY, RATES, LogBuffer, LogTail, operation_budget, training_started
from smtui.aws.snapshot import JobSnapshot
from smtui.present.log_export import file_name, save_lines
from smtui.present.log_match import LineFilter, PatternError, compile_pattern, find_host, host_order, next_host
from smtui.ui.widgets.log_view import LogView

#: Seconds between two reads of the streams while the screen is open.
LOG_INTERVAL = 5.0
#: CloudWatch Logs requests a second the screen may make, by operation (within the service's quotas).
LOG_RATES = RATES
HITS = Binding.Group("next / previous search hit")
ENDS = Binding.Group("top / end (the end follows the newest lines again)")


class LogScreen(Screen[None]):
    """Tails ``job``'s log streams while open; Escape goes back to the jobs.

    Args:
        job: the training job (its id in the app, with its place when several are watched).
        source: the app's open AWS source (its CloudWatch Logs calls), of the job's place.
        snapshot: the job's latest answer, to say why there are no logs yet.
        capacity: lines kept; older ones are dropped.
        interval: seconds between two reads.
    """

    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="back to the jobs (or out of the search box)"),
        Binding("f", "toggle_follow", "Follow", tooltip="follow the newest lines, or pause"),
        Binding("w", "toggle_wrap", "Wrap", tooltip="wrap long lines"),
        Binding("t", "toggle_timestamps", "Times", tooltip="show each line's time"),
        Binding("slash", "search", "Search", tooltip="search the loaded lines (Enter keeps it, Escape clears it)"),
        Binding("n", "next_match", "Next", show=False, group=HITS),
        Binding("N", "previous_match", "Previous", show=False, group=HITS),
        Binding("r", "reread", "Reread", show=False, tooltip="read the streams now"),
        Binding("s", "toggle_secrets", "Secrets", tooltip="show or hide the secrets in the lines"),
        Binding(
            "ampersand",
            "narrow",
            "Only",
            tooltip="show only the lines that match a pattern, as less's & "
            "(a regular expression, case-insensitive unless it has a capital)",
        ),
        Binding("h", "next_host", "Host", tooltip="show one host's lines, the next host, then all of them"),
        Binding("H", "pick_host", "Pick host", show=False, tooltip="show one host's lines, by its name or number"),
        Binding("e", "save", "Save", tooltip="save the loaded lines, as narrowed, to a file"),
        Binding("g,home", "top", "Top", show=False, group=ENDS),
        Binding("G,end", "bottom", "End", show=False, group=ENDS),
        Binding("q", "app.quit", "Quit", tooltip="quit"),
    ]

    def __init__(
        self,
        job: str,
        source: LogsSource,
        *,
        snapshot: JobSnapshot | None = None,
        capacity: int = DEFAULT_CAPACITY,
        interval: float = LOG_INTERVAL,
        name: str | None = None,
    ) -> None:
        super().__init__()
        self.job = job
        self.snapshot = snapshot
        self.interval = interval
        # The streams are named after the job's name in its place (``name``; by default the job itself).
        self.tail = LogTail(source, name or job, capacity=capacity, budget=operation_budget(LOG_RATES))
        self.tail.set_job(snapshot.response if snapshot is not None else None)
        self._wake = asyncio.Event()
        self._shown_version = -1
        #: Lines ever added when following paused, to count what arrived since.
        self._paused_at: int | None = None
        #: Escape took the screen away: a read that finishes after that draws nothing.
        self._left = False

    def compose(self) -> ComposeResult:
        yield Static(id="logs-title", markup=False)
        yield Static(id="logs-empty", markup=False)
        yield LogView(id="log")
        yield Input(
            id="log-search",
            placeholder="/ search the loaded lines · Enter keeps it (n N: next, previous hit) · Escape clears",
        )
        yield Input(id="log-filter", placeholder="& only lines matching a pattern · Enter shows them · empty: all")
        yield Input(id="log-host", placeholder="H host name or number (algo-3, 3) · Enter · empty: every host")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.tail.clock = self.app.clock  # the app's clock: frozen in tests, with the simulator's
        view = self.query_one(LogView)
        # Secrets are shown here when they are on the main screen: one switch for the whole app.
        view.reveal = bool(getattr(getattr(self.app, "watch_screen", None), "reveal_secrets", False))
        view.focus()
        for box in self.query(Input):
            box.cursor_blink = self.app.settings.cursor_blink
        self._update_view()
        self.follow_logs()

    @work(exclusive=True, group="logs")
    async def follow_logs(self) -> None:
        """Read every ``interval`` seconds while the screen is open, until the job has ended and its last
        lines were read (then only ``r`` reads again)."""
        while True:
            await self.tail.read_round(changed=self._update_view)
            self._update_view()
            self._wake.clear()
            if self.tail.done or self.tail.denied:
                await self._wake.wait()
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.tail.wait(self.interval))
            except asyncio.TimeoutError:
                pass

    def on_unmount(self) -> None:
        # Timers that the log calls left behind (kept-alive connections) hold on to the reading's context, and
        # through it to this screen, for a while after it closed: its lines go now, not then.
        self.workers.cancel_node(self)
        self.tail.buffer = LogBuffer(1)
        for view in self.query(LogView):  # gone already when the app itself is closing
            view.set_lines(())

    def set_snapshot(self, snapshot: JobSnapshot | None) -> None:
        """The job's latest answer (to say why there are no logs, and whether they can still grow)."""
        self.snapshot = snapshot
        self.tail.set_job(snapshot.response if snapshot is not None else None)
        self._update_title()

    # -- drawing -----------------------------------------------------------------

    def _update_view(self) -> None:
        views, empties = self.query(LogView), self.query("#logs-empty")
        if not self.is_attached or self._left or not views or not empties:
            return  # a read finishing while the screen goes away, or while the app closes and takes its widgets
        view, empty = views.first(), empties.first(Static)
        buffer = self.tail.buffer
        if buffer.version != self._shown_version:
            self._shown_version = buffer.version
            view.set_lines(buffer.lines)
        if not buffer.lines:
            empty.update(self._why_empty())
        empty.display = not buffer.lines
        view.display = bool(buffer.lines)
        self._update_title()

    def _why_empty(self) -> str:
        snapshot = self.snapshot
        return self.tail.why_empty(None if snapshot is None else training_started(snapshot.response))

    def _update_title(self) -> None:
        views = self.query(LogView)
        if not views or self._left:
            return  # an answer arriving before the screen is composed, or while it goes away
        view = views.first()
        status = self.tail.status
        buffer = self.tail.buffer
        # What matters most comes first: a narrow terminal cuts the end of the line.
        parts = [f"Logs · {self.job}"]
        total = buffer.dropped + len(buffer)
        if not buffer.lines:
            parts.append("waiting for lines")
        elif view.follow:
            self._paused_at = None
            parts.append("following")
        else:
            if self._paused_at is None:
                self._paused_at = total
            fresh = total - self._paused_at
            parts.append(f"paused, {fresh:,} new" if fresh else "paused")
        if view.search:
            parts.append(f"“{view.search}” ×{view.match_count:,}")
        if status.error is not None and buffer.lines:
            parts.append(f"! {status.error.message}")
        if buffer.lines:
            shown = f"{view.line_filter.describe()}: {len(view.lines):,} of " if view.line_filter.active else ""
            parts.append(f"{shown}{len(buffer):,} lines" + (" (newest)" if status.truncated else ""))
        if status.streams:
            hosts = status.hosts
            parts.append(
                f"{hosts} host{'s' if hosts != 1 else ''}"
                + (f", {status.streams} streams" if status.streams != hosts else "")
            )
        if status.done and buffer.lines:
            parts.append("job ended, all read")
        if view.wrap:
            parts.append("wrap")
        # What following costs, in CloudWatch Logs calls since the screen opened.
        parts.append(f"{status.calls:,} call{'s' if status.calls != 1 else ''}")
        for title in self.query("#logs-title").results(Static):  # gone too when the app closes
            title.update(" · ".join(parts), layout=False)  # one row: no layout

    @on(Input.Changed, "#log-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_one(LogView).search = event.value
        self._update_title()

    @on(Input.Submitted, "#log-search")
    def _search_submitted(self) -> None:
        # As the job filter's Enter: the search stays (the title says it), the keys go back to the lines.
        search = self.query_one("#log-search", Input)
        search.display = False
        self.query_one(LogView).focus()
        self.action_next_match()

    @on(Input.Submitted, "#log-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        text = event.value
        try:
            pattern = compile_pattern(text) if text else None
        except PatternError as exc:
            self.notify(str(exc), severity="error", timeout=6, markup=False)
            return  # the box stays open with the pattern, to be mended
        self._close_box(event.input)
        view = self.query_one(LogView)
        self._narrow(LineFilter(pattern, view.line_filter.host))

    @on(Input.Submitted, "#log-host")
    def _host_submitted(self, event: Input.Submitted) -> None:
        view = self.query_one(LogView)
        text = event.value.strip()
        host = find_host(self._hosts(), text) if text else None
        if text and host is None:
            hosts = host_order(self._hosts())
            known = ", ".join(hosts[:6]) + (f" … {hosts[-1]}" if len(hosts) > 6 else "") if hosts else "none yet"
            self.notify(
                f"No lines from a host called {text[:40]!r} (hosts: {known})",
                severity="warning",
                timeout=6,
                markup=False,
            )
            return
        self._close_box(event.input)
        self._narrow(LineFilter(view.line_filter.pattern, host))

    def _close_box(self, box: Input) -> None:
        box.display = False
        self.query_one(LogView).focus()

    def _narrow(self, line_filter: LineFilter) -> None:
        self.query_one(LogView).narrow(line_filter)
        self._update_title()

    def _hosts(self) -> list[str]:
        streams = {stream.host for stream in self.tail.streams.values()}
        return host_order({line.host for line in self.query_one(LogView).loaded} | streams)

    def on_log_view_follow_changed(self) -> None:
        self._update_title()

    # -- actions -------------------------------------------------------------------

    def action_back(self) -> None:
        if not self.is_active:
            return  # a second Escape queued before the first took the screen away: not the main screen's to pop
        search = self.query_one("#log-search", Input)
        view = self.query_one(LogView)
        for box in self.query("#log-filter, #log-host").results(Input):
            if box.has_focus:  # out of the box, the view as it was
                box.value = ""
                self._close_box(box)
                return
        if view.line_filter.active and not search.has_focus and not view.search:
            # Escape takes the narrowing away before it goes back to the jobs.
            self._narrow(LineFilter())
            return
        if search.has_focus or view.search:
            # As the job filter's: Escape clears the search first; the next one goes back to the jobs.
            search.value = ""  # Input.Changed clears the view's search
            view.search = ""
            search.display = False
            view.focus()
            self._update_title()
            return
        # Logs are read only while they are looked at.
        self._left = True
        self.workers.cancel_node(self)
        self.app.pop_screen()

    def action_toggle_follow(self) -> None:
        view = self.query_one(LogView)
        view.follow = not view.follow
        self._update_title()

    def action_toggle_wrap(self) -> None:
        view = self.query_one(LogView)
        view.wrap = not view.wrap
        self._update_title()

    def action_toggle_secrets(self) -> None:
        main = getattr(self.app, "watch_screen", None)
        toggle = getattr(main, "action_toggle_secrets", None)
        if toggle is not None:
            toggle()  # the main screen's switch (and its notification), so both screens agree
            self.query_one(LogView).reveal = main.reveal_secrets
        else:
            view = self.query_one(LogView)
            view.reveal = not view.reveal

    def action_toggle_timestamps(self) -> None:
        view = self.query_one(LogView)
        view.timestamps = not view.timestamps

    def action_search(self) -> None:
        search = self.query_one("#log-search", Input)
        search.display = True
        search.focus()

    def action_narrow(self) -> None:
        box = self.query_one("#log-filter", Input)
        pattern = self.query_one(LogView).line_filter.pattern
        box.value = pattern.pattern if pattern is not None else ""
        box.display = True
        box.focus()

    def action_next_host(self) -> None:
        view = self.query_one(LogView)
        hosts = self._hosts()
        if not hosts:
            self.notify("No lines yet, so no hosts to choose from", timeout=3)
            return
        self._narrow(LineFilter(view.line_filter.pattern, next_host(hosts, view.line_filter.host)))

    def action_pick_host(self) -> None:
        box = self.query_one("#log-host", Input)
        box.suggester = SuggestFromList(self._hosts(), case_sensitive=False)
        box.value = self.query_one(LogView).line_filter.host or ""
        box.display = True
        box.focus()

    def action_save(self) -> None:
        view = self.query_one(LogView)
        if not view.lines:
            self.notify("No lines to save" + (" in this filter" if view.line_filter.active else ""), timeout=3)
            return
        name = file_name(self.job, self.app.clock.now(), view.line_filter.host or "")
        try:
            path = save_lines(view.lines, name, reveal=view.reveal)
        except OSError as exc:
            self.notify(f"Could not save the lines: {exc.strerror or exc}", severity="error", markup=False)
            return
        self.notify(f"Saved {len(view.lines):,} lines to {path}", timeout=8, markup=False)

    def action_next_match(self) -> None:
        if not self.query_one(LogView).next_match():
            self.notify("No line matches", timeout=2)
        self._update_title()

    def action_previous_match(self) -> None:
        self.query_one(LogView).next_match(backwards=True)
        self._update_title()

    def action_reread(self) -> None:
        self.tail.retry()
        self._wake.set()

    def action_top(self) -> None:
        view = self.query_one(LogView)
        view.follow = False
        view.scroll_home(animate=False)
        self._update_title()

    def action_bottom(self) -> None:
        self.query_one(LogView).follow = True
        self._update_title()
