"""The identity's sending-authorization policies (the address's policy takes precedence
over its domain's) neither deny this principal nor, across accounts, fail to allow it."""

from __future__ import annotations

from typing import Any

from sestui.account import PolicyDocument
from sestui.policy import PolicyKind, PolicySource, PrincipalMatch
from sestui.verdict.analysis import Analysis
from sestui.verdict.common import denials_of, finding, unique
from sestui.verdict.fixes import as_list, edit_policy
from sestui.verdict.model import Check, CheckResult, Finding, Fix, Status

CHECK_ID = "sending-authorization"
TITLE = "Sending-authorization policy on the identity"


def _unname(index: int, principal_arns: set[str]) -> Any:
    def change(stmts: list[dict[str, Any]]) -> None:
        st = stmts[index]
        principal = st.get("Principal")
        if isinstance(principal, dict) and "AWS" in principal:
            kept = [p for p in as_list(principal["AWS"]) if p not in principal_arns]
            if kept and len(kept) < len(as_list(principal["AWS"])):
                principal["AWS"] = kept if len(kept) > 1 else kept[0]
                return
        del stmts[index]

    return change


def run(a: Analysis) -> CheckResult:
    if a.delegate_owner and a.owner is None:
        # Sending authorization: the owner's policy must allow the delegate (cross-account).
        return CHECK.result(
            Status.UNKNOWN,
            f"the policy on {a.identity_arn} is in account {a.delegate_owner}, not loaded",
            explanation="A delegate send needs the identity owner's sending-authorization policy "
            "to allow "
            "this principal, and this principal's own policies to allow the action on the "
            "owner's identity ARN. Load the owner's account to read its side.",
        )
    region = a.identity_region
    if not a.identity_account.ses_known or region is None:
        return CHECK.result(Status.UNKNOWN, f"SES identities in {a.selection.region} were not read")
    identity = region.identity(a.identity_name)
    if identity is not None and not identity.policies_known:
        gaps = a.identity_account.gaps_about(identity.name)
        return CHECK.result(
            Status.UNKNOWN,
            f"the policies of {identity.name} could not be read",
            explanation="; ".join(g.describe() for g in gaps),
        )
    errors = [(d, e) for d, e in a.parse_errors if d.source.kind is PolicyKind.RESOURCE]
    if errors:
        return CHECK.result(
            Status.UNKNOWN,
            f"policy does not parse: {errors[0][1]}",
            findings=tuple(Finding(str(e), d) for d, e in errors),
        )
    precedence = ""
    if identity is not None and "@" in identity.name:
        domain = region.identity(identity.name.rpartition("@")[2])
        if domain is not None and domain.policies:
            precedence = (
                f" The policy on {identity.name} takes precedence over the "
                f"{len(domain.policies)} polic{'y' if len(domain.policies) == 1 else 'ies'} "
                f"on {domain.name}."
            )
    if not a.resource_docs and a.owner is not None:
        return CHECK.result(
            Status.FAIL,
            f"no sending-authorization policy on {a.identity_name} in account {a.owner.title}",
            explanation=f"{a.principal.arn} is in account {a.account.title}: a delegate sender "
            "may send as another account's identity only if the owner's sending-authorization "
            "policy on it allows the sender. Without a policy, SES refuses the send.",
            fix=edit_policy(
                f"Add a sending-authorization policy to {a.identity_name} that allows "
                f"{a.principal.arn}",
                _new_policy(a, a.owner.title),
                lambda stmts: stmts.append(_grant_statement(a)),
                "A policy on the identity (SES identity policy), not an IAM policy.",
            ),
        )
    if not a.resource_docs:
        return CHECK.result(
            Status.PASS,
            f"no sending-authorization policy on {a.identity_name}",
            explanation="Without one, the principal's IAM policies alone decide." + precedence,
        )
    findings: list[Finding] = []
    fix: Fix | None = None
    for ev in a.evaluations:
        if ev.resource_type != "identity":
            continue
        for t in denials_of(ev.evaluation, PolicyKind.RESOURCE):
            why = "denies this principal"
            if t.forced_by_boundary:
                why = (
                    "NotPrincipal with Deny denies every principal that has a permissions "
                    "boundary, whatever NotPrincipal lists"
                )
            findings.append(finding(a, t, why))
            doc = a.document_of(t.policy)
            if fix is None and doc is not None:
                names = {a.principal.arn, a.request_arn}
                fix = edit_policy(
                    "Stop denying this principal",
                    doc,
                    _unname(t.statement.index, names),
                    "Or keep the Deny and send as a principal it does not name.",
                )
    if findings:
        return CHECK.result(
            Status.FAIL,
            f"{findings[0].where()} denies {a.principal.name}",
            explanation="An explicit Deny in the identity's sending-authorization policy "
            "overrides any Allow, even for users of the identity's own account." + precedence,
            findings=unique(findings),
            fix=fix,
        )
    ident_evs = [ev for ev in a.evaluations if ev.resource_type == "identity"]
    if any(
        ev.evaluation.cross_account and ev.evaluation.resource_grant is None for ev in ident_evs
    ):
        owner = f" of account {a.owner.title}" if a.owner else ""
        missing = None
        if a.owner is not None and a.resource_docs:
            missing = edit_policy(
                f"Allow {a.principal.arn} in the policy on {a.identity_name}",
                a.resource_docs[0],
                lambda stmts: stmts.append(_grant_statement(a)),
            )
        return CHECK.result(
            Status.FAIL,
            f"cross-account: the identity's policy{owner} does not allow this principal",
            explanation="A principal of another account needs an Allow in the identity "
            "owner's sending-authorization policy as well as its own IAM policy."
            + (
                f" The principal is in account {a.account.title}; the policy does not name it "
                "or its account."
                if a.owner
                else ""
            ),
            findings=tuple(Finding("does not allow this principal", d) for d in a.resource_docs),
            fix=missing,
        )
    grants = [t for ev in ident_evs for t in ev.evaluation.allows(PolicyKind.RESOURCE)]
    for t in grants[:1]:
        named = t.principal_match is PrincipalMatch.PRINCIPAL
        findings.append(
            finding(
                a,
                t,
                "names this principal and allows the send"
                if named
                else "allows the account; IAM policies must also allow",
            )
        )
    return CHECK.result(
        Status.PASS,
        f"{len(a.resource_docs)} polic{'y' if len(a.resource_docs) == 1 else 'ies'}"
        f" on {a.identity_name}, none denies this principal",
        explanation="The identity's sending-authorization policies are evaluated with the "
        "principal's IAM policies." + precedence,
        findings=tuple(findings),
    )


def _grant_statement(a: Analysis) -> dict[str, Any]:
    """An Allow for this principal (by ARN) on the identity, for the actions of the send."""
    actions = sorted({x for x in a.selection.effective_actions if x.lower().startswith("ses:send")})
    return {
        "Sid": "AllowDelegateSender",
        "Effect": "Allow",
        "Principal": {"AWS": a.principal.arn},
        "Action": actions or ["ses:SendRawEmail"],
        "Resource": a.identity_arn,
    }


def _new_policy(a: Analysis, account: str) -> PolicyDocument:
    """An empty sending-authorization policy on the identity, to be created in `account`."""
    source = PolicySource(
        PolicyKind.RESOURCE, "DelegateSenders", None, f"identity {a.identity_name}", account=account
    )
    return PolicyDocument(source, {"Version": "2012-10-17", "Statement": []})


CHECK = Check(CHECK_ID, TITLE, run)
