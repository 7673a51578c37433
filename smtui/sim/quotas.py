"""Per-operation request quotas, per account and region, as token buckets on the monotonic clock.

AWS meters each API operation separately for each account in each region:
a bucket holds up to a second's worth of requests and refills at the
quota's rate, so a client may burst up to the quota and then keep to it.
A request that finds the bucket empty is throttled and uses nothing up.
Quotas count real time even when the simulator's clock is frozen, because
the requests themselves arrive in real time.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping

#: The access key and region in a SigV4 Authorization header: ``Credential=KEY/DATE/REGION/SERVICE/aws4_request``.
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/")


def signed_region(authorization: str, default: str) -> str:
    """The region a request was signed for (``default`` if the header does not say)."""
    match = _SCOPE.search(authorization)
    return match.group(2) if match else default


def signed_key(authorization: str) -> str:
    """The access key id a request was signed with ("" if the header does not say)."""
    match = _SCOPE.search(authorization)
    return match.group(1) if match else ""


class RequestQuotas:
    """Admits or throttles requests, operation by operation, for each account and region."""

    def __init__(self, rates: Mapping[str, float], clock: Callable[[], float] = time.monotonic) -> None:
        self.rates = dict(rates)
        self._clock = clock
        self._lock = threading.Lock()
        #: (account, region, operation) → (tokens left, monotonic time they were counted at).
        self._buckets: dict[tuple[str, str, str], tuple[float, float]] = {}
        #: Requests throttled so far, by operation.
        self.throttled: Counter[str] = Counter()

    def admit(self, account: str, region: str, operation: str) -> bool:
        """Whether a request may go ahead now; False means it is throttled."""
        rate = self.rates.get(operation)
        if rate is None:
            return True
        capacity = max(1.0, rate)
        key = (account, region, operation)
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - then) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                self.throttled[operation] += 1
                return False
            self._buckets[key] = (tokens - 1.0, now)
            return True
