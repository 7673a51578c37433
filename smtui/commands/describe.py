"""``smtui describe JOB``: every field of a training job, grouped by section, printed once."""

from __future__ import annotations

import argparse
import os
from typing import TextIO

from smtui.commands.args import aws_options, check_job_names
from smtui.commands.exits import CommandFailed
from smtui.commands.output import OutputClosed, checked_stdout, silence_stdout, write_error


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
        return _write(out, json.dumps(body, indent=2, default=_json_default) + "\n")
    from smtui.clock import SystemClock
    from smtui.present.sections import SECTION_TITLES, render_text

    terminal = out.isatty()
    width = _columns(out) if terminal else 100
    text = render_text(response, SystemClock().now(), width=min(max(width, 60), 160), reveal=args.show_secrets)
    if terminal and not os.environ.get("NO_COLOR"):
        # Bold section headings on a terminal; plain text when piped.
        titles = set(SECTION_TITLES)
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
        error = write_error(exc)
        silence_stdout()
        if isinstance(error, OutputClosed):
            return 0
        raise error from None
    return 0


def _json_default(value):
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return str(value)
