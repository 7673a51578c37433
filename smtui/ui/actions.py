"""What the main screen's keys do to the watched jobs: stop, copy, poll now, add, remove.

:class:`JobActions` is mixed into :class:`~smtui.ui.watch.WatchScreen`. The
calls that reach AWS (stopping a job) are the app's workers; these methods
ask, confirm and hand over.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import quote

from smtui.ui.dialogs import AddJob, ConfirmStop
from smtui.ui.widgets.job_list import JobList


def copy_note(environ: Mapping[str, str] = os.environ) -> str:
    """Where copying through the terminal (OSC 52) can fail, for the terminal in use."""
    if environ.get("TMUX"):
        return ("tmux passes it on only with `set -g set-clipboard on` (its default keeps it); "
                "if nothing pastes, select the text with the mouse instead.")
    return ("Terminals that do not support OSC 52, or that have it turned off, ignore it: "
            "if nothing pastes, select the text with the mouse instead.")


class JobActions:
    """The screen's job actions. Expects ``selected``, ``names``, ``snapshots`` and ``errors`` on the screen."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_job" and self.app.read_only:
            return None  # --read-only: no key acts on a job, and the footer does not offer it
        return True

    def action_stop_job(self) -> None:
        name = self.selected
        snapshot = self.snapshots.get(name) if name else None
        if name is None or self.app.read_only:
            return
        if snapshot is not None and snapshot.is_terminal:
            self.notify(f"{name} has already ended ({snapshot.status})", timeout=3, markup=False)
            return

        def confirmed(stop: bool | None) -> None:
            if stop:
                self.app.stop_job(name)

        stage = (snapshot.secondary_status or snapshot.status or "") if snapshot else ""
        self.app.push_screen(ConfirmStop(name, stage), confirmed)

    def action_copy_arn(self) -> None:
        snapshot = self.snapshots.get(self.selected) if self.selected else None
        arn = snapshot.response.get("TrainingJobArn") if snapshot else None
        if isinstance(arn, str) and arn:
            self._copy("ARN", arn)

    def action_copy_url(self) -> None:
        if self.selected is None:
            return
        region = getattr(self.app.source, "region", None) or "us-east-1"
        url = (f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}"
               f"#/jobs/{quote(self.selected)}")
        self._copy("console URL", url)

    def _copy(self, what: str, text: str) -> None:
        # OSC 52: the terminal sets its clipboard, on the machine in front of the user, over SSH too. Nothing
        # comes back to say whether it did: many terminals ignore it, or ask first, so the message says where
        # the text went, not that it was copied.
        self.app.copy_to_clipboard(text)
        self.notify(f"{text}\n{copy_note()}", title=f"{what} sent to the terminal's clipboard", timeout=6,
                    markup=False)

    def action_refresh_job(self) -> None:
        if self.app.poller and self.selected:
            self.app.poller.poke(self.selected)
            self.notify(f"Polling {self.selected}", timeout=2)

    def action_add_job(self) -> None:
        def chosen(name: str | None) -> None:
            if not name:
                return
            if name in self.names:
                self.select_job(name)
                self.notify(f"{name} is watched already", timeout=3, markup=False)
                return
            self.app.poller.add(name)
            self.watch_jobs([name])
            self.select_job(name)
            self.notify(f"Watching {name}", timeout=3, markup=False)

        self.app.push_screen(AddJob(), chosen)

    def action_remove_job(self) -> None:
        name = self.selected
        if name is None:
            return
        self.app.poller.remove(name)
        self.unwatch_job(name)
        self.notify(f"{name} is no longer watched (a adds it back)", timeout=4, markup=False)

    # -- the list of watched jobs --------------------------------------------------------

    def watch_jobs(self, names: list[str], *, at_top: bool = False) -> list[str]:
        """Show more jobs (those not shown yet); returns them."""
        new = [name for name in dict.fromkeys(names) if name not in self.names]
        if not new:
            return []
        at = 0 if at_top else len(self.names)
        self.names[at:at] = new
        self.query_one(JobList).add_jobs(new, at_top=at_top, now=self.now)
        if self.selected is None:
            self.selected = self.query_one(JobList).cursor_name()
        self._update_title()
        self._update_jobs_title()
        return new

    def unwatch_job(self, name: str) -> None:
        """Take a job off the screen; the cursor goes to the job that takes its place."""
        if name not in self.names:
            return
        self.names.remove(name)
        self.snapshots.pop(name, None)
        self.errors.pop(name, None)
        jobs = self.query_one(JobList)
        jobs.remove_job(name)
        following = jobs.cursor_name()
        if following is not None:
            jobs.move_cursor(row=jobs.get_row_index(following))
        self.selected = following
        self._update_title()
        self._update_jobs_title()
