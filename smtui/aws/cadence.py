"""How often a running job is polled: every few seconds while few run, stretching evenly as more do.

The SageMaker Python SDK's ``wait_for_job`` polls every 5 seconds. smtui does
the same while the request budget allows it for every running job; beyond
that, every job's interval stretches evenly, as far as the budget needs. The
user's ``--interval`` is a ceiling: the interval never goes above it unless
the budget leaves no choice.
"""

from __future__ import annotations

#: Seconds between two polls of a running job while the budget allows it.
FAST_INTERVAL = 5.0
#: The share of a request budget the polls of running jobs take at most; the rest is left for listings,
#: metrics, the logs view and the jobs described on demand.
POLL_SHARE = 0.8


def poll_interval(running: int, *, ceiling: float, rate: float | None, fast: float | None = FAST_INTERVAL) -> float:
    """Seconds between two polls of each of ``running`` jobs.

    Args:
        running: the jobs polled (those that have not ended).
        ceiling: the user's ``--interval``: never more than this while the budget allows it.
        rate: the request budget, in requests a second (None: no budget).
        fast: the interval while the budget allows it for every job (None: always ``ceiling``).

    Returns ``fast`` (or ``ceiling`` when lower, or when ``fast`` is None), or,
    when that would take more than :data:`POLL_SHARE` of the budget, the
    interval that takes exactly that share: the same for every job.
    """
    wanted = wanted_interval(ceiling, fast)
    if not rate or running <= 0:
        return wanted
    return max(wanted, running / (rate * POLL_SHARE))


def wanted_interval(ceiling: float, fast: float | None = FAST_INTERVAL) -> float:
    """Seconds between two polls of a running job while the budget allows it: ``fast``, unless the user's
    ``ceiling`` is lower (or ``fast`` is None)."""
    return ceiling if fast is None else min(fast, ceiling)
