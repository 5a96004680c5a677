"""Turn read errors into recorded gaps (what, where, which permission) or a clear fatal error."""

from __future__ import annotations

import os
import re

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigNotFound,
    ConfigParseError,
    ConnectionError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    HTTPClientError,
    InvalidRegionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)
from botocore.parsers import ResponseParserError

from sestui.account.formats import GapEntry
from sestui.errors import SestuiError

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


class AwsReadError(SestuiError, RuntimeError):
    """The read cannot go on (no credentials, expired credentials): nothing is written."""


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return type(exc).__name__


def _short(text: str) -> str:
    """One line, no markup or HTML an endpoint may have sent, at most 200 characters."""
    plain = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return plain if len(plain) <= 200 else plain[:199] + "…"


NO_CREDENTIALS = "no AWS credentials found (give --profile, or set the standard AWS_* variables)"


def gap(what: str, where: str, permission: str | None, exc: BaseException) -> GapEntry:
    """A snapshot gap entry for a failed read; re-raises what must stop the whole read."""
    code = error_code(exc)
    if isinstance(exc, NoCredentialsError):
        raise AwsReadError(NO_CREDENTIALS) from exc
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


def _first_line(text: str) -> str:
    """The first non-empty line of a tool's output, shortened: never a whole stderr dump."""
    for line in str(text).splitlines():
        if line.strip():
            return _short(line)[:120]
    return "no message"


def _endpoint_hint() -> str:
    url = os.environ.get("AWS_ENDPOINT_URL")
    return f"check AWS_ENDPOINT_URL ({_short(url)[:80]})" if url else "check the network"


def describe_failure(exc: BaseException, profile: str | None = None) -> str | None:
    """What failed and what to do, for an error of a live read; None when it is not one.

    The one place that knows botocore's error families: the CLI and the TUI show this text
    (exit 2 / the load-failure view) instead of a traceback.
    """
    named = f"profile {profile!r}" if profile else "the default credential chain"
    if isinstance(exc, AwsReadError):
        return str(exc)
    if isinstance(exc, ProfileNotFound):
        wanted = exc.kwargs.get("profile", profile)
        return (
            f"AWS profile {wanted!r} not found in the AWS config or credentials file; "
            "`aws configure list-profiles` lists the profiles there"
        )
    if isinstance(exc, ConfigParseError | ConfigNotFound):
        return (
            f"cannot read the AWS config file {exc.kwargs.get('path', '')}: "
            f"{'not found' if isinstance(exc, ConfigNotFound) else 'it is not valid INI'}; "
            "fix it, or point AWS_CONFIG_FILE elsewhere"
        )
    if isinstance(exc, PartialCredentialsError):
        return (
            f"incomplete AWS credentials in {exc.kwargs.get('provider', 'the environment')}: "
            f"{exc.kwargs.get('cred_var', 'a value')} is missing; set it, or unset the others"
        )
    if isinstance(exc, CredentialRetrievalError):
        return (
            f"getting credentials for {named} failed ({exc.kwargs.get('provider', '?')}): "
            f"{_first_line(str(exc.kwargs.get('error_msg', '')))}"
        )
    if isinstance(exc, SSOError | TokenRetrievalError):
        return f"the SSO session of {named} is not usable ({_first_line(str(exc))}); log in again"
    if isinstance(exc, NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(exc, InvalidRegionError | NoRegionError):
        return f"{_first_line(str(exc))}; give a region such as eu-west-1"
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        return f"the AWS endpoint did not answer in time; {_endpoint_hint()}"
    if isinstance(exc, EndpointConnectionError | ConnectionError | HTTPClientError):
        where = exc.kwargs.get("endpoint_url") or ""
        return f"cannot connect to the AWS endpoint {_short(str(where))[:80]}; {_endpoint_hint()}"
    if isinstance(exc, ResponseParserError):
        return f"the endpoint's reply is not an AWS reply (unparsable); {_endpoint_hint()}"
    if isinstance(exc, ClientError):
        return f"AWS refused the read: {_short(error_code(exc))}"
    if isinstance(exc, BotoCoreError):
        return f"the AWS read failed: {_first_line(str(exc))}"
    return None


def invalid_endpoint(exc: ValueError) -> AwsReadError:
    """botocore (or urllib under it) refused to build a client: the endpoint URL is malformed."""
    return AwsReadError(
        f"the endpoint URL is not a valid URL ({_first_line(str(exc))}); {_endpoint_hint()}"
    )
