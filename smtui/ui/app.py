"""The smtui application: polls the jobs (and lists them, when asked) and shows them on the main screen."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import threading
from collections.abc import Iterable, Sequence

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import ThemeProvider

from smtui.aws import poller as events
from smtui.aws.discovery import JobFinder, listing_budget
from smtui.aws.errors import explain
from smtui.aws.history import MetricHistory
from smtui.aws.poller import Poller, PollerEvent
from smtui.aws.snapshot import JobSnapshot
from smtui.aws.source import JobSource
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


class SmtuiApp(App):
    """Follows SageMaker training jobs live.

    Args:
        source: the AWS calls (an :class:`~smtui.aws.source.AwsJobSource`); the app
            opens it when it starts polling and closes it when it exits.
        names: the jobs to watch.
        settings: how to poll and what the screens do.
        clock: tells the time (frozen in tests).
        finder: lists more jobs to watch (``smtui watch --status InProgress``, ``--tuning-job``), at
            start and then every ``settings.list_interval`` seconds.
    """

    CSS_PATH = "app.tcss"
    TITLE = "smtui"
    COMMANDS = App.COMMANDS | {JobCommands}
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(self, source: JobSource, names: Sequence[str], settings: Settings | None = None, *,
                 clock: Clock | None = None, finder: JobFinder | None = None) -> None:
        super().__init__()
        self.settings = settings = settings or Settings()
        self.source = source
        self.clock = clock or SystemClock()
        self.finder = finder
        self._exit_deadline: threading.Timer | None = None
        self.poller = Poller(
            source, names, self._from_poller, interval=settings.interval, metrics_interval=settings.metrics_interval,
            clock=self.clock, max_rps=settings.max_rps, open_ended=True,
        )
        if finder is not None:
            # Listings share the polls' request budget, within their own rate.
            finder.budget = listing_budget(self.poller.acquire)
        #: Whole metric series for the metrics view, fetched through the poller's request budget.
        self.metric_history = MetricHistory(source, acquire=self.poller.acquire, clock=self.clock)
        self.watch_screen = WatchScreen(
            self.poller.store.view(), subtitle=settings.subtitle or source.endpoint_label, interval=settings.interval,
            max_rps=settings.max_rps, scope=finder.query.label() if finder is not None else None,
        )
        self.watch_screen.set_reactive(WatchScreen.reveal_secrets, settings.reveal_secrets)

    def get_default_screen(self) -> Screen:
        return self.watch_screen

    def on_mount(self) -> None:
        self._exit_on_signals()
        self.run_poller()
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
        screen = self.watch_screen
        view = self.poller.store.view()
        if isinstance(event, events.JobUpdate):
            screen.post_message(messages.JobUpdated(view, event.snapshot, event.events, first=event.first))
        elif isinstance(event, events.JobFailed):
            screen.post_message(messages.PollFailed(view, event.name, event.error))
        elif isinstance(event, events.MetricsUpdate):
            screen.post_message(messages.MetricsUpdated(view, event.events))
        elif isinstance(event, events.MetricsFailed):
            screen.post_message(messages.MetricsFailed(view, event.error))
        elif isinstance(event, events.Loaded):
            screen.post_message(messages.JobsLoaded(view))
        screen.cadence = self.poller.effective_interval

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

    def poll_now(self, name: str) -> None:
        """Poll ``name`` now rather than at its next turn."""
        self.poller.poke(name)

    @work(exclusive=True, group="poller")
    async def run_poller(self) -> None:
        """Open the AWS clients and poll until the app exits."""
        try:
            async with self.source:
                finding = None
                if self.finder is not None:
                    # The first listing comes before the first polls, so that "loaded" covers its jobs.
                    await self._find_jobs(first=True)
                    finding = asyncio.create_task(self._keep_finding(), name="list jobs")
                try:
                    await self.poller.run()
                finally:
                    if finding is not None:
                        finding.cancel()
        except Exception as exc:  # a setup problem (profile, region): say so and keep the screen
            self.watch_screen.show_banner(explain(exc).message)
            self.poller.set_loaded()

    async def _find_jobs(self, *, first: bool) -> None:
        finder = self.finder
        assert finder is not None
        try:
            names = await finder.find()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed listing is tried again at the next round
            self.watch_screen.post_message(messages.ListingFailed(explain(exc)))
            return
        # Newest first: later rounds' jobs go above the others (the first round's are in the listing's order).
        new, view = self.watch_jobs(names, at_top=finder.newest_first and not first)
        self.watch_screen.post_message(messages.JobsFound(view, tuple(new), first=first, tuning=finder.tuning,
                                                          truncated=finder.truncated))

    async def _keep_finding(self) -> None:
        assert self.finder is not None
        while not self.finder.done:
            await asyncio.sleep(self.settings.list_interval)
            await self._find_jobs(first=False)

    def job_ended(self, snapshot: JobSnapshot) -> None:
        """A watched job reached a final status: say so, and ring the bell unless told not to."""
        severity = {"Completed": "information", "Failed": "error"}.get(snapshot.status or "", "warning")
        self.notify(f"{snapshot.name} {snapshot.status}", title="Job ended", severity=severity, timeout=8,
                    markup=False)
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
        self.push_screen(HelpScreen([
            ("Jobs", [*JobList.BINDINGS, *WatchScreen.BINDINGS, *self.BINDINGS, palette]),
            ("Logs", LogScreen.BINDINGS),
            ("Charts", MetricsScreen.BINDINGS),
        ]))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The palette's own commands: the theme, and smtui's help.

        Not Textual's others: Quit (q and Ctrl+C quit; a hit chosen with Enter must not end a watch), a
        screenshot written to the working directory, the keys panel and maximizing a pane.
        """
        yield SystemCommand("Theme", "Change the current theme", self.action_change_theme)
        yield SystemCommand("Help", "Keys, and what every status symbol means", self.action_help)

    def action_command_palette(self) -> None:
        """Ctrl+P: the command palette (Textual's, made safe for keys pressed quickly)."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        """The palette's Theme command: the themes, in the same safe palette."""
        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Search for themes…"))
