"""Where a simulated job's things live in the account: registries, the SDK's bucket, role, key and network."""

from __future__ import annotations

import hashlib

from smtui.sim.lifecycle import World

#: Accounts of AWS's regional registries (first entry: the fallback for other regions).
DEBUGGER_RULES = {
    "us-east-1": "503895931360",
    "us-east-2": "915447279597",
    "us-west-2": "895741380848",
    "eu-west-1": "929884845733",
}
XGBOOST = {
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-west-2": "246618743249",
    "eu-west-1": "141502667606",
}
ROLE = "arn:aws:iam::{account}:role/service-role/AmazonSageMaker-ExecutionRole-20250114T093012"
KMS_KEY = "arn:aws:kms:{region}:{account}:key/1c2f9e43-8a6b-4d7e-b0f5-6a2c3d4e5f60"
SECURITY_GROUPS = ["sg-0c7f3e9a1b2d4f6a8"]
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-09f8e7d6c5b4a3921"]


def registry(table: dict[str, str], region: str) -> str:
    """The registry account for ``region``."""
    return table.get(region, next(iter(table.values())))


def bucket(world: World) -> str:
    """The SageMaker SDK's default bucket."""
    return f"s3://sagemaker-{world.region}-{world.account}"


def suffix(*parts: str) -> str:
    """A stable 8-hex-digit suffix, like those AWS appends to generated names."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:8]
