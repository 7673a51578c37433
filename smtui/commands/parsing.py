"""argparse as smtui's commands need it: every error on one line, and option values that start with a dash.

Only argparse is imported here: ``smtui --help`` answers at once.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence

from smtui.commands.exits import EXIT_USAGE
from smtui.names import ECHO_LIMIT, echo

#: A word of an argparse message longer than this is cut (a 120 KB argument is not echoed whole).
_LONG_WORD = re.compile(rf"'(?P<quoted>[^'\s]{{{ECHO_LIMIT + 1},}})'|\S{{{ECHO_LIMIT + 20},}}")


def _cut(match: re.Match) -> str:
    quoted, word = match.group("quoted"), match.group()
    return echo(quoted) if quoted is not None else f"{word[:ECHO_LIMIT]}… ({len(word):,} characters)"


class Parser(argparse.ArgumentParser):
    """argparse with its errors on one line: ``smtui watch: error: ... (see smtui watch --help)``."""

    def error(self, message: str):  # type: ignore[override]
        message = _LONG_WORD.sub(_cut, message)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def option_values_joined(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """``--since -1h`` as ``--since=-1h``: argparse takes a value that starts with a dash for an option and says
    "expected one argument"; joined, the value is checked and refused (or taken: ``--filter -ERROR``) as such."""
    takes_value: set[str] = set()
    options: set[str] = set()
    parsers = [parser]
    while parsers:
        current = parsers.pop()
        for action in current._actions:
            options.update(action.option_strings)
            if action.option_strings and action.nargs != 0:
                takes_value.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    out: list[str] = []
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            out.extend(argv[index:])
            break
        following = argv[index + 1] if index + 1 < len(argv) else None
        if (
            word in takes_value
            and following is not None
            and following.startswith("-")
            and following != "--"
            and following.split("=", 1)[0] not in options
        ):
            out.append(f"{word}={following}")
            index += 2
            continue
        out.append(word)
        index += 1
    return out
