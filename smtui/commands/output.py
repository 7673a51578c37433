"""Where the commands write: standard output checked before any call, and its failures as one line.

``describe``, ``wait`` and ``logs`` print for scripts and files; ``watch`` and ``demo`` draw a full screen
and need a terminal. Each finds out what it has before it calls AWS, and a write that fails later (a full
disk, a reader that went away) ends the command with one line, never a traceback.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import TextIO

from smtui.commands.exits import UsageError


class OutputFailed(UsageError):
    """Standard output cannot take what the command prints (closed, or a write failed): one line, exit 2."""


class OutputClosed(Exception):
    """Standard output was closed by its reader (``smtui logs JOB | head``): the command ends quietly."""


def checked_stdout() -> TextIO:
    """Standard output, able to take any text: a lone surrogate in a job's data is written as an escape.

    Raises :class:`OutputFailed` when it is closed (``smtui describe JOB >&-``).
    """
    out = sys.stdout
    closed = OutputFailed(
        "standard output is closed, so there is nowhere to print to: give it a file or a pipe (> FILE, | less)"
    )
    if out is None or out.closed:  # Python's stdout when the process started with file descriptor 1 closed
        raise closed
    try:
        descriptor = out.fileno()
    except (AttributeError, ValueError, OSError):
        descriptor = None  # a stream in memory (tests, an embedding program): nothing to check
    if descriptor is not None:
        try:
            os.fstat(descriptor)
        except OSError:
            raise closed from None
    reconfigure = getattr(out, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):
            pass
    return out


def write_error(exc: OSError) -> Exception:
    """What a failed write to standard output means: :class:`OutputClosed` when the reader went away,
    else :class:`OutputFailed` saying why (``No space left on device``). The caller silences standard output
    (:func:`silence_stdout`) once it has stopped writing."""
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return OutputClosed()
    why = exc.strerror or type(exc).__name__
    return OutputFailed(f"cannot write to standard output: {why}")


def silence_stdout() -> None:
    """Point standard output at /dev/null, so that the flush at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def require_terminal(command: str) -> None:
    """Refuse to draw the full screen where it cannot be seen: output to a file or pipe, or ``TERM=dumb``."""
    alternatives = "for scripts and files, use smtui describe, smtui wait or smtui logs"
    for name, stream in (("output", sys.stdout), ("input", sys.stdin)):
        try:
            terminal = stream is not None and stream.isatty()
        except (ValueError, OSError, AttributeError):
            terminal = False
        if not terminal:
            raise UsageError(
                f"the full screen of `smtui {command}` needs a terminal, and standard {name} is not one: {alternatives}"
            )
    if os.environ.get("TERM", "").strip().lower() == "dumb":
        raise UsageError(
            f"the full screen of `smtui {command}` cannot be drawn with TERM=dumb: run it in another "
            f"terminal, or {alternatives}"
        )


def stopped_writing(exc: OSError) -> int:
    """After a command's write to standard output failed: standard output silenced, then 0 when its reader
    went away (``| head``), else the one-line :class:`OutputFailed` raised."""
    error = write_error(exc)
    silence_stdout()
    if isinstance(error, OutputClosed):
        return 0
    raise error from None
