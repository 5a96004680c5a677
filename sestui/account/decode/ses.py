"""Decoding the SES part of a snapshot: each region's identities, policies, sending status."""

from __future__ import annotations

from typing import Any

from sestui.account.decode.paths import (
    SnapshotError,
    decode_document,
    json_bool,
    json_list,
    json_object,
    json_required,
    json_str,
)
from sestui.account.model import (
    IdentityKind,
    PolicyDocument,
    RegionState,
    SendingStatus,
    SesIdentity,
)
from sestui.policy import PolicyKind, PolicySource

# -- SES and Organizations ------------------------------------------------------------------


def _names(raw: Any, path: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    out = []
    for i, v in enumerate(json_list(raw, path)):
        if not isinstance(v, str):
            raise SnapshotError("must be a string", path=f"{path}[{i}]")
        out.append(v)
    return tuple(out)


def decode_region(name: str, raw: Any) -> RegionState:
    path = f"ses.regions.{name}"
    r = json_object(raw, path)
    identities: dict[str, SesIdentity] = {}
    for i, item in enumerate(json_list(r.get("identities") or [], f"{path}.identities")):
        p = f"{path}.identities[{i}]"
        e = json_object(item, p)
        ident = json_required(e, "IdentityName", p)
        kind_raw = json_required(e, "IdentityType", p)
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
            for pname, pdoc in json_object(policies_raw, f"{p}.Policies").items():
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
            verification_status=json_str(e, "VerificationStatus", p, required=False) or "UNKNOWN",
            verified_for_sending=json_bool(e, "VerifiedForSendingStatus", p),
            policies=tuple(docs),
            default_configuration_set=json_str(e, "ConfigurationSetName", p, required=False),
            policies_known=policies_raw is not None,
        )
    account = r.get("account")
    sending = SendingStatus()
    if account is not None:
        a = json_object(account, f"{path}.account")
        sending = SendingStatus(
            production_access=json_bool(a, "ProductionAccessEnabled", f"{path}.account"),
            sending_enabled=json_bool(a, "SendingEnabled", f"{path}.account"),
            enforcement_status=json_str(a, "EnforcementStatus", f"{path}.account", required=False),
        )
    return RegionState(
        name=name,
        identities=identities,
        configuration_sets=_names(r.get("configuration_sets"), f"{path}.configuration_sets"),
        templates=_names(r.get("templates"), f"{path}.templates"),
        sending=sending,
    )
