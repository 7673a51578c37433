"""``smtui logs JOB``: a training job's CloudWatch Logs on standard output, merged across its instances.

One line per event, in time order, each starting with the instance that wrote
it (``algo-2 | message``). Without ``--follow`` the newest lines are printed
and the command ends; with it, what arrives next is printed every interval
until the job has ended (and its streams were read to their end a little
after that) or the command is interrupted. ``--filter`` searches with
FilterLogEvents on the service's side instead of reading every stream.

Nothing here imports Textual; botocore is imported by the calls that need it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TextIO

from smtui.aws.errors import ACCESS_DENIED, NOT_FOUND, PollError, explain
from smtui.aws.log_tail import LOG_GROUP, LogBuffer, LogLine, LogTail, split_stream_name, training_started
from smtui.aws.source import every_page
from smtui.commands.exits import CommandFailed
from smtui.commands.log_printer import Printer
from smtui.commands.output import OutputClosed, OutputFailed, checked_stdout, silence_stdout
from smtui.present.secrets import PrivateKeyLines

#: TrainingJobStatus values after which a job writes nothing more.
TERMINAL = frozenset({"Completed", "Failed", "Stopped"})
#: Seconds between seeing that a job ended and the read that ends ``--follow``: the last lines its
#: instances wrote can take a few seconds to reach CloudWatch Logs.
SETTLE = 5.0
#: ``--filter --follow`` searches again from this long before the newest event printed, for events
#: that reach the service after newer ones (eventIds keep them from printing twice).
FILTER_LOOKBACK_MS = 10_000
#: Seconds to wait before reading again when the first read failed in a way that can pass (throttling, a
#: dropped connection); botocore has already retried each call once.
RETRY_DELAYS = (1.0, 3.0)

Sleep = Callable[[float], Awaitable[Any]]


@dataclass(frozen=True)
class JobState:
    """What DescribeTrainingJob said, as far as following its logs goes; None where unknown."""

    status: str | None = None
    started: bool | None = None

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL


def job_state(description: dict) -> JobState:
    status = description.get("TrainingJobStatus")
    return JobState(status if isinstance(status, str) else None, training_started(description))


class RecordingBuffer(LogBuffer):
    """A :class:`LogBuffer` that also keeps every line added since the last :meth:`take`,
    including those it dropped at once to stay within its capacity."""

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.fresh: list[LogLine] = []

    def add(self, new: list[LogLine]) -> int:
        self.fresh.extend(new)
        return super().add(new)

    def take(self) -> list[LogLine]:
        """The lines added since the last call, in time order."""
        fresh, self.fresh = self.fresh, []
        return sorted(fresh)


class WatchedSource:
    """The source a tail reads through, noting whether each stream's last read reached its end,
    and the newest event time DescribeLogStreams reported."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.at_end: dict[str, bool] = {}
        self.newest_event: int | None = None

    async def describe_log_streams(self, group: str, prefix: str, token: str | None = None) -> dict:
        page = await self.source.describe_log_streams(group, prefix, token)
        for stream in page.get("logStreams", ()):
            last = stream.get("lastEventTimestamp") if isinstance(stream, dict) else None
            if isinstance(last, int) and not isinstance(last, bool):
                self.newest_event = max(self.newest_event or last, last)
        return page

    async def get_log_events(self, group: str, stream: str, *, token: str | None = None, newest: bool = False,
                             limit: int | None = None) -> dict:
        self.at_end[stream] = False
        response = await self.source.get_log_events(group, stream, token=token, newest=newest, limit=limit)
        forward = response.get("nextForwardToken")
        # The newest events are the end; a forward token that comes back unchanged is too.
        self.at_end[stream] = newest or not forward or forward == token
        return response

    def read_to_end(self, tail: LogTail) -> bool:
        """Whether every stream the tail knows was read to its end the last time it was read."""
        return tail.error is None and all(self.at_end.get(name, True) for name in tail.streams)


@dataclass(frozen=True)
class Request:
    """What ``smtui logs`` was asked for."""

    job: str
    lines: int = 1000
    follow: bool = False
    interval: float = 5.0
    pattern: str | None = None


class LogsCommand:
    """Prints one job's logs through ``source`` (an :class:`~smtui.aws.source.AwsJobSource`, opened)."""

    def __init__(self, source: Any, request: Request, printer: Printer, *, err: TextIO | None = None,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.source = WatchedSource(source)
        self.request = request
        self.printer = printer
        self.err = err if err is not None else sys.stderr
        self.sleep = sleep
        self.tail = LogTail(self.source, request.job, capacity=request.lines)
        self._warned: str | None = None
        #: Per stream, whether the events searched are inside a private key printed line by line.
        self._keys: dict[str, PrivateKeyLines] = {}

    def note(self, text: str) -> None:
        """One line for the person running the command, on standard error."""
        print(text, file=self.err, flush=True)

    async def run(self) -> int:
        if self.request.pattern is not None:
            return await self._search()
        return await self._read()

    # -- the job's status ----------------------------------------------------------------------

    async def job_state(self, *, first: bool) -> JobState:
        """DescribeTrainingJob. Any failure of the first call ends the command (the job does not exist, no
        credentials, no endpoint), except access denied: a role may read the logs but not the job. Later
        failures leave the status unknown for that round."""
        try:
            description = await self.source.source.describe_training_job(self.request.job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = explain(exc)
            if first and error.kind != ACCESS_DENIED:
                raise CommandFailed(error.message) from None
            return JobState()
        return job_state(description)

    def _failed_round(self, error: PollError | None) -> None:
        """After a round of a follow: stop on errors waiting cannot fix, mention the others once."""
        if error is None:
            self._warned = None
            return
        if error.kind == NOT_FOUND:
            return  # no log group yet: nothing has been logged in this account and region
        if not error.retryable:
            raise CommandFailed(error.message)
        if error.message != self._warned:
            self._warned = error.message
            self.note(f"smtui: warning: {error.message}")

    async def _follow(self, state: JobState, read_round: Callable[[], Awaitable[bool]]) -> int:
        """Call ``read_round`` (which returns whether it read everything there was) every interval, until
        a round that started at least SETTLE seconds after the job was seen to end read everything."""
        interval = self.request.interval
        ended, settled = state.ended, False
        complete = False
        while not (settled and complete):
            if ended:
                await self.sleep(interval if settled else max(interval, SETTLE))
                settled = True
            else:
                await self.sleep(interval)
                ended = (await self.job_state(first=False)).ended
            complete = await read_round()
        return 0

    # -- every stream, through LogTail ---------------------------------------------------------

    async def _read(self) -> int:
        request, tail, printer = self.request, self.tail, self.printer
        state = await self.job_state(first=True)
        buffer = tail.buffer = RecordingBuffer(request.lines)
        for delay in (*RETRY_DELAYS, None):
            await tail.read_round()
            if tail.error is None or not tail.error.retryable or delay is None:
                break
            await self.sleep(delay)  # the tail resumes where the failure stopped it
        if tail.error is not None and tail.error.kind != NOT_FOUND:
            raise CommandFailed(tail.error.message)
        buffer.take()
        printer.know(s.host for s in tail.streams.values())
        printer.write_lines(buffer.lines)
        printed = {_key(line) for line in buffer.lines}
        if not buffer.lines:
            self.note(tail.why_empty(state.started))
        if not request.follow:
            return 0

        async def read_round() -> bool:
            nonlocal printed
            await tail.read_round()
            self._failed_round(tail.error)
            printer.know(s.host for s in tail.streams.values())
            new = [line for line in buffer.take() if _key(line) not in printed]
            printer.write_lines(new)
            printed.update(_key(line) for line in new)
            if len(printed) > 2 * request.lines:
                # The tail never reads an event twice: only what the buffer still holds needs remembering.
                oldest = buffer.lines[0].timestamp if buffer.lines else 0
                printed = {key for key in printed if key[0] >= oldest}
            return self.source.read_to_end(tail)

        return await self._follow(state, read_round)

    # -- FilterLogEvents ---------------------------------------------------------------------

    async def _search_pages(self, start: int | None, keep: int | None) -> tuple[list[dict], dict[str, int]]:
        """Every page of FilterLogEvents over the job's streams from ``start`` on: the events in time order
        (only the newest ``keep`` with ``keep``), and eventId → timestamp of all those found within
        FILTER_LOOKBACK_MS of the newest, kept or not."""
        events: list[dict] = []
        recent: dict[str, int] = {}
        newest = 0
        async for page in every_page(
                lambda token: self.source.source.filter_log_events(LOG_GROUP, self.request.job + "/",
                                                                   self.request.pattern or "", token, start),
                key="nextToken"):
            found = [e for e in page.get("events") or () if isinstance(e, dict)]
            events += found
            if keep is not None and len(events) > 2 * keep:
                events = sorted(events, key=_event_time)[-keep:]
            if found:
                newest = max(newest, *(_event_time(e) for e in found))
                recent.update((_event_id(e), _event_time(e)) for e in found)
                if len(recent) > 2 * max(keep or 0, 1000):
                    recent = {key: at for key, at in recent.items() if at >= newest - FILTER_LOOKBACK_MS}
        events.sort(key=_event_time)
        recent = {key: at for key, at in recent.items() if at >= newest - FILTER_LOOKBACK_MS}
        return (events[-keep:] if keep is not None else events), recent

    def _print_events(self, events: list[dict]) -> None:
        rows = []
        for event in sorted(events, key=_event_time):
            stream = str(event.get("logStreamName", ""))
            host, _ = split_stream_name(self.request.job, stream)
            message = str(event.get("message", "")).rstrip("\n")
            keys = self._keys.setdefault(stream, PrivateKeyLines())
            rows.append((_event_time(event), host, self.tail.host_index(host), message, keys.hidden(message)))
        rows.sort(key=lambda row: (row[0], row[2]))
        self.printer.know(row[1] for row in rows)
        self.printer.write(rows)

    async def _search(self) -> int:
        request, tail = self.request, self.tail
        state = await self.job_state(first=True)
        for delay in (*RETRY_DELAYS, None):
            try:
                await tail.list_streams()
                events, seen = await self._search_pages(None, request.lines)
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = explain(exc)
                if error.kind == NOT_FOUND:
                    tail.error, events, seen = error, [], {}
                    break
                if not error.retryable or delay is None:
                    raise CommandFailed(error.message) from None
            await self.sleep(delay)
        self.printer.know(s.host for s in tail.streams.values())
        self._print_events(events)
        if not events:
            if tail.streams:
                count = len(tail.streams)
                self.note(f"No events of {request.job} match {request.pattern!r} "
                          f"({count} log stream{'' if count == 1 else 's'} searched).")
            else:
                self.note(tail.why_empty(state.started))
        if not request.follow:
            return 0
        # eventId → timestamp of the events found (printed, or older than --lines), as far back as the
        # next search looks.
        newest = max(seen.values(), default=self.source.newest_event)

        async def read_round() -> bool:
            nonlocal newest, seen
            start = None if newest is None else max(newest - FILTER_LOOKBACK_MS, 0)
            try:
                found, _ = await self._search_pages(start, None)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failed_round(explain(exc))
                return False
            self._failed_round(None)
            new = [e for e in found if _event_id(e) not in seen]
            self._print_events(new)
            seen.update((_event_id(e), _event_time(e)) for e in new)
            if new:
                newest = max([_event_time(e) for e in new] + ([newest] if newest is not None else []))
                seen = {key: at for key, at in seen.items() if at >= newest - FILTER_LOOKBACK_MS}
            return True

        return await self._follow(state, read_round)


def _key(line: LogLine) -> tuple[int, int, int]:
    return line.timestamp, line.host_index, line.sequence


def _event_time(event: dict) -> int:
    value = event.get("timestamp")
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _event_id(event: dict) -> str:
    """FilterLogEvents' eventId, or what makes an event without one distinct."""
    given = event.get("eventId")
    if isinstance(given, str) and given:
        return given
    return f"{event.get('logStreamName')}\n{_event_time(event)}\n{event.get('message')}"


async def _main(options: Any, request: Request, printer: Printer) -> int:
    from smtui.aws.source import AwsJobSource

    if request.follow:
        # Ctrl+C and SIGTERM end a follow normally: the task is cancelled and the clients closed.
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        for number in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(number, task.cancel)
            except (NotImplementedError, RuntimeError, ValueError):
                pass
    async with AwsJobSource(options) as source:
        return await LogsCommand(source, request, printer).run()


def run(options: Any, request: Request, *, timestamps: bool = False, reveal: bool = False) -> int:
    """``smtui logs``: returns the exit code; raises :class:`CommandFailed` for one-line failures."""
    out = checked_stdout()
    color = out.isatty() and not os.environ.get("NO_COLOR")
    printer = Printer(out, timestamps=timestamps, color=color, reveal=reveal)
    try:
        return asyncio.run(_main(options, request, printer))
    except OutputClosed:
        silence_stdout()
        return 0
    except OutputFailed:
        silence_stdout()
        raise
    except (asyncio.CancelledError, KeyboardInterrupt):
        if request.follow:
            return 0
        raise KeyboardInterrupt from None
