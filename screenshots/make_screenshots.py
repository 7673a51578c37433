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

from tests.screens import SHOTS, simulated_app, until_loaded, until_logs_read  # noqa: E402


async def draw(name: str, after: float, size: tuple[int, int], keys: tuple[str, ...], options: dict) -> None:
    with simulated_app(after, **options) as app:
        async with app.run_test(size=size) as pilot:
            await until_loaded(pilot)
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            await until_logs_read(pilot)
            await pilot.wait_for_scheduled_animations()
            path = ROOT / "screenshots" / f"{name}.svg"
            app.save_screenshot(filename=path.name, path=str(path.parent))
            print(f"wrote {path.relative_to(ROOT)}")


async def main() -> None:
    for name, (after, size, keys, options) in SHOTS.items():
        await draw(name, after, size, keys, options)


if __name__ == "__main__":
    asyncio.run(main())
