"""Turning AWS and network failures into one clear line for a person.

Every failure a poll can meet becomes a :class:`PollError` with a short kind
(shown as a symbol in the job list) and a message that says what is wrong and
what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smtui.present.formatting import visible

NOT_FOUND = "not-found"
ACCESS_DENIED = "access-denied"
THROTTLED = "throttled"
AUTH = "auth"
NETWORK = "network"
CONFIG = "config"
SERVICE = "service"
OTHER = "other"

_AUTH_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "MissingAuthenticationToken",
}
_THROTTLE_CODES = {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
_DENIED_CODES = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}


class MalformedResponse(Exception):
    """An answer that parsed but is not what the operation returns (e.g. a body cut short)."""


class NotFound(Exception):
    """Something other than a training job does not exist; the message says what."""


@dataclass(frozen=True)
class PollError:
    """Why the last call for a job failed."""

    kind: str
    message: str
    since: datetime | None = None

    @property
    def retryable(self) -> bool:
        """Whether trying again later can help without the user doing anything."""
        return self.kind in (THROTTLED, NETWORK, SERVICE, OTHER)


def explain(exc: BaseException) -> PollError:
    """Classify an exception raised by an aiobotocore call."""
    # botocore is imported lazily so that `smtui --help` stays fast.
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "")) or "Unknown"
        text = str(error.get("Message", "")).strip() or code
        lowered = text.lower()
        if code == "ValidationException" and ("not found" in lowered or "could not find" in lowered):
            return PollError(NOT_FOUND, "job not found: check the name and the region")
        if code in ("ResourceNotFound", "ResourceNotFoundException"):
            return PollError(NOT_FOUND, "job not found: check the name and the region")
        if code in _THROTTLE_CODES:
            return PollError(THROTTLED, "throttled by AWS: retrying with back-off")
        if code in _DENIED_CODES:
            return PollError(ACCESS_DENIED, f"access denied: the credentials lack a permission ({_one_line(text)})")
        if code in _AUTH_CODES:
            return PollError(AUTH, f"credentials rejected ({code}): refresh them, e.g. `aws sso login`")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if isinstance(status, int) and status >= 500:
            return PollError(SERVICE, f"AWS service error {code}: retrying")
        return PollError(OTHER, f"{code}: {_one_line(text)}")
    if isinstance(exc, bx.NoCredentialsError):
        return PollError(CONFIG, "no AWS credentials found: set AWS_PROFILE, run `aws configure` or `aws sso login`")
    if isinstance(exc, bx.ProfileNotFound):
        return PollError(CONFIG, f"{_one_line(str(exc))}: check --profile and ~/.aws/config")
    if isinstance(exc, bx.NoRegionError):
        return PollError(CONFIG, "no AWS region: pass --region or set AWS_REGION")
    if isinstance(exc, (bx.TokenRetrievalError, bx.SSOTokenLoadError, bx.UnauthorizedSSOTokenError)):
        return PollError(AUTH, "the SSO session has expired: run `aws sso login`")
    if isinstance(exc, NotFound):
        return PollError(NOT_FOUND, _one_line(str(exc)))
    if isinstance(exc, MalformedResponse):
        return PollError(SERVICE, "the endpoint sent an unreadable answer: retrying")
    if isinstance(exc, bx.InvalidRegionError):
        return PollError(CONFIG, f"{_one_line(str(exc))}: pass a region such as --region us-east-1")
    if isinstance(exc, ResponseParserError):
        return PollError(SERVICE, "the endpoint sent an unreadable answer: retrying")
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectTimeoutError)):
        return PollError(NETWORK, f"cannot reach the endpoint: {_one_line(str(exc))}")
    if isinstance(exc, bx.ConnectionClosedError):
        return PollError(NETWORK, "the connection dropped before the answer came: retrying")
    if isinstance(exc, bx.ReadTimeoutError):
        return PollError(NETWORK, "no answer in time (read timeout): retrying")
    if isinstance(exc, (bx.ConnectionError, bx.HTTPClientError)):
        return PollError(NETWORK, f"network error: {_one_line(str(exc))}")
    if isinstance(exc, bx.ParamValidationError):
        return PollError(CONFIG, _one_line(str(exc)))
    if isinstance(exc, (OSError, TimeoutError)):
        return PollError(NETWORK, f"network error: {_one_line(str(exc)) or type(exc).__name__}")
    if isinstance(exc, bx.BotoCoreError):
        return PollError(OTHER, _one_line(str(exc)))
    return PollError(OTHER, f"{type(exc).__name__}: {_one_line(str(exc))}")


def _one_line(text: str, limit: int = 200) -> str:
    """Collapse whitespace, escape what a terminal would act on and cap the length, so a message fits one line.

    Messages come from the endpoint (or whatever answers in its place): they are text, never terminal control.
    """
    flat = visible(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
