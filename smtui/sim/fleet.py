"""A fleet of N jobs for ``smtui demo --jobs N``, ``smtui sim --jobs N``, the benchmark and the tests of scale: copies
of the scripted jobs (:mod:`smtui.sim.scenarios`), mostly finished, a share still training."""

from __future__ import annotations

from dataclasses import replace

from smtui.sim.scenario import Scenario
from smtui.sim.scenarios import default_scenarios

#: The jobs a fleet's finished members copy, in turn: each ends its own way.
_FINISHED = (
    "bert-base-finetune-imdb",
    "llama3-8b-lora-oom",
    "resnet50-spot-imagenet",
    "xgboost-churn-stopped",
    "gpt2-pretrain-maxruntime",
)
#: The job a fleet's running members copy: it trains for days.
_RUNNING = "mistral-7b-sft-distributed"


def fleet_scenarios(count: int, running: float = 0.05) -> list[Scenario]:
    """``count`` jobs as a large team or tuning job has them: mostly finished, a ``running`` share still training.

    Finished jobs copy the default jobs that complete, fail or stop, created
    two days and more before the origin; running ones copy the long
    distributed job, created up to two hours before it. Names are
    ``fleet-NNNN-PROJECT``.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    templates = {scenario.name: scenario for scenario in default_scenarios()}
    live = round(count * running) if count else 0
    live = max(live, 1) if count and running > 0 else live
    # Running jobs are spread evenly through the fleet rather than bunched at one end.
    live_at = {round(i * count / live) for i in range(live)} if live else set()
    fleet = []
    for index in range(count):
        if index in live_at:
            template = templates[_RUNNING]
            created = -(600 + (index * 337) % 7200)
        else:
            template = templates[_FINISHED[index % len(_FINISHED)]]
            created = -(2 * 86400 + index * 97)
        fleet.append(
            replace(
                template, name=f"fleet-{index:04d}-{template.project}", created=created, stop_after=template.stop_after
            )
        )
    return fleet
