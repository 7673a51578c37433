"""Draw the README pictures from the same deterministic setup as the snapshot tests.

Run from the repository root: ``python screenshots/make_screenshots.py``.
Each picture is the simulator's jobs on a frozen clock, so the files only
change when the screen does.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["TZ"] = "UTC"
time.tzset()

from tests.screens import SHOTS, SIZE, simulated_app, until_hosts_shown, until_loaded, until_logs_read  # noqa: E402
from tests.test_glance_screens import TRAINING, show_job  # noqa: E402

#: The at-a-glance picture: the four-instance job, once its instances' every metric is on the screen.
GLANCE = ("glance", TRAINING, "mistral-7b-sft-distributed")


async def draw(
    name: str, after: float, size: tuple[int, int], keys: tuple[str, ...], options: dict, job: str | None = None
) -> None:
    with simulated_app(after, **options) as app:
        async with app.run_test(size=size) as pilot:
            await until_loaded(pilot)
            if job is not None:
                await show_job(pilot, job)
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            await until_hosts_shown(pilot)
            await until_logs_read(pilot)
            await pilot.wait_for_scheduled_animations()
            path = ROOT / "screenshots" / f"{name}.svg"
            app.save_screenshot(filename=path.name, path=str(path.parent))
            print(f"wrote {path.relative_to(ROOT)}")


async def main() -> None:
    for name, (after, size, keys, options) in SHOTS.items():
        await draw(name, after, size, keys, options)
    name, after, job = GLANCE
    await draw(name, after, SIZE, (), {}, job=job)


if __name__ == "__main__":
    asyncio.run(main())
