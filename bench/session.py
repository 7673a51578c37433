"""A program on a pseudo-terminal, what it wrote, and what it costs: the benchmark's way of running smtui."""

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
from pathlib import Path

COLUMNS, ROWS = 120, 40
TICK = os.sysconf("SC_CLK_TCK")
#: Escape sequences a terminal program writes (CSI, OSC, and the two-character ones).
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def plain(output: bytes) -> str:
    """What a program wrote, with the escape sequences taken out: the characters it drew, in order."""
    return _ESCAPES.sub(b"", output).decode("utf-8", "replace")


class Session:
    """A program on a pseudo-terminal of COLUMNS x ROWS, with what it wrote."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.output = bytearray()
        self.started = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        os.kill(pid, signal.SIGWINCH)

    def pump(self, seconds: float) -> None:
        """Read what the program writes for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    self.output += os.read(self.fd, 1 << 16)
                except OSError:
                    return

    def until(self, text: bytes, seconds: float, start: int = 0) -> float | None:
        """Seconds until ``text`` shows in the output after offset ``start``; None if it never does."""
        begun = time.monotonic()
        while time.monotonic() - begun < seconds:
            if text in self.output[start:]:
                return time.monotonic() - begun
            self.pump(0.005)
        return None

    def press(self, key: bytes) -> None:
        os.write(self.fd, key)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        try:
            os.write(self.fd, b"q")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                self.pump(0.1)
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    break
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass
        os.close(self.fd)


def child_env(home: str) -> dict[str, str]:
    """The environment smtui runs in: no AWS settings of the machine's, fixed credentials, a known terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        TERM="xterm-256color",
        HOME=home,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.path.join(home, "config"),
        AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "credentials"),
    )
    return env


def smtui(*args: str) -> list[str]:
    """The command line running smtui with this Python."""
    return [sys.executable, "-m", "smtui", *args]


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank); NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
