"""Snapshot files (`sestui-snapshot/1`): one JSON file holding exactly what the readers fetched.

The IAM part is AWS's GetAccountAuthorizationDetails output as it comes, so a file written by
`aws iam get-account-authorization-details` opens too (`load_iam_json`), with SES and SCPs unknown.
Loading validates as it builds and stops at the first problem, naming its JSON path.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from sestui.account.model import (
    AccessKey,
    Account,
    Group,
    IamPrincipal,
    IdentityKind,
    ManagedPolicy,
    Organization,
    OrgStatus,
    PolicyDocument,
    PrincipalType,
    ReadGap,
    RegionState,
    ScpTarget,
    SendingStatus,
    SesIdentity,
)
from sestui.errors import SestuiError
from sestui.fileio import InputError, read_input, write_output
from sestui.policy import PolicyError, PolicyKind, PolicySource
from sestui.policy.jsontext import load_json
from sestui.textsafe import json_text

FORMAT = "sestui-snapshot/1"
_ACCOUNT_ID = re.compile(r"^\d{12}$")


class SnapshotError(SestuiError, ValueError):
    """A snapshot that cannot be used, with the file, the JSON path (or line) and what is wrong."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.file = file
        self.line = line
        self.column = column
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.file:
            where.append(
                self.file
                + (f":{self.line}" if self.line else "")
                + (f":{self.column}" if self.line and self.column else "")
            )
        if self.path:
            where.append(self.path)
        return (": ".join(where) + ": " if where else "") + self.message

    def in_file(self, file: str) -> SnapshotError:
        return SnapshotError(
            self.message, path=self.path, file=file, line=self.line, column=self.column
        )


# -- typed access with JSON paths ---------------------------------------------------------


def _type_name(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _obj(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise SnapshotError(f"must be an object, not {_type_name(value)}", path=path)
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise SnapshotError(f"must be a list, not {_type_name(value)}", path=path)
    return value


def _str(parent: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
    value = parent.get(key)
    if value is None:
        if required:
            raise SnapshotError(f"missing {key!r}", path=path)
        return None
    if not isinstance(value, str):
        raise SnapshotError(f"must be a string, not {_type_name(value)}", path=f"{path}.{key}")
    return value


def _req(parent: Mapping[str, Any], key: str, path: str) -> str:
    value = _str(parent, key, path)
    assert value is not None
    return value


def _bool(parent: Mapping[str, Any], key: str, path: str) -> bool | None:
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise SnapshotError(f"must be a boolean, not {_type_name(value)}", path=f"{path}.{key}")
    return value


def decode_document(value: Any, path: str) -> Mapping[str, Any]:
    """A policy document as AWS hands it out: an object, JSON text, or URL-encoded JSON text."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise SnapshotError(
            f"a policy document must be an object or a JSON string, not {_type_name(value)}",
            path=path,
        )
    text = value.strip()
    if text.startswith("%7B") or text.startswith("%7b"):
        text = urllib.parse.unquote(text)
    try:
        # The same bounds as a whole file: JSON text inside JSON nests no deeper than objects.
        decoded = load_json(text)
    except PolicyError as exc:
        where = f" (line {exc.line} column {exc.column})" if exc.line is not None else ""
        inner = f" at {exc.field}" if exc.field else ""
        raise SnapshotError(
            f"policy document: {exc.message}{inner}{where}".replace(
                "policy document: not valid JSON", "policy document is not valid JSON"
            ),
            path=path,
        ) from None
    if not isinstance(decoded, dict):
        raise SnapshotError("a policy document must be a JSON object", path=path)
    return decoded


def _tags(raw: Any, path: str) -> tuple[tuple[str, str], ...]:
    out = []
    for i, tag in enumerate(_list(raw or [], path)):
        t = _obj(tag, f"{path}[{i}]")
        out.append(
            (_req(t, "Key", f"{path}[{i}]"), _str(t, "Value", f"{path}[{i}]", required=False) or "")
        )
    return tuple(out)


def _inline(raw: Any, path: str, name_key: str, via: str | None) -> tuple[PolicyDocument, ...]:
    out = []
    for i, item in enumerate(_list(raw or [], path)):
        p = f"{path}[{i}]"
        entry = _obj(item, p)
        name = _req(entry, name_key, p)
        doc = decode_document(entry.get("PolicyDocument"), f"{p}.PolicyDocument")
        out.append(PolicyDocument(PolicySource(PolicyKind.IDENTITY, name, None, via), doc))
    return tuple(out)


def _attached(
    raw: Any, path: str, known: Mapping[str, ManagedPolicy], account_id: str
) -> tuple[str, ...]:
    arns = []
    for i, item in enumerate(_list(raw or [], path)):
        p = f"{path}[{i}]"
        arn = _req(_obj(item, p), "PolicyArn", p)
        if arn not in known and f":iam::{account_id}:" in arn:
            raise SnapshotError(f"unknown policy ARN {arn} (not in iam.Policies)", path=p)
        arns.append(arn)
    return tuple(arns)


def _boundary(raw: Any, path: str) -> str | None:
    if raw is None:
        return None
    return _str(_obj(raw, path), "PermissionsBoundaryArn", path)


# -- IAM ------------------------------------------------------------------------------------


def _managed_policies(raw: Any, path: str) -> dict[str, ManagedPolicy]:
    out: dict[str, ManagedPolicy] = {}
    for i, item in enumerate(_list(raw or [], path)):
        p = f"{path}[{i}]"
        entry = _obj(item, p)
        arn = _req(entry, "Arn", p)
        # moto omits PolicyName: the ARN's last segment is the name.
        name = _str(entry, "PolicyName", p, required=False) or arn.rsplit("/", 1)[-1]
        default = _str(entry, "DefaultVersionId", p, required=False)
        document = None
        for j, version in enumerate(
            _list(entry.get("PolicyVersionList") or [], f"{p}.PolicyVersionList")
        ):
            vp = f"{p}.PolicyVersionList[{j}]"
            v = _obj(version, vp)
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


def _account_from_arns(iam: Mapping[str, Any]) -> tuple[str, str] | None:
    for key in ("UserDetailList", "RoleDetailList", "GroupDetailList"):
        for item in iam.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("Arn"), str):
                parts = item["Arn"].split(":")
                if len(parts) > 4 and _ACCOUNT_ID.match(parts[4]):
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
        name=_req(entry, name_key, p),
        arn=_req(entry, "Arn", p),
        path=_str(entry, "Path", p, required=False) or "/",
        principal_id=_str(entry, id_key, p, required=False) or "",
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


def _principals(
    iam: Mapping[str, Any],
    managed: Mapping[str, ManagedPolicy],
    account_id: str,
    keys: Mapping[str, tuple[AccessKey, ...]],
) -> tuple[IamPrincipal, ...]:
    out: list[IamPrincipal] = []
    for i, item in enumerate(_list(iam.get("UserDetailList") or [], "iam.UserDetailList")):
        p = f"iam.UserDetailList[{i}]"
        u = _obj(item, p)
        groups = _list(u.get("GroupList") or [], f"{p}.GroupList")
        for j, g in enumerate(groups):
            if not isinstance(g, str):
                raise SnapshotError("must be a group name", path=f"{p}.GroupList[{j}]")
        user = _principal(u, p, PrincipalType.USER, managed, account_id, groups=tuple(groups))
        out.append(replace(user, access_keys=keys.get(user.name, ())))
    for i, item in enumerate(_list(iam.get("RoleDetailList") or [], "iam.RoleDetailList")):
        p = f"iam.RoleDetailList[{i}]"
        r = _obj(item, p)
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


def _groups(
    iam: Mapping[str, Any], managed: Mapping[str, ManagedPolicy], account_id: str
) -> dict[str, Group]:
    out: dict[str, Group] = {}
    for i, item in enumerate(_list(iam.get("GroupDetailList") or [], "iam.GroupDetailList")):
        p = f"iam.GroupDetailList[{i}]"
        g = _obj(item, p)
        name = _req(g, "GroupName", p)
        out[name] = Group(
            name=name,
            arn=_req(g, "Arn", p),
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


def _access_keys(raw: Any) -> dict[str, tuple[AccessKey, ...]]:
    out: dict[str, list[AccessKey]] = {}
    for i, item in enumerate(_list(raw or [], "access_keys")):
        p = f"access_keys[{i}]"
        k = _obj(item, p)
        if "SecretAccessKey" in k or "SessionToken" in k:
            raise SnapshotError("a snapshot must never hold secret keys", path=p)
        last = _obj(k.get("AccessKeyLastUsed") or {}, f"{p}.AccessKeyLastUsed")
        out.setdefault(_req(k, "UserName", p), []).append(
            AccessKey(
                key_id=_req(k, "AccessKeyId", p),
                status=_str(k, "Status", p, required=False) or "Active",
                created=_str(k, "CreateDate", p, required=False),
                last_used_date=_str(last, "LastUsedDate", f"{p}.AccessKeyLastUsed", required=False),
                last_used_service=_str(
                    last, "ServiceName", f"{p}.AccessKeyLastUsed", required=False
                ),
                last_used_region=_str(last, "Region", f"{p}.AccessKeyLastUsed", required=False),
            )
        )
    return {k: tuple(v) for k, v in out.items()}


# -- SES and Organizations ------------------------------------------------------------------


def _names(raw: Any, path: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    out = []
    for i, v in enumerate(_list(raw, path)):
        if not isinstance(v, str):
            raise SnapshotError("must be a string", path=f"{path}[{i}]")
        out.append(v)
    return tuple(out)


def _region(name: str, raw: Any) -> RegionState:
    path = f"ses.regions.{name}"
    r = _obj(raw, path)
    identities: dict[str, SesIdentity] = {}
    for i, item in enumerate(_list(r.get("identities") or [], f"{path}.identities")):
        p = f"{path}.identities[{i}]"
        e = _obj(item, p)
        ident = _req(e, "IdentityName", p)
        kind_raw = _req(e, "IdentityType", p)
        if kind_raw == "MANAGED_DOMAIN":
            kind_raw = "DOMAIN"
        try:
            kind = IdentityKind(kind_raw)
        except ValueError:
            raise SnapshotError(
                f"IdentityType must be EMAIL_ADDRESS or DOMAIN, not {kind_raw!r}",
                path=f"{p}.IdentityType",
            ) from None
        policies_raw = e.get("Policies")
        docs = []
        if policies_raw is not None:
            for pname, pdoc in _obj(policies_raw, f"{p}.Policies").items():
                docs.append(
                    PolicyDocument(
                        PolicySource(PolicyKind.RESOURCE, pname, None, f"identity {ident}"),
                        decode_document(pdoc, f"{p}.Policies.{pname}"),
                    )
                )
        identities[ident] = SesIdentity(
            name=ident,
            kind=kind,
            region=name,
            # Missing means not read (the Get was denied): unknown, never "not verified".
            verification_status=_str(e, "VerificationStatus", p, required=False) or "UNKNOWN",
            verified_for_sending=_bool(e, "VerifiedForSendingStatus", p),
            policies=tuple(docs),
            default_configuration_set=_str(e, "ConfigurationSetName", p, required=False),
            policies_known=policies_raw is not None,
        )
    account = r.get("account")
    sending = SendingStatus()
    if account is not None:
        a = _obj(account, f"{path}.account")
        sending = SendingStatus(
            production_access=_bool(a, "ProductionAccessEnabled", f"{path}.account"),
            sending_enabled=_bool(a, "SendingEnabled", f"{path}.account"),
            enforcement_status=_str(a, "EnforcementStatus", f"{path}.account", required=False),
        )
    return RegionState(
        name=name,
        identities=identities,
        configuration_sets=_names(r.get("configuration_sets"), f"{path}.configuration_sets"),
        templates=_names(r.get("templates"), f"{path}.templates"),
        sending=sending,
    )


def _organization(raw: Any) -> Organization:
    if raw is None:
        return Organization(OrgStatus.UNKNOWN, unknown_reason="not read")
    o = _obj(raw, "organizations")
    status_raw = _req(o, "status", "organizations")
    try:
        status = OrgStatus(status_raw)
    except ValueError:
        raise SnapshotError(
            f"status must be one of none, member, management, unknown, not {status_raw!r}",
            path="organizations.status",
        ) from None
    levels_raw = o.get("levels")
    levels = None
    if levels_raw is not None:
        built = []
        for i, item in enumerate(_list(levels_raw, "organizations.levels")):
            p = f"organizations.levels[{i}]"
            lv = _obj(item, p)
            tname = _str(lv, "Name", p, required=False) or _req(lv, "Id", p)
            docs = []
            for j, pol in enumerate(_list(lv.get("Policies") or [], f"{p}.Policies")):
                pp = f"{p}.Policies[{j}]"
                pe = _obj(pol, pp)
                pname = _str(pe, "Name", pp, required=False) or _req(pe, "Id", pp)
                docs.append(
                    PolicyDocument(
                        PolicySource(
                            PolicyKind.SCP,
                            pname,
                            _str(pe, "Arn", pp, required=False),
                            f"{_req(lv, 'Type', p).lower().replace('_', ' ')} {tname}",
                            i,
                        ),
                        decode_document(pe.get("Content"), f"{pp}.Content"),
                    )
                )
            built.append(ScpTarget(_req(lv, "Id", p), tname, _req(lv, "Type", p), tuple(docs)))
        levels = tuple(built)
    if status is OrgStatus.MEMBER and levels is None and not o.get("unknown_reason"):
        raise SnapshotError(
            "a member account needs SCP levels or an unknown_reason", path="organizations"
        )
    return Organization(
        status,
        _str(o, "management_account_id", "organizations", required=False),
        levels,
        _str(o, "unknown_reason", "organizations", required=False),
        _str(o, "id", "organizations", required=False),
    )


def _gaps(raw: Any) -> tuple[ReadGap, ...]:
    out = []
    for i, item in enumerate(_list(raw or [], "gaps")):
        p = f"gaps[{i}]"
        g = _obj(item, p)
        out.append(
            ReadGap(
                _req(g, "what", p),
                _req(g, "where", p),
                _str(g, "permission", p, required=False),
                _req(g, "message", p),
            )
        )
    return tuple(out)


# -- entry points ---------------------------------------------------------------------------


def account_from_snapshot(data: Any, source: str = "") -> Account:
    """Validate a decoded snapshot and build the model; SnapshotError names the first problem."""
    top = _obj(data, "$")
    fmt = top.get("format")
    if fmt != FORMAT:
        raise SnapshotError(
            f"not a sestui snapshot (format {fmt!r}, expected {FORMAT!r})", path="format"
        )
    acct = _obj(top.get("account"), "account")
    account_id = _req(acct, "Id", "account")
    if not _ACCOUNT_ID.match(account_id):
        raise SnapshotError(f"{account_id!r} is not a 12-digit account ID", path="account.Id")
    partition = _str(acct, "Partition", "account", required=False) or "aws"
    iam = _obj(top.get("iam"), "iam")
    managed = _managed_policies(iam.get("Policies"), "iam.Policies")
    principals = _principals(iam, managed, account_id, _access_keys(top.get("access_keys")))
    gaps = _gaps(top.get("gaps"))
    # Keys were read when the snapshot has its "access_keys" section (every sestui snapshot,
    # old ones too; a GetAccountAuthorizationDetails file has none), except for a user whose
    # ListAccessKeys failed (a gap).
    unread = {
        g.what.removeprefix("access keys of ") for g in gaps if g.what.startswith("access keys of ")
    }
    keys_read = "access_keys" in top
    principals = tuple(
        replace(pr, access_keys_known=False)
        if pr.is_user and (not keys_read or pr.name in unread)
        else pr
        for pr in principals
    )
    groups = _groups(iam, managed, account_id)
    for pr in principals:
        for g in pr.groups:
            if g not in groups:
                raise SnapshotError(
                    f"user {pr.name} is in group {g!r}, which is not in iam.GroupDetailList",
                    path="iam.UserDetailList",
                )
    ses_raw = top.get("ses")
    regions: dict[str, RegionState] = {}
    if ses_raw is not None:
        ses = _obj(ses_raw, "ses")
        for name, region in _obj(ses.get("regions") or {}, "ses.regions").items():
            regions[name] = _region(name, region)
    return Account(
        account_id=account_id,
        partition=partition,
        principals=principals,
        groups=groups,
        managed_policies=managed,
        regions=regions,
        organization=_organization(top.get("organizations")),
        gaps=gaps,
        source=source or _str(top, "source", "$", required=False) or "",
        ses_known=ses_raw is not None,
    )


def snapshot_from_iam_json(data: Any) -> dict[str, Any]:
    """Wrap a GetAccountAuthorizationDetails file as a snapshot with SES and SCPs unknown."""
    iam = dict(_obj(data, "$"))
    if "UserDetailList" not in iam and "RoleDetailList" not in iam:
        raise SnapshotError(
            "not a GetAccountAuthorizationDetails file (no UserDetailList)", path="$"
        )
    found = _account_from_arns(iam)
    if found is None:
        raise SnapshotError("cannot tell the account ID: no user, role or group ARN", path="$")
    account_id, partition = found
    return {
        "format": FORMAT,
        "account": {"Id": account_id, "Partition": partition},
        "iam": {
            k: iam.get(k, [])
            for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
        },
        "ses": None,
        "organizations": {
            "status": "unknown",
            "unknown_reason": "an IAM-only file holds no Organizations data",
        },
        "gaps": [
            {
                "what": "SES identities and their policies",
                "where": "iam-json file",
                "permission": None,
                "message": "the file holds only IAM data",
            },
            {
                "what": "SCPs",
                "where": "iam-json file",
                "permission": None,
                "message": "the file holds only IAM data",
            },
        ],
    }


def read_json_file(path: Path) -> Any:
    """A JSON file, bounded (fileio.MAX_INPUT, no devices or silent FIFOs), nesting checked."""
    try:
        text = read_input(str(path))
    except InputError as exc:
        raise SnapshotError(exc.reason, file=str(path)) from None
    if not text.strip():
        raise SnapshotError("the file is empty", file=str(path))
    try:
        return load_json(text, bounded=False)
    except PolicyError as exc:
        hint = ""
        if exc.message.startswith("not valid JSON") and exc.line is not None:
            # The error sits on the last line: the file was probably cut short.
            hint = " (truncated?)" if exc.line >= text.rstrip().count("\n") + 1 else ""
        raise SnapshotError(
            exc.message + hint, file=str(path), line=exc.line, column=exc.column, path=exc.field
        ) from None


def load_snapshot(path: Path) -> tuple[Account, dict[str, Any]]:
    data = read_json_file(path)
    try:
        return account_from_snapshot(data, f"snapshot {path}"), data
    except SnapshotError as exc:
        raise exc.in_file(str(path)) from None


def load_iam_json(path: Path) -> tuple[Account, dict[str, Any]]:
    data = read_json_file(path)
    try:
        snap = snapshot_from_iam_json(data)
        return account_from_snapshot(snap, f"iam-json {path}"), snap
    except SnapshotError as exc:
        raise exc.in_file(str(path)) from None


def save_snapshot(data: Mapping[str, Any], path: Path, *, secrets: Iterable[str] = ()) -> None:
    """Validate, refuse secrets, then write atomically with mode 0600.

    `secrets`: the credential values the read used (secret key, session token); the text must
    not hold any of them, wherever it would be.
    """
    account_from_snapshot(data)
    _refuse_secrets(data)
    # json_text: a snapshot shown with `cat` must not drive the terminal either.
    text = json_text(data, indent=1, default=str) + "\n"
    for secret in secrets:
        # Short values would match by chance; every AWS secret and token is far longer.
        if secret and len(secret) >= 16 and secret in text:
            raise SnapshotError(
                "refusing to write a secret into a snapshot: a credential of the read"
            )
    write_output(path, text)


# What sestui itself takes from the APIs that hand out credential data (iam:ListAccessKeys,
# iam:GetAccessKeyLastUsed, sts:GetCallerIdentity): only these fields. Words inside policy
# documents (a condition key named `SessionToken` or `Password`) are policy text, not secrets.
_ACCESS_KEY_FIELDS = frozenset(
    {"UserName", "AccessKeyId", "Status", "CreateDate", "AccessKeyLastUsed"}
)
_SECRET_FIELDS = frozenset(
    {"SecretAccessKey", "SessionToken", "aws_secret_access_key", "aws_session_token"}
)


def _refuse_secrets(data: Mapping[str, Any]) -> None:
    for i, key in enumerate(data.get("access_keys") or []):
        extra = sorted(set(key) - _ACCESS_KEY_FIELDS) if isinstance(key, Mapping) else []
        if extra:
            raise SnapshotError(
                "refusing to write a secret into a snapshot: an access key holds "
                f"{', '.join(extra)}",
                path=f"access_keys[{i}]",
            )
    account = data.get("account")
    if isinstance(account, Mapping):
        extra = sorted(set(account) & _SECRET_FIELDS)
        if extra:
            raise SnapshotError(
                f"refusing to write a secret into a snapshot: the caller holds {', '.join(extra)}",
                path="account",
            )
