"""Small builders for policy tests: documents, requests and one-call evaluation."""

from __future__ import annotations

from typing import Any

from sestui.policy import (
    Evaluation,
    Policy,
    PolicyKind,
    PolicySet,
    PolicySource,
    Request,
    evaluate,
    parse_policy,
)

ACCT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/mailer"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/lambda-notify/fn"
ROLE = f"arn:aws:iam::{ACCT}:role/lambda-notify"
DOMAIN = f"arn:aws:ses:eu-west-1:{ACCT}:identity/example.com"
ADDRESS = f"arn:aws:ses:eu-west-1:{ACCT}:identity/sender@example.com"


def stmt(
    effect: str = "Allow", action: Any = "ses:SendRawEmail", resource: Any = "*", **extra: Any
) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": effect}
    if action is not None:
        s["Action"] = action
    if resource is not None:
        s["Resource"] = resource
    s.update(extra)
    return s


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    d: dict[str, Any] = {}
    if version:
        d["Version"] = version
    d["Statement"] = list(statements)
    return d


def pol(document: Any, kind: PolicyKind = PolicyKind.IDENTITY, name: str = "p") -> Policy:
    return parse_policy(document, PolicySource(kind, name))


def run(
    *,
    identity: list[Any] | None = None,
    boundary: Any = None,
    scps: list[list[Any]] | None = None,
    resource_policies: list[Any] | None = None,
    principal: str = USER,
    action: str = "ses:SendRawEmail",
    resource: str = DOMAIN,
    context: dict[str, Any] | None = None,
) -> Evaluation:
    ps = PolicySet(
        identity=tuple(pol(d) for d in identity or []),
        boundary=pol(boundary, PolicyKind.BOUNDARY) if boundary is not None else None,
        scp_levels=tuple(tuple(pol(d, PolicyKind.SCP) for d in level) for level in scps)
        if scps is not None
        else None,
        resource=tuple(pol(d, PolicyKind.RESOURCE) for d in resource_policies or []),
    )
    return evaluate(Request.build(principal, action, resource, context or {}), ps)


def decision(**kwargs: Any) -> str:
    return run(**kwargs).decision.value
