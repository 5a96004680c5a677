"""Which identity ARN SES authorizes for this From address, and whether the policies'
Resource covers that one (not only the domain, not another region)."""

from __future__ import annotations

from typing import Any

from sestui.policy import Miss, PolicyKind, glob_match, resource_matches
from sestui.verdict.analysis import Analysis
from sestui.verdict.common import finding, short, unique
from sestui.verdict.fixes import as_list, edit_policy
from sestui.verdict.model import Check, CheckResult, Finding, Fix, Status

CHECK_ID = "identity-resolution"
TITLE = "The identity ARN SES checks"


def _add_resource(index: int, arn: str) -> Any:
    def change(stmts: list[dict[str, Any]]) -> None:
        st = stmts[index]
        st["Resource"] = [*as_list(st.get("Resource", [])), arn]

    return change


def _other_region(a: Analysis, patterns: list[str]) -> str | None:
    """A pattern that names this identity, but in another region (read from the pattern)."""
    region = a.selection.region
    for p in patterns:
        parts = p.split(":", 5)
        if len(parts) != 6 or glob_match(parts[3], region, ignore_case=True):
            continue
        if glob_match(parts[5], f"identity/{a.identity_name}") and (
            parts[4] in ("*", a.account.account_id)
        ):
            return (
                f"names the identity in {parts[3]}, but this send goes through {region}: "
                "identities and their ARNs are per region"
            )
    return None


def _kind_words(a: Analysis) -> str:
    if a.identity is None:
        return "not verified"
    if "@" in a.identity.name:
        return "email address identity"
    if a.from_address and a.identity.name != a.from_address.rpartition("@")[2].lower():
        return "parent domain identity"
    return "domain identity"


def run(a: Analysis) -> CheckResult:
    if a.delegate_owner:
        return CHECK.result(
            Status.PASS,
            f"SES checks {a.identity_arn}, the identity ARN given (account "
            f"{a.owner.title if a.owner else a.delegate_owner})",
        )
    if not a.account.ses_known or a.region is None:
        return CHECK.result(
            Status.UNKNOWN,
            f"SES identities in {a.selection.region} were not read; SES would "
            f"check {short(a.identity_arn)} if it is verified there",
        )
    chain = ""
    if a.resolution and a.from_address:
        chain = (
            " SES looks for a verified identity in this order: "
            + " > ".join(a.resolution.candidates)
            + "."
        )
    summary = f"SES checks {short(a.identity_arn)} ({_kind_words(a)})"
    alternatives: list[tuple[str, str]] = []  # (arn, why it is not the one SES checks)
    if a.resolution and a.identity is not None:
        # The less specific identities (the parent domains) that SES does not check.
        candidates = a.resolution.candidates
        if a.identity.name in candidates:
            for name in candidates[candidates.index(a.identity.name) + 1 :]:
                alternatives.append((a.arn("identity", name), name))
    findings: list[Finding] = []
    fix: Fix | None = None
    for ev in a.evaluations:
        if ev.resource_type != "identity" or ev.decision.allowed:
            continue
        for t in ev.evaluation.near_misses(PolicyKind.IDENTITY):
            if t.misses != (Miss.RESOURCE,):
                continue
            resources = [r.text for r in t.statement.resources]
            why = None
            for arn, name in alternatives:
                if any(resource_matches(p, arn) for p in resources):
                    why = (
                        f"names {name}, but {a.identity_name} is verified as an identity of "
                        f"its own, so SES checks {short(a.identity_arn)}"
                    )
                    break
            if why is None:
                why = _other_region(a, resources)
            if why is None:
                continue
            findings.append(finding(a, t, why))
            doc = a.document_of(t.policy)
            if fix is None and doc is not None:
                fix = edit_policy(
                    f"Add {short(a.identity_arn)} to the statement's Resource",
                    doc,
                    _add_resource(t.statement.index, a.identity_arn),
                )
    if findings:
        return CHECK.result(
            Status.FAIL,
            f"the policy covers another identity ARN than {short(a.identity_arn)}",
            explanation="SES authorizes the send against the most specific verified identity "
            "in the region: the email address if it is verified on its own, else "
            "the deepest verified subdomain, else the domain." + chain,
            findings=unique(findings),
            fix=fix,
        )
    if a.identity is None:
        return CHECK.result(
            Status.WARN,
            f"no verified identity covers {a.from_address or a.identity_name} in "
            f"{a.selection.region}; SES would check {short(a.identity_arn)}",
            explanation="See the verification check." + chain,
        )
    return CHECK.result(
        Status.PASS,
        summary,
        explanation=f"The request is authorized against {a.identity_arn}." + chain,
    )


CHECK = Check(CHECK_ID, TITLE, run)
