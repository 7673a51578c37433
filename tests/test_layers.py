"""The layers stay apart: the data layer and the simulator never import Textual; every status has a look."""

from __future__ import annotations

import subprocess
import sys

import botocore.session
import pytest

from smtui.ui.status_style import PRIMARY, SECONDARY


@pytest.mark.parametrize(
    "module", ["smtui.aws.source", "smtui.aws.poller", "smtui.present.sections", "smtui.sim", "smtui.cli"]
)
def test_no_textual_below_the_ui(module):
    code = f"import sys, {module}; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_help_does_not_load_aws_or_textual():
    code = (
        "import sys; from smtui import cli; "
        "print(sorted(m for m in ('textual', 'botocore', 'aiobotocore') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]"


def test_every_status_in_the_model_has_its_own_symbol():
    model = botocore.session.get_session().get_service_model("sagemaker")
    secondary = model.shape_for("SecondaryStatus").enum
    primary = model.shape_for("TrainingJobStatus").enum
    assert set(secondary) <= set(SECONDARY)
    assert set(primary) <= set(PRIMARY)
    symbols = [SECONDARY[s].symbol for s in secondary]
    assert len(set(symbols)) == len(symbols)


def test_the_aws_source_makes_every_call_of_the_job_source_protocol():
    """The app's JobSource Protocol and the real source agree, call by call, parameter by parameter."""
    import inspect

    from smtui.aws.calls import JobSource
    from smtui.aws.source import AwsJobSource

    # The whole and every part it builds on (the poller's, the finder's, the log tail's).
    parts = [part for part in JobSource.__mro__ if part.__module__ == JobSource.__module__]
    assert len(parts) == 5
    members = [
        name for part in parts for name in vars(part) if not name.startswith("_") or name in ("__aenter__", "__aexit__")
    ]
    assert {"describe_training_job", "stop_training_job", "filter_log_events", "endpoint_label"} <= set(members)
    for name in members:
        wanted, real = getattr(JobSource, name), getattr(AwsJobSource, name, None)
        assert real is not None, name
        if callable(wanted):
            assert list(inspect.signature(wanted).parameters) == list(inspect.signature(real).parameters), name
    assert "region" in JobSource.__annotations__ and hasattr(AwsJobSource(), "region")
