"""Plain-text pieces for the detail sections: labels, ages, safe text, wrapping.

Nothing here knows about botocore or Textual; :mod:`smtui.present.sections`
combines these with the service model.
"""

from __future__ import annotations

import functools
import re
import textwrap
from datetime import datetime, timezone
from typing import Any

from smtui.present.durations import long_duration

#: Words shown in capitals (or a fixed spelling) in labels.
_WORDS = {
    "arn": "ARN",
    "arns": "ARNs",
    "id": "ID",
    "ids": "IDs",
    "kms": "KMS",
    "vpc": "VPC",
    "s3": "S3",
    "uri": "URI",
    "uris": "URIs",
    "url": "URL",
    "ml": "ML",
    "gb": "GB",
    "mb": "MB",
    "ecr": "ECR",
    "ec2": "EC2",
    "mlflow": "MLflow",
    "automl": "AutoML",
    "tensorboard": "TensorBoard",
    "sagemaker": "SageMaker",
    "efa": "EFA",
    "ssh": "SSH",
    "http": "HTTP",
    "sdk": "SDK",
    "iam": "IAM",
    "cpu": "CPU",
    "gpu": "GPU",
    "ssm": "SSM",
    "hpo": "HPO",
    "eula": "EULA",
    "ai": "AI",
    "lora": "LoRA",
    "efs": "EFS",
    "fsx": "FSx",
    "peft": "PEFT",
}
#: Compound names the tokenizer splits in two: rejoined after humanising.
_COMPOUNDS = (
    ("Sage maker", "SageMaker"),
    ("sage maker", "SageMaker"),
    ("Tensor board", "TensorBoard"),
    ("tensor board", "TensorBoard"),
    ("Auto ML", "AutoML"),
    ("Hyper parameter", "Hyperparameter"),
    ("hyper parameter", "hyperparameter"),
    ("Ultra server", "UltraServer"),
    ("ultra server", "UltraServer"),
)
# Splits CamelCase, keeping acronyms and digit suffixes whole: S3Uri → S3 | Uri, KMSKey → KMS | Key.
_TOKEN = re.compile(r"[A-Z][0-9]+|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
# Characters shown as escapes instead of drawn. Text from a job (its configuration, its log lines)
# must neither drive the terminal nor take a width the terminal disagrees about:
# - C0 and C1 controls (tab and line breaks are handled apart): a terminal acts on them;
# - format characters (Unicode category Cf, and the line and paragraph separators): zero-width spaces
#   and joiners, direction marks and overrides (U+200E, U+200F, U+061C, U+202A-U+202E, U+2066-U+2069),
#   which hide text or reorder it on screen, and which terminals draw zero, one or two cells wide;
# - lone surrogates (U+D800-U+DFFF), which no encoding can write;
# - variation selectors and emoji skin-tone modifiers: the layout counts an emoji with them as one
#   2-cell glyph, while many terminals (tmux among them) draw each piece on its own, so a line of
#   them ran past its pane.
# With these escaped, a line is as wide as the sum of its characters, on any terminal.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufe00-\ufe0f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U0001f3fb-\U0001f3ff\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
_NEWLINES = re.compile(r"\r\n|\r|\n")

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
NO_VALUE = "–"
#: What a line break inside a value becomes, so one field stays on one line.
NEWLINE = " ⏎ "
EMPTY = "(empty)"


@functools.lru_cache(maxsize=1024)
def humanize(name: str) -> str:
    """``TrainingJobArn`` → ``Training job ARN``; ``S3Uri`` → ``S3 URI``; ``KmsKeyId`` → ``KMS key ID``."""
    tokens = _TOKEN.findall(name)
    if not tokens:
        # A key with no word in it (an unknown key from the wire) is shown as it is, but never acted on.
        return visible(name)
    words = []
    for index, token in enumerate(tokens):
        fixed = _WORDS.get(token.lower())
        if fixed:
            words.append(fixed)
        elif token.isupper() and len(token) > 1:
            words.append(token)
        else:
            words.append(token.capitalize() if index == 0 else token.lower())
    label = " ".join(words)
    for split, joined in _COMPOUNDS:
        label = label.replace(split, joined)
    return label


def visible(text: str, *, multiline: bool = False) -> str:
    """``text`` with control characters shown as escapes instead of acted on.

    A failure reason or hyperparameter can hold anything; an ESC or BEL in it
    must not drive the terminal. Line breaks become ``⏎`` so one field stays
    one line, unless ``multiline`` keeps them as ``\\n``.
    """
    text = _NEWLINES.sub("\n" if multiline else NEWLINE, text).replace("\t", " ")
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def as_datetime(value: Any) -> datetime | None:
    """A timestamp as an aware datetime: datetimes, epoch seconds and ISO 8601 text.

    botocore gives aware datetimes; a response read back from JSON gives text or
    numbers. Naive datetimes are taken as UTC, which is what the API speaks.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return as_datetime(datetime.fromisoformat(value.strip()))
        except ValueError:
            return None
    return None


def relative_age(moment: datetime, now: datetime) -> str:
    """``25m ago``, ``1h 5m ago``, ``in 3m``, ``just now``.

    Ages are to the minute: the detail pane redraws once a minute, and seconds
    would be stale (or flicker) between redraws.
    """
    moment = as_datetime(moment) or moment
    now = as_datetime(now) or now
    delta = (now - moment).total_seconds()
    minutes = int(abs(delta) // 60)
    if minutes == 0:
        return "just now"
    text = long_duration(minutes * 60)
    return f"{text} ago" if delta > 0 else f"in {text}"


def timestamp_text(value: Any, now: datetime) -> str:
    """``2026-11-26 10:03:12 (25m ago)`` in local time; unparseable values as they are."""
    moment = as_datetime(value)
    if moment is None:
        return visible(str(value))
    try:
        local = moment.astimezone()
    except (OverflowError, ValueError, OSError):
        # At the very ends of the calendar (year 1, year 9999) local time can fall outside it.
        return f"{moment.isoformat(sep=' ')} ({relative_age(moment, now)})"
    return f"{local:{TIME_FORMAT}} ({relative_age(moment, now)})"


def duration_text(seconds: Any) -> str:
    """``5400 s (1h 30m)``."""
    return f"{seconds} s ({long_duration(seconds)})"


def wrap(text: str, room: int) -> list[str]:
    """``text`` in lines of at most ``room`` characters, broken only at spaces.

    ARNs, S3 URIs, image names and IDs contain no spaces, so they are never
    split; a token longer than ``room`` gets a line of its own and overflows.
    """
    return textwrap.wrap(text, max(room, 1), break_long_words=False, break_on_hyphens=False) or [""]
