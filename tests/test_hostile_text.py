"""Text that breaks terminals, and secrets, inside a job's answers and its log lines, end to end.

A simulated job carries, in its hyperparameters (which the training toolkit prints to the logs) and its
FailureReason, a lone surrogate, zero-width and direction marks, a long run of combined emoji, and
credentials. Every way smtui shows a job (``describe``, ``wait``, ``logs``, the main screen and the logs view)
shows those characters as escapes, keeps each line as wide as its characters, and hides the credentials unless
asked.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, get_character_cell_size

from smtui.clock import FrozenClock
from smtui.present.formatting import visible
from smtui.present.secrets import MASK, PrivateKeyLines, looks_secret, mask_text
from smtui.sim import Simulator, start_in_thread
from smtui.sim.scenarios import default_scenarios
from smtui.ui import log_screen as logs_screen
from smtui.ui.log_screen import LogScreen
from smtui.ui.widgets.log_view import LogView
from tests.conftest import CREDENTIALS, ORIGIN
from tests.screens import LATER, SIZE, screen_text, simulated_app, until_loaded, until_logs_read

JOB = "hostile-text-job"
SURROGATE = "\ud800"
MARKS = "\u200b\u200f\u061c"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretkeymaterial\n-----END RSA PRIVATE KEY-----"
REASON = f"AlgorithmError: bad byte {SURROGATE} here, hidden{MARKS}marks"


def hostile_scenario():
    """The failing LoRA job of the default world, renamed, with hostile text where its answers carry text."""
    oom = next(s for s in default_scenarios() if s.name == "llama3-8b-lora-oom")
    return dataclasses.replace(
        oom,
        name=JOB,
        failure_reason=REASON,
        hyperparameters={
            **oom.hyperparameters,
            "note": f"lone {SURROGATE} surrogate, zero{MARKS}width",
            "family": FAMILY * 150,
            "upload": f"with {ACCESS_KEY} and {SECRET_KEY}",
            "deploy_pem": PEM,
        },
    )


@pytest.fixture(scope="module")
def hostile_url():
    simulator = Simulator(FrozenClock(ORIGIN.replace(minute=25)), origin=ORIGIN, scenarios=[hostile_scenario()])
    with start_in_thread(simulator) as running:
        yield running.url


def smtui(url: str, *args: str) -> subprocess.CompletedProcess:
    """``smtui ARGS`` in a process of its own, its output as bytes (a raw surrogate would not decode)."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": CREDENTIALS[0], "AWS_SECRET_ACCESS_KEY": CREDENTIALS[1]}
    return subprocess.run(
        [sys.executable, "-m", "smtui", *args, "--endpoint-url", url, "--region", "us-east-1"],
        capture_output=True,
        env=env,
        timeout=60,
    )


def printable(output: bytes) -> str:
    """The output as text: strict UTF-8, with no character a terminal would act on or draw at another width."""
    text = output.decode("utf-8")
    assert SURROGATE not in text and not any(mark in text for mark in MARKS)
    assert "\u200d" not in text
    return text


# -- the rule, for any text -------------------------------------------------------------------


def cells(text: str) -> int:
    """The width of ``text`` drawn a character at a time, as a terminal without grapheme clusters does."""
    return sum(get_character_cell_size(c) for c in text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(codec=None), max_size=40)
    | st.lists(
        st.sampled_from(
            [
                SURROGATE,
                *MARKS,
                FAMILY,
                "\u200d",
                "\ufe0f",
                "\U0001f44d\U0001f3fd",
                "\u2764",
                "e\u0301",
                "\x1b[31m",
                "\u202e",
                "\U0001f1fa\U0001f1f8",
                "\U000e0041",
                "a",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_visible_text_is_as_wide_as_its_characters(text):
    shown = visible(text)
    # Escapes are ASCII: what remains encodes, and the layout and any terminal agree on its width.
    shown.encode("utf-8")
    assert cell_len(shown) == cells(shown)
    assert not any(c in shown for c in (SURROGATE, *MARKS, "\u200d", "\ufe0f", "\u202e", "\x1b"))


def test_the_escapes():
    assert visible(f"a{SURROGATE}b{MARKS}c") == "a\\ud800b\\u200b\\u200f\\u061cc"
    assert visible(FAMILY) == "\U0001f468\\u200d\U0001f469\\u200d\U0001f467"
    assert visible("\U0001f44d\U0001f3fd \U000e0041") == "\U0001f44d\\U0001f3fd \\U000e0041"
    assert visible("e\u0301 日本") == "e\u0301 日本"  # combining accents and wide characters stay


# -- the commands ---------------------------------------------------------------------------


def test_logs_prints_every_line_escaped_and_masked(hostile_url):
    done = smtui(hostile_url, "logs", JOB)
    assert done.returncode == 0, done.stderr
    text = printable(done.stdout)
    assert "surrogate" in text and "\\ud800" in text and "\\u200b\\u200f\\u061c" in text
    assert "Reporting training FAILURE" in text  # the lines after the hostile ones are all there
    assert ACCESS_KEY not in text and SECRET_KEY not in text and "secretkeymaterial" not in text
    assert text.count(MASK) >= 3
    shown = printable(smtui(hostile_url, "logs", JOB, "--show-secrets").stdout)
    assert ACCESS_KEY in shown and SECRET_KEY in shown and "secretkeymaterial" in shown


def test_describe_and_wait_show_escapes(hostile_url):
    described = smtui(hostile_url, "describe", JOB)
    assert described.returncode == 0, described.stderr
    text = printable(described.stdout)
    assert "bad byte \\ud800 here" in text and "\\u200b\\u200f\\u061cmarks" in text
    assert ACCESS_KEY not in text and SECRET_KEY not in text
    waited = smtui(hostile_url, "wait", JOB)
    assert waited.returncode == 3, waited.stderr
    assert "reason: AlgorithmError: bad byte \\ud800 here, hidden\\u200b\\u200f\\u061cmarks" in printable(waited.stdout)


# -- the screens ------------------------------------------------------------------------------


def screen_lines(app) -> list[str]:
    return screen_text(app).split("\n")


def assert_drawn_safely(app) -> str:
    lines = screen_lines(app)
    for line in lines:
        assert SURROGATE not in line and "\u200d" not in line and not any(m in line for m in MARKS), line
        # No line is wider than the screen however a terminal measures it: no border is pushed out. (The
        # screenshot leaves out a line's trailing blanks, so a line can be narrower.)
        assert cells(line) <= SIZE[0], line
    return "\n".join(lines)


async def test_the_screens_show_escapes_and_hide_secrets(monkeypatch):
    monkeypatch.setattr(logs_screen, "LOG_RATES", {})
    with simulated_app(LATER, names=[JOB], scenarios=[hostile_scenario()]) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)
            await pilot.pause(0.2)
            # The details pane lists the hyperparameters, the emoji among them; the timeline the reason.
            text = assert_drawn_safely(app)
            assert "bad byte \\ud800 here" in text
            await pilot.press("l")
            screen = app.screen
            assert isinstance(screen, LogScreen)
            await until_logs_read(pilot)
            view = screen.query_one(LogView)
            assert screen.tail.error is None and view.lines
            shown = "\n".join(view.text_of(i) for i in range(len(view.lines)))
            assert "SM_HP_NOTE=lone \\ud800 surrogate, zero\\u200b\\u200f\\u061cwidth" in shown
            assert ACCESS_KEY not in shown and SECRET_KEY not in shown and MASK in shown
            view.search = "surrogate"
            await pilot.press("end")
            await pilot.pause()
            assert_drawn_safely(app)
            # The family line, the widest of all, fits the pane when wrapped too.
            await pilot.press("w")
            await pilot.pause()
            assert_drawn_safely(app)
            # s shows the secrets here too, and hides them again.
            await pilot.press("s")
            await pilot.pause()
            shown = "\n".join(view.text_of(i) for i in range(len(view.lines)))
            assert ACCESS_KEY in shown and SECRET_KEY in shown
            assert app.watch_screen.reveal_secrets
            await pilot.press("s")
            await pilot.pause()
            assert ACCESS_KEY not in "\n".join(view.text_of(i) for i in range(len(view.lines)))
            # A secret is not found by searching for it while it is hidden.
            view.search = ACCESS_KEY.lower()
            assert view.match_count == 0
        assert app.return_code in (None, 0)


# -- secrets in free text -------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, hidden",
    [
        (f"export AWS_ACCESS_KEY_ID={ACCESS_KEY}", ACCESS_KEY),
        (f"aws_secret_access_key = {SECRET_KEY}", SECRET_KEY),
        (f"creds {SECRET_KEY} loaded", SECRET_KEY),
        ('{"password": "hunter2 with spaces", "epochs": 3}', "hunter2"),
        ("HF_TOKEN=hf_abcdefghijklmnop python train.py", "hf_abcdefghijklmnop"),
        ("python train.py --hf-token hf_abcdefghijklmnop --epochs 3", "hf_abcdefghijklmnop"),
        ("python train.py --api-key=abc123 --epochs 3", "abc123"),
        ("-----BEGIN PRIVATE KEY-----MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-----END PRIVATE KEY-----", "MIIEvQIBADAN"),
    ],
)
def test_secrets_in_a_line_are_hidden(line, hidden):
    masked = mask_text(line)
    assert hidden not in masked and MASK in masked


@pytest.mark.parametrize(
    "line",
    [
        "{'loss': 0.6931, 'learning_rate': 3e-05, 'epoch': 0.1}",
        "commit 0123456789abcdef0123456789abcdef01234567 (HEAD)",
        "max_tokens: 512, tokenizer: bert-base-uncased",
        "The token was refreshed after 30 s",
        "/opt/conda/lib/python3.10/site-packages/transformers/models/llama/modeling_llama.py, line 1190",
    ],
)
def test_ordinary_lines_are_left_alone(line):
    assert mask_text(line) == line


def test_a_private_key_printed_line_by_line_is_hidden_whole():
    keys = PrivateKeyLines()
    lines = [
        "loading the deploy key",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        "QyNTUxOQAAACBvTnwZ8zY0s0s1Vr8yyl2cGz0PZ0kz4oS5lkq0M7mmUwAAAJgAAAAA",
        "-----END OPENSSH PRIVATE KEY-----",
        "key loaded",
    ]
    assert [keys.hidden(line) for line in lines] == [False, False, True, True, True, False]
    assert mask_text(lines[1]) == MASK
    assert looks_secret(SECRET_KEY) and not looks_secret("0123456789abcdef0123456789abcdef01234567")
