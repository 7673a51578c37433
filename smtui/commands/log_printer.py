"""Log lines as ``smtui logs`` prints them: ``[TIME ]HOST | MESSAGE``, safe for any terminal."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TextIO

from smtui.aws.log_tail import LogLine
from smtui.commands.output import write_error
from smtui.present.formatting import visible
from smtui.present.secrets import MASK, mask_text

#: ANSI foreground colours of the host prefixes, by host number.
COLORS = ("36", "33", "32", "35", "34", "96", "93", "92", "95", "94")


def clean(text: str) -> str:
    """``text`` safe to print on a terminal: controls escaped, line breaks shown as ``⏎``, tabs kept."""
    return "\t".join(visible(part) for part in text.split("\t"))


def format_time(timestamp: int) -> str:
    """Epoch milliseconds as UTC ISO 8601 with milliseconds: ``2026-11-26T09:59:58.123Z``."""
    try:
        moment = datetime.fromtimestamp(timestamp // 1000, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return str(timestamp)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{timestamp % 1000:03d}Z"


class Printer:
    """Writes log lines as ``[TIME ]HOST | MESSAGE``, hosts padded to one width and coloured on a terminal."""

    def __init__(self, out: TextIO, *, timestamps: bool = False, color: bool = False, reveal: bool = False) -> None:
        self.out = out
        self.timestamps = timestamps
        self.color = color
        #: Print secrets (keys, tokens, passwords) as they are instead of hidden.
        self.reveal = reveal
        self.width = 0

    def know(self, hosts: Iterable[str]) -> None:
        """Widen the host column to fit ``hosts``."""
        self.width = max([self.width, *(len(clean(h)) for h in hosts)])

    def line(self, timestamp: int, host: str, host_index: int, message: str, hidden: bool = False) -> str:
        """One line; ``hidden``: the message is part of a private key printed over several lines."""
        host = clean(host)
        label = f"{host:<{max(self.width, len(host))}} |"
        if self.color:
            label = f"\x1b[{COLORS[host_index % len(COLORS)]}m{label}\x1b[0m"
        stamp = f"{format_time(timestamp)} " if self.timestamps else ""
        return f"{stamp}{label} {self.shown(message, hidden)}\n"

    def shown(self, message: str, hidden: bool = False) -> str:
        """A message as printed: secrets hidden (unless revealed), controls escaped."""
        if not self.reveal:
            message = MASK if hidden else mask_text(message)
        return clean(message)

    def write(self, lines: Iterable[tuple]) -> int:
        """Write (timestamp, host, host index, message[, hidden]) lines and flush; returns how many."""
        count = 0
        chunk: list[str] = []
        try:
            for row in lines:
                chunk.append(self.line(*row))
                count += 1
                if len(chunk) >= 1000:
                    self.out.write("".join(chunk))
                    chunk = []
            if chunk:
                self.out.write("".join(chunk))
            self.out.flush()
        except OSError as exc:  # the reader went away (OutputClosed), or the disk is full (OutputFailed)
            raise write_error(exc) from None
        return count

    def write_lines(self, lines: Iterable[LogLine]) -> int:
        return self.write((line.timestamp, line.host, line.host_index, line.message, line.hidden) for line in lines)
