"""Acting on a job from the screen: stop (with its confirmation), copy, and the bell when a job ends."""

from __future__ import annotations

from smtui.ui.actions import copy_note
from smtui.ui.dialogs import ConfirmStop
from tests.screens import RUNNING, SIZE, SMALL, record_notifications, simulated_app, until_loaded

STOPPABLE = "gpt2-pretrain-maxruntime"  # training at RUNNING


async def select(pilot, name: str) -> None:
    await until_loaded(pilot)
    pilot.app.watch_screen.select_job(name)
    await pilot.pause()


def test_stop_dialog(snap_compare):
    with simulated_app(RUNNING) as app:

        async def run_before(pilot) -> None:
            await select(pilot, STOPPABLE)
            await pilot.press("x")
            await pilot.pause()

        assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


async def test_confirming_stops_the_job_and_cancelling_does_not():
    with simulated_app(RUNNING) as app:
        source = app.source
        async with app.run_test(size=SIZE) as pilot:
            await select(pilot, STOPPABLE)
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(pilot.app.screen, ConfirmStop)
            await pilot.press("enter")  # Cancel has the focus: a stray Enter stops nothing
            await pilot.pause()
            assert not isinstance(pilot.app.screen, ConfirmStop)
            await pilot.press("x", "y")
            for _ in range(100):
                answer = await source.describe_training_job(STOPPABLE)
                if answer["TrainingJobStatus"] != "InProgress":
                    break
                await pilot.pause(0.05)
            assert answer["TrainingJobStatus"] == "Stopping"
            assert answer["SecondaryStatus"] == "Stopping"


async def test_an_ended_job_is_not_offered_a_stop():
    with simulated_app(RUNNING) as app:
        async with app.run_test(size=SIZE) as pilot:
            await select(pilot, "llama-finetune-full-config")  # completed before the origin
            await pilot.press("x")
            await pilot.pause()
            assert not isinstance(pilot.app.screen, ConfirmStop)


async def test_read_only_removes_the_stop_key():
    with simulated_app(RUNNING, read_only=True) as app:
        async with app.run_test(size=SIZE) as pilot:
            await select(pilot, STOPPABLE)
            # Hidden from the footer and disabled: Textual's check_action contract.
            assert pilot.app.screen.check_action("stop_job", ()) is None
            await pilot.press("x")
            await pilot.pause()
            assert not isinstance(pilot.app.screen, ConfirmStop)


async def test_copy_puts_the_arn_and_the_console_url_on_the_clipboard(monkeypatch):
    with simulated_app(RUNNING) as app:
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        notes: list[tuple[str, str]] = []
        notify = app.notify

        def recording(message: str, **options) -> None:
            notes.append((options.get("title", ""), str(message)))
            notify(message, **options)

        monkeypatch.setattr(app, "notify", recording)
        async with app.run_test(size=SIZE) as pilot:
            await select(pilot, STOPPABLE)
            await pilot.press("c", "u")
            assert copied == [
                f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{STOPPABLE}",
                f"https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/{STOPPABLE}",
            ]
            # Nothing says whether the terminal took it: the message says where it was sent, not "Copied".
            assert [title for title, _ in notes][-2:] == [
                "ARN sent to the terminal's clipboard",
                "console URL sent to the terminal's clipboard",
            ]
            assert all("Copied" not in message and "if nothing pastes" in message for _, message in notes[-2:])


def test_the_copy_note_names_the_terminal_s_catch():
    assert "set -g set-clipboard on" in copy_note({"TMUX": "/tmp/tmux-0/default,1,0"})
    assert "do not support OSC 52" in copy_note({})


async def test_a_job_ending_while_watched_rings_once_and_says_so(monkeypatch):
    with simulated_app(RUNNING) as app:
        rings: list[int] = []
        monkeypatch.setattr(app, "bell", lambda: rings.append(1))
        notes = record_notifications(app)
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            assert rings == []  # jobs that had ended before are history, not news
            snapshot = app.jobs.get(STOPPABLE).snapshot
            ended = snapshot.__class__.from_response(
                STOPPABLE,
                {**snapshot.response, "TrainingJobStatus": "Stopped", "SecondaryStatus": "Stopped"},
                snapshot.fetched_at,
            )
            from smtui.aws.poller import JobUpdate

            # The answer that says it ended, then the last one polled after it: one ring.
            for _ in range(2):
                _, events = app.poller.store.record_answer(ended)
                app.poller.sink(JobUpdate(STOPPABLE, ended, tuple(events)))
            await pilot.pause(0.2)
            assert rings == [1]
            assert f"{STOPPABLE} Stopped" in notes
