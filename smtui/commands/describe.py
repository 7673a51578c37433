"""``smtui describe JOB``: the job at a glance and its hosts, then every field of it grouped by section, printed once.

Besides DescribeTrainingJob, the summary costs up to three calls made
together (see :mod:`smtui.aws.glance`): GetMetricData for the metrics' best
values, GetMetricData for the hosts' last hour, GetProducts for the price
(none when it is cached on disk). None can fail the command.
"""

from __future__ import annotations

import argparse
import os
from typing import TextIO

from smtui.commands.args import aws_options, check_job_names
from smtui.commands.exits import CommandFailed
from smtui.commands.output import checked_stdout, stopped_writing


def run_describe(args: argparse.Namespace) -> int:
    import asyncio
    import dataclasses
    import json

    from smtui.aws.errors import explain
    from smtui.aws.source import AwsJobSource

    (name,) = check_job_names([args.job])
    # One call that someone is waiting on: fewer retries than a poller that tries again anyway.
    options = dataclasses.replace(aws_options(args), max_attempts=2)
    out = checked_stdout()

    from smtui.aws.glance import glance_inputs
    from smtui.clock import SystemClock

    now = SystemClock().now()

    async def fetch() -> tuple[dict, object]:
        async with AwsJobSource(options) as source:
            response = await source.describe_training_job(name)
            if args.json:
                return response, None
            return response, await glance_inputs(source, response, now)

    try:
        response, inputs = asyncio.run(fetch())
    except Exception as exc:
        raise CommandFailed(explain(exc).message) from None
    if args.json:
        from smtui.present.secrets import masked

        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        if not args.show_secrets:
            body = masked(body)
        return _write(out, json.dumps(body, indent=2, default=_json_default) + "\n")
    from smtui.present.cost import instance_type
    from smtui.present.host_text import host_lines
    from smtui.present.instance_types import instance_spec
    from smtui.present.section_text import render_text
    from smtui.present.sections import SECTION_TITLES
    from smtui.present.summary import summarize
    from smtui.present.summary_text import TITLE, render_summary_text
    from smtui.present.utilisation import stages_of, utilisation

    terminal = out.isatty()
    width = min(max(_columns(out) if terminal else 100, 60), 160)
    text = render_summary_text(summarize(response, now, inputs.price, inputs.series), width) + "\n"
    if inputs.hosts:
        view = utilisation(inputs.hosts, instance_spec(instance_type(response)), stages_of(response))
        lines = ["".join(t for t, _ in line).rstrip() for line in host_lines(view, width)]
        text += "\n".join([HOSTS, "─" * len(HOSTS), *lines]) + "\n\n"
    text += render_text(response, now, width=width, reveal=args.show_secrets)
    if terminal and not os.environ.get("NO_COLOR"):
        # Bold section headings on a terminal; plain text when piped.
        titles = {*SECTION_TITLES, TITLE, HOSTS}
        text = "\n".join(f"\x1b[1m{line}\x1b[0m" if line in titles else line for line in text.split("\n"))
    return _write(out, text)


def _columns(out: TextIO) -> int:
    try:
        return os.get_terminal_size(out.fileno()).columns
    except (OSError, ValueError):
        return 100


def _write(out: TextIO, text: str) -> int:
    """Print ``text``: 0, or one line when standard output fails (quietly 0 when its reader went away)."""
    try:
        out.write(text)
        out.flush()
    except OSError as exc:
        return stopped_writing(exc)
    return 0


#: The heading of the per-host view.
HOSTS = "Hosts"


def _json_default(value):
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)
