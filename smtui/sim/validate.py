"""Checking values against botocore shapes: requests as the services do, responses strictly.

Requests are checked the way the services' front ends do it (required
members, enums, lengths, ranges and patterns), producing their
"1 validation error detected: ..." messages; unknown request members are
ignored, as the services ignore them. Responses are checked strictly: also
unknown members and wrong Python types, so a simulator answer botocore would
parse differently from the real service's is caught in tests.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from typing import Any


@functools.lru_cache(maxsize=512)
def _pattern(pattern: str) -> re.Pattern | None:
    # The models carry Java regular expressions; translate the class Python lacks,
    # which reads differently inside and outside square brackets.
    parts = re.split(r"(\\p\{Alnum\})", pattern)
    translated, depth = "", 0
    for part in parts:
        if part == r"\p{Alnum}":
            translated += "A-Za-z0-9" if depth else "[A-Za-z0-9]"
            continue
        translated += part
        escaped = False
        for char in part:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "[":
                depth += 1
            elif char == "]" and depth:
                depth -= 1
    try:
        return re.compile(translated)
    except re.error:
        return None


def _type_problem(value: Any, kind: str) -> str | None:
    """What is wrong with ``value``'s Python type for a shape of type ``kind``, if anything."""
    expected = {
        "structure": dict,
        "map": dict,
        "list": list,
        "string": str,
        "boolean": bool,
        "timestamp": datetime,
        "blob": (bytes, bytearray),
    }.get(kind)
    if kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "not an integer"
    if kind in ("float", "double"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else "not a number"
    if expected is not None and not isinstance(value, expected):
        return f"not a {kind}"
    if kind == "timestamp" and value.tzinfo is None:
        return "a naive datetime"
    return None


def _constraints(value: Any, shape: Any) -> list[str]:
    """Broken constraints of a value whose type is right, as the services word them."""
    meta = shape.metadata
    kind = shape.type_name
    out = []
    if kind == "string":
        enum = getattr(shape, "enum", None) or []
        if enum and value not in enum:
            out.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"Member must have length less than or equal to {meta['max']}")
        pattern = meta.get("pattern")
        compiled = _pattern(pattern) if pattern else None
        if compiled is not None and not compiled.fullmatch(value):
            out.append(f"Member must satisfy regular expression pattern: {pattern}")
    elif kind in ("integer", "long", "float", "double"):
        if "min" in meta and value < meta["min"]:
            out.append(f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            out.append(f"Member must have value less than or equal to {meta['max']}")
    elif kind in ("list", "map"):
        if "min" in meta and len(value) < meta["min"]:
            out.append(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            out.append(f"Member must have length less than or equal to {meta['max']}")
    return out


def output_problems(value: Any, shape: Any, path: str = "", *, may_omit: frozenset[str] = frozenset()) -> list[str]:
    """Everything wrong with a response ``value`` (Python values, as botocore parses them) for ``shape``.

    Reports unknown members, missing required members (except top-level ones
    named in ``may_omit``), wrong types, enum values outside the model and
    broken length, range and pattern constraints. An empty list means valid.
    """
    kind = shape.type_name
    problem = _type_problem(value, kind)
    if problem:
        return [f"{path or '<root>'}: {problem} ({value!r:.60})"]
    out = [f"{path or '<root>'}: {p} (got {value!r:.80})" for p in _constraints(value, shape)]
    if kind == "structure":
        for key, item in value.items():
            member = shape.members.get(key)
            where = f"{path}.{key}" if path else key
            if member is None:
                out.append(f"{where}: not a member of {shape.name}")
            else:
                out += output_problems(item, member, where)
        for key in shape.required_members:
            if key not in value and not (not path and key in may_omit):
                out.append(f"{path}.{key}: required" if path else f"{key}: required")
    elif kind == "list":
        for index, item in enumerate(value):
            out += output_problems(item, shape.member, f"{path}[{index}]")
    elif kind == "map":
        for key, item in value.items():
            out += output_problems(key, shape.key, f"{path}<key {key!r}>")
            out += output_problems(item, shape.value, f"{path}[{key!r}]")
    return out


def input_errors(value: Any, shape: Any, path: str = "") -> list[str]:
    """Request problems as AWS words them: ``Value 'x' at 'maxResults' failed to satisfy constraint: ...``.

    ``value`` is the request decoded from JSON with timestamps already turned
    into datetimes; wrong JSON types are left to :func:`smtui.sim.wire.decode_request`.
    """
    kind = shape.type_name
    out = []
    if _type_problem(value, kind) is None:
        out = [
            f"Value {_show(value)} at '{path}' failed to satisfy constraint: {c}" for c in _constraints(value, shape)
        ]
    else:
        return out
    if kind == "structure":
        for key, member in shape.members.items():
            where = f"{path}.{_camel(key)}" if path else _camel(key)
            if key in value and value[key] is not None:
                out += input_errors(value[key], member, where)
            elif key in shape.required_members:
                out.append(f"Value null at '{where}' failed to satisfy constraint: Member must not be null")
    elif kind == "list":
        for index, item in enumerate(value, 1):
            out += input_errors(item, shape.member, f"{path}.{index}.member")
    elif kind == "map":
        for key, item in value.items():
            out += input_errors(item, shape.value, f"{path}.{key}")
    return out


def validation_message(errors: list[str]) -> str:
    """The message of a ValidationException for ``errors``, worded as the services word it."""
    count = len(errors)
    head = f"{count} validation error{'s' if count != 1 else ''} detected: "
    return head + "; ".join(errors)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "'[...]'" if isinstance(value, list) else "'{...}'"
    return f"'{value}'"
