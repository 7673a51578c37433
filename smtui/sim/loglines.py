"""What a training job's containers print: the toolkit's prelude, a line or a few per tick, last words.

A :class:`Writer` is one host's container during one attempt. Its lines come
in three parts, which :mod:`smtui.sim.log_streams` places in time:

- the prelude, printed just before the algorithm starts training: the
  sagemaker-training toolkit's start-up (framework import, requirements
  install, the "Training Env" and "Environment variables" dumps, "Invoking
  script with the following command:") and the script's own start-up;
- the body, on a grid of ticks (``sub`` ticks per script minute, aligned to
  the epoch like the metrics' minutes): one line per tick, plus the lines of
  each :class:`Rule` whose period divides the tick (evaluations, checkpoints,
  warnings), so the number of lines up to any tick is arithmetic. On the
  first host, the tick that starts a script minute carries the metric values
  :mod:`smtui.sim.metrics` reports for that minute, in lines the scenario's
  metric regexes match; no other line matches them;
- the tail, printed when the attempt ends: how depends on what ended it.

Prelude and tail lines are templates: (script seconds since the previous
line, text) with markers :func:`fill` replaces by the line's own time and the
host, so one rendering of a long prelude serves every host of a large job.
The toolkit's part of the prelude is in :mod:`smtui.sim.toolkit`; framework
styles are in :mod:`smtui.sim.logstyles` and :mod:`smtui.sim.logcontainers`.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from typing import NamedTuple

from smtui.sim.attempts import Attempt
from smtui.sim.instance_sizes import accelerators
from smtui.sim.lifecycle import World
from smtui.sim.metrics import INTERVAL, value_after
from smtui.sim.scenarios import Scenario

#: Markers in templates for times as the toolkit, the xgboost container, the Debugger, PyTorch's C++ logging,
#: XGBoost's core and the Neuron runtime write them; and for the host and its role.
TOOLKIT, XGB_TIME, DEBUGGER, C10, CLOCK, NEURON_TIME = "\x01", "\x02", "\x03", "\x07", "\x08", "\x0e"
HOST, MASTER, NODE_RANK = "\x04", "\x05", "\x06"
#: A template: (script seconds after the previous line, text with markers).
Template = tuple[float, str]


class Rule(NamedTuple):
    """``size`` extra lines at every tick ``g`` with ``g % period == phase``."""

    period: int
    phase: int
    size: int
    render: Callable[[int, datetime], list[str]]


_MASK = 2**64 - 1


@functools.lru_cache(maxsize=4096)
def _code(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def unit(*parts: object) -> float:
    """A deterministic number in [0, 1) for ``parts`` (integers and strings; the same in every process)."""
    z = 0x9E3779B97F4A7C15
    for part in parts:
        z ^= (part if isinstance(part, int) else _code(str(part))) & _MASK
        # splitmix64's finaliser
        z = (z + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        z ^= z >> 31
    return z / 2**64


def python_of(image: str) -> str:
    """The image's Python, from its tag (``-py310-`` → ``3.10``)."""
    match = re.search(r"-py(\d)(\d+)", image)
    return f"{match.group(1)}.{match.group(2)}" if match else "3.10"


def fill(template: str, when: datetime, host: int) -> str:
    """A template's text at ``when`` on ``algo-host``."""
    millis = f"{when.microsecond // 1000:03d}"
    if "\x01" in template:
        template = template.replace(TOOLKIT, when.strftime("%Y-%m-%d %H:%M:%S,") + millis)
    if "\x02" in template:
        template = template.replace(XGB_TIME, when.strftime("%Y-%m-%d:%H:%M:%S"))
    if "\x03" in template:
        template = template.replace(DEBUGGER, when.strftime("%Y-%m-%d %H:%M:%S.") + millis)
    if "\x07" in template:
        template = template.replace(C10, c10(when))
    if "\x08" in template:
        template = template.replace(CLOCK, when.strftime("%H:%M:%S"))
    if "\x0e" in template:
        template = template.replace(NEURON_TIME, when.strftime("%Y-%b-%d %H:%M:%S.%f"))
    if "\x04" in template:
        template = template.replace(HOST, f"algo-{host}")
    if "\x05" in template:
        template = template.replace(MASTER, "true" if host == 1 else "false")
    if "\x06" in template:
        template = template.replace(NODE_RANK, str(host - 1))
    return template


def c10(when: datetime) -> str:
    """The time as PyTorch's C++ logging writes it after the level letter: ``MMDD HH:MM:SS.ffffff``."""
    return when.strftime("%m%d %H:%M:%S.%f")


def clock(seconds: float) -> str:
    """tqdm's elapsed-time format: ``MM:SS`` or ``H:MM:SS``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


def script_arguments(scenario: Scenario) -> list[str]:
    """The script's command-line arguments as the toolkit builds them from the hyperparameters."""
    args = []
    for key in sorted(scenario.hyperparameters):
        args += [f"--{key}", str(scenario.hyperparameters[key])]
    return args


class Writer:
    """One host's container during one attempt (a plain script that logs its metrics).

    ``shared`` is the job's toolkit prelude; ``launcher`` (torchrun or mpirun)
    decides how a distributed job's lines are tagged with the rank printing them.
    """

    def __init__(
        self,
        scenario: Scenario,
        attempt: Attempt,
        host: int,
        world: World,
        launcher: str = "torchrun",
        shared: list[Template] | None = None,
    ) -> None:
        self.scenario, self.attempt, self.host, self.world = scenario, attempt, host, world
        self.launcher = launcher
        self.shared = shared or []
        #: Ticks per script minute: the first host logs every 10 script seconds, others less often.
        self.sub = 6 if host == 1 else (4, 3, 6)[host % 3]
        #: Real seconds between two ticks.
        self.tick = world.seconds(INTERVAL) / self.sub
        self.py = python_of(scenario.image)
        self.python = f"/opt/conda/bin/python{self.py}"
        self.gpus = max(1, accelerators(scenario.instance_type))
        self.distributed = scenario.instance_count > 1
        self.rules: list[Rule] = []
        training = sum(s.seconds for s in scenario.stages if s.status == "Training") or 3600.0
        #: Script seconds per optimizer step, and how many steps the whole script has.
        self.step_seconds = round(0.35 + 0.9 * unit(scenario.name, "step") + (2.5 if self.distributed else 0), 3)
        self.total_steps = int(scenario.hyperparameters.get("max_steps", 0) or training / self.step_seconds)

    # -- counting ------------------------------------------------------------------------

    def lines_at(self, g: int) -> int:
        """How many lines tick ``g`` has."""
        return 1 + sum(r.size for r in self.rules if g % r.period == r.phase)

    def lines_between(self, a: int, b: int) -> int:
        """How many lines the ticks ``a`` ≤ g < ``b`` have."""
        if b <= a:
            return 0
        return (b - a) + sum(
            r.size * (((b - 1 - r.phase) // r.period) - ((a - 1 - r.phase) // r.period)) for r in self.rules
        )

    # -- where training stands ---------------------------------------------------------------

    def progress(self, g: int) -> float:
        """Script seconds trained over all attempts at tick ``g``."""
        return self.attempt.trained_before + self.world.offset(self.scenario, g * self.tick) - self.attempt.pulled

    def step(self, g: int) -> int:
        return int(self.progress(g) / self.step_seconds)

    def values(self, slot: int) -> dict[str, float]:
        """The metric values logged at minute ``slot``, exactly as :func:`smtui.sim.metrics.series` has them."""
        at = self.world.offset(self.scenario, slot * self.world.seconds(INTERVAL))
        progress = self.attempt.trained_before + (at - self.attempt.pulled)
        return {
            m.name: value_after(self.scenario.name, m, progress) for m in self.scenario.metrics if slot % m.every == 0
        }

    def rank(self, local: int = 0) -> int:
        return (self.host - 1) * self.gpus + local

    def say(self, text: str, local: int = 0, stream: str = "stdout") -> str:
        """A line as the launcher tags it on a distributed job."""
        if not self.distributed:
            return text
        if self.launcher == "mpirun":
            return f"[1,mpirank:{self.rank(local)},algo-{self.host}]<{stream}>:{text}"
        return f"[rank{self.rank(local)}]:{text}"

    # -- lines -----------------------------------------------------------------------------

    def tick_lines(self, g: int, when: datetime) -> list[str]:
        """The lines of tick ``g``, printed at about ``when``."""
        slot, rest = divmod(g, self.sub)
        line = None
        if self.host == 1 and rest == 0 and self.scenario.metrics:
            line = self.metric_line(g, when, self.values(slot))
        lines = [line if line is not None else self.chatter(g, when)]
        for rule in self.rules:
            if g % rule.period == rule.phase:
                lines += rule.render(g, when)
        return lines

    def metric_line(self, g: int, when: datetime, values: dict[str, float]) -> str | None:
        """The line with this minute's metric values (None: an ordinary line instead)."""
        if not values:
            return None
        shown = " ".join(f"{name}={value}" for name, value in values.items())
        return self.say(f"step {self.step(g)}: {shown}")

    def chatter(self, g: int, when: datetime) -> str:
        """An ordinary line: progress, timings."""
        return self.say(f"step {self.step(g)}/{self.total_steps}: {self.step_seconds:.3f}s/step")

    def prelude(self) -> list[Template]:
        """The lines from the container's start to the first step."""
        return self.shared + self.launch()

    def launch(self) -> list[Template]:
        """How the toolkit starts the script on this host."""
        args = " ".join(script_arguments(self.scenario))
        entry = self.scenario.entry_point or "train.py"
        if not self.distributed:
            command = f"{self.python} {entry} {args}"
        elif self.launcher == "mpirun":
            if self.host != 1:
                log = f"{TOOLKIT} sagemaker-training-toolkit INFO     "
                return [
                    (0.2, f"{log}Waiting for MPI Master to create SSH daemon."),
                    (1.4, f"{log}MPI Master online, creating SSH daemon."),
                    (0.1, f"{log}Writing environment variables to /etc/environment for the MPI process."),
                    (0.3, f"{log}Waiting for MPI process to finish."),
                ]
            hosts = ",".join(f"algo-{n}:{self.gpus}" for n in range(1, self.scenario.instance_count + 1))
            command = (
                f"mpirun --host {hosts} -np {self.gpus * self.scenario.instance_count} --allow-run-as-root "
                "--display-map --tag-output -mca btl_tcp_if_include eth0 -mca oob_tcp_if_include eth0 "
                "-mca plm_rsh_no_tree_spawn 1 -bind-to none -map-by slot -mca pml ob1 -mca btl ^openib "
                "-mca orte_abort_on_non_zero_status 1 -mca btl_vader_single_copy_mechanism none "
                "-x NCCL_MIN_NRINGS=4 -x NCCL_SOCKET_IFNAME=eth0 -x NCCL_DEBUG=WARN -x LD_LIBRARY_PATH "
                f"-x PATH smddpmprun -i {self.scenario.instance_type} --allow-bypass {self.python} "
                f"-m mpi4py {entry} {args}"
            )
        else:
            command = (
                f"torchrun --nnodes {self.scenario.instance_count} --nproc_per_node {self.gpus} "
                f"--master_addr algo-1 --master_port 7777 --node_rank {NODE_RANK} {entry} {args}"
            )
        lines = [
            (0.0, "Invoking script with the following command:"),
            (0.0, command),
            (0.4, f"[{DEBUGGER} {HOST}:52 INFO utils.py:28] RULE_JOB_STOP_SIGNAL_FILENAME: None"),
            (
                0.2,
                f"[{DEBUGGER} {HOST}:52 INFO profiler_config_parser.py:111] Using config at "
                "/opt/ml/input/config/profilerconfig.json.",
            ),
        ]
        if self.distributed and self.launcher == "torchrun":
            warn = "] torch.distributed.run: [WARNING] "
            lines += [
                (1.1, f"[{TOOLKIT}{warn}"),
                (0.0, f"[{TOOLKIT}{warn}" + "*" * 41),
                (
                    0.0,
                    f"[{TOOLKIT}{warn}Setting OMP_NUM_THREADS environment variable for each process to be 1 "
                    "in default, to avoid your system being overloaded, please further tune the variable for "
                    "optimal performance in your application as needed. ",
                ),
                (0.0, f"[{TOOLKIT}{warn}" + "*" * 41),
            ]
        return lines

    def tail(self, ended_by: str) -> list[Template]:
        """The last lines, after the attempt ends with the job's next secondary status ``ended_by``."""
        log = f"{TOOLKIT} sagemaker-training-toolkit "
        if ended_by in ("Uploading", "Completed"):
            return self.finished() + [
                (0.6, f"{log}INFO     Waiting for the process to finish and give a return code."),
                (0.0, f"{log}INFO     Done waiting for a return code. Received 0 from exiting process."),
                (0.0, f"{log}INFO     Reporting training SUCCESS"),
            ]
        if ended_by == "Failed":
            error, command = self.failure()
            return [(0.1 if not i else 0.0, line) for i, line in enumerate(self.traceback(error))] + [
                (0.2, f"{log}INFO     Waiting for the process to finish and give a return code."),
                (0.0, f"{log}INFO     Done waiting for a return code. Received 1 from exiting process."),
                (0.0, f"{log}ERROR    Reporting training FAILURE"),
                (0.0, f"{log}ERROR    ExecuteUserScriptError:"),
                (0.0, "ExitCode 1"),
                (0.0, f'ErrorMessage "{error}"'),
                (0.0, f'Command "{command}", exit code: 1'),
                (0.0, f"{log}ERROR    Encountered exit_code 1"),
            ]
        if ended_by in ("Stopping", "Interrupted"):
            lines = [(0.4, self.say(line)) for line in self.sigterm()]
            if ended_by == "Stopping":
                lines += [
                    (1.5, f"{log}INFO     Waiting for the process to finish and give a return code."),
                    (0.0, f"{log}INFO     Done waiting for a return code. Received 143 from exiting process."),
                ]
            return lines
        if ended_by == "Restarting":
            return self.crashed()
        return []

    def finished(self) -> list[Template]:
        return [(0.3, self.say(f"Training finished after {self.total_steps} steps; saving the model to /opt/ml/model"))]

    def sigterm(self) -> list[str]:
        return ["Received SIGTERM: saving a checkpoint to /opt/ml/checkpoints before exiting"]

    def crashed(self) -> list[Template]:
        """A distributed collective that never completes: the watchdog takes the process down."""
        failing = 1 + int(unit(self.scenario.name, self.attempt.number, "failing") * self.scenario.instance_count)
        local = int(unit(self.scenario.name, self.attempt.number, "local") * self.gpus)
        rank = self.rank(local)
        if self.host == failing:
            lines = [
                self.say(
                    f"[E{C10} ProcessGroupNCCL.cpp:616] [Rank {rank}] Watchdog caught collective operation "
                    "timeout: WorkNCCL(SeqNum=481213, OpType=ALLREDUCE, NumelIn=262144000, "
                    "NumelOut=262144000, Timeout(ms)=1800000) ran for 1800427 milliseconds before "
                    "timing out.",
                    local,
                ),
                self.say(
                    f"[E{C10} ProcessGroupNCCL.cpp:1785] [Rank {rank}] Timeout at NCCL work: 481213, last "
                    "enqueued NCCL work: 481214, last completed NCCL work: 481212.",
                    local,
                ),
            ]
        else:
            lines = [
                self.say(
                    f"[E{C10} ProcessGroupNCCL.cpp:1580] [PG 0 Rank {rank}] Process group watchdog thread "
                    f"terminated with exception: NCCL communicator was aborted on rank {rank}. Original "
                    "reason for failure was: remote process exited",
                    local,
                )
            ]
        if self.launcher != "mpirun":
            lines.append(
                f"[{TOOLKIT}] torch.distributed.elastic.multiprocessing.api: [ERROR] failed (exitcode: -6) "
                f"local_rank: {local} (pid: {4100 + local}) of binary: {self.python}"
            )
        elif self.host == 1:
            rule = "-" * 74
            lines += [
                rule,
                "Primary job  terminated normally, but 1 process returned",
                "a non-zero exit code. Per user-direction, the job has been aborted.",
                rule,
                "mpirun.real detected that one or more processes exited with non-zero status, thus causing",
                "the job to be terminated. The first process to do so was:",
                "",
                f"  Process name: [[52431,1],{rank}]",
                "  Exit code:    134",
                rule,
            ]
        return [(0.5 if not i else 0.01, line) for i, line in enumerate(lines) if line]

    def failure(self) -> tuple[str, str]:
        """(ErrorMessage, Command) of the scenario's ExecuteUserScriptError."""
        reason = self.scenario.failure_reason or ""
        error = re.search(r'ErrorMessage "(.*?)"\n', reason, re.S)
        command = re.search(r'Command "(.*?)"', reason)
        entry = self.scenario.entry_point or "train.py"
        return (
            error.group(1) if error else "RuntimeError: the training script exited with code 1",
            command.group(1) if command else f"{self.python} {entry} {' '.join(script_arguments(self.scenario))}",
        )

    def traceback(self, error: str) -> list[str]:
        entry = self.scenario.entry_point or "train.py"
        return [
            "Traceback (most recent call last):",
            f'  File "/opt/ml/code/{entry}", line 212, in <module>',
            "    main()",
            f'  File "/opt/ml/code/{entry}", line 187, in main',
            "    train(args)",
            error,
        ]
