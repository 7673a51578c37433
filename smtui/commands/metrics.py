"""``smtui metrics JOB [JOB ...]``: the metric history of jobs from CloudWatch, one line per point.

What the SageMaker SDK's ``TrainingJobAnalytics`` gives a notebook, without
pandas: time, job, metric and value, as aligned text, CSV or JSON. Each job is
described once (its start and the metrics it defines), then every series is
read with :func:`~smtui.aws.history.fetch_history`: one GetMetricData call
per Period tier of the jobs' ages and per 500 series, from each job's start.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any, NamedTuple, TextIO

from smtui.commands.exits import CommandFailed, UsageError
from smtui.commands.output import checked_stdout, stopped_writing

#: The columns, in order, of every format.
FIELDS = ("time", "job", "metric", "value")
#: Rows written to standard output at once: a long history is not held as one string.
CHUNK = 2000


class Row(NamedTuple):
    """One datapoint of one series."""

    time: datetime
    job: str
    metric: str
    value: float

    def time_text(self) -> str:
        """ISO 8601 in UTC, to the second (CloudWatch's timestamps are whole seconds)."""
        return self.time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def value_text(self) -> str:
        """The shortest text that reads back as the same float."""
        return repr(self.value) if math.isfinite(self.value) else str(self.value)


class History(NamedTuple):
    """What the command found: the rows, job by job (in the order given), each job's metrics in the order it
    defines them, each series oldest first; and a note for each job that has no point to show."""

    rows: list[Row]
    notes: list[str]


async def read_history(source: Any, names: Sequence[str], metric: str | None, now: datetime) -> History:
    """Describe each job (all at once), then fetch every series (or only ``metric``) from its start.

    Raises :class:`UsageError` when ``metric`` is given and no job defines it, and what the calls raise.
    """
    import asyncio

    from smtui.aws.errors import NOT_FOUND, explain
    from smtui.aws.history import fetch_history, requests_for
    from smtui.aws.snapshot import JobSnapshot
    from smtui.aws.source import MetricQuery

    responses = await asyncio.gather(*(source.describe_training_job(name) for name in names), return_exceptions=True)
    for name, response in zip(names, responses):
        if isinstance(response, BaseException):
            if not isinstance(response, Exception):
                raise response  # a cancellation, an interrupt
            error = explain(response)
            # A job that is not there is that job's; no credentials or no endpoint is every job's.
            raise CommandFailed(f"{name}: {error.message}" if error.kind == NOT_FOUND else error.message)
    snapshots = [JobSnapshot.from_response(name, response, now) for name, response in zip(names, responses)]
    if metric is not None and not any(metric in s.metric_names for s in snapshots):
        defined = sorted({m for s in snapshots for m in s.metric_names})
        them, verb = ("it", "defines") if len(snapshots) == 1 else ("they", "define")
        raise UsageError(
            f"no job given defines the metric {metric!r}: "
            + (f"{them} {verb} {', '.join(defined)}" if defined else f"{them} {verb} no metrics")
        )
    requests = requests_for(snapshots, metric)
    found = await fetch_history(source, requests, now) if requests else {}
    rows: list[Row] = []
    notes: list[str] = []
    for snapshot in snapshots:
        names_wanted = [m for m in snapshot.metric_names if metric is None or m == metric]
        before = len(rows)
        for name in names_wanted:
            for when, value in found.get(MetricQuery(snapshot.name, name), ()):
                rows.append(Row(when, snapshot.name, name, float(value)))
        if len(rows) == before:
            notes.append(_why_none(snapshot, metric))
    return History(rows, notes)


def _why_none(snapshot: Any, metric: str | None) -> str:
    if metric is not None and metric not in snapshot.metric_names:
        return f"{snapshot.name} does not define {metric}"
    if not snapshot.metric_names:
        return f"{snapshot.name} defines no metrics"
    if snapshot.time("TrainingStartTime") is None and not snapshot.is_terminal:
        return f"{snapshot.name} has not started training: no points yet"
    return f"{snapshot.name}: CloudWatch has no points of {metric or 'its metrics'}"


def text_lines(rows: Sequence[Row]) -> Iterator[str]:
    """Aligned columns under a header (the value column right-aligned)."""
    cells = [(r.time_text(), r.job, r.metric, r.value_text()) for r in rows]
    header = tuple(f.upper() for f in FIELDS)
    widths = [max([len(header[i]), *(len(c[i]) for c in cells)]) for i in range(4)]
    for line in (header, *cells):
        yield f"{line[0]:<{widths[0]}}  {line[1]:<{widths[1]}}  {line[2]:<{widths[2]}}  {line[3]:>{widths[3]}}\n"


def csv_lines(rows: Iterable[Row]) -> Iterator[str]:
    """RFC 4180 CSV with a header line."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FIELDS)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow((row.time_text(), row.job, row.metric, row.value_text()))
        yield buffer.getvalue()


def json_lines(rows: Sequence[Row]) -> Iterator[str]:
    """One JSON array of objects, one object a line (``pandas.read_json`` reads it as it is)."""
    import json

    if not rows:
        yield "[]\n"
        return
    for index, row in enumerate(rows):
        item = {
            "time": row.time_text(),
            "job": row.job,
            "metric": row.metric,
            "value": row.value if math.isfinite(row.value) else None,
        }
        yield ("[" if index == 0 else " ") + json.dumps(item) + ("]\n" if index == len(rows) - 1 else ",\n")


def write_all(out: TextIO, lines: Iterable[str]) -> int:
    """Write ``lines`` a chunk at a time: 0, quietly 0 when the reader went away, one line when the write
    fails otherwise (a full disk)."""
    try:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) >= CHUNK:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
        out.flush()
    except OSError as exc:
        return stopped_writing(exc)
    return 0


def run(options: Any, names: Sequence[str], *, metric: str | None, form: str) -> int:
    """The command: check standard output, read the history, print it in ``form`` (text, csv or json)."""
    import asyncio

    from smtui.aws.errors import explain
    from smtui.aws.source import AwsJobSource
    from smtui.clock import SystemClock

    out = checked_stdout()

    async def fetch() -> History:
        async with AwsJobSource(options) as source:
            return await read_history(source, names, metric, SystemClock().now())

    try:
        history = asyncio.run(fetch())
    except UsageError:  # a job that could not be described, a metric no job defines: said already
        raise
    except Exception as exc:
        raise CommandFailed(explain(exc).message) from None
    for note in history.notes:
        print(f"smtui: {note}", file=sys.stderr)
    lines = {"csv": csv_lines, "json": json_lines}.get(form, text_lines)(history.rows)
    return write_all(out, lines)


def add_parser(commands: Any, add_aws_options: Any) -> None:
    """``smtui metrics``'s arguments, on the command line's subparsers."""
    parser = commands.add_parser(
        "metrics",
        help="print jobs' metric history from CloudWatch (for notebooks and CI)",
        description="Print the metric history of training jobs from CloudWatch, from each job's start: time (UTC), "
        "job, metric and value, one line per point. Exit codes: 0 printed, 1 a job or its metrics "
        "could not be read (not found, no permission, no endpoint), 2 bad arguments.",
    )
    parser.add_argument("jobs", nargs="+", metavar="JOB", help="training job names")
    parser.add_argument(
        "--metric", metavar="NAME", type=_metric_name, help="only this metric (default: every metric each job defines)"
    )
    form = parser.add_mutually_exclusive_group()
    form.add_argument(
        "--csv", dest="form", action="store_const", const="csv", help="CSV with a header line: time,job,metric,value"
    )
    form.add_argument(
        "--json",
        dest="form",
        action="store_const",
        const="json",
        help="a JSON array of {time, job, metric, value} objects",
    )
    add_aws_options(parser)


def _metric_name(value: str) -> str:
    # CloudWatch's metric names: 1 to 255 characters, none of them a control character.
    if not value.strip() or len(value) > 255 or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a metric name (1 to 255 printable characters)")
    return value
