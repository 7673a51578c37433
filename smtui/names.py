"""SageMaker's rules for the names smtui is given, with the one-line reason a name breaks them."""

from __future__ import annotations

import re

#: A training job's name: 1-63 letters, digits and hyphens, starting and ending with a letter or digit.
JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
#: A hyperparameter tuning job's name: the same, up to 32 characters.
TUNING_JOB_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}")
#: What ListTrainingJobs' NameContains accepts.
NAME_FRAGMENT = re.compile(r"[a-zA-Z0-9-]{1,63}")


#: The most characters of what the user typed that a message repeats.
ECHO_LIMIT = 80


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` quoted for a message about it, cut when long: ``'aaaa…' (120,000 characters)``."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


def job_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a training job's name, or None if it can."""
    if JOB_NAME.fullmatch(name):
        return None
    return (
        f"{echo(name)} is not a valid training job name (1-63 letters, digits and hyphens, "
        "starting and ending with a letter or digit)"
    )
