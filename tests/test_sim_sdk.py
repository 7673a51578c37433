"""The SageMaker Python SDK against ``smtui sim`` run as a user runs it (a subprocess on a free port).

- v2, endpoint set with ``AWS_ENDPOINT_URL``: ``Session.logs_for_job(wait=True)``,
  ``Session.wait_for_job``, ``Estimator.attach`` and
  ``TrainingJobAnalytics(...).dataframe()``. Its pins conflict with
  aiobotocore's botocore pin, so it runs in a virtual environment of its own,
  built once and kept under ``.pytest_cache`` (see :mod:`tests.clients`).
- v3's ``TrainingJob.get`` and ``wait(logs=True)``.

Every simulator here is AWS-like (the defaults). The tests are marked
``clients`` so that ``-m "not clients"`` leaves them out.
"""

from __future__ import annotations

import json

import pytest

from tests.clients import BERT, SDK_V2, SDK_V3, client_environment, environment, run, simulator

pytestmark = pytest.mark.clients

# -- the SageMaker Python SDK v2 -----------------------------------------------------------------

SDK_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import sagemaker
from sagemaker.analytics import TrainingJobAnalytics
from sagemaker.estimator import Estimator
from sagemaker.exceptions import UnexpectedStatusException

session = sagemaker.Session()
result = {"version": sagemaker.__version__}
started = time.monotonic()
session.logs_for_job("bert-base-finetune-imdb", wait=True, poll=1)
described = session.describe_training_job("bert-base-finetune-imdb")
result["logs_for_job"] = {"status": described["TrainingJobStatus"], "seconds": time.monotonic() - started}
print("\n===", flush=True)
done = session.wait_for_job("llama-finetune-full-config", poll=1)
result["wait_for_job"] = done["TrainingJobStatus"]
try:
    session.wait_for_job("llama3-8b-lora-oom", poll=1)
    result["wait_for_failed"] = "no exception"
except UnexpectedStatusException as error:
    result["wait_for_failed"] = str(error)[:200]
attached = Estimator.attach("bert-base-finetune-imdb", sagemaker_session=session)
result["attach"] = {"job": attached.latest_training_job.name, "instances": attached.instance_count,
                    "tags": attached.tags, "image": attached.training_image_uri()}
frame = TrainingJobAnalytics("llama-finetune-full-config", sagemaker_session=session).dataframe()
result["analytics"] = {"rows": len(frame), "metrics": sorted(set(frame["metric_name"])) if len(frame) else []}
old = TrainingJobAnalytics("t5-base-summarize-xsum", sagemaker_session=session).dataframe()
coarse = TrainingJobAnalytics("t5-base-summarize-xsum", sagemaker_session=session, period=300).dataframe()
result["old_job"] = {"rows_at_60s": len(old), "rows_at_300s": len(coarse)}
print("RESULT " + json.dumps(result, default=str), flush=True)
"""

SDK_CONFIG = """\
SchemaVersion: '1.0'
SageMaker:
  PythonSDK:
    Modules:
      TelemetryOptOut: true
"""


def test_sagemaker_sdk_v2(tmp_path):
    python = environment(SDK_V2, "sagemaker-v2")
    (tmp_path / "sagemaker.yaml").write_text(SDK_CONFIG)
    # 60x: bert completes about 25 s after the simulator starts; the SDK looks at its status every 30 s.
    with simulator("--speed", "60") as url:
        env = client_environment(url, tmp_path) | {
            "SAGEMAKER_USER_CONFIG_OVERRIDE": str(tmp_path / "sagemaker.yaml"),
            "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
        }
        ran = run([str(python), "-c", SDK_SCRIPT], 240, env=env)
    assert ran.returncode == 0, ran.stderr[-3000:]
    logs, _, rest = ran.stdout.partition("\n===")
    result = json.loads(rest.split("RESULT ", 1)[1])
    assert result["logs_for_job"]["status"] == "Completed"
    # The SDK printed the training container's output as the job ran, then its summary.
    assert "Invoking script with the following command:" in logs
    assert "'loss': " in logs and "Training seconds:" in logs and "Billable seconds:" in logs
    assert result["wait_for_job"] == "Completed"
    assert "Failed" in result["wait_for_failed"] and "CUDA out of memory" in result["wait_for_failed"]
    assert result["attach"]["job"] == BERT and result["attach"]["instances"] == 1
    assert {"Key": "project", "Value": "bert-imdb"} in result["attach"]["tags"]
    assert result["attach"]["image"].startswith("763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch")
    assert result["analytics"]["rows"] > 20
    assert result["analytics"]["metrics"] == ["train:loss", "validation:accuracy", "validation:loss"]
    # Three weeks old: CloudWatch keeps its 5-minute points only.
    assert result["old_job"]["rows_at_60s"] == 0 and result["old_job"]["rows_at_300s"] > 5


SDK_V3_SCRIPT = r"""
import json, logging, time
from sagemaker.core.resources import TrainingJob

lines, seen = [], set()


class Keep(logging.Handler):
    def emit(self, record):
        if record not in seen:  # a record reaches every handler up its logger's hierarchy (kept: ids get reused)
            seen.add(record)
            lines.append(record.getMessage())


for name in list(logging.root.manager.loggerDict):
    if name.startswith("sagemaker"):
        logging.getLogger(name).addHandler(Keep())
        logging.getLogger(name).setLevel(logging.INFO)
job = TrainingJob.get(training_job_name="bert-base-finetune-imdb")
result = {"status_at_start": job.training_job_status}
job.wait(poll=1, timeout=180, logs=True)
job.refresh()
result["status"] = job.training_job_status
result["log_lines"] = [line for line in lines if line.startswith("bert-base-finetune-imdb/algo-1-")]
result["final"] = [line for line in lines if "Final Resource Status" in line]
print("RESULT " + json.dumps(result, default=str), flush=True)
"""


def test_sagemaker_sdk_v3(tmp_path):
    """v3's ``TrainingJob.get`` and ``wait(logs=True)``, which reads each stream forward until a page is empty."""
    python = environment(SDK_V3, "sagemaker-v3")
    with simulator("--speed", "60") as url:
        ran = run([str(python), "-c", SDK_V3_SCRIPT], 240, env=client_environment(url, tmp_path))
    assert ran.returncode == 0, ran.stderr[-3000:]
    result = json.loads(ran.stdout.split("RESULT ", 1)[1])
    assert result["status_at_start"] == "InProgress" and result["status"] == "Completed"
    messages = [line.split("\n", 1)[1] for line in result["log_lines"]]
    assert "Invoking script with the following command:" in messages
    assert sum("'loss': " in message for message in messages) >= 5
    assert result["final"]
