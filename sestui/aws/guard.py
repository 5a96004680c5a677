"""The read-only guard: a botocore `before-call` handler that lets through exactly the operations
sestui calls (an allow-list, not name prefixes), so sestui cannot change anything in AWS."""

from __future__ import annotations

from typing import Any

# Every operation sestui's own clients may send, as `service:Operation` (botocore's service
# name). The readers call these (see sestui/aws/readers.py and the README); `sts:AssumeRole` and
# `organizations:ListAccounts` are for organization reads (sestui/aws/orgread.py), the IAM
# simulate calls for `--verify`. Nothing else: no credential
# issuing (GetSessionToken, GetFederationToken, …), no write, not even other reads.
ALLOWED: frozenset[str] = frozenset(
    {
        "iam:GetAccountAuthorizationDetails",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:ListAccessKeys",
        "iam:GetAccessKeyLastUsed",
        "iam:SimulatePrincipalPolicy",
        "iam:SimulateCustomPolicy",
        "sesv2:ListEmailIdentities",
        "sesv2:GetEmailIdentity",
        "sesv2:ListConfigurationSets",
        "sesv2:ListEmailTemplates",
        "sesv2:GetAccount",
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
        "organizations:ListParents",
        "organizations:ListPoliciesForTarget",
        "organizations:DescribePolicy",
        "organizations:DescribeOrganizationalUnit",
        "organizations:DescribeAccount",
        "sts:GetCallerIdentity",
        "sts:AssumeRole",
    }
)


class ReadOnlyViolation(RuntimeError):
    """A call that sestui does not make on purpose was about to leave the process."""


def is_allowed(service: str, operation_name: str) -> bool:
    return f"{service}:{operation_name}" in ALLOWED


def refuse_writes(model: Any = None, **_: Any) -> None:
    name = getattr(model, "name", "")
    service = getattr(getattr(model, "service_model", None), "service_name", "?")
    if not is_allowed(service, name):
        raise ReadOnlyViolation(f"sestui is read-only: refused {service}:{name}")


def install_guard(client: Any) -> Any:
    """Register the guard on a boto3 client (before-call fires for every operation)."""
    client.meta.events.register("before-call.*.*", refuse_writes, unique_id="sestui-read-only")
    return client


def has_guard(client: Any) -> bool:
    handlers = client.meta.events._emitter._handlers  # botocore's registry: checked in tests
    for handler in handlers.prefix_search("before-call.iam.GetUser"):
        if handler is refuse_writes:
            return True
    return False
