"""Command palette entries of the main screen."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class JobCommands(Provider):
    """Command palette entries: jump to any watched job."""

    async def discover(self) -> Hits:
        screen = self.app.watch_screen
        for name in screen.jobs.names:
            yield DiscoveryHit(f"Go to {name}", partial(screen.select_job, name), help="Select this job")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        screen = self.app.watch_screen
        for name in screen.jobs.names:
            command = f"Go to {name}"
            score = matcher.match(command)
            if score > 0:
                yield Hit(score, matcher.highlight(command), partial(screen.select_job, name), help="Select this job")
