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
_WORDS = frozenset({
    "TOKEN", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PWD", "PASSPHRASE", "KEY", "APIKEY", "CREDENTIAL",
    "CREDENTIALS", "AUTH", "AUTHORIZATION", "PRIVATE", "SIGNATURE", "COOKIE", "CERT", "PAT",
})
#: Endings that make a run-together word secret (HFTOKEN, APIKEY, DBPASSWORD).
_ENDINGS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "APIKEY", "ACCESSKEY", "SECRETKEY", "PRIVATEKEY", "CREDENTIALS",
            "CREDENTIAL")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_WORD_SPLIT = re.compile(r"[^A-Z0-9]+")
_SECRET_VALUE = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----")
_FLAG = re.compile(r"^--?([A-Za-z0-9_.-]+)(?:=(.*))?$", re.DOTALL)


def is_secret_key(key: str) -> bool:
    """Whether a variable or hyperparameter named ``key`` should be hidden.

    >>> [is_secret_key(k) for k in ("HF_TOKEN", "wandbApiKey", "max_tokens", "TOKENIZERS_PARALLELISM")]
    [True, True, False, False]
    """
    words = [w for w in _WORD_SPLIT.split(_CAMEL.sub(r"\1_\2", key).upper()) if w]
    return any(w in _WORDS or w.endswith(_ENDINGS) for w in words)


def looks_secret(value: Any) -> bool:
    """Whether a value is a credential by its look alone (an AWS access key id, a private key)."""
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
