"""Faults the simulator can inject, the way AWS and the network produce them.

Each request rolls once against the configured rates and gets at most one
fault: a throttle (HTTP 400 ``ThrottlingException``, or ``Throttling`` from
CloudWatch), a server error (``InternalFailure`` 500 or ``ServiceUnavailable``
503), a dropped connection, or a body that is not JSON (a truncated answer
with HTTP 200, or a proxy's HTML page with HTTP 502). Latency is added to
every request, faulty or not. A seed makes the sequence repeatable.

The simulator also reads the access key of each request: a key that starts
with ``expired`` gets ``ExpiredTokenException``, one that starts with
``denied`` gets ``AccessDeniedException``, and one that starts with
``nologs`` gets ``AccessDeniedException`` from CloudWatch Logs only (a role
allowed SageMaker and CloudWatch but not the logs), and one that starts with
``noprice`` from the Price List only (a role without ``pricing:GetProducts``),
so credential failures can be tried without an account.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, fields

from smtui.sim.wire import SimError

THROTTLE = "throttle"
ERROR = "error"
RESET = "reset"
GARBAGE = "garbage"
#: Fault kinds in the order their rates are rolled.
KINDS = (THROTTLE, ERROR, RESET, GARBAGE)

_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")


@dataclass(frozen=True)
class Faults:
    """Rates (0 to 1, per request) of each fault, and added latency."""

    throttle_rate: float = 0.0
    error_rate: float = 0.0
    reset_rate: float = 0.0
    garbage_rate: float = 0.0
    #: Mean added latency; each request waits between half and one and a half times this.
    latency_ms: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        rates = [getattr(self, f"{kind}_rate") for kind in KINDS]
        for kind, rate in zip(KINDS, rates):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"--{kind}-rate must be between 0 and 1, got {rate:g}")
        if sum(rates) > 1.0 + 1e-9:
            raise ValueError(f"the fault rates add up to {sum(rates):g}; together they must be at most 1")
        if not 0.0 <= self.latency_ms <= 600_000:
            raise ValueError(f"--latency-ms must be between 0 and 600000, got {self.latency_ms:g}")

    @property
    def active(self) -> bool:
        """Whether any fault or latency is configured."""
        return any(getattr(self, f.name) for f in fields(self) if f.name != "seed")

    def describe(self) -> str:
        """A short summary such as ``throttle 10%, reset 2%, latency 200 ms``."""
        parts = [f"{kind} {getattr(self, f'{kind}_rate'):.0%}" for kind in KINDS if getattr(self, f"{kind}_rate")]
        if self.latency_ms:
            parts.append(f"latency {self.latency_ms:g} ms")
        return ", ".join(parts) or "no faults"


class FaultInjector:
    """Decides, request by request, which fault (if any) to inject, and counts them."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self._random = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        #: Faults injected so far, by kind.
        self.counts: Counter[str] = Counter()
        #: Requests seen so far.
        self.requests = 0
        #: While False, requests pass untouched (the rates are kept).
        self.enabled = True

    def roll(self) -> tuple[str | None, float]:
        """(fault kind or None, seconds of latency) for the next request."""
        faults = self.faults
        with self._lock:
            self.requests += 1
            if not self.enabled:
                return None, 0.0
            delay = faults.latency_ms / 1000 * (0.5 + self._random.random()) if faults.latency_ms else 0.0
            roll = self._random.random()
            for kind in KINDS:
                rate = getattr(faults, f"{kind}_rate")
                if roll < rate:
                    self.counts[kind] += 1
                    return kind, delay
                roll -= rate
            return None, delay

    def variant(self) -> bool:
        """A coin flip for the two forms a fault can take."""
        with self._lock:
            return self._random.random() < 0.5


def fault_error(kind: str, service: str, alternate: bool) -> SimError:
    """The error answer of a throttle or server-error fault, as ``service`` words it."""
    if kind == THROTTLE:
        if service == "cloudwatch":
            return SimError("Throttling", "Rate exceeded", 400, type_name="ThrottlingException")
        return SimError("ThrottlingException", "Rate exceeded", 400)
    if alternate:
        return SimError("ServiceUnavailable", "Service is unavailable. Please try again later.", 503)
    if service == "cloudwatch":
        return SimError("InternalServiceFault", "Internal service error.", 500, type_name="InternalServiceFault")
    if service == "logs":
        return SimError("ServiceUnavailableException", "The service cannot complete the request.", 500)
    return SimError("InternalFailure", "The request processing has failed because of an unknown error.", 500)


def credential_error(authorization: str, service: str, operation: str, resource: str | None = None) -> SimError | None:
    """The error for a request signed with a key that simulates bad credentials; None for any other.

    ``resource`` is the ARN the request acts on, which Logs names in its access-denied message.
    """
    if not authorization:
        return SimError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
    match = _ACCESS_KEY.search(authorization)
    key = match.group(1).lower() if match else ""
    if key.startswith("expired"):
        return SimError("ExpiredTokenException", "The security token included in the request is expired", 400)
    if key.startswith("denied"):
        return SimError(
            "AccessDeniedException",
            f"User: arn:aws:sts::123456789012:assumed-role/denied/smtui is not authorized to perform: "
            f"{service}:{operation} because no identity-based policy allows the {service}:{operation} action",
            400,
        )
    if key.startswith("noprice") and service == "pricing":
        return SimError(
            "AccessDeniedException",
            f"User: arn:aws:iam::123456789012:user/smtui-readonly is not authorized to perform: pricing:{operation} "
            f"because no identity-based policy allows the pricing:{operation} action",
            400,
        )
    if key.startswith("nologs") and service == "logs":
        on = f" on resource: {resource}" if resource else ""
        return SimError(
            "AccessDeniedException",
            f"User: arn:aws:iam::123456789012:user/smtui-readonly is not authorized to perform: logs:{operation}{on} "
            f"because no identity-based policy allows the logs:{operation} action",
            400,
        )
    return None
