"""What the main screen's keys do: stop, copy, poll now, add, remove a job; its logs; filter and sort the list;
show the secrets.

:class:`JobActions` is mixed into :class:`~smtui.ui.watch.WatchScreen`. The
calls that reach AWS (stopping a job) are the app's workers, and the watched
set is the app's store; these methods ask, confirm and hand over.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import quote

from textual.widgets import Input

from smtui.ui.dialogs import AddJob, ConfirmStop
from smtui.ui.log_screen import LogScreen
from smtui.ui.widgets.job_list import JobList


def copy_note(environ: Mapping[str, str] = os.environ) -> str:
    """Where copying through the terminal (OSC 52) can fail, for the terminal in use."""
    if environ.get("TMUX"):
        return (
            "tmux passes it on only with `set -g set-clipboard on` (its default keeps it); "
            "if nothing pastes, select the text with the mouse instead."
        )
    return (
        "Terminals that do not support OSC 52, or that have it turned off, ignore it: "
        "if nothing pastes, select the text with the mouse instead."
    )


class JobActions:
    """The screen's job actions. Expects ``selected``, ``jobs`` (the store's view) and ``take_view`` on the screen."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_job" and self.app.settings.read_only:
            return None  # --read-only: no key acts on a job, and the footer does not offer it
        return True

    def action_stop_job(self) -> None:
        name = self.selected
        state = self.jobs.get(name)
        snapshot = state.snapshot if state is not None else None
        if name is None or self.app.settings.read_only:
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
        state = self.jobs.get(self.selected)
        arn = state.snapshot.response.get("TrainingJobArn") if state and state.snapshot else None
        if isinstance(arn, str) and arn:
            self._copy("ARN", arn)

    def action_copy_url(self) -> None:
        if self.selected is None:
            return
        source, name = self.app.source_of(self.selected)
        region = source.region or "us-east-1"
        url = f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/jobs/{quote(name)}"
        self._copy("console URL", url)

    def _copy(self, what: str, text: str) -> None:
        # OSC 52: the terminal sets its clipboard, on the machine in front of the user, over SSH too. Nothing
        # comes back to say whether it did: many terminals ignore it, or ask first, so the message says where
        # the text went, not that it was copied.
        self.app.copy_to_clipboard(text)
        self.notify(f"{text}\n{copy_note()}", title=f"{what} sent to the terminal's clipboard", timeout=6, markup=False)

    def action_refresh_job(self) -> None:
        if self.selected:
            self.app.poll_now(self.selected)
            self.notify(f"Polling {self.selected}", timeout=2)

    def action_add_job(self) -> None:
        def chosen(name: str | None) -> None:
            if not name:
                return
            # With several regions or accounts, the job is looked for in each.
            jobs = self.app.ids_for(name)
            if all(job in self.jobs for job in jobs):
                self.select_job(jobs[0])
                self.notify(f"{name} is watched already", timeout=3, markup=False)
                return
            self.watch_jobs(jobs)
            self.select_job(jobs[0])
            self.notify(f"Watching {name}", timeout=3, markup=False)

        self.app.push_screen(AddJob(), chosen)

    def action_remove_job(self) -> None:
        name = self.selected
        if name is None:
            return
        self.take_view(self.app.unwatch_job(name), ())
        self._update_title()
        self._update_jobs_title()
        self.notify(f"{name} is no longer watched (a adds it back)", timeout=4, markup=False)

    def watch_jobs(self, names: list[str]) -> list[str]:
        """Watch more jobs (those not watched yet), below the others; returns them."""
        new, view = self.app.watch_jobs(names)
        self.take_view(view, tuple(new))
        self._update_title()
        self._update_jobs_title()
        return new

    def action_toggle_secrets(self) -> None:
        self.reveal_secrets = not self.reveal_secrets
        self.notify(
            "Secrets shown: s hides them again" if self.reveal_secrets else "Secrets hidden", timeout=3, markup=False
        )

    def action_logs(self) -> None:
        if self.selected is None:
            return
        state = self.jobs.get(self.selected)
        app = self.app
        source, name = app.source_of(self.selected)
        app.push_screen(
            LogScreen(
                self.selected,
                source,
                snapshot=state.snapshot if state else None,
                capacity=app.settings.log_lines,
                interval=app.settings.log_interval,
                name=name,
            )
        )

    def action_filter(self) -> None:
        box = self.query_one("#job-filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#job-filter", Input)
        if box.value:
            box.value = ""  # Input.Changed shows every job again
        box.display = False
        self.query_one(JobList).focus()

    def action_sort(self) -> None:
        self.query_one(JobList).cycle_sort()
        self._update_jobs_title()
        self._want_described()  # sorted by utilisation, every running job's host figures are fetched
