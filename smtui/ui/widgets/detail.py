"""The detail pane: every field of the selected job's DescribeTrainingJob response."""

from __future__ import annotations

from datetime import datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from smtui.aws.errors import PollError
from smtui.aws.sections import FieldNode, describe_sections, format_value, relative_age
from smtui.aws.snapshot import JobSnapshot

INDENT = 2
MAX_LABEL = 22
#: A list or map longer than this shows its first and last items only; `smtui describe` prints all.
MAX_ITEMS = 60
#: A value longer than this many characters is cut (a 1 MB FailureReason must not stall the screen).
MAX_VALUE = 8000


class _Body(Static):
    """The details' text, measured once per content and width.

    Measuring means rendering every section; without the cache each layout
    pass of the screen (a timeline growing a row, a resize) would do it again.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._heights: dict[int, int] = {}

    def update(self, content="", *, layout: bool = True) -> None:
        self._heights = {}
        super().update(content, layout=layout)

    def get_content_height(self, container, viewport, width: int) -> int:
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = super().get_content_height(container, viewport, width)
        return height


class DetailPane(VerticalScroll, can_focus=True):
    """Sections of labelled fields, built from botocore's service model.

    The body is rebuilt only when the job or its data changed (or when the
    relative ages it shows would read differently); scrolling keeps its place
    across updates of the same job.
    """

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane > Static { width: 1fr; }
    DetailPane > .detail--section { color: $primary; text-style: bold; }
    DetailPane > .detail--label { color: $text-muted; }
    DetailPane > .detail--container { color: $text-muted; text-style: italic; }
    DetailPane > .detail--error { color: $error; text-style: bold; }
    DetailPane > .detail--unknown { color: $warning; }
    """

    COMPONENT_CLASSES = {"detail--section", "detail--label", "detail--container", "detail--error", "detail--unknown"}
    """`--section` headings, `--label` field names, `--container` nested groups, `--error` poll errors,
    `--unknown` fields the service model does not know."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False),
        Binding("k", "scroll_up", "Scroll up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._body = _Body("", id="detail-body", markup=False)
        self._key: tuple | None = None
        self._subtitle = ""
        self._snapshot: JobSnapshot | None = None
        self._content: object = None

    def compose(self):
        yield self._body

    def show(self, name: str | None, snapshot: JobSnapshot | None, error: PollError | None, now: datetime,
             *, reveal: bool = False) -> None:
        """Render the job (secrets hidden unless ``reveal``); a no-op when nothing it would show has changed."""
        # Relative ages are shown to the minute, so the body only needs
        # rebuilding when the minute changes.
        if snapshot is not self._snapshot:
            # Comparing content costs a pass over the response: once per snapshot, not once per tick.
            self._snapshot, self._content = snapshot, _content(snapshot)
        key = (name, self._content, error, now.replace(second=0, microsecond=0), reveal)
        # The request id comes from a response header: only its id characters are shown (border text is markup).
        request = "".join(c for c in snapshot.request_id if c.isalnum() or c == "-")[:64] if snapshot and snapshot.request_id else ""
        subtitle = f"request {request}" if request else ""
        if subtitle != self._subtitle:  # setting a border title repaints the widget, even to the same text
            self._subtitle = self.border_subtitle = subtitle
        if key == self._key:
            return
        if self._key is None or key[0] != self._key[0]:
            self.scroll_home(animate=False)
        self._key = key
        self._body.update(self._render_job(name, snapshot, error, now, reveal))

    def _render_job(self, name: str | None, snapshot: JobSnapshot | None, error: PollError | None, now: datetime,
                    reveal: bool = False):
        style = self.get_component_rich_style
        if name is None:
            return Text("No job selected", style=style("detail--label"))
        parts: list = []
        if error is not None:
            parts.append(Text(f"! {error.message}", style=style("detail--error")))
            when = [f"failing since {error.since.astimezone():%H:%M:%S}"] if error.since else []
            if snapshot is not None:
                when.append(f"showing the answer of {snapshot.fetched_at.astimezone():%H:%M:%S} "
                            f"({relative_age(snapshot.fetched_at, now)})")
            if when:
                parts.append(Text("  " + " · ".join(when), style=style("detail--error")))
        if snapshot is None:
            parts.append(Text("Waiting for the first answer…" if error is None else "No data yet", style=style("detail--label")))
            return Group(*parts)
        for section in describe_sections(snapshot.response, max_items=MAX_ITEMS):
            if parts:
                parts.append(Text(""))
            parts.append(Text(section.title, style=style("detail--section")))
            parts.append(self._table(section.fields, now, reveal))
        return Group(*parts)

    def _table(self, fields: tuple[FieldNode, ...], now: datetime, reveal: bool) -> Table:
        rows: list[tuple[int, FieldNode]] = []

        def walk(nodes: tuple[FieldNode, ...], depth: int) -> None:
            for node in nodes:
                rows.append((depth, node))
                walk(node.children, depth + 1)

        walk(fields, 0)
        # A fixed cap, not one measured from the pane: the body must not depend on when it was laid out.
        label_width = min(MAX_LABEL, max((INDENT * d + len(n.label) for d, n in rows), default=8))
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(width=label_width, no_wrap=True, overflow="ellipsis")
        table.add_column(ratio=1, overflow="fold")
        style = self.get_component_rich_style
        for depth, node in rows:
            if node.kind == "omitted":
                table.add_row(Text(" " * (INDENT * depth) + "…", style=style("detail--container")),
                              Text(f"{node.value:,} more (`smtui describe` prints them all)", style=style("detail--container")))
                continue
            label = Text(" " * (INDENT * depth) + node.label, style=style("detail--label" if node.in_model else "detail--unknown"))
            if node.kind in ("structure", "list", "map"):
                count = sum(child.value if child.kind == "omitted" else 1 for child in node.children)
                summary = {"list": f"{count:,} item{'s' if count != 1 else ''}", "map": f"{count:,} entr{'ies' if count != 1 else 'y'}"}.get(node.kind, "")
                table.add_row(label, Text(summary if count else "(empty)", style=style("detail--container")))
            else:
                value = format_value(node, now, multiline=True, reveal=reveal)
                if len(value) > MAX_VALUE:
                    value = f"{value[:MAX_VALUE]}… ({len(value):,} characters; `smtui describe` prints them all)"
                table.add_row(label, Text(value))
        return table


def _content(snapshot: JobSnapshot | None) -> object:
    """What the body shows of a snapshot: the response without its per-call metadata.

    Two polls that return the same job compare equal, so the body is not
    rebuilt on every poll of a job that did not change.
    """
    if snapshot is None:
        return None
    return tuple((k, repr(v)) for k, v in snapshot.response.items() if k != "ResponseMetadata")
