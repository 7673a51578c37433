"""What a job's newest log events are, found another way than smtui finds them: each stream read backwards with
GetLogEvents (the simulator's operations called in this process), merged, as the SageMaker SDK's stream mode
does, but only as far back as the answer needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from smtui.aws.log_tail import LOG_GROUP


@dataclass
class _Stream:
    name: str
    #: (timestamp, position from the newest end, message), oldest first.
    events: list[tuple[int, int, str]] = field(default_factory=list)
    token: str | None = None
    exhausted: bool = False


def stream_names(simulator, job: str) -> list[str]:
    names, token = [], None
    while True:
        params = {"logGroupName": LOG_GROUP, "logStreamNamePrefix": f"{job}/"}
        if token:
            params["nextToken"] = token
        page = simulator.describe_log_streams(params)
        names += [s["logStreamName"] for s in page["logStreams"]]
        token = page.get("nextToken")
        if not token:
            return names


def _older(simulator, stream: _Stream, limit: int) -> None:
    """One more page of ``stream``, going back; only a token that comes back unchanged means its start."""
    params = {"logGroupName": LOG_GROUP, "logStreamName": stream.name, "startFromHead": False, "limit": limit}
    if stream.token:
        params["nextToken"] = stream.token
    page = simulator.get_log_events(params)
    depth = -len(stream.events)
    older = [(e["timestamp"], depth - len(page["events"]) + i, e["message"]) for i, e in enumerate(page["events"])]
    stream.events[:0] = older
    back = page["nextBackwardToken"]
    stream.exhausted = back == stream.token
    stream.token = back


def newest_events(simulator, job: str, n: int) -> list[tuple[int, str, str]]:
    """(timestamp, stream, message) of the ``n`` newest events over all of the job's streams, oldest first;
    events of one millisecond are ordered by stream name, then by their order in the stream."""
    streams = [_Stream(name) for name in stream_names(simulator, job)]
    for stream in streams:
        while not stream.events and not stream.exhausted:
            _older(simulator, stream, 100)
    while True:
        open_ = [s for s in streams if not s.exhausted]
        # Nothing unread is newer than the newest of the open streams' oldest events read.
        bound = max((s.events[0][0] for s in open_ if s.events), default=None)
        certain = sum(1 for s in streams for e in s.events if bound is None or e[0] > bound)
        if certain >= n or not open_:
            break
        blocking = max(open_, key=lambda s: s.events[0][0] if s.events else float("inf"))
        _older(simulator, blocking, 1000)
    everything = all(s.exhausted for s in streams)
    merged = sorted(
        (t, s.name, position, message)
        for s in streams
        for t, position, message in s.events
        if everything or bound is None or t > bound
    )
    return [(t, name, message) for t, name, _, message in merged[-n:]] if n else []
