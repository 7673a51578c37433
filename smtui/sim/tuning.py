"""Hyperparameter tuning jobs, as data: a :class:`TuningJob` and the training jobs it launches.

A tuning job's training jobs (its children) are ordinary :class:`~smtui.sim.scenarios.Scenario` s,
so DescribeTrainingJob, ListTrainingJobs, GetMetricData and the CloudWatch Logs
operations answer for them as for any job. They are named as SageMaker names
them, ``TUNINGJOB-NNN-xxxxxxxx`` (a three-digit index and eight hex digits), carry
the tuning job's name (DescribeTrainingJob's TuningJobArn), and their
HyperParameters are the static ones, the tuned values and
``_tuning_objective_metric``.

Children are created at fixed script offsets: :func:`launch_schedule` starts
``max_parallel`` of them with the tuning job and each further one shortly after
a running one reaches its final status in its natural course, so a
StopTrainingJob on a child stops that child and nothing else. The tuning job
is Completed once every child has ended (see :mod:`smtui.sim.tuningjobs`).

The default tuning job, ``xgboost-churn-hpo``, searches four XGBoost
hyperparameters for the churn data set with 12 training jobs, 3 at a time,
Bayesian strategy, maximizing ``validation:auc``, early stopping on. In script
seconds after the origin:

====  ========  ========  ===================================================
 job   created     ended  course
====  ========  ========  ===================================================
 001     -2066      -686  Completed, validation:auc 0.904
 002     -2063     -1225  Completed, 0.893
 003     -2060     -1289  Stopped early by the tuner after 8.5 minutes of training
 004     -1248      -844  Failed: XGBoostError std::bad_alloc (max_depth 10)
 005     -1177      -290  Completed, 0.911: the best at the origin
 006      -789      +241  Completed, 0.904
 007      -644      +744  Completed, 0.921: the new best
 008      -241     +1150  Completed, 0.914
 009      +297     +1706  Completed, 0.922: the new best
 010      +787     +1744  Completed, 0.845
 011     +1200     +2180  Completed, 0.920
 012     +1763     +3101  Completed, 0.926: the best; the tuning job completes
====  ========  ========  ===================================================

So at the origin five children have ended (one failed, one stopped early),
three are training and four are yet to come; at ``smtui demo``'s speed of 10
the last one appears within three real minutes and the tuning job completes
a little after five.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from smtui.names import TUNING_JOB_NAME
from smtui.sim.account import suffix
from smtui.sim.lifecycle import play
from smtui.sim.scenarios import XGBOOST_IMAGE, Metric, Scenario, Stage

#: Script seconds from a tuning job's creation to its first training jobs'.
FIRST_LAUNCH = 34.0


@dataclass(frozen=True)
class ParameterRange:
    """One tuned hyperparameter: an Integer or Continuous range."""

    name: str
    kind: str
    low: float
    high: float
    scaling: str = "Auto"

    def __post_init__(self) -> None:
        if self.kind not in ("Integer", "Continuous"):
            raise ValueError(f"{self.kind!r} is not a parameter range kind (Integer or Continuous)")

    def show(self, value: float) -> str:
        """A bound as the API writes it: a string."""
        return str(int(value)) if self.kind == "Integer" else str(value)


@dataclass(frozen=True)
class TuningJob:
    """A hyperparameter tuning job's script: its configuration and its children, in launch order."""

    name: str
    #: Script seconds after the origin at which the tuning job was created.
    created: float
    children: tuple[Scenario, ...]
    ranges: tuple[ParameterRange, ...]
    objective: str = "validation:auc"
    objective_type: str = "Maximize"
    max_jobs: int = 12
    max_parallel: int = 3
    strategy: str = "Bayesian"
    early_stopping: str = "Auto"

    def __post_init__(self) -> None:
        if not TUNING_JOB_NAME.fullmatch(self.name):
            raise ValueError(f"{self.name!r} is not a valid tuning job name")
        if not self.children or len(self.children) > self.max_jobs:
            raise ValueError(f"{self.name}: a tuning job launches 1 to MaxNumberOfTrainingJobs training jobs")
        for child in self.children:
            if child.tuning_job != self.name:
                raise ValueError(f"{child.name} does not name {self.name} as its tuning job")
            missing = [r.name for r in self.ranges if r.name not in child.hyperparameters]
            if missing or child.hyperparameters.get("_tuning_objective_metric") != self.objective:
                raise ValueError(f"{child.name}: hyperparameters lack {missing or '_tuning_objective_metric'}")
            if not any(m.name == self.objective for m in child.metrics):
                raise ValueError(f"{child.name} does not log the objective metric {self.objective}")

    @property
    def tuned(self) -> tuple[str, ...]:
        """The names of the tuned hyperparameters."""
        return tuple(r.name for r in self.ranges)

    @property
    def maximize(self) -> bool:
        return self.objective_type == "Maximize"


def child_name(tuning_job: str, index: int) -> str:
    """The name SageMaker gives the ``index`` th (from 1) training job of a tuning job."""
    return f"{tuning_job}-{index:03d}-{suffix(tuning_job, str(index))}"


def natural_end(scenario: Scenario) -> float:
    """Script seconds after creation at which a job reaches its final status if no one stops it but its script."""
    ended = play(scenario, math.inf, scenario.stop_after).ended_at
    if ended is None:
        raise ValueError(f"{scenario.name} never ends: a tuning job's training jobs must")
    return ended


def launch_schedule(lengths: list[float], parallel: int, first: float, gaps: list[float]) -> list[float]:
    """When each child is created: ``parallel`` at ``first`` (a few seconds apart), then as slots free up.

    ``lengths`` are the children's lifetimes (creation to final status) and
    ``gaps[i]`` how long after a slot frees child ``i`` is created.
    """
    created: list[float] = []
    running: list[float] = []
    for index, length in enumerate(lengths):
        start = first + 3.0 * index if index < parallel else heapq.heappop(running) + gaps[index]
        created.append(start)
        heapq.heappush(running, start + length)
    return created


# -- the default tuning job -------------------------------------------------------------

XGB_AUC_REGEX = r".*\[[0-9]+\].*#011{}-auc:([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?).*"
CHURN_RANGES = (
    ParameterRange("eta", "Continuous", 0.01, 0.5, "Logarithmic"),
    ParameterRange("max_depth", "Integer", 3, 10),
    ParameterRange("min_child_weight", "Continuous", 1.0, 10.0),
    ParameterRange("subsample", "Continuous", 0.5, 1.0),
)
CHURN_STATIC: Mapping[str, object] = MappingProxyType(
    {"objective": "binary:logistic", "eval_metric": "auc", "num_round": 1000, "early_stopping_rounds": 30}
)
#: What XGBoost's C++ core reports when a tree's histograms no longer fit in memory.
BAD_ALLOC = (
    "AlgorithmError: framework error: \n"
    "Traceback (most recent call last):\n"
    '  File "/miniconda3/lib/python3.8/site-packages/sagemaker_xgboost_container/algorithm_mode/train.py", '
    "line 235, in train_job\n"
    "    bst = xgb.train(train_cfg, train_dmatrix, num_boost_round=num_round - iteration, evals=watchlist,\n"
    '  File "/miniconda3/lib/python3.8/site-packages/xgboost/training.py", line 185, in train\n'
    "    bst.update(dtrain, i, obj)\n"
    '  File "/miniconda3/lib/python3.8/site-packages/xgboost/core.py", line 1918, in update\n'
    "    _check_call(_LIB.XGBoosterUpdateOneIter(self.handle,\n"
    '  File "/miniconda3/lib/python3.8/site-packages/xgboost/core.py", line 279, in _check_call\n'
    "    raise XGBoostError(py_str(_LIB.XGBGetLastError()))\n"
    "xgboost.core.XGBoostError: std::bad_alloc\n"
    "\n"
    "std::bad_alloc"
)

#: (eta, max_depth, min_child_weight, subsample, script seconds of Training, how it ends), in launch order.
#: "early": the tuner stops it after that much training; "failed": it fails after that much.
_CHURN_TRIALS = (
    (0.2613047719405012, 7, 2.218836431702529, 0.7406419385270165, 1200, "completed"),
    (0.03180716201739134, 4, 6.804416572237983, 0.9301846572309141, 630, "completed"),
    (0.012418930264378524, 3, 8.911075230931734, 0.5713470883929807, 510, "early"),
    (0.44172910478516203, 10, 1.0583717262951045, 0.9817045523716934, 240, "failed"),
    (0.18410385631297463, 7, 4.906211935783271, 0.7693617411051848, 660, "completed"),
    (0.05361147402710981, 8, 1.6934108756207138, 0.6592737010465383, 840, "completed"),
    (0.15869424837710336, 6, 2.601345078216427, 0.7912006584219416, 1170, "completed"),
    (0.04910873321764106, 4, 4.598134075219614, 0.9004731285731618, 1170, "completed"),
    (0.1268371150429016, 6, 3.700284571318943, 0.8203116871046193, 1200, "completed"),
    (0.38624019283156835, 9, 7.403582649817301, 0.5215038826410296, 720, "completed"),
    (0.04803318826473054, 5, 2.3950177361023437, 0.8897460412785627, 780, "completed"),
    (0.08731652290348817, 5, 3.0982246521701047, 0.8461293764810252, 1110, "completed"),
)


def churn_auc(eta: float, max_depth: int, min_child_weight: float, subsample: float) -> float:
    """The validation AUC the churn model converges to with these hyperparameters: best near eta 0.09, depth 5-6."""
    return (
        0.926
        - 0.012 * math.log(eta / 0.09) ** 2
        - 0.0022 * (max_depth - 5.5) ** 2
        - 0.0008 * (min_child_weight - 3) ** 2
        - 0.12 * (subsample - 0.84) ** 2
    )


def _churn_child(tuning_job: str, index: int, trial: tuple) -> Scenario:
    eta, depth, weight, subsample, training, ending = trial
    starting, downloading = 100 + (index - 1) * 17 % 40, 45 + (index - 1) * 11 % 25
    auc = churn_auc(eta, depth, weight, subsample)
    # A job that runs its course has converged by its end; one the tuner stops early is far from it.
    natural = 1200 if ending == "early" else training
    tau = (natural - 60) / 6
    overfit = 0.008 + 0.011 * (depth - 3) - 0.002 * (weight - 1)
    metrics = (
        Metric(
            "train:auc",
            XGB_AUC_REGEX.format("train"),
            0.64,
            round(min(0.999, auc + overfit), 4),
            tau=tau * 0.8,
            noise=0.001,
        ),
        Metric("validation:auc", XGB_AUC_REGEX.format("validation"), 0.62, round(auc, 4), tau=tau, noise=0.0008),
    )
    if ending == "failed":
        stages = (
            Stage("Starting", starting),
            Stage("Downloading", downloading),
            Stage("Training", training),
            Stage("Failed"),
        )
    else:
        stages = (
            Stage("Starting", starting),
            Stage("Downloading", downloading),
            Stage("Training", natural),
            Stage("Uploading", 35),
            Stage("Completed"),
        )
    hyperparameters = {
        "_tuning_objective_metric": "validation:auc",
        **CHURN_STATIC,
        "eta": eta,
        "max_depth": depth,
        "min_child_weight": weight,
        "subsample": subsample,
    }
    return Scenario(
        name=child_name(tuning_job, index),
        created=0,
        stages=stages,
        project="churn-xgboost-hpo",
        image=XGBOOST_IMAGE,
        instance_type="ml.m5.xlarge",
        volume_gb=30,
        metrics=metrics,
        hyperparameters=dict(sorted(hyperparameters.items())),
        entry_point=None,
        dataset="telco-churn",
        content_type="text/csv",
        kms=False,
        max_runtime=3600,
        failure_reason=BAD_ALLOC if ending == "failed" else None,
        stop_after=starting + downloading + training if ending == "early" else None,
        log_style="xgboost",
        tuning_job=tuning_job,
    )


def default_tuning_jobs() -> list[TuningJob]:
    """The tuning jobs of ``smtui demo`` and ``smtui sim``: ``xgboost-churn-hpo`` (see the module's docstring)."""
    name, created = "xgboost-churn-hpo", -2100.0
    children = [_churn_child(name, index, trial) for index, trial in enumerate(_CHURN_TRIALS, 1)]
    gaps = [40.0 + index * 7 % 20 for index in range(len(children))]
    when = launch_schedule([natural_end(c) for c in children], 3, created + FIRST_LAUNCH, gaps)
    return [
        TuningJob(
            name=name,
            created=created,
            ranges=CHURN_RANGES,
            children=tuple(replace(child, created=at) for child, at in zip(children, when)),
        )
    ]
