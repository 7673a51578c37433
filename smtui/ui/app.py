"""The smtui application: polls the jobs (and lists them, when asked) and shows them on the main screen."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
from collections.abc import Iterable, Sequence
from functools import partial

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.events import Event, Key
from textual.screen import Screen
from textual.theme import ThemeProvider
from textual.timer import Timer

from smtui.aws import poller as events
from smtui.aws.calls import JobSource
from smtui.aws.discovery import JobFinder, listing_budget
from smtui.aws.errors import explain
from smtui.aws.history import MetricHistory
from smtui.aws.instance_rounds import HostsUpdate, PricesUpdate
from smtui.aws.places import PlacedSource, job_id, split_id
from smtui.aws.poller import Poller, PollerEvent
from smtui.aws.pricing import PriceBook, PriceCache
from smtui.aws.snapshot import JobSnapshot
from smtui.aws.store import JobsView
from smtui.clock import Clock, SystemClock
from smtui.ui import messages
from smtui.ui.help import PALETTE, HelpScreen
from smtui.ui.log_screen import LogScreen
from smtui.ui.metrics_screen import MetricsScreen
from smtui.ui.palette import CommandPalette, JobCommands
from smtui.ui.settings import Settings
from smtui.ui.watch import WatchScreen
from smtui.ui.widgets.job_list import JobList

#: Seconds an exit asked for by SIGHUP or SIGTERM may take before the process ends regardless.
EXIT_GRACE = 5.0
#: Seconds a new selection rests before its hosts' metrics are fetched out of turn.
HOSTS_DELAY = 0.8
#: Seconds the poller's results are gathered before the screen is told of them all at once.
RESULTS_PERIOD = 0.1


class SmtuiApp(App):
    """Follows SageMaker training jobs live.

    Args:
        source: the AWS calls (an :class:`~smtui.aws.source.AwsJobSource`); the app
            opens it when it starts polling and closes it when it exits.
        names: the jobs to watch.
        settings: how to poll and what the screens do.
        clock: tells the time (frozen in tests).
        finder: lists more jobs to watch (``smtui watch --status InProgress``, ``--tuning-job``), at
            start and then every ``settings.list_interval`` seconds; or one finder per place (account and
            region), each listing its own.
    """

    CSS_PATH = "app.tcss"
    TITLE = "smtui"
    COMMANDS = App.COMMANDS | {JobCommands}
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        source: JobSource,
        names: Sequence[str],
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        finder: JobFinder | Sequence[JobFinder] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings = settings or Settings()
        self.source = source
        self.clock = clock or SystemClock()
        self.finders: list[JobFinder] = (
            [] if finder is None else [finder] if isinstance(finder, JobFinder) else list(finder)
        )
        #: The (first) finder, when jobs are listed.
        self.finder = self.finders[0] if self.finders else None
        self._exit_deadline: threading.Timer | None = None
        self._results: messages.PollResults | None = None
        self._listing_first = len(self.finders)
        self.poller = Poller(
            source,
            names,
            self._from_poller,
            interval=settings.interval,
            metrics_interval=settings.metrics_interval,
            clock=self.clock,
            max_rps=settings.max_rps,
            fast=settings.fast_interval,
            open_ended=True,
            prices=PriceBook(source.pricing_client, PriceCache(clock=self.clock), self.clock),
        )
        self._hosts_timer: Timer | None = None
        #: The metrics round out of turn for rows that came into view with no host figures held.
        self._view_timer: Timer | None = None
        #: Rounds out of turn waiting for the screen to rest (see :meth:`settled`).
        self._resting: set[Timer] = set()
        # Listings share the polls' request budget of their place, within their own rate, which a place's finder
        # and the poller's sweeps share.
        sources = self.source.sources if isinstance(self.source, PlacedSource) else {"": self.source}
        budgets = {place: listing_budget(partial(self.poller.acquire, place)) for place in sources}
        for place, placed in sources.items():
            self.poller.sweep_with(place, placed, budgets[place])
        for each in self.finders:
            each.budget = budgets.get(each.place) or listing_budget(partial(self.poller.acquire, each.place))
        #: Whole metric series for the metrics view, fetched through the poller's request budget.
        self.metric_history = MetricHistory(source, acquire=self.poller.acquire, clock=self.clock)
        self.watch_screen = WatchScreen(
            self.poller.store.view(),
            subtitle=settings.subtitle or source.endpoint_label,
            interval=settings.interval,
            max_rps=settings.max_rps,
            scope=self.finder.query.label() if self.finder is not None else None,
            places=settings.place_column,
        )
        self.watch_screen.set_reactive(WatchScreen.reveal_secrets, settings.reveal_secrets)

    def get_default_screen(self) -> Screen:
        return self.watch_screen

    async def on_event(self, event: Event) -> None:
        if isinstance(event, Key) and not self.screen_stack:
            return  # typed ahead of q: the app is closing and no screen is left to take it (a traceback in Textual)
        await super().on_event(event)

    def on_mount(self) -> None:
        self._exit_on_signals()
        # After the first frame: opening the clients imports aiobotocore (a third of a second), which would
        # otherwise hold the first frame back.
        self.call_after_refresh(self.run_poller)
        if self.settings.freeze_loaded:
            self._freeze_when_loaded()

    @work(group="memory")
    async def _freeze_when_loaded(self) -> None:
        # With a thousand jobs loaded, each full pass of the cyclic collector walked every parsed
        # response and froze the screen for about half a second, keys included. What the first
        # round loaded stays for the app's life anyway, so it is moved out of the collector's way.
        await self.poller.loaded.wait()
        gc.freeze()

    def _exit_on_signals(self) -> None:
        """A dropped SSH connection (SIGHUP) or a polite kill (SIGTERM) quits as ``q`` does, restoring the terminal."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(number, self._exit_on_signal)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread (tests), or a platform without these signals

    def _exit_on_signal(self) -> None:
        self.exit()
        if self._exit_deadline is None:
            # A process whose terminal is gone must not go on calling AWS: should the orderly exit
            # not be done in time (a call that will not cancel, a terminal write that blocks), end anyway.
            self._exit_deadline = threading.Timer(EXIT_GRACE, os._exit, args=(0,))
            self._exit_deadline.daemon = True
            self._exit_deadline.start()

    @property
    def jobs(self) -> JobsView:
        """What is known of the watched jobs now (the store's newest view)."""
        return self.poller.store.view()

    def _from_poller(self, event: PollerEvent) -> None:
        if isinstance(event, (HostsUpdate, PricesUpdate)):
            # Rare (a metrics round, a price found): told at once.
            message = messages.HostsUpdated if isinstance(event, HostsUpdate) else messages.PricesUpdated
            self.watch_screen.post_message(message(self.poller.store.view(), event.jobs))
            return
        # Gathered, and posted a few times a second as one message: the screen's work is done once for all the
        # results of a moment, however many jobs answered in it.
        if self._results is None:
            self._results = messages.PollResults(JobsView())  # the store's view is taken when it is posted
            asyncio.get_running_loop().call_later(RESULTS_PERIOD, self._post_results)
        self._results.record(event)
        if isinstance(event, events.Loaded):
            self._post_results()  # the first round is on the screen at once

    def _post_results(self) -> None:
        results, self._results = self._results, None
        if results is None:
            return
        results.view = self.poller.store.view()
        self.watch_screen.post_message(results)
        self.watch_screen.cadence = self.poller.effective_interval

    def watch_jobs(self, names: Sequence[str], *, at_top: bool = False) -> tuple[list[str], JobsView]:
        """Watch more jobs, from now on; returns those not watched already and the store's new view."""
        new = self.poller.add(*names, at_top=at_top)
        self.watch_screen.cadence = self.poller.effective_interval
        return new, self.poller.store.view()

    def unwatch_job(self, name: str) -> JobsView:
        """Stop watching a job (it goes on in SageMaker); returns the store's new view."""
        self.poller.remove(name)
        self.watch_screen.cadence = self.poller.effective_interval
        return self.poller.store.view()

    def follow_hosts(self, name: str | None) -> None:
        """Fetch every host metric of ``name`` (the selected job) from the next metrics round on; when only the
        list's are held, that round comes once the selection has rested a moment, so that moving through the
        list costs no calls."""
        self.poller.select(name)
        self._stop_rest(self._hosts_timer)
        self._hosts_timer = None
        state = self.jobs.get(name)
        # Held: the list's two metrics of each host at most; the selected job shows all five.
        if state is not None and state.snapshot is not None and all(len(m) <= 2 for m in state.hosts.values()):
            self._hosts_timer = self._fetch_after_rest(None)

    def show_hosts(self, names: Sequence[str] | None) -> None:
        """Fetch the list's host figures for these running jobs only (the rows in view; None: every running
        job); rows that come into view with none held get them once the view has rested a moment."""
        states = [self.jobs.get(name) for name in self.poller.show_hosts(names)]
        started = [s for s in states if s and s.snapshot and s.snapshot.time("TrainingStartTime")]
        if any(not s.is_terminal and not s.hosts for s in started):
            self._view_timer = self._fetch_after_rest(self._view_timer)

    def _fetch_after_rest(self, pending: Timer | None) -> Timer:
        """A metrics round out of turn once the screen has rested :data:`HOSTS_DELAY`, instead of ``pending``."""
        self._stop_rest(pending)
        timer: Timer

        def rested() -> None:
            self._resting.discard(timer)
            self.poller.poke_metrics()

        timer = self.set_timer(HOSTS_DELAY, rested)
        self._resting.add(timer)
        return timer

    def _stop_rest(self, pending: Timer | None) -> None:
        if pending is not None:
            pending.stop()
            self._resting.discard(pending)

    async def settled(self) -> None:
        """Return once the main screen shows all that has been asked for so far: the first round is in, no round
        out of turn is waiting for the view or the selection to rest, no metrics round is under way, and the
        screen has been drawn since. A picture or a check taken then is the same at every run."""
        await self.poller.loaded.wait()
        while self._resting or self.poller.metrics_pending:
            await asyncio.sleep(0.01)
        drawn = asyncio.Event()
        self.watch_screen.call_after_refresh(drawn.set)
        await drawn.wait()

    def poll_now(self, name: str) -> None:
        """Poll ``name`` now rather than at its next turn (an ended job is described again)."""
        self.poller.poke(name)

    def want_described(self, names: Sequence[str]) -> None:
        """The jobs the screen shows more of than a listing's summary says (the selected one, those in view)."""
        self.poller.want(names)

    def ids_for(self, name: str) -> list[str]:
        """The ids of job ``name`` in every place watched (its name, when there is one place)."""
        if isinstance(self.source, PlacedSource):
            return [job_id(place, name) for place in self.source.sources]
        return [name]

    def source_of(self, job: str) -> tuple[JobSource, str]:
        """The source of ``job``'s place, and its name there (for the calls not made by job id: its logs)."""
        place, name = split_id(job)
        if isinstance(self.source, PlacedSource):
            return self.source.at(place), name
        return self.source, job

    @work(exclusive=True, group="poller")
    async def run_poller(self) -> None:
        """Open the AWS clients and poll until the app exits."""
        try:
            async with self.source:
                if self.finders:
                    # The first listings' jobs are part of the first round: rows fill page by page as they come.
                    self.poller.expect_listing()
                finding = [
                    asyncio.create_task(self._keep_finding(each), name=f"list jobs {each.place}")
                    for each in self.finders
                ]
                try:
                    await self.poller.run()
                finally:
                    for task in finding:
                        task.cancel()
        except Exception as exc:  # a setup problem (profile, region): say so and keep the screen
            self.watch_screen.show_banner(explain(exc).message)
            self.poller.set_loaded()

    async def _find_jobs(self, finder: JobFinder, *, first: bool) -> None:
        found: list[str] = []

        def page(summaries: list[dict]) -> None:
            if finder.place:
                summaries = [{**s, "TrainingJobName": job_id(finder.place, s["TrainingJobName"])} for s in summaries]
            # Newest first: later rounds' jobs go above the others (the first round's in the listing's order).
            new = self.poller.add_listed(summaries, at_top=finder.newest_first and not first)
            found.extend(new)
            self.watch_screen.cadence = self.poller.effective_interval
            changed = tuple(s["TrainingJobName"] for s in summaries)
            self.watch_screen.post_message(
                messages.JobsFound(
                    self.poller.store.view(), tuple(new), first=first, tuning=finder.tuning, changed=changed
                )
            )

        try:
            await finder.find(on_page=page)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed listing is tried again at the next round
            self.watch_screen.post_message(messages.ListingFailed(explain(exc)))
            return
        self.watch_screen.post_message(
            messages.JobsFound(
                self.poller.store.view(),
                (),
                first=first,
                tuning=finder.tuning,
                truncated=finder.truncated,
                done=True,
                listed=len(found),
            )
        )

    async def _keep_finding(self, finder: JobFinder) -> None:
        try:
            await self._find_jobs(finder, first=True)
        finally:
            self._listing_first -= 1
            if self._listing_first == 0:
                self.poller.listing_done()
        while not finder.done:
            await asyncio.sleep(self.settings.list_interval)
            await self._find_jobs(finder, first=False)

    def job_ended(self, snapshot: JobSnapshot) -> None:
        """A watched job reached a final status: say so, and ring the bell unless told not to."""
        severity = {"Completed": "information", "Failed": "error"}.get(snapshot.status or "", "warning")
        self.notify(f"{snapshot.name} {snapshot.status}", title="Job ended", severity=severity, timeout=8, markup=False)
        if self.settings.bell:
            self.bell()

    @work(group="actions")
    async def stop_job(self, name: str) -> None:
        """StopTrainingJob, then poll the job at once so the list shows Stopping."""
        try:
            await self.source.stop_training_job(name)
        except Exception as exc:
            self.notify(f"Could not stop {name}: {explain(exc).message}", severity="error", markup=False)
            return
        self.notify(f"Stopping {name}", timeout=4, markup=False)
        self.poller.poke(name)

    def action_help(self) -> None:
        palette = Binding(self.COMMAND_PALETTE_BINDING, "command_palette", tooltip=PALETTE)
        self.push_screen(
            HelpScreen(
                [
                    ("Jobs", [*JobList.BINDINGS, *WatchScreen.BINDINGS, *self.BINDINGS, palette]),
                    ("Logs", LogScreen.BINDINGS),
                    ("Charts", MetricsScreen.BINDINGS),
                ]
            )
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette's own commands: the theme, and smtui's help.

        Not Textual's others: Quit (q and Ctrl+C quit; a hit chosen with Enter must not end a watch), a
        screenshot written to the working directory, the keys panel and maximizing a pane.
        """
        yield SystemCommand("Theme", "Change the current theme", self.action_change_theme)
        yield SystemCommand("Help", "Keys, and what every status symbol means", self.action_help)

    def action_command_palette(self) -> None:
        """Ctrl+P: the command palette (Textual's, made safe for keys pressed quickly).

        No id, unlike Textual's own: a palette just closed keeps its id until its removal is done, a frame
        later, and a Ctrl+P meanwhile would clash with it (DuplicateIds ended the app)."""
        if self.use_command_palette and not any(isinstance(screen, CommandPalette) for screen in self.screen_stack):
            self.push_screen(CommandPalette())

    def search_themes(self) -> None:
        """The palette's Theme command: the themes, in the same safe palette."""
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Search for themes…"))
