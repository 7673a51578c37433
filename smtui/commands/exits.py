"""What every command exits with, and the two failures it reports as one line."""

from __future__ import annotations

#: Exit codes: bad input, and a command that could not do its job (job not found, no credentials, ...).
EXIT_USAGE = 2
EXIT_FAILED = 1


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit code 2."""

    exit_code = EXIT_USAGE


class CommandFailed(UsageError):
    """The command could not do its job (AWS said no, the network failed): one line, exit code 1."""

    exit_code = EXIT_FAILED
