"""The identity exists and is verified in this region (else a different 554)."""

from __future__ import annotations

from sestui.account import RegionState
from sestui.verdict.analysis import Analysis
from sestui.verdict.messages import unverified_text
from sestui.verdict.model import Check, CheckResult, Status

CHECK_ID = "verification"
TITLE = "Identity verified in the region"


def run(a: Analysis) -> CheckResult:
    region = a.selection.region
    if not a.identity_account.ses_known or a.identity_region is None:
        return CHECK.result(Status.UNKNOWN, f"SES identities in {region} were not read")
    if a.delegate_owner and a.owner is None:
        return CHECK.result(
            Status.UNKNOWN,
            f"{a.identity_name} belongs to account {a.delegate_owner}, which is not loaded",
            explanation="A delegate sender sends as the owner's identity; its verification status "
            "is in "
            "the owner's account.",
        )
    if a.identity is not None and not a.identity.verification_known:
        return CHECK.result(
            Status.UNKNOWN,
            f"the verification status of {a.identity.name} was not read",
            explanation="; ".join(
                g.describe() for g in a.identity_account.gaps_about(a.identity.name)
            ),
        )
    if a.identity is not None:
        via = (
            f" (From {a.from_address} uses it)"
            if a.from_address and a.from_address != a.identity.name
            else ""
        )
        return CHECK.result(Status.PASS, f"{a.identity.name} is verified in {region}{via}")
    name = a.from_address or a.identity_name
    elsewhere = sorted(
        r
        for r, st in a.identity_account.regions.items()
        if r != region and _verified_in(st, a, name)
    )
    unverified = a.resolution.unverified if a.resolution else ()
    detail = ""
    if unverified:
        detail = (
            " "
            + ", ".join(f"{i.name} is {i.verification_status.lower()}" for i in unverified)
            + "."
        )
    if elsewhere:
        detail += (
            f" It is verified in {', '.join(elsewhere)}: identities are per region, so "
            f"verify it in {region} too or send through that region."
        )
    return CHECK.result(
        Status.FAIL,
        f"no verified identity covers {name} in {region}",
        explanation=f"SES refuses the send before any policy is read, with: "
        f"{unverified_text(a)}.{detail}",
    )


def _verified_in(state: RegionState, a: Analysis, name: str) -> bool:
    """An address counts as verified where an identity covering it is; an identity given by
    name only where that identity itself is (a parent domain verified elsewhere does not make
    a subdomain identity verified: identities are per name and per region)."""
    found = state.resolve(name).identity if a.from_address else state.identity(name)
    return found is not None and found.verified


CHECK = Check(CHECK_ID, TITLE, run)
