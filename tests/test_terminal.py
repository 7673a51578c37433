"""The real program in a real pseudo-terminal: quitting every way leaves the terminal as it was."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

import pytest

#: What Textual writes to leave the alternate screen and show the cursor again.
RESTORED = ("\x1b[?1049l", "\x1b[?25h")


class Terminal:
    """``smtui ARGS`` running on the slave side of a pty of ``columns`` x ``rows``."""

    def __init__(self, *args: str, columns: int = 80, rows: int = 24, env: dict[str, str] | None = None) -> None:
        self.output = b""
        pid, fd = pty.fork()
        if pid == 0:  # the child: become smtui
            os.environ.update(env or {})
            os.environ["TERM"] = "xterm-256color"
            os.execv(sys.executable, [sys.executable, "-m", "smtui", *args])
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        os.kill(pid, signal.SIGWINCH)

    def read_until(self, text: str, seconds: float = 30) -> bool:
        deadline = time.monotonic() + seconds
        while text.encode() not in self.output and time.monotonic() < deadline:
            self._read(0.1)
        return text.encode() in self.output

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return False
        self.output += chunk
        return bool(chunk)

    def wait(self, seconds: float = 15) -> int | None:
        """Exit status once the program ended (reading all it wrote); None if it is still running."""
        deadline = time.monotonic() + seconds
        reading = True
        while time.monotonic() < deadline:
            if reading:
                # EOF or EIO: the program closed the terminal, and is about to end.
                reading = self._read(0.1)
            else:
                time.sleep(0.05)
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                while reading and select.select([self.fd], [], [], 0)[0] and self._read(0):
                    pass
                return os.waitstatus_to_exitcode(status)
        return None

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)

    @property
    def text(self) -> str:
        return self.output.decode("utf-8", "replace")


@pytest.fixture
def demo():
    terminals: list[Terminal] = []

    def start(*args: str, **kwargs) -> Terminal:
        terminal = Terminal("demo", "--speed", "50", *args, **kwargs)
        terminals.append(terminal)
        assert terminal.read_until("InProgress"), terminal.text[-2000:]
        return terminal

    yield start
    for terminal in terminals:
        terminal.kill()


@pytest.mark.parametrize("how", ["q", "ctrl+c", "SIGHUP", "SIGTERM"])
def test_every_way_out_restores_the_terminal(demo, how):
    terminal = demo()
    before = len(terminal.output)
    if how == "q":
        os.write(terminal.fd, b"q")
    elif how == "ctrl+c":
        os.write(terminal.fd, b"\x03")
    else:
        os.kill(terminal.pid, getattr(signal, how))
    code = terminal.wait()
    assert code == 0, (code, terminal.text[-2000:])
    tail = terminal.output[before:].decode("utf-8", "replace")
    assert all(sequence in tail for sequence in RESTORED), tail[-500:]
    assert "Traceback" not in terminal.text


def test_quitting_while_throttled_is_prompt(demo):
    # Many polls waiting out throttles at once are cancelled together; none may hold up the exit.
    terminal = demo("--throttle-rate", "0.6", "--max-rps", "50")
    time.sleep(3)
    os.write(terminal.fd, b"q")
    assert terminal.wait() == 0


def test_a_dropped_connection_ends_the_program(demo):
    terminal = demo()
    os.close(terminal.fd)  # the SSH connection is gone: the kernel hangs up the session
    terminal.fd = os.open(os.devnull, os.O_RDONLY)
    os.kill(terminal.pid, signal.SIGHUP)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        done, status = os.waitpid(terminal.pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.1)
    raise AssertionError("smtui kept running after its terminal hung up")


def test_tiny_terminal_and_resizing(demo):
    terminal = demo(columns=40, rows=12)
    assert terminal.read_until("bert-base-finetune")
    fcntl.ioctl(terminal.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.kill(terminal.pid, signal.SIGWINCH)
    assert terminal.read_until("Timeline")  # the full layout is back at 120x40
    os.write(terminal.fd, b"q")
    assert terminal.wait() == 0
    assert "Traceback" not in terminal.text


#: 256-colour palette entries that are greys: black, white, the greys of the colour cube and the grey ramp.
GREYS = {0, 7, 8, 15, 16, 59, 102, 145, 188, 231, *range(232, 256)}


def colours(text: str) -> set[int]:
    """The 256-colour palette entries the output used (foreground and background)."""
    return {int(n) for n in re.findall(r"[34]8;5;(\d+)", text)}


def test_no_color_draws_in_greys(demo):
    terminal = demo(env={"NO_COLOR": "1"})
    os.write(terminal.fd, b"q")
    assert terminal.wait() == 0
    used = colours(terminal.text)
    assert used and used <= GREYS, used - GREYS

    coloured = demo()  # and without NO_COLOR, there is colour: the check above can fail
    os.write(coloured.fd, b"q")
    assert coloured.wait() == 0
    assert colours(coloured.text) - GREYS
