"""The real program in a real pseudo-terminal: quitting every way leaves the terminal as it was."""

from __future__ import annotations

import io
import os
import re
import signal
import sys
import time

import pexpect
import pytest

#: What Textual writes to leave the alternate screen and show the cursor again.
RESTORED = ("\x1b[?1049l", "\x1b[?25h")


class Terminal:
    """``smtui ARGS`` running in a pseudo-terminal of ``columns`` x ``rows``, everything it wrote kept."""

    def __init__(self, *args: str, columns: int = 80, rows: int = 24, env: dict[str, str] | None = None) -> None:
        self.written = io.BytesIO()
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "smtui", *args],
            env={**os.environ, **(env or {}), "TERM": "xterm-256color"},
            dimensions=(rows, columns),
        )
        self.child.logfile_read = self.written

    @property
    def output(self) -> bytes:
        return self.written.getvalue()

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def read_until(self, text: str, seconds: float = 30, since: int = 0) -> bool:
        """Whether ``text`` was written (past the first ``since`` bytes), or is within ``seconds``."""
        deadline = time.monotonic() + seconds
        while text.encode() not in self.output[since:]:
            if not self.child.isalive() or time.monotonic() > deadline:
                return False
            try:
                self.child.read_nonblocking(65536, timeout=0.1)
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                return text.encode() in self.output[since:]
        return True

    def send(self, keys: bytes) -> None:
        self.child.send(keys)

    def resize(self, columns: int, rows: int) -> None:
        self.child.setwinsize(rows, columns)  # the kernel tells the program with SIGWINCH

    def wait(self, seconds: float = 15) -> int | None:
        """Exit status once the program ended (reading all it wrote); None if it is still running.
        Ended by a signal: minus the signal's number."""
        if self.child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=seconds) == 1:
            return None
        deadline = time.monotonic() + seconds
        while self.child.isalive() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.exit_code

    @property
    def exit_code(self) -> int | None:
        if self.child.isalive():
            return None
        return self.child.exitstatus if self.child.signalstatus is None else -self.child.signalstatus

    def kill(self) -> None:
        self.child.close(force=True)


@pytest.fixture
def demo():
    terminals: list[Terminal] = []

    def start(*args: str, ready: str = "InProgress", **kwargs) -> Terminal:
        """The demo, once it shows ``ready`` (a job's status, on a screen wide enough for it)."""
        terminal = Terminal("demo", "--speed", "50", *args, **kwargs)
        terminals.append(terminal)
        assert terminal.read_until(ready), terminal.text[-2000:]
        return terminal

    yield start
    for terminal in terminals:
        terminal.kill()


@pytest.mark.parametrize("how", ["q", "ctrl+c", "SIGHUP", "SIGTERM"])
def test_every_way_out_restores_the_terminal(demo, how):
    terminal = demo()
    before = len(terminal.output)
    if how == "q":
        terminal.send(b"q")
    elif how == "ctrl+c":
        terminal.send(b"\x03")
    else:
        terminal.child.kill(getattr(signal, how))
    code = terminal.wait()
    assert code == 0, (code, terminal.text[-2000:])
    tail = terminal.output[before:].decode("utf-8", "replace")
    assert all(sequence in tail for sequence in RESTORED), tail[-500:]
    assert "Traceback" not in terminal.text


def test_quitting_while_throttled_is_prompt(demo):
    # Many polls waiting out throttles at once are cancelled together; none may hold up the exit.
    terminal = demo("--throttle-rate", "0.6", "--max-rps", "50")
    time.sleep(3)
    terminal.send(b"q")
    assert terminal.wait() == 0


def test_a_dropped_connection_ends_the_program(demo):
    terminal = demo()
    # The SSH connection is gone: the terminal's other side closes, and the kernel hangs up the session.
    terminal.child.ptyproc.fileobj.close()
    terminal.child.kill(signal.SIGHUP)
    deadline = time.monotonic() + 15
    while terminal.child.isalive() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert terminal.exit_code == 0, "smtui kept running after its terminal hung up"


def test_tiny_terminal_and_resizing(demo):
    terminal = demo(columns=40, rows=12, ready="bert-base-\u2026")  # names cut short in the middle at 40
    resized = len(terminal.output)
    terminal.resize(120, 40)
    assert terminal.read_until("Timeline", since=resized)  # the full layout is back at 120x40
    terminal.send(b"q")
    assert terminal.wait() == 0
    assert "Traceback" not in terminal.text


#: 256-colour palette entries that are greys: black, white, the greys of the colour cube and the grey ramp.
GREYS = {0, 7, 8, 15, 16, 59, 102, 145, 188, 231, *range(232, 256)}


def colours(text: str) -> set[int]:
    """The 256-colour palette entries the output used (foreground and background)."""
    return {int(n) for n in re.findall(r"[34]8;5;(\d+)", text)}


def test_no_color_draws_in_greys(demo):
    terminal = demo(env={"NO_COLOR": "1"})
    terminal.send(b"q")
    assert terminal.wait() == 0
    used = colours(terminal.text)
    assert used and used <= GREYS, used - GREYS

    coloured = demo()  # and without NO_COLOR, there is colour: the check above can fail
    coloured.send(b"q")
    assert coloured.wait() == 0
    assert colours(coloured.text) - GREYS
