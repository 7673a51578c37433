"""Per-host utilisation as lines of styled text: one line per host, or the spread when there are many.

A line is a list of spans, each a run of text and a style role (``warning``,
``error``, ``muted``, ``bar``, ``spark`` or None); the widget maps roles to
theme colours. Layout depends only on the width, so it is tested without a
screen. Host names and metric names are never cut: when the width runs out,
whole columns are left out (the sparkline first, then Disk and Mem).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from smtui.present.utilisation import CPU, DISK, GPU, GPU_MEMORY, MEMORY, SHORT_NAMES, Utilisation

Span = tuple[str, "str | None"]
Line = list[Span]

#: With more hosts than this, the spread is shown instead of a line per host.
MAX_HOST_LINES = 8
#: A host this many points or more from the median is named in the spread.
NOTABLE = 5.0
_BLOCKS = " ▏▎▍▌▋▊▉█"
_SPARKS = "▁▂▃▄▅▆▇█"
#: Columns in the order they give way when the width runs out (the last ones go first).
_ORDER = (GPU, GPU_MEMORY, CPU, MEMORY, DISK)
_DROP = (DISK, MEMORY, GPU_MEMORY)


def bar(percent: float, width: int) -> str:
    """``percent`` (0–100) as a bar ``width`` cells wide, in eighths."""
    eighths = round(min(max(percent, 0.0), 100.0) / 100 * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_BLOCKS[part] if part else "")).ljust(width)


def spark(values: Sequence[float], width: int, top: float = 100.0) -> str:
    """The last ``width`` values as a sparkline on a fixed 0–``top`` scale, so 30 % looks low."""
    out = []
    for value in list(values)[-width:]:
        if not math.isfinite(value):
            out.append(" ")
            continue
        share = min(max(value / top, 0.0), 1.0) if top > 0 else 0.0
        out.append(_SPARKS[min(len(_SPARKS) - 1, int(share * (len(_SPARKS) - 1) + 0.5))])
    return "".join(out)


def percent(value: float) -> str:
    """``93%``; raw figures past 100 as they are (``350%``)."""
    return f"{value:.0f}%"


def host_lines(util: Utilisation, width: int) -> list[Line]:
    """The lines of the per-host view, at most ``width`` cells each (a heading, the warnings, the hosts)."""
    width = max(width, 20)
    lines: list[Line] = []
    count = len(util.hosts)
    if not count:
        return [[("No instance metrics yet", "muted")]]
    has_gpu = any(GPU in h.latest for h in util.hosts)
    unit = (
        "raw figures (0–100 × cores or GPUs): the instance type is not in smtui's table"
        if util.raw
        else "per GPU and per core"
        if has_gpu
        else "per core"
    )
    noun = "host" if count == 1 else "hosts"
    lines += _wrapped(f"{count} {noun}, {unit}", width, "muted")
    for warning in util.warnings:
        lines += _wrapped(f"⚠ {warning.text}", width, "warning")
    if count > MAX_HOST_LINES:
        return lines + _spread_lines(util, width)
    return lines + _table(util, width)


def _table(util: Utilisation, width: int) -> list[Line]:
    metrics = [m for m in _ORDER if any(m in h.latest for h in util.hosts)]
    label = max(len(h.host) for h in util.hosts)
    # The trend follows what is wrong (GPU memory filling up, a disk filling), else the GPUs (or CPUs).
    warned = [w.metric for w in util.warnings if w.metric in (GPU_MEMORY, DISK) and w.metric in metrics]
    trend = warned[0] if warned else GPU if GPU in metrics else CPU if CPU in metrics else None
    top = max([100.0, *(v for h in util.hosts for v in h.history.get(trend or "", ()))])
    # Raw figures run past 100 %: no bar, and room for the longest number.
    digits = max([4, *(len(percent(v)) for h in util.hosts for v in h.latest.values())])
    bar_width = 0 if util.raw else 5
    while True:
        cells = [max(len(SHORT_NAMES[m]), bar_width + 1 + digits) for m in metrics]
        spark_width = width - label - sum(c + 2 for c in cells) - 2
        if spark_width >= 8 or trend is None:
            break
        if bar_width > 3:
            bar_width -= 1
        elif len(metrics) > 1 and any(m in metrics for m in _DROP):
            metrics.remove(next(m for m in _DROP if m in metrics))
        else:
            break
    shown_spark = trend is not None and spark_width >= 8
    head: Line = [(" " * label, None)]
    for metric, cell in zip(metrics, cells):
        head.append(("  " + SHORT_NAMES[metric].ljust(cell), "muted"))
    note: list[Line] = []
    if shown_spark:
        # The title names the metric, or, when that does not fit, a line under the hosts does (a bare "GPU"
        # over the sparkline would read as a second GPU column).
        title = f"{SHORT_NAMES[trend]} trend"
        if len(title) > spark_width:
            title = "trend"
            note = _wrapped(f"trend: {SHORT_NAMES[trend]}, a point a minute", width, "muted")
        head.append(("  " + title, "muted"))
    out = [head]
    for host in util.hosts:
        line: Line = [(host.host.ljust(label), None)]
        for metric, cell in zip(metrics, cells):
            value = host.latest.get(metric)
            if value is None:
                line.append(("  " + "–".ljust(cell), "muted"))
                continue
            text = percent(value).rjust(digits)
            if bar_width:
                line.append(("  " + bar(value, bar_width), _tone(metric, value, util.raw) or "bar"))
                line.append((" " + text.ljust(cell - bar_width - 1), None))
            else:
                line.append(("  " + text.ljust(cell), _tone(metric, value, util.raw)))
        if shown_spark:
            line.append(("  " + spark(host.history.get(trend, ()), spark_width, top), "spark"))
        out.append(line)
    return out + note


def _spread_lines(util: Utilisation, width: int) -> list[Line]:
    out: list[Line] = _wrapped("min · median · max, and the hosts furthest from the median", width, "muted")
    label = max(len(SHORT_NAMES[s.metric]) for s in util.spreads) if util.spreads else 0
    for spread in util.spreads:
        figures = f"{percent(spread.low)} · {percent(spread.median)} · {percent(spread.high)}"
        line: Line = [(SHORT_NAMES[spread.metric].ljust(label) + "  ", None), (figures.ljust(18), None)]
        room = width - label - 2 - max(len(figures), 18) - 2
        # Whole hosts only, as many as fit: a host cut in half would name another.
        shown: list[str] = []
        for host, value in spread.outliers:
            if abs(value - spread.median) < NOTABLE:
                continue  # hosts within a few points of the median are not worth naming
            item = f"{host} {percent(value)}"
            if len(", ".join([*shown, item])) > room:
                break
            shown.append(item)
        if shown:
            line.append(("  " + ", ".join(shown), "muted"))
        else:
            line[-1] = (figures, None)
        out.append(line)
    return out


def _tone(metric: str, value: float, raw: bool) -> str | None:
    if raw:
        return None
    if metric in (GPU_MEMORY, DISK) and value > 95:
        return "error"
    if metric == GPU and value < 20:
        return "warning"
    return None


def _wrapped(text: str, width: int, role: str | None) -> list[Line]:
    """``text`` in lines of ``width``, broken at spaces (a word longer than the width keeps a line of its own)."""
    from smtui.present.formatting import wrap

    return [[(line, role)] for line in wrap(text, width)]
