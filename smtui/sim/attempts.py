"""A job's attempts: each start of its containers, which is what gets a new set of log streams.

A Training span of a job's course is an attempt; a restart (after a spot
interruption or an internal error) starts the next one. Times are script
seconds after the job's creation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from smtui.sim.lifecycle import play
from smtui.sim.scenarios import Scenario


@dataclass(frozen=True)
class Attempt:
    """One start of a job's containers: a Training span of its course (script seconds after creation)."""

    number: int
    #: When the job entered Training: the containers start and the streams appear.
    start: float
    #: When the image pull ended and the algorithm started.
    pulled: float
    #: When the Training span ended (cut short by a stop, if one came first).
    end: float
    #: The secondary status after the span: Uploading, Failed, Interrupted, Restarting, Stopping ("" if none).
    ended_by: str
    #: Script seconds trained in earlier attempts (checkpointed progress carries over).
    trained_before: float


def attempts(scenario: Scenario, stop: float | None) -> list[Attempt]:
    """Every attempt of the job's whole course, given the stop accepted so far (if any)."""
    spans = play(scenario, math.inf, stop).spans
    out: list[Attempt] = []
    trained = 0.0
    for index, span in enumerate(spans):
        if span.status != "Training":
            continue
        pulled = span.start + span.stage.message_at(math.inf)[0]
        end = span.end if span.end is not None else span.start + span.stage.seconds
        ended_by = spans[index + 1].status if index + 1 < len(spans) else ""
        out.append(Attempt(len(out) + 1, span.start, pulled, end, ended_by, trained))
        trained += max(0.0, end - pulled)
    return out
