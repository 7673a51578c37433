"""``smtui logs JOB``: a training job's CloudWatch Logs on standard output, merged across its instances.

One line per event, in time order, each starting with the instance that wrote
it (``algo-2 | message``). The newest ``--lines`` events of the job over all
of its streams are printed, exactly that many unless the job has fewer;
``--filter`` narrows them to the events matching a CloudWatch filter pattern,
searched newest first. With ``--follow``, what arrives next is printed every
interval until the job has ended and a last read made after its end found
everything, or the command is interrupted. The reading is
:class:`~smtui.aws.log_tail.LogTail`'s: its cost is a FilterLogEvents call a
round whatever the number of instances, plus a DescribeTrainingJob call every
``DESCRIBE_EVERY`` rounds; ``--verbose`` prints the calls made on standard
error at the end.

Nothing here imports Textual; botocore is imported by the calls that need it.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TextIO

from smtui.aws.errors import ACCESS_DENIED, NOT_FOUND, PollError, explain
from smtui.aws.log_buffer import LogBuffer, LogLine
from smtui.aws.log_tail import RATES, LogTail, operation_budget
from smtui.clock import Clock
from smtui.commands.exits import CommandFailed
from smtui.commands.log_printer import Printer
from smtui.commands.output import OutputClosed, OutputFailed, checked_stdout, silence_stdout
from smtui.present.log_match import LineFilter

#: Rounds between two DescribeTrainingJob calls while following (30 s at the default interval): how soon the
#: end of the job is seen.
DESCRIBE_EVERY = 6
#: Seconds to wait before reading again when the first read failed in a way that can pass (throttling, a
#: dropped connection); botocore has already retried each call once.
RETRY_DELAYS = (1.0, 3.0)

Sleep = Callable[[float], Awaitable[Any]]


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


@dataclass(frozen=True)
class Request:
    """What ``smtui logs`` was asked for."""

    job: str
    lines: int = 1000
    follow: bool = False
    interval: float = 5.0
    pattern: str | None = None
    verbose: bool = False
    #: Narrowing on this side, of the lines read: those matching ``grep``, written by ``host``.
    grep: re.Pattern[str] | None = None
    host: str | None = None


class LogsCommand:
    """Prints one job's logs through ``source`` (an :class:`~smtui.aws.source.AwsJobSource`, opened)."""

    def __init__(
        self,
        source: Any,
        request: Request,
        printer: Printer,
        *,
        err: TextIO | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock | None = None,
        budget: Callable[[str], Awaitable[Any]] | None = None,
    ) -> None:
        self.source = source
        self.request = request
        self.printer = printer
        self.err = err if err is not None else sys.stderr
        self.sleep = sleep
        self.tail = LogTail(
            source,
            request.job,
            capacity=request.lines,
            pattern=request.pattern,
            budget=budget if budget is not None else operation_budget(RATES),
            clock=clock,
        )
        self.tail.buffer = RecordingBuffer(request.lines)
        #: DescribeTrainingJob calls made.
        self.describes = 0
        self._rounds_since_described = 0
        self._warned: str | None = None

    def note(self, text: str) -> None:
        """One line for the person running the command, on standard error."""
        print(text, file=self.err, flush=True)

    @property
    def calls(self) -> dict[str, int]:
        """The calls made so far, by operation."""
        return {"DescribeTrainingJob": self.describes, **self.tail.calls_by}

    def summary(self) -> str:
        """The calls made, for ``--verbose``: ``14 calls: FilterLogEvents 12, ...``."""
        calls = {operation: count for operation, count in self.calls.items() if count}
        total = sum(calls.values())
        parts = ", ".join(f"{operation} {count}" for operation, count in sorted(calls.items(), key=lambda i: -i[1]))
        return f"smtui: {total} call{'' if total == 1 else 's'}" + (f": {parts}" if parts else "")

    async def run(self) -> int:
        request, tail = self.request, self.tail
        buffer = tail.buffer
        assert isinstance(buffer, RecordingBuffer)
        await self.describe(first=True)
        # Printing once needs no listing of the streams, unless it is to say why there are no lines.
        tail.listing = request.follow
        for delay in (*RETRY_DELAYS, None):
            await tail.read_round()
            if tail.error is None or not tail.error.retryable or delay is None:
                break
            await self.sleep(delay)  # the tail resumes where the failure stopped it
        if tail.error is not None and tail.error.kind != NOT_FOUND:
            raise CommandFailed(tail.error.message)
        if not buffer.lines and not tail.listed and tail.error is None:
            try:
                await tail.list_streams()
            except asyncio.CancelledError:
                raise
            except Exception:
                pass  # the listing only explains: without it, the message is vaguer
        printed = self._print(buffer.take())
        if not buffer.lines:
            self.note(tail.why_empty(tail.info.started if tail.info else None))
        elif not printed:
            self.note(
                f"smtui: none of the {len(buffer.lines):,} lines read is {self._narrowing()}"
                + (" (more may come)" if request.follow else "")
            )
        if request.follow:
            await self._follow()
        return 0

    async def describe(self, *, first: bool = False) -> None:
        """DescribeTrainingJob, for the tail. Any failure of the first call ends the command (the job does not
        exist, no credentials, no endpoint), except access denied: a role may read the logs but not the job.
        Later failures leave what was known."""
        self._rounds_since_described = 0
        self.describes += 1
        try:
            description = await self.source.describe_training_job(self.request.job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = explain(exc)
            if first and error.kind != ACCESS_DENIED:
                raise CommandFailed(error.message) from None
            return
        self.tail.set_job(description)

    async def _follow(self) -> None:
        """Read every interval until the tail is done: the job ended and a read after its end found all."""
        tail, buffer = self.tail, self.tail.buffer
        assert isinstance(buffer, RecordingBuffer)
        while not tail.done:
            await self.sleep(tail.wait(self.request.interval))
            ended = tail.info is not None and tail.info.ended
            self._rounds_since_described += 1
            if not ended and self._rounds_since_described >= DESCRIBE_EVERY:
                await self.describe()
            await tail.read_round()
            self._failed_round(tail.error)
            self._print(buffer.take())

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

    def _narrowing(self) -> str:
        parts = []
        if self.request.host is not None:
            parts.append(f"from {self.request.host}")
        if self.request.grep is not None:
            parts.append(f"matching {self.request.grep.pattern!r}")
        return " and ".join(parts)

    def _print(self, lines: list[LogLine]) -> int:
        """Print the lines the narrowing keeps; returns how many."""
        request = self.request
        if request.host is not None or request.grep is not None:
            keep = LineFilter(request.grep, request.host).keeps
            shown = self.printer.shown
            lines = [line for line in lines if keep(line.host, shown(line.message, line.hidden))]
        self.printer.know(s.host for s in self.tail.streams.values())
        return self.printer.write_lines(lines)


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
        command = LogsCommand(source, request, printer)
        try:
            return await command.run()
        finally:
            if request.verbose:
                command.note(command.summary())


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
