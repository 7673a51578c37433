"""What a metric's name says about it: which way is better, and which metrics share a chart.

SageMaker metric names are free text from the MetricDefinitions (``train:loss``,
``validation:auc``, ``eval_accuracy``, ``train:tokens_per_second``). A loss or an
error is better low, an accuracy or an AUC high; a name that says neither has
no best. ``train:loss`` and ``validation:loss`` measure one thing on two data
sets, so they are drawn on one set of axes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

#: Which way is better: down (a loss), up (an accuracy), or unknown.
DOWN, UP, UNKNOWN = -1, 1, 0

#: Words in a name that make lower better; they win over the words that make higher better (``top1_error``).
_DOWN_WORDS = frozenset(
    {
        "loss",
        "error",
        "err",
        "errors",
        "rmse",
        "mse",
        "mae",
        "mape",
        "smape",
        "rmsle",
        "msle",
        "wer",
        "cer",
        "perplexity",
        "ppl",
        "logloss",
        "nll",
        "latency",
        "divergence",
        "kl",
    }
)
#: Words in a name that make higher better.
_UP_WORDS = frozenset(
    {
        "acc",
        "accuracy",
        "auc",
        "aucpr",
        "f1",
        "f1score",
        "precision",
        "recall",
        "map",
        "iou",
        "miou",
        "bleu",
        "rouge",
        "rouge1",
        "rouge2",
        "rougel",
        "r2",
        "ndcg",
        "top1",
        "top5",
        "mfu",
        "throughput",
        "dice",
        "score",
        "correlation",
        "pearson",
        "spearman",
        "exact",
        "em",
        "sensitivity",
        "specificity",
        "mcc",
        "kappa",
    }
)
#: Rates: ``tokens_per_second``, ``samples/sec``, ``it/s``.
_RATE = re.compile(r"(per[_\s-]?(second|sec|s)\b|/s(ec)?\b|_per_s\b|ps$)")
_WORD = re.compile(r"[a-z0-9]+")
#: How a metric's data set is spelled at the start of its name, in the order a chart lists them.
SPLITS = ("train", "training", "val", "valid", "validation", "eval", "evaluation", "dev", "test")
_SPLIT = re.compile(
    r"^(?P<split>" + "|".join(sorted(SPLITS, key=len, reverse=True)) + r")[:_\-/.\s]+(?P<rest>.+)$", re.IGNORECASE
)
_SPLIT_ORDER = {
    "train": 0,
    "training": 0,
    "val": 1,
    "valid": 1,
    "validation": 1,
    "eval": 1,
    "evaluation": 1,
    "dev": 1,
    "test": 2,
}


def direction(name: str) -> int:
    """Which way ``name`` is better: :data:`DOWN`, :data:`UP` or :data:`UNKNOWN`."""
    lowered = name.lower()
    words = set(_WORD.findall(lowered))
    if words & _DOWN_WORDS:
        return DOWN
    if words & _UP_WORDS or _RATE.search(lowered):
        return UP
    return UNKNOWN


def split_of(name: str) -> tuple[str | None, str]:
    """(the data set the name starts with, the rest): ``("train", "loss")`` for ``train:loss``; (None, name)
    for a name that starts with none."""
    match = _SPLIT.match(name.strip())
    if match is None:
        return None, name
    return match.group("split").lower(), match.group("rest").lower()


def chart_groups(names: Iterable[str]) -> list[tuple[str, ...]]:
    """The metrics as charts: those that differ only in their data set (``train:loss``, ``validation:loss``)
    together, train first; every other metric alone; charts in the order their first metric comes."""
    ordered = list(dict.fromkeys(names))
    by_rest: dict[str, list[str]] = {}
    for name in ordered:
        split, rest = split_of(name)
        if split is not None:
            by_rest.setdefault(rest, []).append(name)
    groups: list[tuple[str, ...]] = []
    placed: set[str] = set()
    for name in ordered:
        if name in placed:
            continue
        split, rest = split_of(name)
        members = by_rest.get(rest, []) if split is not None else []
        if len(members) > 1:
            group = tuple(sorted(members, key=lambda n: (_SPLIT_ORDER.get(split_of(n)[0] or "", 3), ordered.index(n))))
        else:
            group = (name,)
        placed.update(group)
        groups.append(group)
    return groups


def group_title(group: Sequence[str]) -> str:
    """A chart's title: its metrics, ``train:loss · validation:loss``."""
    return " · ".join(group)
