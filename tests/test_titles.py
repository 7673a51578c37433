"""The title bar at any width: what matters first, and the parts that do not fit left out whole."""

from __future__ import annotations

from smtui.aws.store import JobStore
from smtui.ui.titles import title_line


def test_the_parts_after_the_counts_are_left_out_whole_when_the_terminal_is_narrow():
    store = JobStore()
    store.add(["job-a", "job-b"])
    view = store.view()

    def title(width: int | None) -> str:
        return title_line(
            view,
            interval=30,
            effective=30,
            max_rps=5,
            scope="InProgress jobs",
            subtitle="demo simulator at http://127.0.0.1:4566",
            width=width,
        ).plain

    whole = title(None)
    assert whole.endswith("  ·  every 30s  ·  InProgress jobs  ·  demo simulator at http://127.0.0.1:4566")
    assert title(len(whole)) == whole
    head = whole[: whole.index("  ·  every")]
    assert title(len(whole) - 1) == f"{head}  ·  every 30s  ·  InProgress jobs"
    assert title(len(head) + 14) == f"{head}  ·  every 30s"
    assert title(len(head) + 13) == title(10) == head  # never a part cut short, nor a dangling separator
