"""Shared fixtures: an isolated AWS environment, UTC time, the simulator and moto's server."""

from __future__ import annotations

import gc
import os
import time
from datetime import datetime, timezone

import boto3
import pytest

#: The instant every deterministic test and snapshot is taken at (simulated time).
ORIGIN = datetime(2026, 11, 26, 10, 0, 0, tzinfo=timezone.utc)
CREDENTIALS = ("testing", "testing")


def logs_client(url: str):
    """A boto3 CloudWatch Logs client for the simulator or moto's server at ``url``."""
    return boto3.client(
        "logs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS[0],
        aws_secret_access_key=CREDENTIALS[1],
    )


def impatient_options(url: str):
    """AwsOptions for the simulator at ``url`` with its faults on: two attempts, 1 s to connect and 2 s to read, so
    a dropped or hung answer costs a test seconds, not botocore's minute."""
    from smtui.aws.source import AwsOptions

    return AwsOptions(
        region="us-east-1",
        endpoint_url=url,
        static_credentials=CREDENTIALS,
        max_attempts=2,
        connect_timeout=1,
        read_timeout=2,
    )


def pytest_configure(config):
    # Fewer full garbage collections: in a process that has run a few app tests, each one walks half a million
    # objects (Textual's StylesCache.get_inner_outer is an lru_cache on a method, so it keeps the last 1,024
    # widgets' style caches and their rendered lines alive: Textualize/textual#6665). With the default
    # threshold of 700 that was about 50 full collections and 22 s of CPU per test process; at 10,000 it is
    # about 15, and 10 s for all collections. Young garbage is still collected, in larger batches.
    gc.set_threshold(10_000, 10, 10)
    config.addinivalue_line(
        "markers",
        "clients: runs clients no one here wrote (SageMaker SDK, AWS CLI) against "
        "the simulator; they install into .pytest_cache once (deselect: -m 'not clients')",
    )


def pytest_collection_modifyitems(items):
    """Deal the tests out file by file, as cards: one of each file, then the next of each. pytest-xdist hands its
    processes runs of consecutive tests, so in file order one process gets all of a file's slow cases (the random
    keys, the terminals) while the others run out of work; dealt, every run is a mix of them."""
    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(item)
    files = list(by_file.values())
    items[:] = [
        item
        for rank in range(max(map(len, files), default=0))
        for tests in files
        if rank < len(tests)
        for item in [tests[rank]]
    ]


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """Nothing from the developer's own AWS setup, and UTC wall clock for stable output."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Prices are cached under the user's cache directory: never the developer's own.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    time.tzset()


@pytest.fixture(scope="session")
def moto_url():
    """moto's server on a loopback port: an independent implementation of the same APIs."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def clock():
    """A clock frozen at ORIGIN; tests move it with ``clock.set`` / ``advance``."""
    from smtui.clock import FrozenClock

    return FrozenClock(ORIGIN)


def fixture_realism(request=None):
    """The rough edges the shared ``sim`` and ``full_sim`` fixtures reproduce: all of AWS's (the default).

    A test marked ``@pytest.mark.gentle`` gets the simulator without them: it
    checks an answer of the simulator that a rough edge would blur (a listing's
    full first page, a stream's exact last event time). ``@pytest.mark.gentle("metric-lag")``
    turns off the edges named only.
    """
    from smtui.sim import Realism

    marker = request.node.get_closest_marker("gentle") if request is not None else None
    if marker is not None:
        return Realism().without(marker.args) if marker.args else Realism.gentle()
    return Realism()


@pytest.fixture
def sim(clock, request):
    """The default standalone jobs (no tuning job) on ``clock``, served over HTTP; ``sim.url`` is the endpoint."""
    from smtui.sim import Simulator, start_in_thread

    simulator = Simulator(clock, origin=ORIGIN, tuning=[], realism=fixture_realism(request))
    with start_in_thread(simulator) as running:
        simulator.url = running.url
        yield simulator


@pytest.fixture
def full_sim(clock, request):
    """The whole default world on ``clock``, served over HTTP: the standalone jobs and the default tuning job."""
    from smtui.sim import Simulator, start_in_thread

    simulator = Simulator(clock, origin=ORIGIN, realism=fixture_realism(request))
    with start_in_thread(simulator) as running:
        simulator.url = running.url
        yield simulator
