"""A :class:`~smtui.present.summary.JobSummary` as labelled rows, and as plain text for ``smtui describe``.

Rows are data (a label, a value, a time bar or a tone), so the details pane
can draw them with its own styles and bars while ``describe`` prints the same
words. Labels are never cut: one too long for the label column puts its
value on the next line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from smtui.present.cost import Price, hourly, money
from smtui.present.durations import long_duration
from smtui.present.formatting import visible, wrap
from smtui.present.summary import JobSummary, MetricGlance, TimeLimit

TITLE = "At a glance"
_GAP = "  "
#: A figure and its unit (``8 vCPUs``, ``1,280 GiB``) stay on one line: the space between them is held
#: by a no-break space while the value is wrapped (the wrapper breaks at ASCII spaces only).
_UNITS = re.compile(r"(\d) (?=[A-Za-z])")
_KEEP = "\u00a0"


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary: ``label  value``, with a bar drawn before the value when ``bar`` is set."""

    label: str
    value: str
    bar: TimeLimit | None = None
    #: ``warning`` or ``error`` for a value to stand out, else None.
    tone: str | None = None
    #: Rows under a heading row (a metric under "Metrics") are indented once.
    depth: int = 0


def summary_rows(summary: JobSummary) -> list[SummaryRow]:
    """The summary, row by row, most telling first."""
    rows = [SummaryRow("Instances", instances_text(summary)), SummaryRow("Capacity", capacity_text(summary))]
    billing = summary.billing
    if billing.seconds is not None:
        hours = billing.instance_hours or 0.0
        so_far = " so far" if billing.estimated else ""
        rows.append(SummaryRow("Billable", f"{long_duration(billing.seconds)}{so_far} · {hours:,.2f} instance-hours"))
    rows.append(cost_row(summary))
    if summary.runtime is not None:
        rows.append(
            SummaryRow(
                "Runtime",
                limit_text(summary.runtime, summary.ended),
                summary.runtime,
                _limit_tone(summary.runtime, summary.ended),
            )
        )
    if summary.wait is not None:
        rows.append(
            SummaryRow(
                "Wait", limit_text(summary.wait, summary.ended), summary.wait, _limit_tone(summary.wait, summary.ended)
            )
        )
    if summary.metrics:
        rows.append(SummaryRow("Metrics", ""))
        rows.extend(SummaryRow(visible(m.name), metric_text(m), depth=1) for m in summary.metrics)
    if summary.failure:
        rows.append(SummaryRow("Failure", visible(summary.failure), tone="error"))
    if summary.warm_pool:
        rows.append(SummaryRow("Warm pool", visible(summary.warm_pool)))
    if summary.output:
        rows.append(SummaryRow("Output", visible(summary.output)))
    return rows


def instances_text(summary: JobSummary) -> str:
    """``4 × ml.p4d.24xlarge · 32 × A100 GPUs, 1,280 GiB · 384 vCPUs``."""
    kind = visible(summary.instance_type or "unknown type")
    head = f"{summary.instance_count} × {kind}"
    spec = summary.spec
    if spec is None:
        return f"{head} · not in smtui's instance table: utilisation shows raw figures"
    parts = [head]
    if spec.kind:
        parts.append(spec.accelerator_text(summary.instance_count))
    parts.append(f"{spec.vcpus * summary.instance_count:,} vCPUs")
    return " · ".join(parts)


def capacity_text(summary: JobSummary) -> str:
    """``on-demand``, or managed spot with its savings as the SageMaker SDK prints them."""
    if not summary.spot:
        return "on-demand"
    savings = summary.billing.spot_savings
    if savings is not None:
        return f"managed spot · {savings * 100:.1f}% saved (1 − billable ÷ training time)"
    if summary.ended:
        return "managed spot · savings unknown (no training or billable time reported)"
    return "managed spot · savings known when it ends"


def cost_row(summary: JobSummary) -> SummaryRow:
    """What the job cost (or has cost so far), with the price it was worked out from; or why there is no cost."""
    billing, price = summary.billing, summary.price
    if billing.seconds is None and not summary.ended:
        return SummaryRow("Cost", "nothing yet: billing starts with training")
    if billing.cost_usd is None or not isinstance(price, Price):
        hours = billing.instance_hours
        known = f"{hours:,.2f} instance-hours; " if hours is not None else ""
        return SummaryRow("Cost", f"{known}no cost in dollars: {billing.no_cost}", tone="warning")
    rate = f"{hourly(price.usd_per_hour)} on-demand in {visible(price.region)}"
    amount = money(billing.cost_usd)
    if not billing.estimated:
        return SummaryRow("Cost", f"{amount} ({rate})")
    if summary.spot:
        return SummaryRow("Cost", f"at most {amount} so far ({rate}; spot savings are known when it ends)")
    return SummaryRow("Cost", f"≈ {amount} so far ({rate})")


def limit_text(limit: TimeLimit, ended: bool) -> str:
    """``43% of 5d · 2d 20h left``; once the job has ended, ``used 1h 02m of 5d``."""
    share = f"{limit.fraction * 100:.0f}% of {long_duration(limit.limit)}"
    if ended:
        return f"{share} · used {long_duration(limit.used)}"
    if limit.left <= 0:
        return f"{share} · limit reached"
    return f"{share} · {long_duration(limit.left)} left"


def metric_text(metric: MetricGlance) -> str:
    """The latest value, then the best so far: ``1.1234 · lowest 1.1102`` for a loss, ``0.91 · highest 0.93``."""
    text = _number(metric.latest)
    if metric.best is not None:
        text += f" · {'lowest' if metric.direction == 'min' else 'highest'} {_number(metric.best)}"
    return text


def bar_text(limit: TimeLimit, width: int) -> str:
    """The share of the limit used as ``██████░░░░`` in ``width`` cells (eighths at the edge)."""
    width = max(width, 1)
    filled = limit.fraction * width
    full = int(filled)
    part = int((filled - full) * 8)
    partial = "▏▎▍▌▋▊▉"[part - 1] if part and full < width else ""
    return ("█" * full + partial).ljust(width, "░")


Span = tuple[str, "str | None"]
Line = list[Span]


def summary_lines(summary: JobSummary, width: int = 100, *, bar_width: int = 20, fold: bool = False) -> list[Line]:
    """The summary laid out ``width`` cells wide, as lines of (text, role) spans.

    Roles: ``label``, ``bar`` (a time bar; ``warning`` or ``error`` when the
    time is nearly up), ``warning`` and ``error`` for values that stand out,
    None for plain text. Values wrap at spaces with a hanging indent; with
    ``fold``, a word longer than its line (an S3 URI) is broken across lines
    too, for a screen that cannot scroll sideways. A label too long for the
    label column is kept whole, with its value on the lines below.
    """
    rows = summary_rows(summary)
    out: list[Line] = []
    top = [r for r in rows if r.depth == 0]
    column = min(max(len(r.label) for r in top), max(12, width // 3)) + len(_GAP)
    for index, row in enumerate(rows):
        indent = "  " * row.depth
        own_column = (
            column
            if row.depth == 0
            else len(indent) + min(max(len(r.label) for r in _siblings(rows, index)), max(12, width // 2)) + len(_GAP)
        )
        label = indent + row.label
        room = max(width - own_column, 20)
        lead: list[Span] = []
        value_room = room
        if row.bar is not None:
            cells = max(4, min(bar_width, room // 3))
            lead = [(bar_text(row.bar, cells), row.tone or "bar"), (" ", None)]
            value_room = max(room - cells - 1, 12)
        lines = (
            [line.replace(_KEEP, " ") for line in wrap(_UNITS.sub(rf"\1{_KEEP}", row.value), value_room)]
            if row.value
            else []
        )
        if fold:
            lines = [line[i : i + value_room] for line in lines for i in range(0, max(len(line), 1), value_room)]
        hanging = " " * own_column
        role = row.tone if row.bar is None else None
        if not lines and not lead:
            parts = [label[i : i + width] for i in range(0, len(label), width)] if fold else [label]
            out.extend([(part, "label")] for part in parts)
            continue
        first = [*lead, (lines[0], role)] if lines else lead
        rest = [[(hanging + " " * (len(lead[0][0]) + 1 if lead else 0) + line, role)] for line in lines[1:]]
        if len(label) + len(_GAP) > own_column:
            # A name too long for the column keeps its whole self; the value goes below it.
            parts = [label[i : i + width] for i in range(0, len(label), width)] if fold else [label]
            out.extend([(part, "label")] for part in parts)
            out.append([(hanging, None), *first])
        else:
            out.append([(label.ljust(own_column), "label"), *first])
        out.extend(rest)
    return out


def render_summary_text(summary: JobSummary, width: int = 100, *, bar_width: int = 20) -> str:
    """The summary as ``describe`` prints it: a heading, then the lines of :func:`summary_lines`."""
    lines = ["".join(text for text, _ in line).rstrip() for line in summary_lines(summary, width, bar_width=bar_width)]
    return "\n".join([TITLE, "─" * min(len(TITLE), width), *lines]) + "\n"


def _siblings(rows: list[SummaryRow], index: int) -> list[SummaryRow]:
    """The run of rows at the same depth around ``index``."""
    depth = rows[index].depth
    start = index
    while start > 0 and rows[start - 1].depth == depth:
        start -= 1
    end = index
    while end + 1 < len(rows) and rows[end + 1].depth == depth:
        end += 1
    return rows[start : end + 1]


def _limit_tone(limit: TimeLimit, ended: bool) -> str | None:
    if ended:
        return None
    return "error" if limit.fraction >= 0.95 else "warning" if limit.fraction >= 0.8 else None


def _number(value: float) -> str:
    return f"{value:.6g}"
