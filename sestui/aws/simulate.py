"""`--verify`: ask AWS's policy simulator (`iam:SimulatePrincipalPolicy`, read-only) about one
selection, through the guarded session; every failure becomes "could not verify: …"."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from sestui.aws.errors import DENIED, FATAL_CREDENTIALS, _short, error_code
from sestui.aws.guard import ReadOnlyViolation
from sestui.aws.session import AwsSession
from sestui.decide.verify import VerifyResult, build_request, compare, unverified
from sestui.verdict.analysis import Analysis

Simulator = Callable[[dict[str, Any]], Mapping[str, Any]]

THROTTLED = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}
)
ATTEMPTS = 5  # on top of botocore's own retries: a busy simulator answers after a pause


class SimulationFailed(RuntimeError):
    """The simulator could not answer; the message says why, in one line."""


def describe_failure(exc: BaseException) -> str:
    code = error_code(exc)
    if isinstance(exc, NoCredentialsError):
        return "no AWS credentials found (use --profile, or the standard credential chain)"
    if code in DENIED:
        return f"access denied ({code}) — the caller needs iam:SimulatePrincipalPolicy"
    if code in FATAL_CREDENTIALS or code in ("InvalidClientTokenId", "UnrecognizedClientException"):
        return f"the AWS credentials were refused ({code})"
    if code in THROTTLED:
        return f"AWS kept throttling the simulator ({code})"
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        return "cannot reach IAM: " + _short(str(exc))
    if isinstance(exc, ClientError):
        return _short(f"{code}: {exc.response.get('Error', {}).get('Message', '')}")
    return _short(f"{type(exc).__name__}: {exc}")


def simulate_principal_policy(
    session: AwsSession,
    request: dict[str, Any],
    *,
    sleep: Callable[[float], None] = time.sleep,
    attempts: int = ATTEMPTS,
) -> dict[str, Any]:
    """Every page of the simulation's results; throttling is retried with backoff."""
    client = session.client("iam")
    results: list[Any] = []
    marker: str | None = None
    while True:
        kwargs = dict(request, Marker=marker) if marker else dict(request)
        for attempt in range(attempts):
            try:
                page = client.simulate_principal_policy(**kwargs)
                break
            except ClientError as exc:
                if error_code(exc) not in THROTTLED or attempt == attempts - 1:
                    raise
                sleep(min(0.5 * 2**attempt, 8.0))
        results.extend(page.get("EvaluationResults", []))
        marker = page.get("Marker") if page.get("IsTruncated") else None
        if not marker:
            return {"EvaluationResults": results}


def caller_session(
    base: AwsSession, account_id: str, partition: str, role: str | None
) -> AwsSession:
    """A session in the caller's account, where AWS's simulator must run (it simulates only
    principals of the signing account): the credentials themselves when sts:GetCallerIdentity
    says they already are that account, else `role` assumed there. SimulationFailed says why not.
    """
    try:
        current = str(base.client("sts").get_caller_identity()["Account"])
    except (BotoCoreError, ClientError, ReadOnlyViolation) as exc:
        raise SimulationFailed(
            "cannot tell which account the credentials are (sts:GetCallerIdentity): "
            + describe_failure(exc)
        ) from exc
    if current == account_id:
        return base
    if not role:
        raise SimulationFailed(
            f"the credentials are account {current}, the sender is in account {account_id}: "
            "AWS's simulator runs in the sender's account — give --org-role ROLE "
            "(a role there that the credentials may assume)"
        )
    arn = f"arn:{partition}:iam::{account_id}:role/{role}"
    try:
        return base.assume(arn, "sestui-verify")
    except (BotoCoreError, ClientError, ReadOnlyViolation) as exc:
        raise SimulationFailed(f"cannot assume {arn}: " + describe_failure(exc)) from exc


def verify(
    analysis: Analysis,
    profile: str | None = None,
    *,
    session: AwsSession | None = None,
    simulator: Simulator | None = None,
    source: str = "",
    sleep: Callable[[float], None] = time.sleep,
    cross_account: bool = False,
    role: str | None = None,
) -> VerifyResult:
    """Build the simulation of this analysis, run it, and compare. Never raises for AWS errors:
    they become an unverified result that leaves the local verdict alone.

    `simulator` stands in for AWS (the TUI's tests); otherwise `session`, or a new guarded
    session for `profile` (None: the standard credential chain). `cross_account` (several
    accounts loaded, or `role` given): first make sure the session is the caller's account."""
    request = build_request(analysis)
    try:
        if simulator is None:
            session = session or AwsSession(profile=profile)
            if cross_account or role:
                session = caller_session(
                    session,
                    analysis.account.account_id,
                    analysis.account.partition,
                    role,
                )
            response: Mapping[str, Any] = simulate_principal_policy(
                session, request.api(), sleep=sleep
            )
        else:
            response = simulator(request.api())
    except SimulationFailed as exc:
        return unverified(str(exc), request)
    except (BotoCoreError, ClientError, ReadOnlyViolation) as exc:
        return unverified(describe_failure(exc), request)
    return compare(analysis, request, response, source)
