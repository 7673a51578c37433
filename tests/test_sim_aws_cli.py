"""The AWS CLI against ``smtui sim`` run as a user runs it (a subprocess on a free port).

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

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.clients import (
    BERT,
    CLI_V2,
    FULL,
    GROUP,
    LEGACY_CLI,
    aws_cli_v2,
    client_environment,
    environment,
    run,
    simulator,
)

pytestmark = pytest.mark.clients

# -- the AWS CLI --------------------------------------------------------------------------------


def test_aws_cli_v2_logs_tail_follow(tmp_path):
    aws = aws_cli_v2()
    version = run([str(aws), "--version"], 60)
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
        cli = run(
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
    version = run([*aws, "--version"], 60)
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
        data = run(
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
        stats = run(
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
        listed = run([*aws, "cloudwatch", "list-metrics", "--namespace", GROUP], 120, env=env)
        bad = run(
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
        listed = run(
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
        everything = run(
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
        found = run(
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
