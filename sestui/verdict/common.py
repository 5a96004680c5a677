"""Helpers the checks share: findings from traces, resource names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sestui.account import PolicyDocument
from sestui.policy import (
    Effect,
    Evaluation,
    Policy,
    PolicyError,
    PolicyKind,
    Statement,
    StatementTrace,
)
from sestui.verdict.analysis import Analysis
from sestui.verdict.model import Finding


def identity_allow_statements(
    a: Analysis,
) -> Iterator[tuple[PolicyDocument, Policy, Statement]]:
    """Every Allow statement with an Action list in the principal's parsable identity policies
    (unparsable ones are reported by the identity-policy check)."""
    for doc in a.identity_docs:
        try:
            policy = doc.policy
        except PolicyError:
            continue
        for st in policy.statements:
            if st.effect is Effect.ALLOW and not st.not_action:
                yield doc, policy, st


def finding(a: Analysis, trace: StatementTrace, reason: str) -> Finding:
    return Finding.of(trace, a.document_of(trace.policy), reason)


def short(arn: str) -> str:
    """`identity/example.com`, `configuration-set/x` or `*`: the part people recognise."""
    return arn.split(":", 5)[5] if arn.count(":") >= 5 else arn


def denials_of(ev: Evaluation, kind: PolicyKind) -> tuple[StatementTrace, ...]:
    return tuple(t for t in ev.denials() if t.kind is kind)


def unique(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for f in findings:
        key = (f.document.source if f.document else None, f.statement, f.reason)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return tuple(out)
