"""The permissions boundary, when set, must allow the send too."""

from __future__ import annotations

from typing import Any

from sestui.policy import PolicyKind
from sestui.verdict.analysis import Analysis
from sestui.verdict.common import denials_of, finding, short, unique
from sestui.verdict.fixes import allow_statement, edit_policy
from sestui.verdict.model import Check, CheckResult, Finding, Status

CHECK_ID = "permissions-boundary"
TITLE = "Permissions boundary"


def run(a: Analysis) -> CheckResult:
    arn = a.policies.boundary_arn
    if not arn:
        return CHECK.result(Status.NA, "no permissions boundary")
    doc = a.boundary_doc
    if doc is None:
        return CHECK.result(Status.UNKNOWN, f"the boundary {arn} could not be read")
    errors = [e for d, e in a.parse_errors if d is doc]
    if errors:
        return CHECK.result(Status.UNKNOWN, f"policy does not parse: {errors[0]}")
    findings: list[Finding] = []
    blocked = []
    for ev in a.evaluations:
        e = ev.evaluation
        for t in denials_of(e, PolicyKind.BOUNDARY):
            findings.append(finding(a, t, f"denies {ev.action}"))
            blocked.append(ev)
        if e.boundary_allows is False:
            blocked.append(ev)
            near = e.near_misses(PolicyKind.BOUNDARY)
            for t in near:
                findings.append(
                    finding(a, t, f"allows {ev.action} but not here: {t.reason(a.unknown)}")
                )
            if not near:
                findings.append(Finding(f"no statement allows {ev.action}", doc))
    name = doc.source.name
    if not blocked:
        return CHECK.result(
            Status.PASS,
            f"{name} allows the send",
            explanation="The boundary caps what identity policies can grant; it allows this.",
        )
    actions = [ev.action for ev in blocked]
    resources = [ev.resource for ev in blocked]

    def change(stmts: list[dict[str, Any]]) -> None:
        stmts.append(allow_statement(actions, resources, "AllowSesSendingWithinBoundary"))

    fix = edit_policy(
        f"Let the boundary {name} allow the sending actions",
        doc,
        change,
        "A boundary only caps permissions: the identity policy must still allow.",
    )
    return CHECK.result(
        Status.FAIL,
        f"boundary {name} does not allow "
        + ", ".join(sorted({f"{ev.action} on {short(ev.resource)}" for ev in blocked})),
        explanation="A permissions boundary sets the most an identity policy can grant: even "
        "AmazonSESFullAccess cannot send when the boundary leaves SES out.",
        findings=unique(findings),
        fix=fix,
    )


CHECK = Check(CHECK_ID, TITLE, run)
