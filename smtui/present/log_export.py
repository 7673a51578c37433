"""Saving log lines to a file: the logs screen's ``e``.

Each line is written as ``smtui logs --timestamps`` prints it
(``2026-11-26T09:59:58.123Z algo-2 | message``), secrets hidden unless they
are shown on the screen, control characters escaped. The file is new: a name
already taken gets a number, so nothing the user had is overwritten.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from smtui.present.formatting import visible
from smtui.present.secrets import MASK, mask_text


class LogLine(Protocol):
    """What is saved of a log line (:class:`~smtui.aws.log_buffer.LogLine` has it)."""

    timestamp: int  # milliseconds since the epoch
    host: str
    message: str
    hidden: bool


def line_text(line: LogLine, host_width: int, reveal: bool) -> str:
    """One line as saved (without its line break)."""
    moment = datetime.fromtimestamp(line.timestamp // 1000, timezone.utc)
    stamp = f"{moment:%Y-%m-%dT%H:%M:%S}.{line.timestamp % 1000:03d}Z"
    message = line.message if reveal else MASK if line.hidden else mask_text(line.message)
    host = visible(line.host)
    return f"{stamp} {host:<{host_width}} | " + "\t".join(visible(part) for part in message.split("\t"))


def file_name(job: str, now: datetime, narrowed: str = "") -> str:
    """``JOB-logs-20261126-095958[-algo-3].log``: the job, when, and the host shown, if only one is."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", narrowed).strip("_")[:40]
    return f"{job}-logs-{now:%Y%m%d-%H%M%S}" + (f"-{safe}" if safe else "") + ".log"


def save_lines(lines: Sequence[LogLine], name: str, *, reveal: bool, folders: Sequence[Path] | None = None) -> Path:
    """Write ``lines`` to a new file called ``name`` in the first folder that takes it (the working directory,
    else the temporary one); returns its path. Raises OSError when no folder does."""
    folders = list(folders) if folders is not None else [Path.cwd(), Path(tempfile.gettempdir())]
    width = max((len(visible(line.host)) for line in lines), default=0)
    text = "".join(line_text(line, width, reveal) + "\n" for line in lines)
    stem, suffix = os.path.splitext(name)
    error: OSError | None = None
    for folder in folders:
        for attempt in range(100):
            path = folder / (name if attempt == 0 else f"{stem}-{attempt}{suffix}")
            try:
                with open(path, "x", encoding="utf-8", errors="backslashreplace") as out:
                    out.write(text)
            except FileExistsError:
                continue
            except OSError as exc:
                error = exc
                break  # this folder will not take it: the next one
            return path.resolve()
    raise error or FileExistsError(name)
