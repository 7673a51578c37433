"""The training jobs' CloudWatch Logs: log group ``/aws/sagemaker/TrainingJobs``, a stream per host and attempt.

SageMaker names a job's streams ``JOB/algo-N-EPOCH``: N counts the
instances from 1 and EPOCH is the epoch second at which that attempt's
containers started, which here is when the job enters Training. A restart
(after a spot interruption or an internal error) starts new containers, so
new streams with a new EPOCH. A job that never reached Training has none.

A stream's events are computed, never stored: the prelude just before the
algorithm starts (the image pull ends), then the body on a grid of ticks,
then a few last lines when the attempt ends (see :mod:`smtui.sim.loglines`).
Any event's index, timestamp and message follow from arithmetic on the
tick grid, so a window of a stream that has logged for days costs no more
than one of a minute. Timestamps never decrease with the index. An event is
visible once ingested: ``MAX_DELAY_MS`` after its timestamp at most, so no
visible event is dated after the clock's now, nor ingested after it.

The only state a stream depends on is when a stop was accepted: a stop cuts
the attempt short from that moment, never changing the events before it.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone

from smtui.sim.attempts import Attempt, attempts
from smtui.sim.lifecycle import World
from smtui.sim.log_group import GROUP, LogStream  # noqa: F401 - GROUP re-exported: the group every stream is in
from smtui.sim.loglines import Template, fill, unit
from smtui.sim.logstyles import writer_for
from smtui.sim.scenarios import Scenario
from smtui.sim.ssm_stream import ssm_stream
from smtui.sim.toolkit import toolkit_prelude

#: Script seconds between the last prelude line and the first step.
_SETTLE = 0.5


class Stream(LogStream):
    """One host's log stream of one attempt."""

    def __init__(self, scenario: Scenario, attempt: Attempt, host: int, world: World, shared: list[Template]) -> None:
        self.scenario, self.attempt, self.host, self.world = scenario, attempt, host, world
        writer = self.writer = writer_for(scenario, attempt, host, world, shared)
        started = world.epoch(scenario, attempt.start)
        self.name = f"{scenario.name}/algo-{host}-{int(started)}"
        self.creation_ms = int(started) * 1000 + (host * 137) % 1000
        end_ms = self._end_ms = self._ms(attempt.end)

        templates = writer.prelude()
        total = sum(gap for gap, _ in templates) + _SETTLE
        scale = min(1.0, max(0.0, attempt.pulled - attempt.start - 1.0) / total)
        at, times = attempt.pulled - total * scale, []
        for gap, _ in templates:
            at += gap * scale
            times.append(max(self._ms(at), times[-1] if times else self.creation_ms))
        kept = bisect.bisect_right(times, end_ms)
        self._prelude, self._prelude_ms = [text for _, text in templates[:kept]], times[:kept]

        self._tick_ms = writer.tick * 1000
        if attempt.end > attempt.pulled:
            minute = world.seconds(60)
            self._g0 = math.floor(world.epoch(scenario, attempt.pulled) / minute * writer.sub + 1e-9) + 1
            self._g1 = math.floor(world.epoch(scenario, attempt.end) / minute * writer.sub + 1e-9)
            tail = writer.tail(attempt.ended_by)
        else:
            self._g0, self._g1, tail = 1, 0, []
        self._body = writer.lines_between(self._g0, self._g1 + 1)
        last = (
            self._body_ts(self._g1, writer.lines_at(self._g1) - 1)
            if self._body
            else (self._prelude_ms or [self.creation_ms])[-1]
        )
        at, self._tail, self._tail_ms = attempt.end, [], []
        for gap, text in tail:
            at += gap
            last = max(last, self._ms(at))
            self._tail.append(text)
            self._tail_ms.append(last)
        self.total = len(self._prelude) + self._body + len(self._tail)

    def _ms(self, offset: float) -> int:
        return int(self.world.epoch(self.scenario, offset) * 1000)

    # -- time and index ------------------------------------------------------------------

    def _body_ts(self, g: int, k: int, jitter: int | None = None) -> int:
        """The timestamp of line ``k`` of tick ``g``: a little after the tick, except a minute's first."""
        base = math.floor(g * self._tick_ms)
        if jitter is None:
            jitter = self._jitter(g)
        # Nothing the algorithm prints is dated after it stopped.
        return min(base + min(jitter + 3 * k, max(0, int(self._tick_ms) - 1)), max(base, self._end_ms))

    def _jitter(self, g: int) -> int:
        return 0 if g % self.writer.sub == 0 else int(unit(self.name, g) * 0.35 * self._tick_ms)

    def _locate(self, j: int) -> tuple[int, int]:
        """(tick, line within it) of body line ``j``."""
        lo, hi = self._g0, self._g1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.writer.lines_between(self._g0, mid) <= j:
                lo = mid
            else:
                hi = mid - 1
        return lo, j - self.writer.lines_between(self._g0, lo)

    def index_at(self, ms: int) -> int:
        """How many events have a timestamp before ``ms``."""
        count = bisect.bisect_left(self._prelude_ms, ms)
        if count < len(self._prelude) or not self._body and not self._tail:
            return count
        if self._body:
            tick = self._tick_ms
            g = int(ms // tick)
            while g >= self._g0 and math.floor(g * tick) >= ms:
                g -= 1
            while g < self._g1 and math.floor((g + 1) * tick) < ms:
                g += 1
            if g < self._g0:
                return count
            g = min(g, self._g1)
            size, jitter = self.writer.lines_at(g), self._jitter(g)
            inside = sum(1 for k in range(size) if self._body_ts(g, k, jitter) < ms)
            count += self.writer.lines_between(self._g0, g) + inside
            if g < self._g1 or inside < size:
                return count
        return count + bisect.bisect_left(self._tail_ms, ms)

    def timestamp(self, index: int) -> int:
        pre = len(self._prelude)
        if index < pre:
            return self._prelude_ms[index]
        if index < pre + self._body:
            return self._body_ts(*self._locate(index - pre))
        return self._tail_ms[index - pre - self._body]

    # -- events --------------------------------------------------------------------------

    def _when(self, ms: int) -> datetime:
        return datetime.fromtimestamp(ms / 1000, timezone.utc)

    def _tick(self, g: int) -> list[tuple[int, str]]:
        jitter = self._jitter(g)
        lines = self.writer.tick_lines(g, self._when(self._body_ts(g, 0, jitter)))
        return [(self._body_ts(g, k, jitter), line) for k, line in enumerate(lines)]

    def events(self, lo: int, hi: int, reverse: bool = False) -> Iterator[tuple[int, int, str]]:
        """(index, timestamp, message) of events ``lo`` ≤ index < ``hi``, oldest first or newest first."""
        lo, hi = max(0, lo), min(hi, self.total)
        if lo >= hi:
            return
        pre, body = len(self._prelude), self._body
        if reverse:
            index = hi - 1
            while index >= lo:
                if index >= pre + body:
                    at = index - pre - body
                    yield index, self._tail_ms[at], fill(self._tail[at], self._when(self._tail_ms[at]), self.host)
                    index -= 1
                elif index >= pre:
                    g, k = self._locate(index - pre)
                    lines = self._tick(g)
                    while k >= 0 and index >= lo:
                        yield index, lines[k][0], lines[k][1]
                        index, k = index - 1, k - 1
                else:
                    yield (
                        index,
                        self._prelude_ms[index],
                        fill(self._prelude[index], self._when(self._prelude_ms[index]), self.host),
                    )
                    index -= 1
            return
        index = lo
        while index < hi:
            if index < pre:
                yield (
                    index,
                    self._prelude_ms[index],
                    fill(self._prelude[index], self._when(self._prelude_ms[index]), self.host),
                )
                index += 1
            elif index < pre + body:
                g, k = self._locate(index - pre)
                while index < min(hi, pre + body):
                    lines = self._tick(g)
                    for ts, line in lines[k:]:
                        if index >= hi:
                            return
                        yield index, ts, line
                        index += 1
                    g, k = g + 1, 0
            else:
                at = index - pre - body
                yield index, self._tail_ms[at], fill(self._tail[at], self._when(self._tail_ms[at]), self.host)
                index += 1


class LogBook:
    """The streams of a set of jobs, built when first asked for and kept.

    With ``ssm_streams``, a job with remote debugging also has its ``JOB/ssm``
    stream (see :mod:`smtui.sim.ssm_stream`).
    """

    def __init__(self, scenarios: Mapping[str, Scenario], world: World, ssm_streams: bool = True) -> None:
        self.scenarios = scenarios
        self.world = world
        self.ssm_streams = ssm_streams
        self._streams: dict[tuple[str, Attempt, int], Stream] = {}
        self._shared: dict[str, list[Template]] = {}
        self._ssm: dict[tuple[str, tuple[Attempt, ...]], LogStream | None] = {}

    def _stream(self, scenario: Scenario, attempt: Attempt, host: int) -> Stream:
        key = (scenario.name, attempt, host)
        stream = self._streams.get(key)
        if stream is None:
            if len(self._streams) > 20000:
                self._streams.clear()
            if scenario.name not in self._shared:
                self._shared[scenario.name] = (
                    toolkit_prelude(scenario, self.world) if scenario.entry_point is not None else []
                )
            stream = self._streams[key] = Stream(scenario, attempt, host, self.world, self._shared[scenario.name])
        return stream

    def _ssm_stream(self, scenario: Scenario, course: list[Attempt]) -> LogStream | None:
        key = (scenario.name, tuple(course))
        if key not in self._ssm:
            if len(self._ssm) > 1000:
                self._ssm.clear()
            self._ssm[key] = ssm_stream(scenario, course, self.world)
        return self._ssm[key]

    def streams(self, stops: Mapping[str, float], now_ms: int, prefix: str = "") -> list[LogStream]:
        """The streams that exist at ``now_ms`` whose names start with ``prefix``, by name."""
        out: list[LogStream] = []
        for scenario in self.scenarios.values():
            if not (scenario.name.startswith(prefix) or prefix.startswith(scenario.name + "/")):
                continue
            course = attempts(scenario, stops.get(scenario.name))
            for attempt in course:
                if self.world.epoch(scenario, attempt.start) * 1000 > now_ms:
                    break
                for host in range(1, scenario.instance_count + 1):
                    stream = self._stream(scenario, attempt, host)
                    if stream.creation_ms <= now_ms and stream.name.startswith(prefix):
                        out.append(stream)
            if self.ssm_streams and scenario.remote_debug:
                ssm = self._ssm_stream(scenario, course)
                if ssm is not None and ssm.creation_ms <= now_ms and ssm.name.startswith(prefix):
                    out.append(ssm)
        out.sort(key=lambda s: s.name)
        return out

    def stream(self, name: str, stops: Mapping[str, float], now_ms: int) -> LogStream | None:
        """The stream called ``name`` if it exists at ``now_ms``."""
        job, _, rest = name.partition("/")
        scenario = self.scenarios.get(job)
        if scenario is None or not (rest.startswith("algo-") or rest == "ssm"):
            return None
        found = [s for s in self.streams(stops, now_ms, f"{job}/") if s.name == name]
        return found[0] if found else None
