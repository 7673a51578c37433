"""Narrowing log lines to what matters: a pattern they match and the host that wrote them.

The logs screen's ``&`` and ``h``/``H`` and ``smtui logs --grep/--host`` both
narrow the lines already read, on this side (``--filter`` asks the service to
search instead). A pattern is a regular expression, case-insensitive unless
it has a capital letter (as ``less -i`` and ripgrep's smart case do); it is
matched against a line's message as shown, so a hidden secret is not found by
searching for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


class PatternError(ValueError):
    """A pattern that is not a regular expression, with a one-line reason."""


def compile_pattern(text: str) -> re.Pattern[str]:
    """``text`` as a regular expression, smart case; raises :class:`PatternError` saying what is wrong."""
    flags = 0 if any(c.isupper() for c in text) else re.IGNORECASE
    try:
        return re.compile(text, flags)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise PatternError(f"{text!r} is not a regular expression: {exc.msg}{where}") from None


@dataclass(frozen=True)
class LineFilter:
    """Which lines to show: those whose message matches ``pattern`` (None: any), written by ``host`` (None:
    any host)."""

    pattern: re.Pattern[str] | None = None
    host: str | None = None

    @property
    def active(self) -> bool:
        return self.pattern is not None or self.host is not None

    def keeps(self, host: str, message: str) -> bool:
        """Whether a line of ``host`` whose message, as shown, is ``message`` passes."""
        if self.host is not None and host != self.host:
            return False
        return self.pattern is None or self.pattern.search(message) is not None

    def describe(self) -> str:
        """What the filter shows, for a title: ``& loss · algo-3``."""
        parts = []
        if self.pattern is not None:
            parts.append(f"& {self.pattern.pattern}")
        if self.host is not None:
            parts.append(self.host)
        return " · ".join(parts)


def host_order(hosts: Iterable[str]) -> list[str]:
    """Hosts in their natural order: ``algo-2`` before ``algo-10``, other names after, alphabetically."""

    def key(host: str) -> tuple:
        head, _, number = host.rpartition("-")
        return (0, head, int(number), host) if number.isdigit() else (1, host, 0, host)

    return sorted(set(hosts), key=key)


def next_host(hosts: Iterable[str], current: str | None) -> str | None:
    """``h``: all hosts, then each host in turn, then all of them again."""
    ordered = host_order(hosts)
    if not ordered:
        return None
    if current is None or current not in ordered:
        return ordered[0]
    index = ordered.index(current) + 1
    return ordered[index] if index < len(ordered) else None


def find_host(hosts: Iterable[str], text: str) -> str | None:
    """The host ``text`` names: its whole name (any case), or its number (``3`` for ``algo-3``); None if none."""
    wanted = text.strip()
    ordered = host_order(hosts)
    for host in ordered:
        if host.lower() == wanted.lower():
            return host
    if wanted.isdigit():
        for host in ordered:
            if host.rpartition("-")[2] == str(int(wanted)):
                return host
    return None
