"""The Organizations SCP chain: an Allow at every level, no Deny at any (regions too)."""

from __future__ import annotations

from typing import Any

from sestui.account import OrgStatus
from sestui.policy import PolicyKind
from sestui.verdict.analysis import Analysis, ScpState
from sestui.verdict.common import denials_of, finding, unique
from sestui.verdict.fixes import allow_statement, as_list, edit_policy
from sestui.verdict.model import Check, CheckResult, Finding, Fix, Status

CHECK_ID = "scp"
TITLE = "Service control policies"
REGION_KEY = "aws:requestedregion"


def _add_region(index: int, region: str) -> Any:
    def change(stmts: list[dict[str, Any]]) -> None:
        for block in stmts[index].get("Condition", {}).values():
            for key in list(block):
                if key.lower() == REGION_KEY:
                    block[key] = [*as_list(block[key]), region]

    return change


def run(a: Analysis) -> CheckResult:
    org = a.account.organization
    state = a.scp_state
    if state is ScpState.NA:
        why = (
            "this is the organization's management account: SCPs never restrict it"
            if org.status is OrgStatus.MANAGEMENT
            else "the account is not in an organization"
        )
        return CHECK.result(Status.NA, why)
    if state is ScpState.UNKNOWN:
        reason = org.unknown_reason or "the SCPs could not be read"
        return CHECK.result(
            Status.UNKNOWN,
            f"unknown: {reason}",
            explanation="SCPs can deny a send that every other policy allows. Read them with "
            "--org-profile (the management account or a delegated administrator).",
        )
    levels = org.levels or ()
    findings: list[Finding] = []
    fix: Fix | None = None
    region_words = ""
    for ev in a.evaluations:
        e = ev.evaluation
        for t in denials_of(e, PolicyKind.SCP):
            keys = {c.condition.key_lower for c in t.conditions}
            reason = f"denies {ev.action}"
            if REGION_KEY in keys:
                reason += f" in {a.selection.region} (a region restriction)"
                region_words = f" {a.selection.region} is outside the regions the SCP allows."
                doc = a.document_of(t.policy)
                if fix is None and doc is not None:
                    fix = edit_policy(
                        f"Add {a.selection.region} to the allowed regions",
                        doc,
                        _add_region(t.statement.index, a.selection.region),
                        "Only the organization's administrators can change SCPs.",
                    )
            findings.append(finding(a, t, reason))
        for level in e.scp_levels:
            if level.allowed:
                continue
            target = levels[level.index] if level.index < len(levels) else None
            where = (
                f"{target.type.lower().replace('_', ' ')} {target.name}"
                if target
                else f"level {level.index}"
            )
            for t in e.near_misses(PolicyKind.SCP):
                if t.policy.source.level == level.index:
                    findings.append(
                        finding(a, t, f"allows {ev.action} only if: {t.reason(a.unknown)}")
                    )
            if target and target.policies:
                findings.append(
                    Finding(f"no SCP attached to {where} allows {ev.action}", target.policies[0])
                )
                if fix is None:

                    def change(stmts: list[dict[str, Any]], act: str = ev.action) -> None:
                        stmts.append(allow_statement([act], ["*"], "AllowSesSending"))

                    fix = edit_policy(
                        f"Allow {ev.action} in an SCP attached to {where}",
                        target.policies[0],
                        change,
                        "Only the organization's administrators can change SCPs.",
                    )
            else:
                findings.append(Finding(f"no SCP is attached to {where}: it blocks everything"))
    if findings:
        return CHECK.result(
            Status.FAIL,
            findings[0].reason + " — " + (findings[0].where() or "SCP chain"),
            explanation="SCPs cap every principal of a member account: each level from the "
            "root through each OU to the account needs an Allow, and a Deny at any "
            "level wins." + region_words,
            findings=unique(findings),
            fix=fix,
        )
    return CHECK.result(
        Status.PASS,
        f"all {len(levels)} levels allow the send",
        explanation=" > ".join(f"{lv.name} ({len(lv.policies)})" for lv in levels),
    )


CHECK = Check(CHECK_ID, TITLE, run)
