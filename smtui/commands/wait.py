"""``smtui wait``: block until training jobs end, one line per event, and an exit code per outcome.

Unlike the AWS CLI's waiter, it says what is happening while it waits (every
status change, stage and final metric, as a line a CI log keeps) and has no
fixed cap: ``--timeout`` is the user's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, TextIO

from smtui.aws.errors import explain
from smtui.aws.snapshot import FinalMetricsArrived, JobSnapshot, StatusChanged, TransitionAdded, diff_snapshots
from smtui.clock import Clock
from smtui.commands.output import OutputClosed, silence_stdout, write_error
from smtui.present.durations import compact_duration
from smtui.present.formatting import visible

#: Exit codes, in the order they win when several apply (a timeout with a failed job exits 3).
EXIT_COMPLETED = 0
EXIT_JOB_FAILED = 3
EXIT_JOB_STOPPED = 4
EXIT_TIMEOUT = 5


class WaitFailed(Exception):
    """A job cannot be waited on (not found, no permission, no credentials): one line for the user."""


#: The most characters of a failure reason printed (SageMaker's are at most 1,024); past it the line says
#: how many were left out.
MAX_REASON = 10_000


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Reporter:
    """Writes one line per event: time, job (padded), what happened.

    Each line's time is when smtui saw the event, so the lines of several jobs stay in time order; a stage
    also says when it started (a first answer brings a job's stages so far, all at once).
    """

    def __init__(self, out: TextIO, names: Sequence[str]) -> None:
        self.out: TextIO | None = out
        self.width = max((len(name) for name in names), default=0)
        self._last: datetime | None = None

    def line(self, moment: datetime, job: str, text: str) -> None:
        # The clock can step back (NTP): a line never reads earlier than the one before it.
        if self._last is not None and moment < self._last:
            moment = self._last
        self._last = moment
        if self.out is None:
            return
        try:
            self.out.write(f"{_stamp(moment)}  {job:<{self.width}}  {visible(text)}\n")
            self.out.flush()
        except OSError as exc:
            error = write_error(exc)
            self.out = None
            silence_stdout()
            if not isinstance(error, OutputClosed):
                raise error from None
            # The reader went away (`smtui wait J | head -3`): the waiting, and its exit code, go on.

    def events(self, snapshot: JobSnapshot, events: list, now: datetime) -> None:
        # Stages first: they happened before the status that reports them.
        order = {TransitionAdded: 0, StatusChanged: 1, FinalMetricsArrived: 2}
        for event in sorted(events, key=lambda e: order.get(type(e), 3)):
            if isinstance(event, StatusChanged) and event.old_status != event.new_status:
                stage = f" ({event.new_secondary})" if event.new_secondary else ""
                before = f"{event.old_status} → " if event.old_status else ""
                self.line(now, event.job, f"status {before}{event.new_status}{stage}")
            elif isinstance(event, TransitionAdded):
                transition = event.transition
                message = f": {transition.message}" if transition.message else ""
                self.line(now, event.job, f"stage {transition.status}, started {_stamp(transition.start)}{message}")
            elif isinstance(event, FinalMetricsArrived):
                values = ", ".join(f"{name}={value:.6g}" for name, value in event.metrics.items())
                self.line(now, event.job, f"final metrics: {values}")

    def ended(self, snapshot: JobSnapshot, now: datetime) -> None:
        elapsed = snapshot.elapsed(now)
        took = f" after {compact_duration(elapsed)}" if elapsed is not None else ""
        self.line(now, snapshot.name, f"ended {snapshot.status}{took}")
        flat = snapshot.failure_reason
        if snapshot.status == "Failed" and flat is not None:
            if len(flat) > MAX_REASON:
                flat = (
                    f"{flat[:MAX_REASON]}… ({len(flat) - MAX_REASON:,} more characters: "
                    f"`smtui describe {snapshot.name}` prints them all)"
                )
            self.line(now, snapshot.name, f"reason: {flat}")


async def wait_for(
    source: Any,
    names: Sequence[str],
    out: TextIO,
    *,
    clock: Clock,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    interval: float = 30.0,
    timeout: float | None = None,
) -> int:
    """Poll ``names`` with DescribeTrainingJob every ``interval`` seconds until all have ended or
    ``timeout`` seconds passed; report each change to ``out``; return the exit code."""
    report = Reporter(out, names)
    snapshots: dict[str, JobSnapshot] = {}
    troubled: dict[str, str] = {}
    pending = list(dict.fromkeys(names))
    deadline = clock.now() + timedelta(seconds=timeout) if timeout is not None else None
    timed_out = False
    while pending:
        for name in list(pending):
            try:
                response = await source.describe_training_job(name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = explain(exc)
                if not error.retryable:
                    raise WaitFailed(f"{name}: {error.message}") from None
                # Throttling or a network blip: said once, then tried again next round.
                if troubled.get(name) != error.kind:
                    report.line(clock.now(), name, f"! {error.message}; trying again")
                troubled[name] = error.kind
                continue
            troubled.pop(name, None)
            now = clock.now()
            snapshot = JobSnapshot.from_response(name, response, now)
            report.events(snapshot, diff_snapshots(snapshots.get(name), snapshot), now)
            snapshots[name] = snapshot
            if snapshot.is_terminal:
                pending.remove(name)
                report.ended(snapshot, now)
        if not pending:
            break
        now = clock.now()
        if deadline is not None and now >= deadline:
            timed_out = True
            report.line(
                now,
                pending[0],
                f"timed out after {compact_duration(timeout or 0)}; still running: {', '.join(pending)}",
            )
            break
        left = (deadline - now).total_seconds() if deadline is not None else interval
        await sleep(max(min(interval, left), 0.0))
    statuses = {snapshot.status for snapshot in snapshots.values()}
    if "Failed" in statuses:
        return EXIT_JOB_FAILED
    if "Stopped" in statuses:
        return EXIT_JOB_STOPPED
    return EXIT_TIMEOUT if timed_out else EXIT_COMPLETED


def run(options: Any, names: Sequence[str], out: TextIO, *, interval: float, timeout: float | None) -> int:
    """The command: open the clients, wait, close them."""
    from smtui.aws.source import AwsJobSource
    from smtui.clock import SystemClock

    async def main() -> int:
        async with AwsJobSource(options) as source:
            return await wait_for(source, names, out, clock=SystemClock(), interval=interval, timeout=timeout)

    return asyncio.run(main())
