"""Decoding the Organizations part of a snapshot: the account's place and its SCP chain."""

from __future__ import annotations

from typing import Any

from sestui.account.decode.paths import (
    SnapshotError,
    decode_document,
    json_list,
    json_object,
    json_required,
    json_str,
)
from sestui.account.model import (
    Organization,
    OrgStatus,
    PolicyDocument,
    ScpTarget,
)
from sestui.policy import PolicyKind, PolicySource


def decode_organization(raw: Any) -> Organization:
    if raw is None:
        return Organization(OrgStatus.UNKNOWN, unknown_reason="not read")
    o = json_object(raw, "organizations")
    status_raw = json_required(o, "status", "organizations")
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
        for i, item in enumerate(json_list(levels_raw, "organizations.levels")):
            p = f"organizations.levels[{i}]"
            lv = json_object(item, p)
            tname = json_str(lv, "Name", p, required=False) or json_required(lv, "Id", p)
            docs = []
            for j, pol in enumerate(json_list(lv.get("Policies") or [], f"{p}.Policies")):
                pp = f"{p}.Policies[{j}]"
                pe = json_object(pol, pp)
                pname = json_str(pe, "Name", pp, required=False) or json_required(pe, "Id", pp)
                docs.append(
                    PolicyDocument(
                        PolicySource(
                            PolicyKind.SCP,
                            pname,
                            json_str(pe, "Arn", pp, required=False),
                            f"{json_required(lv, 'Type', p).lower().replace('_', ' ')} {tname}",
                            i,
                        ),
                        decode_document(pe.get("Content"), f"{pp}.Content"),
                    )
                )
            built.append(
                ScpTarget(
                    json_required(lv, "Id", p), tname, json_required(lv, "Type", p), tuple(docs)
                )
            )
        levels = tuple(built)
    if status is OrgStatus.MEMBER and levels is None and not o.get("unknown_reason"):
        raise SnapshotError(
            "a member account needs SCP levels or an unknown_reason", path="organizations"
        )
    return Organization(
        status,
        json_str(o, "management_account_id", "organizations", required=False),
        levels,
        json_str(o, "unknown_reason", "organizations", required=False),
        json_str(o, "id", "organizations", required=False),
    )
