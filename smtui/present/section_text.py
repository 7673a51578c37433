"""The sections of a DescribeTrainingJob response as plain text: one value, or every section for ``smtui describe``.

The detail pane shows each value as :func:`format_value` says it;
:func:`render_text` lays every section out in aligned columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from smtui.present.formatting import EMPTY, NO_VALUE, duration_text, timestamp_text, visible, wrap
from smtui.present.secrets import MASK
from smtui.present.sections import CONTAINERS, FieldNode, describe_sections, request_id


def format_value(node: FieldNode, now: datetime, *, multiline: bool = False, reveal: bool = False) -> str:
    """One line of plain text for a leaf; ``(empty)`` for an empty container.

    Line breaks inside a value (a failure reason's traceback) show as ``⏎``;
    with ``multiline`` they are kept as ``\\n`` for a caller that can show them.
    A secret shows as :data:`~smtui.present.secrets.MASK` unless ``reveal``.
    """
    value = node.value
    if node.secret and not reveal and node.kind not in CONTAINERS:
        return MASK
    if node.kind in CONTAINERS:
        return EMPTY if not node.children else ""
    if value is None:
        return NO_VALUE
    if node.kind == "timestamp":
        return timestamp_text(value, now)
    if node.kind == "duration" and isinstance(value, int):
        return duration_text(value)
    if node.kind == "boolean" and isinstance(value, bool):
        return "yes" if value else "no"
    if node.kind == "float" and isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    text = visible(str(value), multiline=multiline)
    return text if text else EMPTY


_INDENT = "  "
_GAP = "  "


def render_text(response: Mapping[str, Any] | None, now: datetime, *, width: int = 100, reveal: bool = False) -> str:
    """The plain-text form of every section, for ``smtui describe``; secrets hidden unless ``reveal``.

    Each section is a heading, then ``Label  value`` lines with the values of
    sibling fields in one column; nested fields are indented under their
    container. Values wrap with a hanging indent at spaces only, so ARNs, S3
    URIs and IDs are never broken in the middle. The request id comes last.
    """
    out: list[str] = []
    for section in describe_sections(response):
        if out:
            out.append("")
        out.append(section.title)
        out.append("─" * min(len(section.title), width))
        _rows(section.fields, now, width, 0, out, reveal)
    rid = request_id(response)
    if rid:
        if out:
            out.append("")
        out.append(f"Request ID{_GAP}{visible(rid)}")
    return "\n".join(out) + "\n"


def _rows(
    nodes: tuple[FieldNode, ...], now: datetime, width: int, depth: int, out: list[str], reveal: bool = False
) -> None:
    indent = _INDENT * depth
    # The value column sits after the longest label among the siblings that have
    # a value on their own line; a label too long for half the width does not
    # push the column out, its value starts on the next line instead.
    cap = max(12, min(44, (width - len(indent)) // 2))
    valued = [len(n.label) for n in nodes if n.kind not in CONTAINERS or not n.children]
    column = len(indent) + min(cap, max(valued, default=0)) + len(_GAP)
    hanging = " " * column
    for node in nodes:
        label = indent + node.label
        if node.kind in CONTAINERS and node.children:
            out.append(label)
            _rows(node.children, now, width, depth + 1, out, reveal)
            continue
        # Line breaks the value itself had (a failure reason's traceback) are kept.
        room = max(width - column, 20)
        paragraphs = format_value(node, now, multiline=True, reveal=reveal).split("\n")
        lines = [line for paragraph in paragraphs for line in wrap(paragraph, room)]
        if len(label) + len(_GAP) > column:
            out.append(label)
            out.extend(hanging + line for line in lines)
        else:
            out.append(label.ljust(column) + lines[0])
            out.extend(hanging + line for line in lines[1:])
