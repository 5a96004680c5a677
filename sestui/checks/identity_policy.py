"""The principal's identity-based policies allow each sending action on every resource."""

from __future__ import annotations

from sestui.policy import (
    Effect,
    Evaluation,
    Miss,
    PolicyKind,
    PrincipalMatch,
    Request,
    StatementTrace,
    evaluate_statement,
)
from sestui.verdict.analysis import Analysis
from sestui.verdict.common import (
    denials_of,
    finding,
    identity_allow_statements,
    short,
    unique,
)
from sestui.verdict.fixes import add_policy, allow_statement
from sestui.verdict.model import Check, CheckResult, Finding, ResourceEvaluation, Status
from sestui.verdict.selection import SENDING_ACTIONS

CHECK_ID = "identity-policy"
TITLE = "Identity policies allow sending"


def _other_actions(a: Analysis, ev: ResourceEvaluation) -> list[Finding]:
    """Allow statements that grant another sending action on this resource: a classic cause
    (SMTP and the v2 SendEmail with raw content are authorized as ses:SendRawEmail)."""
    out = []
    others = [x for x in SENDING_ACTIONS if x.lower() != ev.action.lower()]
    requests = [Request.build(a.request_arn, x, ev.resource, a.context) for x in others]
    for _, policy, st in identity_allow_statements(a):
        for other, request in zip(others, requests, strict=True):
            t = evaluate_statement(policy, st, request)
            if t.applies:
                why = f"allows {other} on {short(ev.resource)}, but this send is authorized as"
                out.append(finding(a, t, f"{why} {ev.action}"))
                break
    return out


def _key(t: StatementTrace) -> tuple[object, int]:
    return (t.policy.source, t.statement.index)


def _direct(e: Evaluation) -> bool:
    """A resource policy grants this principal itself (same account): no identity policy needed."""
    return (
        e.resource_grant in (PrincipalMatch.PRINCIPAL, PrincipalMatch.ROLE) and not e.cross_account
    )


def run(a: Analysis) -> CheckResult:
    errors = [(d, e) for d, e in a.parse_errors if d.source.kind is PolicyKind.IDENTITY]
    findings: list[Finding] = []
    missing = []
    # A statement that allows the identity but not the configuration set is one near miss,
    # said once ("allows … on the identity, but its Resource does not cover the set"), not an
    # allow and a miss: which statements allow which of the request's resources, and which miss
    # one on its Resource, first.
    allowed_on: dict[tuple[object, int], list[str]] = {}
    missed: set[tuple[object, int]] = set()
    for ev in a.evaluations:
        e = ev.evaluation
        if e.identity_allows:
            for t in e.allows(PolicyKind.IDENTITY)[:1]:
                allowed_on.setdefault(_key(t), []).append(short(ev.resource))
        elif not _direct(e):
            missed.update(
                _key(t) for t in e.near_misses(PolicyKind.IDENTITY) if Miss.RESOURCE in t.misses
            )
    merged = allowed_on.keys() & missed
    for ev in a.evaluations:
        e = ev.evaluation
        for t in denials_of(e, PolicyKind.IDENTITY):
            findings.append(finding(a, t, f"explicitly denies {ev.action} on {short(ev.resource)}"))
        if e.identity_allows:
            for t in e.allows(PolicyKind.IDENTITY)[:1]:
                if _key(t) not in merged:
                    findings.append(finding(a, t, f"allows {ev.action} on {short(ev.resource)}"))
            continue
        if _direct(e):
            continue
        missing.append(ev)
        near = e.near_misses(PolicyKind.IDENTITY)
        if not near:
            findings.extend(_other_actions(a, ev))
        for t in near:
            if Miss.RESOURCE in t.misses and _key(t) in merged:
                why = (
                    f"allows {ev.action} on {', '.join(allowed_on[_key(t)])}, but its Resource "
                    f"does not cover {short(ev.resource)}"
                )
            elif Miss.RESOURCE in t.misses:
                why = f"allows {ev.action}, but its Resource does not cover {short(ev.resource)}"
            else:
                why = f"allows {ev.action} on {short(ev.resource)} only if: {t.reason(a.unknown)}"
            findings.append(finding(a, t, why))

    denied = [f for f in findings if f.effect is Effect.DENY]
    names = ", ".join(f"{ev.action} on {short(ev.resource)}" for ev in missing)
    if errors and (missing or not findings):
        return CHECK.result(
            Status.UNKNOWN,
            f"policy does not parse: {errors[0][1]}",
            explanation="A policy in force for this principal could not be read, so the result is "
            "unknown.",
            findings=tuple(Finding(str(e), d) for d, e in errors),
        )
    if a.policies.unknown and missing:
        return CHECK.result(
            Status.UNKNOWN,
            f"{len(a.policies.unknown)} attached policy document(s) not read",
            explanation="These attached policies could not be read, and one of them may allow the "
            "send: " + ", ".join(a.policies.unknown),
            findings=unique(findings),
        )
    if denied:
        return CHECK.result(
            Status.FAIL,
            denied[0].reason + f" ({denied[0].where()})",
            explanation="An explicit Deny in an identity policy overrides every Allow. Remove the "
            "statement "
            "or narrow it so it no longer matches this send.",
            findings=unique(findings),
        )
    if missing:
        fix = add_policy(
            "Allow the sending actions on every resource of the request",
            [allow_statement([ev.action for ev in missing], [ev.resource for ev in missing])],
            "Attach as an inline policy of the principal (or add the statement to an existing "
            "policy).",
        )
        close = bool(findings)
        return CHECK.result(
            Status.FAIL,
            f"no identity policy allows {names}",
            explanation="SES authorizes every send against the principal's IAM policies: its own "
            "inline and "
            "managed policies and those of every group it is in. "
            + (
                "Some statements come close; they are marked."
                if close
                else "None of them allows this action on this resource."
            ),
            findings=unique(findings),
            fix=fix,
        )
    summary = "allowed: " + (
        findings[0].where() if findings else "a sending-authorization policy names this principal"
    )
    return CHECK.result(
        Status.PASS,
        summary,
        explanation="Every action of the request is allowed on every resource.",
        findings=unique(findings),
    )


CHECK = Check(CHECK_ID, TITLE, run)
