"""The ``JOB/ssm`` stream of a job with remote debugging (RemoteDebugConfig.EnableRemoteDebug).

SageMaker starts the AWS Systems Manager agent in each training container of
such a job, registers the container as a managed instance and logs what the
agent does, sessions opened into the container included, to a stream named
``JOB/ssm`` beside the instances' ``JOB/algo-N-EPOCH`` streams. It holds a
few lines when each attempt's containers start and stop, and a few more for
each session someone opens, so it is sparse: long stretches of its time hold
no event at all.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from smtui.sim.attempts import Attempt
from smtui.sim.lifecycle import World
from smtui.sim.log_group import ListedStream
from smtui.sim.scenarios import Scenario

#: Script seconds after the algorithm starts at which the first session opens, and between sessions.
FIRST_SESSION = 300.0
SESSION_EVERY = 1800.0
#: The agent's version, as it reports it when it starts.
AGENT = "3.3.1611.0"


def _hex(*parts: object, length: int = 17) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:length]


def ssm_stream(scenario: Scenario, attempts: list[Attempt], world: World) -> ListedStream | None:
    """The job's ssm stream over its whole course; None if it never started its containers."""
    if not attempts:
        return None
    lines: list[tuple[int, str]] = []

    def log(offset: float, text: str) -> None:
        ms = max(int(world.epoch(scenario, offset) * 1000), lines[-1][0] if lines else 0)
        stamp = datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        lines.append((ms, f"{stamp} {text}"))

    for attempt in attempts:
        if attempt.end <= attempt.pulled:
            continue
        for host in range(1, scenario.instance_count + 1):
            instance = f"mi-0{_hex(scenario.name, attempt.number, host)}"
            at = attempt.pulled + 1.0 + host * 0.05
            log(at, f"INFO [amazon-ssm-agent] amazon-ssm-agent - v{AGENT}")
            log(at, "INFO [amazon-ssm-agent] OS: linux, Arch: amd64")
            log(at + 0.4, f"INFO [Registrar] Registering the training container algo-{host} as a managed instance")
            log(
                at + 1.1,
                f"INFO [Registrar] Registered as managed instance {instance} with tag "
                f"SageMaker-Training-Job={scenario.name}",
            )
            log(
                at + 1.3,
                f"INFO [amazon-ssm-agent] [LongRunningWorkerContainer] [WorkerProvider] Worker "
                f"ssm-agent-worker (pid:{40 + host}) started",
            )
            log(
                at + 1.6,
                f"INFO [ssm-agent-worker] [MessageService] [MGSInteractor] Opened the control channel for {instance}",
            )
        session_at = attempt.pulled + FIRST_SESSION
        while session_at + 150 < attempt.end:
            session = f"ml-engineer-{_hex(scenario.name, attempt.number, session_at)}"
            prefix = f"INFO [ssm-session-worker] [{session}]"
            log(
                session_at,
                f"INFO [ssm-agent-worker] [MessageService] [MGSInteractor] Started session {session} on algo-1",
            )
            log(session_at + 0.2, f"{prefix} [DataBackend] [pluginName=Standard_Stream] Launched a new shell process")
            log(session_at + 20, f"{prefix} command: nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv")
            log(session_at + 65, f"{prefix} command: py-spy dump --pid 1")
            log(session_at + 140, f"{prefix} Session {session} terminated by the user")
            session_at += SESSION_EVERY
        log(attempt.end, "INFO [amazon-ssm-agent] Stopping Core Agent")
        log(attempt.end + 0.5, "INFO [amazon-ssm-agent] amazon-ssm-agent was stopped")
    first = attempts[0]
    created = int(world.epoch(scenario, first.pulled + 1.0) * 1000)
    return ListedStream(f"{scenario.name}/ssm", created, lines)
