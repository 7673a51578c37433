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

from smtui.aws.discovery import JobFinder
from smtui.aws.errors import explain
from smtui.aws.log_tail import DEFAULT_CAPACITY
from smtui.aws.poller import DEFAULT_MAX_RPS, JobFailed, JobUpdate, MetricsFailed, MetricsUpdate, Poller, PollerEvent
from smtui.aws.snapshot import JobSnapshot
from smtui.clock import Clock, SystemClock
from smtui.ui.help import HelpScreen
from smtui.ui.log_screen import LOG_INTERVAL
from smtui.ui.messages import JobsFound, JobUpdated, ListingFailed, MetricsUpdated, PollFailed
from smtui.ui.messages import MetricsFailed as MetricsFailedMessage
from smtui.ui.palette import CommandPalette
from smtui.ui.watch import JobCommands, WatchScreen

#: Seconds an exit asked for by SIGHUP or SIGTERM may take before the process ends regardless.
EXIT_GRACE = 5.0


class SmtuiApp(App):
    """Follows SageMaker training jobs live.

    Args:
        source: an async context manager with the AWS calls (an ``AwsJobSource``);
            the app opens it when it starts polling and closes it when it exits.
        names: the jobs to watch.
        clock: tells the time (frozen in tests).
        interval: seconds between two polls of a running job.
        metrics_interval: seconds between two CloudWatch metric rounds.
        tick: seconds between two clock ticks (elapsed times, growing stages).
        reveal_secrets: start with secret-looking values shown (the ``s`` key toggles them).
        max_rps: requests a second all polls share; polls of many jobs stretch to stay within it.
        read_only: no action on jobs (stopping one); watching only.
        bell: ring the terminal bell when a watched job ends (a notification shows either way).
        log_lines: lines the logs screen keeps (the newest; older ones are dropped).
        log_interval: seconds between two reads of the log streams while the logs screen is open.
        freeze_loaded: once every job has its first answer, keep what was loaded out of the cyclic
            garbage collector's full passes (for a process that runs only this app).
        finder: lists more jobs to watch (``smtui watch --status InProgress``, ``--tuning-job``), at
            start and then every ``list_interval`` seconds.
    """

    CSS_PATH = "app.tcss"
    TITLE = "smtui"
    COMMANDS = App.COMMANDS | {JobCommands}
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        source,
        names: Sequence[str],
        *,
        clock: Clock | None = None,
        interval: float = 30.0,
        metrics_interval: float = 60.0,
        tick: float = 1.0,
        subtitle: str | None = None,
        reveal_secrets: bool = False,
        max_rps: float | None = DEFAULT_MAX_RPS,
        read_only: bool = False,
        bell: bool = True,
        log_lines: int = DEFAULT_CAPACITY,
        log_interval: float = LOG_INTERVAL,
        freeze_loaded: bool = False,
        finder: JobFinder | None = None,
        list_interval: float = 60.0,
    ) -> None:
        super().__init__()
        self.read_only = read_only
        self.bell_on_end = bell
        self.log_lines = log_lines
        self.log_interval = log_interval
        self.freeze_loaded = freeze_loaded
        self.finder = finder
        self._exit_deadline: threading.Timer | None = None
        self.list_interval = list_interval
        self.source = source
        self.clock = clock or SystemClock()
        self.names = list(dict.fromkeys(names))
        self.tick_seconds = tick
        self.poller = Poller(
            source, self.names, self._from_poller, interval=interval, metrics_interval=metrics_interval,
            clock=self.clock, max_rps=max_rps, open_ended=True,
        )
        self.watch_screen = WatchScreen(
            self.names, subtitle=subtitle or getattr(source, "endpoint_label", ""), interval=interval,
            scope=finder.query.label() if finder is not None else None,
        )
        self.watch_screen.set_reactive(WatchScreen.reveal_secrets, reveal_secrets)

    def get_default_screen(self) -> Screen:
        return self.watch_screen

    def on_mount(self) -> None:
        self._exit_on_signals()
        self.run_poller()
        if self.freeze_loaded:
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

    def _from_poller(self, event: PollerEvent) -> None:
        screen = self.watch_screen
        if isinstance(event, JobUpdate):
            screen.post_message(JobUpdated(event.snapshot, event.events))
        elif isinstance(event, JobFailed):
            screen.post_message(PollFailed(event.name, event.error))
        elif isinstance(event, MetricsUpdate):
            screen.post_message(MetricsUpdated(event.events))
        elif isinstance(event, MetricsFailed):
            screen.post_message(MetricsFailedMessage(event.error))

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
            self.poller.loaded.set()

    async def _find_jobs(self, *, first: bool) -> None:
        finder = self.finder
        assert finder is not None
        try:
            names = await finder.find()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed listing is tried again at the next round
            self.watch_screen.post_message(ListingFailed(explain(exc)))
            return
        for name in names:
            self.poller.add(name)
        self.watch_screen.post_message(JobsFound(tuple(names), first=first, newest_first=finder.newest_first,
                                                 tuning=finder.tuning, truncated=finder.truncated))

    async def _keep_finding(self) -> None:
        assert self.finder is not None
        while not self.finder.done:
            await asyncio.sleep(self.list_interval)
            await self._find_jobs(first=False)

    def job_ended(self, snapshot: JobSnapshot) -> None:
        """A watched job reached a final status: say so, and ring the bell unless told not to."""
        severity = {"Completed": "information", "Failed": "error"}.get(snapshot.status or "", "warning")
        self.notify(f"{snapshot.name} {snapshot.status}", title="Job ended", severity=severity, timeout=8,
                    markup=False)
        if self.bell_on_end:
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
        self.push_screen(HelpScreen())

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
