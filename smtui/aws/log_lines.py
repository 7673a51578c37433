"""The events a log tail's searches find, made lines once each, in order, with private keys hidden.

Searches overlap on purpose (a follow-up reaches back ``LOOKBACK_MS`` for
events the service takes in late) and a first read may leave older events out
on purpose (older than the newest lines kept): :class:`EventLines` remembers
which events it has made lines of, and from when events are left out, so that
neither comes in twice or late.
"""

from __future__ import annotations

from dataclasses import replace

from smtui.aws.log_buffer import LogLine
from smtui.aws.log_search import Event, Scan
from smtui.aws.log_streams import StreamBook
from smtui.present.secrets import PrivateKeyLines


class EventLines:
    """Makes lines of the events found, without those held already or left out on purpose."""

    def __init__(self, book: StreamBook) -> None:
        self.book = book
        #: eventId → timestamp of the events held that a follow-up search can meet again.
        self.recent: dict[str, int] = {}
        #: Events at or before this time were left out on purpose: older than the newest lines kept.
        self.floor: int | None = None
        #: Per host, whether its lines are inside a private key printed over several lines.
        self._keys: dict[str, PrivateKeyLines] = {}
        self._up = 0
        self._down = 0

    @property
    def newest(self) -> int | None:
        """The time of the newest event held that a follow-up search can meet again."""
        return max(self.recent.values(), default=None)

    def take(self, scan: Scan, events: list[Event]) -> list[LogLine]:
        """The lines of newly found events, without those held already or left out on purpose."""
        lines = []
        floor = self.floor
        for event in events:
            if event.key in self.recent or (floor is not None and event.timestamp <= floor):
                continue
            self.recent[event.key] = event.timestamp
            stream = self.book.know(event.stream)
            # Lines of one host in one millisecond keep the service's order: a search newest first
            # numbers them downwards, the rest upwards, so they sort oldest first either way.
            if scan.reversed:
                self._down -= 1
                sequence = self._down
            else:
                self._up += 1
                sequence = self._up
            lines.append(LogLine(event.timestamp, stream.host_index, sequence, stream.host, event.message.rstrip("\n")))
        return self._hide_keys(lines)

    def forget_before(self, keep: int) -> None:
        """Forget the events older than ``keep``: no search reaches back to them any more."""
        self.recent = {key: at for key, at in self.recent.items() if at >= keep}
        if self.floor is not None and self.floor < keep:
            self.floor = None

    def _hide_keys(self, lines: list[LogLine]) -> list[LogLine]:
        """``lines`` in time order, those inside a private key printed line by line marked hidden.

        Each host's lines are read oldest first, whatever order the search found them in; a key split
        between two pages of a search newest first shows only its first line hidden (by the masking).
        """
        lines.sort()
        for i, line in enumerate(lines):
            keys = self._keys.setdefault(line.host, PrivateKeyLines())
            if keys.hidden(line.message):
                lines[i] = replace(line, hidden=True)
        return lines
