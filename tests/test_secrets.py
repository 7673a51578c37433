"""Secrets: values that look like credentials are hidden unless asked for, everywhere smtui shows them."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from smtui.cli import main
from smtui.present.secrets import MASK, is_secret_key, masked, secret_arguments
from smtui.present.section_text import render_text
from tests.screens import SIZE, detail_text, screen_text, simulated_app, until_loaded

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
TOKEN = "hf_sImUlAtEdToKeNfOrThEdEmOoNlY0123"
WANDB = "0123456789abcdef0123456789abcdef01234567"

SECRET_KEYS = [
    "HF_TOKEN",
    "WANDB_API_KEY",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "db_password",
    "apiKey",
    "HUGGINGFACEHUB_API_TOKEN",
    "MY_CREDENTIALS",
    "private_key",
    "hfToken",
    "GITHUB_PAT",
    "DB_PASSWD",
    "Authorization",
    "mlflowTrackingPassword",
    "OPENAI_APIKEY",
]
PLAIN_KEYS = [
    "max_tokens",
    "num_tokens",
    "learning_rate",
    "epochs",
    "TOKENIZERS_PARALLELISM",
    "tokenizer_name",
    "keyboard_layout",
    "monkey_patch",
    "NCCL_DEBUG",
    "HF_HUB_ENABLE_HF_TRANSFER",
    "passes",
    "sagemaker_program",
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_secret_keys(key):
    assert is_secret_key(key)


@pytest.mark.parametrize("key", PLAIN_KEYS)
def test_plain_keys(key):
    assert not is_secret_key(key)


def test_secret_command_line_arguments():
    arguments = ["train.py", "--hf-token", TOKEN, "--api-key=abc", "--epochs", "3", "AKIAABCDEFGHIJKLMNOP"]
    assert secret_arguments(arguments) == {2, 3, 6}


RESPONSE = {
    "TrainingJobName": "job",
    "TrainingJobStatus": "InProgress",
    "Environment": {"HF_TOKEN": TOKEN, "NCCL_DEBUG": "WARN", "NOTES": "key AKIAABCDEFGHIJKLMNOP inside"},
    "HyperParameters": {"wandb_api_key": WANDB, "epochs": "3"},
    "AlgorithmSpecification": {
        "TrainingImage": "img",
        "TrainingInputMode": "File",
        "ContainerArguments": ["--hf-token", TOKEN, "--epochs", "3"],
    },
}


def test_masked_everywhere_unless_revealed():
    text = render_text(RESPONSE, NOW)
    assert TOKEN not in text and WANDB not in text and "AKIAABCDEFGHIJKLMNOP" not in text
    assert text.count(MASK) == 4 and "WARN" in text and "3" in text
    shown = render_text(RESPONSE, NOW, reveal=True)
    assert TOKEN in shown and WANDB in shown and MASK not in shown
    copy = masked(RESPONSE)
    assert copy["Environment"]["HF_TOKEN"] == MASK and copy["Environment"]["NCCL_DEBUG"] == "WARN"
    assert copy["AlgorithmSpecification"]["ContainerArguments"] == ["--hf-token", MASK, "--epochs", "3"]
    assert RESPONSE["Environment"]["HF_TOKEN"] == TOKEN  # the original is untouched


def test_describe_hides_secrets_in_text_and_json(capsys, monkeypatch):
    from smtui.clock import FrozenClock
    from smtui.sim import Simulator, start_in_thread
    from tests.conftest import CREDENTIALS, ORIGIN, fixture_realism

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS[1])
    with start_in_thread(Simulator(FrozenClock(ORIGIN), origin=ORIGIN, realism=fixture_realism())) as running:
        where = ["--endpoint-url", running.url, "--region", "us-east-1"]
        job = "llama3-8b-lora-oom"
        assert main(["describe", job, *where]) == 0
        out = capsys.readouterr().out
        assert "HF_TOKEN" in out and MASK in out and TOKEN not in out
        assert main(["describe", job, "--json", *where]) == 0
        body = json.loads(capsys.readouterr().out)
        assert body["Environment"]["HF_TOKEN"] == MASK
        assert main(["describe", job, "--json", "--show-secrets", *where]) == 0
        assert json.loads(capsys.readouterr().out)["Environment"]["HF_TOKEN"] == TOKEN


async def test_the_s_key_shows_and_hides_secrets():
    credentials = ("AKIASMTUITESTKEY0001", "sEcReT-that-is-never-shown")
    with simulated_app(600, names=["llama3-8b-lora-oom"], credentials=credentials) as app:
        async with app.run_test(size=SIZE) as pilot:
            await until_loaded(pilot)

            def body() -> str:
                return detail_text(app)

            assert TOKEN not in body() and "hidden" in body()
            await pilot.press("s")
            await pilot.pause()
            assert TOKEN in body()
            await pilot.press("s")
            await pilot.pause()
            assert TOKEN not in body()
            # The app's own credentials never reach the screen.
            screen = screen_text(app)
            for part in credentials:
                assert part not in screen and part not in body()
