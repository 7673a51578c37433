"""botocore sessions that share what they read from disk: each service's model is parsed once per process.

Every :class:`~smtui.aws.source.AwsJobSource` has a session of its own (a place is a region and a profile), and
a session's loader would read and parse each service's model again: SageMaker's alone is a large JSON document
that takes a good part of a second. The models do not depend on the profile or the region, only on where the
loader looks (``data_path``), so sessions that look in the same places share one loader, and its cache.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any


def new_session(profile: str | None = None) -> Any:
    """An aiobotocore session for ``profile``, with the loader shared and timestamps parsed cheaply.

    Raises botocore's ProfileNotFound for a profile the configuration does not have."""
    # aiobotocore is imported here, not at module level: it costs ~0.3 s.
    from aiobotocore.session import AioSession

    session = AioSession(profile=profile)
    session.register_component("data_loader", _loader(session.get_config_variable("data_path")))
    session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=epoch_timestamp)
    return session


@functools.cache
def _loader(data_path: str | None) -> Any:
    from botocore.loaders import create_loader

    return create_loader(data_path)


def epoch_timestamp(value: Any) -> datetime:
    """botocore's timestamp parser, made cheap for the epoch seconds the JSON services send.

    botocore attaches dateutil's ``tzlocal`` to every parsed timestamp, which
    costs tens of microseconds each; a job's answer has dozens and a metrics
    answer thousands. The same moment in UTC compares and converts the same.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass
    from botocore.utils import parse_timestamp

    return parse_timestamp(value)
