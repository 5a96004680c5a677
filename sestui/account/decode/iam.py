"""Decoding the IAM part of a snapshot (GetAccountAuthorizationDetails as AWS returns it, and
the access keys) into principals, groups and managed policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sestui.account.decode.paths import (
    ACCOUNT_ID,
    SnapshotError,
    decode_document,
    json_list,
    json_object,
    json_required,
    json_str,
)
from sestui.account.model import (
    AccessKey,
    Group,
    IamPrincipal,
    ManagedPolicy,
    PolicyDocument,
    PrincipalType,
)
from sestui.policy import PolicyKind, PolicySource


def _tags(raw: Any, path: str) -> tuple[tuple[str, str], ...]:
    out = []
    for i, tag in enumerate(json_list(raw or [], path)):
        t = json_object(tag, f"{path}[{i}]")
        out.append(
            (
                json_required(t, "Key", f"{path}[{i}]"),
                json_str(t, "Value", f"{path}[{i}]", required=False) or "",
            )
        )
    return tuple(out)


def _inline(raw: Any, path: str, name_key: str, via: str | None) -> tuple[PolicyDocument, ...]:
    out = []
    for i, item in enumerate(json_list(raw or [], path)):
        p = f"{path}[{i}]"
        entry = json_object(item, p)
        name = json_required(entry, name_key, p)
        doc = decode_document(entry.get("PolicyDocument"), f"{p}.PolicyDocument")
        out.append(PolicyDocument(PolicySource(PolicyKind.IDENTITY, name, None, via), doc))
    return tuple(out)


def _attached(
    raw: Any, path: str, known: Mapping[str, ManagedPolicy], account_id: str
) -> tuple[str, ...]:
    arns = []
    for i, item in enumerate(json_list(raw or [], path)):
        p = f"{path}[{i}]"
        arn = json_required(json_object(item, p), "PolicyArn", p)
        if arn not in known and f":iam::{account_id}:" in arn:
            raise SnapshotError(f"unknown policy ARN {arn} (not in iam.Policies)", path=p)
        arns.append(arn)
    return tuple(arns)


def _boundary(raw: Any, path: str) -> str | None:
    if raw is None:
        return None
    return json_str(json_object(raw, path), "PermissionsBoundaryArn", path)


# -- IAM ------------------------------------------------------------------------------------


def decode_managed_policies(raw: Any, path: str) -> dict[str, ManagedPolicy]:
    out: dict[str, ManagedPolicy] = {}
    for i, item in enumerate(json_list(raw or [], path)):
        p = f"{path}[{i}]"
        entry = json_object(item, p)
        arn = json_required(entry, "Arn", p)
        # moto omits PolicyName: the ARN's last segment is the name.
        name = json_str(entry, "PolicyName", p, required=False) or arn.rsplit("/", 1)[-1]
        default = json_str(entry, "DefaultVersionId", p, required=False)
        document = None
        for j, version in enumerate(
            json_list(entry.get("PolicyVersionList") or [], f"{p}.PolicyVersionList")
        ):
            vp = f"{p}.PolicyVersionList[{j}]"
            v = json_object(version, vp)
            is_default = v.get("IsDefaultVersion") is True or (
                default is not None and v.get("VersionId") == default
            )
            if is_default:
                doc = decode_document(v.get("Document"), f"{vp}.Document")
                document = PolicyDocument(PolicySource(PolicyKind.IDENTITY, name, arn), doc)
        if "Document" in entry and document is None:  # a single fetched AWS-managed document
            doc = decode_document(entry["Document"], f"{p}.Document")
            document = PolicyDocument(PolicySource(PolicyKind.IDENTITY, name, arn), doc)
        out[arn] = ManagedPolicy(arn, name, default, document)
    return out


def account_from_arns(iam: Mapping[str, Any]) -> tuple[str, str] | None:
    for key in ("UserDetailList", "RoleDetailList", "GroupDetailList"):
        for item in iam.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("Arn"), str):
                parts = item["Arn"].split(":")
                if len(parts) > 4 and ACCOUNT_ID.match(parts[4]):
                    return parts[4], parts[1]
    return None


def _trusted_services(doc: Mapping[str, Any]) -> tuple[str, ...]:
    out: list[str] = []
    statements = doc.get("Statement")
    for s in statements if isinstance(statements, list) else [statements]:
        if not isinstance(s, dict):
            continue
        principal = s.get("Principal")
        if isinstance(principal, dict):
            svc = principal.get("Service")
            out.extend(
                [svc] if isinstance(svc, str) else [x for x in svc or [] if isinstance(x, str)]
            )
    return tuple(out)


_PRINCIPAL_KEYS = {  # name, id and inline-policy list keys in GetAccountAuthorizationDetails
    PrincipalType.USER: ("UserName", "UserId", "UserPolicyList"),
    PrincipalType.ROLE: ("RoleName", "RoleId", "RolePolicyList"),
}


def _principal(
    entry: Mapping[str, Any],
    p: str,
    kind: PrincipalType,
    managed: Mapping[str, ManagedPolicy],
    account_id: str,
    **extra: Any,
) -> IamPrincipal:
    """The fields users and roles share; `extra` holds the ones only one of them has."""
    name_key, id_key, inline_key = _PRINCIPAL_KEYS[kind]
    return IamPrincipal(
        type=kind,
        name=json_required(entry, name_key, p),
        arn=json_required(entry, "Arn", p),
        path=json_str(entry, "Path", p, required=False) or "/",
        principal_id=json_str(entry, id_key, p, required=False) or "",
        tags=_tags(entry.get("Tags"), f"{p}.Tags"),
        inline_policies=_inline(entry.get(inline_key), f"{p}.{inline_key}", "PolicyName", None),
        attached_policy_arns=_attached(
            entry.get("AttachedManagedPolicies"),
            f"{p}.AttachedManagedPolicies",
            managed,
            account_id,
        ),
        boundary_arn=_boundary(entry.get("PermissionsBoundary"), f"{p}.PermissionsBoundary"),
        **extra,
    )


def decode_principals(
    iam: Mapping[str, Any],
    managed: Mapping[str, ManagedPolicy],
    account_id: str,
    keys: Mapping[str, tuple[AccessKey, ...]],
) -> tuple[IamPrincipal, ...]:
    out: list[IamPrincipal] = []
    for i, item in enumerate(json_list(iam.get("UserDetailList") or [], "iam.UserDetailList")):
        p = f"iam.UserDetailList[{i}]"
        u = json_object(item, p)
        groups = json_list(u.get("GroupList") or [], f"{p}.GroupList")
        for j, g in enumerate(groups):
            if not isinstance(g, str):
                raise SnapshotError("must be a group name", path=f"{p}.GroupList[{j}]")
        user = _principal(u, p, PrincipalType.USER, managed, account_id, groups=tuple(groups))
        out.append(replace(user, access_keys=keys.get(user.name, ())))
    for i, item in enumerate(json_list(iam.get("RoleDetailList") or [], "iam.RoleDetailList")):
        p = f"iam.RoleDetailList[{i}]"
        r = json_object(item, p)
        trust = r.get("AssumeRolePolicyDocument")
        trusted = (
            _trusted_services(decode_document(trust, f"{p}.AssumeRolePolicyDocument"))
            if trust is not None
            else ()
        )
        out.append(
            _principal(r, p, PrincipalType.ROLE, managed, account_id, trusted_services=trusted)
        )
    return tuple(out)


def decode_groups(
    iam: Mapping[str, Any], managed: Mapping[str, ManagedPolicy], account_id: str
) -> dict[str, Group]:
    out: dict[str, Group] = {}
    for i, item in enumerate(json_list(iam.get("GroupDetailList") or [], "iam.GroupDetailList")):
        p = f"iam.GroupDetailList[{i}]"
        g = json_object(item, p)
        name = json_required(g, "GroupName", p)
        out[name] = Group(
            name=name,
            arn=json_required(g, "Arn", p),
            inline_policies=_inline(
                g.get("GroupPolicyList"), f"{p}.GroupPolicyList", "PolicyName", f"group {name}"
            ),
            attached_policy_arns=_attached(
                g.get("AttachedManagedPolicies"),
                f"{p}.AttachedManagedPolicies",
                managed,
                account_id,
            ),
        )
    return out


def decode_access_keys(raw: Any) -> dict[str, tuple[AccessKey, ...]]:
    out: dict[str, list[AccessKey]] = {}
    for i, item in enumerate(json_list(raw or [], "access_keys")):
        p = f"access_keys[{i}]"
        k = json_object(item, p)
        if "SecretAccessKey" in k or "SessionToken" in k:
            raise SnapshotError("a snapshot must never hold secret keys", path=p)
        last = json_object(k.get("AccessKeyLastUsed") or {}, f"{p}.AccessKeyLastUsed")
        out.setdefault(json_required(k, "UserName", p), []).append(
            AccessKey(
                key_id=json_required(k, "AccessKeyId", p),
                status=json_str(k, "Status", p, required=False) or "Active",
                created=json_str(k, "CreateDate", p, required=False),
                last_used_date=json_str(
                    last, "LastUsedDate", f"{p}.AccessKeyLastUsed", required=False
                ),
                last_used_service=json_str(
                    last, "ServiceName", f"{p}.AccessKeyLastUsed", required=False
                ),
                last_used_region=json_str(last, "Region", f"{p}.AccessKeyLastUsed", required=False),
            )
        )
    return {k: tuple(v) for k, v in out.items()}
