"""``smtui describe JOB``: every field of a training job, grouped by section, printed once."""

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

    async def fetch() -> dict:
        async with AwsJobSource(options) as source:
            return await source.describe_training_job(name)

    try:
        response = asyncio.run(fetch())
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

    terminal = sys.stdout.isatty()
    width = os.get_terminal_size().columns if terminal else 100
    text = render_text(response, SystemClock().now(), width=min(max(width, 60), 160), reveal=args.show_secrets)
    if terminal and not os.environ.get("NO_COLOR"):
        # Bold section headings on a terminal; plain text when piped.
        titles = set(SECTION_TITLES)
        text = "\n".join(f"\x1b[1m{line}\x1b[0m" if line in titles else line for line in text.split("\n"))
    print(text, end="")
    return 0


def _json_default(value):
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)
