"""Which values of a training job are secrets, and hiding them.

People pass API tokens and passwords to training containers through
``Environment`` and ``HyperParameters`` (and container arguments), and
SageMaker returns them in clear in DescribeTrainingJob. smtui hides them unless
asked: a value is secret when its key reads like one (``HF_TOKEN``,
``WANDB_API_KEY``, ``dbPassword``, ...), when it follows a flag that does
(``--hf-token VALUE``, ``--api-key=VALUE``), or when it looks like an AWS
access key or a private key wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: What a hidden value shows instead (the same whatever the value's length).
MASK = "•••••••• (hidden)"
#: Top-level members whose map keys name their values.
KEYED_MEMBERS = ("Environment", "HyperParameters")

#: Words of a key that make its value secret.
_WORDS = frozenset(
    {
        "TOKEN",
        "SECRET",
        "SECRETS",
        "PASSWORD",
        "PASSWD",
        "PWD",
        "PASSPHRASE",
        "KEY",
        "APIKEY",
        "CREDENTIAL",
        "CREDENTIALS",
        "AUTH",
        "AUTHORIZATION",
        "PRIVATE",
        "SIGNATURE",
        "COOKIE",
        "CERT",
        "PAT",
    }
)
#: Endings that make a run-together word secret (HFTOKEN, APIKEY, DBPASSWORD).
_ENDINGS = (
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "APIKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "PRIVATEKEY",
    "CREDENTIALS",
    "CREDENTIAL",
)
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD_SPLIT = re.compile(r"[^A-Z0-9]+")
_ACCESS_KEY = r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
_PRIVATE_KEY = r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
# An AWS secret access key's shape: 40 characters of base64 standing alone, with upper and lower case letters
# and a digit, / or + (a SHA-1 in hex, a path or a word does not have all of these).
_SECRET_KEY = (
    r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])"
    r"(?=[A-Za-z0-9/+]{0,39}[0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
)
_SECRET_VALUE = re.compile(f"{_ACCESS_KEY}|{_PRIVATE_KEY}|{_SECRET_KEY}")
_FLAG = re.compile(r"^--?([A-Za-z0-9_.-]+)(?:=(.*))?$", re.DOTALL)


def is_secret_key(key: str) -> bool:
    """Whether a variable or hyperparameter named ``key`` should be hidden.

    >>> [is_secret_key(k) for k in ("HF_TOKEN", "wandbApiKey", "max_tokens", "TOKENIZERS_PARALLELISM")]
    [True, True, False, False]
    """
    words = [w for w in _WORD_SPLIT.split(_CAMEL.sub(r"\1_\2", key).upper()) if w]
    return any(w in _WORDS or w.endswith(_ENDINGS) for w in words)


def looks_secret(value: Any) -> bool:
    """Whether a value is a credential by its look alone (an AWS access key id or secret key, a private key)."""
    return isinstance(value, str) and _SECRET_VALUE.search(value) is not None


def secret_arguments(arguments: Any) -> set[int]:
    """Indexes of the items of a command line that hold secrets (``--token X``, ``--api-key=X``)."""
    hidden: set[int] = set()
    if not isinstance(arguments, (list, tuple)):
        return hidden
    for index, item in enumerate(arguments):
        if not isinstance(item, str):
            continue
        if looks_secret(item):
            hidden.add(index)
            continue
        flag = _FLAG.match(item)
        if flag and is_secret_key(flag.group(1)):
            if flag.group(2) is not None:
                hidden.add(index)
            elif index + 1 < len(arguments):
                hidden.add(index + 1)
    return hidden


def masked(response: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a DescribeTrainingJob response with every secret value replaced by :data:`MASK`."""
    return {key: _masked_member(str(key), value) for key, value in response.items()}


def _masked_member(key: str, value: Any) -> Any:
    if key in KEYED_MEMBERS and isinstance(value, Mapping):
        return {k: MASK if is_secret_key(str(k)) or looks_secret(v) else _masked_any(v) for k, v in value.items()}
    return _masked_any(value)


def _masked_any(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _masked_member(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        hidden = secret_arguments(value)
        return [MASK if i in hidden else _masked_any(v) for i, v in enumerate(value)]
    return MASK if looks_secret(value) else value


# -- secrets inside free text (log lines) -------------------------------------------------

# A private key from its BEGIN line to its END line, or to the end of the text.
_KEY_BLOCK = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|\Z)", re.DOTALL)
# ``KEY=value``, ``KEY: value``, ``"key": "value"``, ``--key value``, ``--key=value``: the value after a name,
# quoted or up to the next space, comma or quote.
_ASSIGNMENT = re.compile(
    r"""(?P<name>(?<![A-Za-z0-9_.-])--?[A-Za-z][A-Za-z0-9_.-]*|["']?[A-Za-z_][A-Za-z0-9_.-]*["']?)"""
    r"""(?P<between>\s*[=:]\s*|(?<=[A-Za-z0-9])[ ]+(?=[^\s=:-]))"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s"',;&}\]]+)"""
)
_BASE64_LINE = re.compile(r"\s*[A-Za-z0-9+/=]{16,}\s*")
#: A private key's body is a few dozen lines; a block still open after this many has ended without its END line.
MAX_KEY_LINES = 200


def mask_text(text: str) -> str:
    """``text`` (a log line) with every secret in it replaced by :data:`MASK`: access keys, secret keys and
    private keys by their look, and the values of names that read like secrets (``HF_TOKEN=...``,
    ``"password": "..."``, ``--api-key X``)."""
    if not text:
        return text
    text = _KEY_BLOCK.sub(MASK, text)
    text = _SECRET_VALUE.sub(MASK, text)
    return _ASSIGNMENT.sub(_mask_assignment, text)


def _mask_assignment(match: re.Match) -> str:
    name = match.group("name").strip("\"'").lstrip("-")
    value = match.group("value")
    flag = match.group("name").startswith("-")
    if match.group("between").strip() == "" and not flag:
        return match.group()  # two words in a sentence: only a flag takes the next word as its value
    if not is_secret_key(name) or value.strip("\"'") in ("", MASK):
        return match.group()
    quote = value[0] if value[0] in "\"'" and len(value) > 1 else ""
    return f"{match.group('name')}{match.group('between')}{quote}{MASK}{quote}"


class PrivateKeyLines:
    """Which lines of one stream are the inside of a private key printed over several lines.

    A key printed line by line spreads over several log events: its BEGIN line is hidden by
    :func:`mask_text`, and the base64 lines that follow, up to its END line, by this.
    """

    def __init__(self) -> None:
        self._inside = 0

    def hidden(self, message: str) -> bool:
        """Whether ``message``, the stream's next line, is part of a key (hide it whole)."""
        if self._inside:
            if "PRIVATE KEY-----" in message and "-----END" in message:
                self._inside = 0
                return True
            if _BASE64_LINE.fullmatch(message) and self._inside < MAX_KEY_LINES:
                self._inside += 1
                return True
            self._inside = 0
        block = _KEY_BLOCK.search(message)
        if block is not None and "-----END" not in block.group():
            self._inside = 1
        return False
