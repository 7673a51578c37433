"""The floor: what one DescribeTrainingJob costs through a warm aiobotocore client, measured alone.

Run as a program (``python bench/floor.py URL JOB CALLS RATE``) it opens one
client, warms it up, then makes CALLS calls and prints the CPU seconds each
cost, as JSON: through a client configured as smtui configures its own
(``AwsJobSource``: standard retries, the epoch timestamp parser), paced at
RATE a second as smtui's polls are (``smtui``) and back to back (``burst``:
cheaper, since the process never goes idle between two calls); and through a
client with aiobotocore's defaults, paced (``defaults``). :func:`measure`
runs it in a process of its own, so nothing of the benchmark's process is
counted.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

WARM_UP = 30


async def _paced(call: Callable[[], Awaitable[object]], calls: int, rate: float | None) -> float:
    """CPU seconds per call of ``calls`` calls made ``rate`` a second (None: back to back), after a warm-up."""
    for _ in range(WARM_UP):
        await call()
    loop = asyncio.get_running_loop()
    due = loop.time()
    begun = time.process_time()
    for _ in range(calls):
        await call()
        if rate is None:
            continue
        due += 1 / rate
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
    return (time.process_time() - begun) / calls


async def _as_smtui(url: str, job: str, calls: int, rate: float | None) -> float:
    from smtui.aws.source import AwsJobSource, AwsOptions

    options = AwsOptions(region="us-east-1", endpoint_url=url, static_credentials=("bench", "bench"))
    async with AwsJobSource(options) as source:
        return await _paced(lambda: source.describe_training_job(job), calls, rate)


async def _aiobotocore_defaults(url: str, job: str, calls: int, rate: float) -> float:
    from aiobotocore.session import AioSession

    async with AioSession().create_client(
        "sagemaker", region_name="us-east-1", endpoint_url=url, aws_access_key_id="bench", aws_secret_access_key="bench"
    ) as client:
        return await _paced(lambda: client.describe_training_job(TrainingJobName=job), calls, rate)


def measure(url: str, job: str, *, calls: int, rate: float, env: dict[str, str] | None = None) -> dict[str, float]:
    """The floor, measured in another process: CPU seconds per call, ``smtui`` (as smtui configures its client,
    paced at ``rate``), ``burst`` (the same, back to back) and ``defaults`` (aiobotocore's own configuration,
    paced)."""
    result = subprocess.run(
        [sys.executable, __file__, url, job, str(calls), str(rate)],
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def main() -> None:
    url, job, calls, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    figures = {
        "smtui": asyncio.run(_as_smtui(url, job, calls, rate)),
        "burst": asyncio.run(_as_smtui(url, job, calls, None)),
        "defaults": asyncio.run(_aiobotocore_defaults(url, job, calls, rate)),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
