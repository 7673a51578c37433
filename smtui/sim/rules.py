"""Debugger and profiler rules: how a rule's evaluation stands as its training job goes on."""

from __future__ import annotations

from typing import Any

from smtui.sim.account import suffix
from smtui.sim.lifecycle import Playback, World
from smtui.sim.scenarios import Scenario

#: Script seconds a rule's processing job keeps evaluating after the training job ends.
RULE_LAG = 90.0


def rule_status(
    scenario: Scenario, playback: Playback, world: World, rule: str, issue: str | None = None
) -> dict[str, Any]:
    """A Debugger/profiler rule's evaluation: in progress until a little after the job ends."""
    # Named like the SDK names rule jobs: the training job, the rule, a unique suffix.
    job = f"{scenario.name[:32].rstrip('-')}-{rule.split('-')[0][:20]}-{suffix(scenario.name, rule)}".lower()
    ended = playback.ended_at
    done = ended is not None and playback.elapsed >= ended + RULE_LAG
    status: dict[str, Any] = {
        "RuleConfigurationName": rule,
        "RuleEvaluationJobArn": f"arn:aws:sagemaker:{world.region}:{world.account}:processing-job/{job}",
        "RuleEvaluationStatus": "InProgress",
        "LastModifiedTime": world.time(scenario, ended + RULE_LAG if done else playback.last_modified),
    }
    if done:
        if playback.status == "Stopped":
            status["RuleEvaluationStatus"] = "Stopped"
        elif issue is not None or playback.status == "Failed":
            status["RuleEvaluationStatus"] = "IssuesFound"
            status["StatusDetails"] = (
                f"RuleEvaluationConditionMet: Evaluation of the rule {rule} at step "
                f"{int(playback.seconds_in(('Training',)) // 3)} resulted in the condition "
                "being met"
            )
        else:
            status["RuleEvaluationStatus"] = "NoIssuesFound"
    return status
