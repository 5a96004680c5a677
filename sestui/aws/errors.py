"""Turn read errors into recorded gaps (what, where, which permission) or a clear fatal error."""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnauthorizedAccess",
        "403",
    }
)
REGION_DISABLED = frozenset(
    {
        "OptInRequired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "AuthFailure",
        "SubscriptionRequiredException",
    }
)
FATAL_CREDENTIALS = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "TokenRefreshRequired",
        "SignatureDoesNotMatch",
    }
)


class AwsReadError(RuntimeError):
    """The read cannot go on (no credentials, expired credentials): nothing is written."""


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return type(exc).__name__


def _short(text: str) -> str:
    """One line, no markup or HTML an endpoint may have sent, at most 200 characters."""
    plain = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return plain if len(plain) <= 200 else plain[:199] + "…"


def gap(what: str, where: str, permission: str | None, exc: BaseException) -> dict[str, Any]:
    """A snapshot gap entry for a failed read; re-raises what must stop the whole read."""
    code = error_code(exc)
    if isinstance(exc, NoCredentialsError):
        raise AwsReadError(
            "no AWS credentials found (set a profile with --profile, or use --demo)"
        ) from exc
    if code in FATAL_CREDENTIALS:
        raise AwsReadError(
            f"the AWS credentials stopped working during the read ({code}); "
            "refresh them and read again — nothing was written"
        ) from exc
    if code in DENIED:
        message = f"access denied ({code})"
    elif code in REGION_DISABLED:
        message = f"region not enabled for this account ({code})"
        permission = None
    elif isinstance(exc, EndpointConnectionError):
        message = "no endpoint for this service in the region"
        permission = None
    elif isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        message = "timed out"
        permission = None
    elif isinstance(exc, NotImplementedError) or code in ("NotImplemented", "404", "500", "501"):
        message = "not supported by this endpoint"
        permission = None
    elif isinstance(exc, ClientError):
        message = _short(f"{code}: {exc.response.get('Error', {}).get('Message', '')}")
    elif isinstance(exc, BotoCoreError):
        message = _short(str(exc))
    else:
        raise exc
    return {"what": what, "where": where, "permission": permission, "message": message}
