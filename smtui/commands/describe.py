"""``smtui describe JOB``: the job at a glance, then every field of it grouped by section, printed once.

The summary needs two calls besides DescribeTrainingJob, made together: one
GetMetricData for the best value of each metric, and one GetProducts for the
hourly price (none when the price is cached on disk). Neither can fail the
command: without them the summary says what it lacks.
"""

from __future__ import annotations

import argparse
import os
import sys

from smtui.commands.args import aws_options, check_job_names
from smtui.commands.exits import CommandFailed


def run_describe(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses
    import json

    from smtui.aws.errors import explain
    from smtui.aws.source import AwsJobSource

    (name,) = check_job_names([args.job])
    # One call that someone is waiting on: fewer retries than a poller that tries again anyway.
    options = dataclasses.replace(aws_options(args), max_attempts=2)

    async def fetch() -> tuple[dict, object, dict]:
        async with AwsJobSource(options) as source:
            response = await source.describe_training_job(name)
            if args.json:
                return response, None, {}
            price, series = await _glance_inputs(source, response)
            return response, price, series

    try:
        response, price, series = asyncio.run(fetch())
    except Exception as exc:
        raise CommandFailed(explain(exc).message) from None
    if args.json:
        from smtui.present.secrets import masked

        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        if not args.show_secrets:
            body = masked(body)
        print(json.dumps(body, indent=2, default=_json_default))
        return 0
    from smtui.clock import SystemClock
    from smtui.present.sections import SECTION_TITLES, render_text
    from smtui.present.summary import summarize
    from smtui.present.summary_text import TITLE, render_summary_text

    terminal = sys.stdout.isatty()
    width = min(max(os.get_terminal_size().columns if terminal else 100, 60), 160)
    now = SystemClock().now()
    text = render_summary_text(summarize(response, now, price, series), width) + "\n"
    text += render_text(response, now, width=width, reveal=args.show_secrets)
    if terminal and not os.environ.get("NO_COLOR"):
        # Bold section headings on a terminal; plain text when piped.
        titles = {*SECTION_TITLES, TITLE}
        text = "\n".join(f"\x1b[1m{line}\x1b[0m" if line in titles else line for line in text.split("\n"))
    print(text, end="")
    return 0


#: Seconds the summary's two extra calls may take before the summary goes without them.
GLANCE_TIMEOUT = 10.0


async def _glance_inputs(source, response: dict) -> tuple[object, dict]:
    """The job's hourly price (or why there is none) and its metric series, fetched together."""
    import asyncio
    from datetime import timedelta

    from smtui.aws.pricing import PriceBook
    from smtui.aws.source import MetricQuery
    from smtui.clock import SystemClock
    from smtui.present.cost import NoPrice, instance_type
    from smtui.present.formatting import as_datetime
    from smtui.present.summary import metric_names

    name = str(response.get("TrainingJobName", ""))
    arn = str(response.get("TrainingJobArn", ""))
    region = arn.split(":")[3] if arn.count(":") >= 5 else source.region

    async def price():
        try:
            return await asyncio.wait_for(PriceBook(source.pricing_client).price(instance_type(response), region),
                                          GLANCE_TIMEOUT)
        except asyncio.TimeoutError:
            return NoPrice("the AWS Price List did not answer in time")

    async def series():
        metrics = metric_names(response)
        start = as_datetime(response.get("TrainingStartTime")) or as_datetime(response.get("CreationTime"))
        if not metrics or start is None:
            return {}
        # A point is stamped with the start of its minute: the last one is a minute before the end.
        end = (as_datetime(response.get("TrainingEndTime")) or SystemClock().now()) + timedelta(minutes=1)
        queries = [MetricQuery(name, metric) for metric in metrics]
        try:
            found = await asyncio.wait_for(source.get_metric_data(queries, start, end), GLANCE_TIMEOUT)
        except Exception:  # without the series, the summary shows the final values
            return {}
        return {q.metric: points for q, points in found.items() if points}

    return tuple(await asyncio.gather(price(), series()))


def _json_default(value):
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)
