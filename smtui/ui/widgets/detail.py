"""The detail pane: every field of the selected job's DescribeTrainingJob response."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget

from smtui.aws.errors import PollError
from smtui.aws.snapshot import JobSnapshot
from smtui.present.formatting import wrap
from smtui.present.section_text import format_value
from smtui.present.sections import FieldNode, describe_sections, relative_age
from smtui.present.summary import JobSummary
from smtui.ui.widgets.changed_lines import changed_lines
from smtui.ui.widgets.glance import GlancePanel

INDENT = 2
#: The widest label column; a longer name keeps all of itself on a line above its value.
MAX_LABEL = 22
#: The member whose items fold to one line here: the timeline beside the pane draws them
#: (`smtui describe` prints them whole).
FOLDED = "SecondaryStatusTransitions"
#: A list or map longer than this shows its first and last items only; `smtui describe` prints all.
MAX_ITEMS = 60
#: A value longer than this many characters is cut (a 1 MB FailureReason must not stall the screen).
MAX_VALUE = 8000
#: Layouts of the body kept, one per width, the oldest dropped first.
LAYOUTS_KEPT = 4


#: One piece of the body: a paragraph (text, style), or labelled rows (label width, [(label, style, value, style)]).
Block = tuple


class _Body(Widget):
    """The details' text, laid out for the pane's width by hand.

    Labels sit in a fixed column and values wrap under themselves, as a grid
    table would lay them out, but without measuring every cell: a job's 150
    fields lay out in a millisecond or two, and each layout is kept per width.
    """

    DEFAULT_CSS = "_Body { height: auto; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._blocks: list[Block] = []
        self._laid_out: dict[int, Text] = {}

    def set_blocks(self, blocks: list[Block]) -> None:
        """Show ``blocks``: a new layout when the number of lines changed, else a repaint of the lines that did
        (a running job's answer changes a few fields; repainting all of them sent the whole pane again)."""
        width = self.content_region.width
        before = self._laid_out.get(width) if width else None
        self._blocks = blocks
        self._laid_out = {}
        if before is None:
            self.refresh(layout=True)
            return
        old, new = before.split("\n", allow_blank=True), self.text(width).split("\n", allow_blank=True)
        if len(old) != len(new):
            self.refresh(layout=True)
            return
        if changed := changed_lines(old, new, width):
            self.refresh(*changed)

    def text(self, width: int) -> Text:
        """The body laid out ``width`` cells wide."""
        laid_out = self._laid_out.get(width)
        if laid_out is None:
            if len(self._laid_out) >= LAYOUTS_KEPT:
                # A terminal dragged wider and narrower asks for a layout at every width on the way.
                del self._laid_out[next(iter(self._laid_out))]
            laid_out = self._laid_out[width] = _lay_out(self._blocks, max(width, 20))
        return laid_out

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.text(width).plain.split("\n"))

    def render(self) -> Text:
        return self.text(self.content_region.width or self.size.width or 80)


def _lay_out(blocks: list[Block], width: int) -> Text:
    out = Text(no_wrap=True, overflow="crop", end="")
    first = True
    for block in blocks:
        if block[0] == "paragraph":
            _, text, style = block
            for line in _fold(text, width):
                if not first:
                    out.append("\n")
                out.append(line, style=style)
                first = False
            continue
        _, label_width, rows = block
        room = max(width - label_width - 1, 10)
        for label, label_style, value, value_style in rows:
            lines = _fold(value, room) if value else []
            if cell_len(label) > label_width:
                # A name longer than the label column is the information: it keeps every character, on lines
                # of its own (folded at the pane's width), and its value starts on the next line.
                indent = len(label) - len(label.lstrip(" "))
                for part in _fold(label.lstrip(" "), max(width - indent, 10)):
                    if not first:
                        out.append("\n")
                    first = False
                    out.append(" " * indent + part, style=label_style)
                labelled = False
            else:
                labelled = True
                lines = lines or [""]
            for index, line in enumerate(lines):
                if not first:
                    out.append("\n")
                first = False
                head = labelled and index == 0
                out.append(
                    f"{label:<{label_width}} " if head else " " * (label_width + 1), style=label_style if head else ""
                )
                out.append(line, style=value_style)
    return out


def _fold(text: str, room: int) -> list[str]:
    """Lines of at most ``room`` cells: broken at spaces where possible, anywhere when a word is longer."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        for line in wrap(paragraph, room) or [""]:
            while cell_len(line) > room:
                cut = room
                while cut > 1 and cell_len(line[:cut]) > room:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
            lines.append(line)
    return lines


class DetailPane(VerticalScroll, can_focus=True):
    """Sections of labelled fields, built from botocore's service model.

    The body is rebuilt only when the job or its data changed (or when the
    relative ages it shows would read differently); scrolling keeps its place
    across updates of the same job.
    """

    DEFAULT_CSS = """
    DetailPane { padding: 0 1; }
    DetailPane > _Body { width: 1fr; }
    DetailPane > GlancePanel { width: 1fr; margin-bottom: 1; }
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
        self._glance = GlancePanel(id="glance")
        self._body = _Body(id="detail-body")
        self._key: tuple | None = None
        self._subtitle = ""
        self._snapshot: JobSnapshot | None = None
        self._content: object = None

    def compose(self):
        yield self._glance
        yield self._body

    def show(
        self,
        name: str | None,
        snapshot: JobSnapshot | None,
        error: PollError | None,
        now: datetime,
        *,
        reveal: bool = False,
        summary: JobSummary | None = None,
    ) -> None:
        """Render the job, its ``summary`` first (secrets hidden unless ``reveal``); the fields only when something
        they would show has changed."""
        self._glance.display = summary is not None
        if summary != self._glance.summary:
            self._glance.summary = summary
        # Relative ages are shown to the minute, so the body only needs
        # rebuilding when the minute changes.
        if snapshot is not self._snapshot:
            # Comparing content costs a pass over the response: once per snapshot, not once per tick.
            self._snapshot, self._content = snapshot, _content(snapshot)
        key = (name, self._content, error, now.replace(second=0, microsecond=0), reveal)
        # The request id comes from a response header: only its id characters are shown (border text is markup).
        request = (
            "".join(c for c in snapshot.request_id if c.isalnum() or c == "-")[:64]
            if snapshot and snapshot.request_id
            else ""
        )
        subtitle = f"request {request}" if request else ""
        if subtitle != self._subtitle:  # setting a border title repaints the widget, even to the same text
            self._subtitle = self.border_subtitle = subtitle
        if key == self._key:
            return
        if self._key is None or key[0] != self._key[0]:
            self.scroll_home(animate=False)
        self._key = key
        self._body.set_blocks(self._render_job(name, snapshot, error, now, reveal))

    def plain_text(self, width: int = 100) -> str:
        """All of the body as plain text at ``width`` (what scrolling would show, line by line)."""
        return self._body.text(width).plain

    def _render_job(
        self,
        name: str | None,
        snapshot: JobSnapshot | None,
        error: PollError | None,
        now: datetime,
        reveal: bool = False,
    ) -> list[Block]:
        style = self.get_component_rich_style
        if name is None:
            return [("paragraph", "No job selected", style("detail--label"))]
        blocks: list[Block] = []
        if error is not None:
            blocks.append(("paragraph", f"! {error.message}", style("detail--error")))
            when = [f"failing since {error.since.astimezone():%H:%M:%S}"] if error.since else []
            if snapshot is not None:
                when.append(
                    f"showing the answer of {snapshot.fetched_at.astimezone():%H:%M:%S} "
                    f"({relative_age(snapshot.fetched_at, now)})"
                )
            if when:
                blocks.append(("paragraph", "  " + " · ".join(when), style("detail--error")))
        if snapshot is None:
            text = "Waiting for the first answer…" if error is None else "No data yet"
            blocks.append(("paragraph", text, style("detail--label")))
            return blocks
        for section in describe_sections(snapshot.response, max_items=MAX_ITEMS):
            if blocks:
                blocks.append(("paragraph", "", ""))
            blocks.append(("paragraph", section.title, style("detail--section")))
            blocks.append(self._rows(section.fields, now, reveal))
        return blocks

    def _rows(self, fields: tuple[FieldNode, ...], now: datetime, reveal: bool) -> Block:
        nodes: list[tuple[int, FieldNode]] = []

        def walk(children: tuple[FieldNode, ...], depth: int) -> None:
            for node in children:
                nodes.append((depth, node))
                if node.key != FOLDED:
                    walk(node.children, depth + 1)

        walk(fields, 0)
        # A fixed cap, not one measured from the pane: the body must not depend on when it was laid out.
        label_width = min(MAX_LABEL, max((INDENT * d + len(n.label) for d, n in nodes), default=8))
        style = self.get_component_rich_style
        container, plain = style("detail--container"), Style()
        rows = []
        for depth, node in nodes:
            indent = " " * (INDENT * depth)
            if node.kind == "omitted":
                rows.append(
                    (indent + "…", container, f"{node.value:,} more (`smtui describe` prints them all)", container)
                )
                continue
            label_style = style("detail--label" if node.in_model else "detail--unknown")
            if node.key == FOLDED:
                count = sum(child.value if child.kind == "omitted" else 1 for child in node.children)
                rows.append(
                    (
                        indent + node.label,
                        label_style,
                        f"{count:,} stage{'s' if count != 1 else ''}: the timeline shows them",
                        container,
                    )
                )
                continue
            if node.kind in ("structure", "list", "map"):
                count = sum(child.value if child.kind == "omitted" else 1 for child in node.children)
                summary = {
                    "list": f"{count:,} item{'s' if count != 1 else ''}",
                    "map": f"{count:,} entr{'ies' if count != 1 else 'y'}",
                }.get(node.kind, "")
                rows.append((indent + node.label, label_style, summary if count else "(empty)", container))
            else:
                value = format_value(node, now, multiline=True, reveal=reveal)
                if len(value) > MAX_VALUE:
                    value = f"{value[:MAX_VALUE]}… ({len(value):,} characters; `smtui describe` prints them all)"
                rows.append((indent + node.label, label_style, value, plain))
        return ("rows", label_width, rows)


def _content(snapshot: JobSnapshot | None) -> object:
    """What the body shows of a snapshot: the response without its per-call metadata.

    Two polls that return the same job compare equal, so the body is not
    rebuilt on every poll of a job that did not change.
    """
    if snapshot is None:
        return None
    return tuple((k, repr(v)) for k, v in snapshot.response.items() if k != "ResponseMetadata")
