"""Conditions whose outcome depends on request values (From address, recipients,
source IP, time…), each key with its value and the values that would pass."""

from __future__ import annotations

from typing import Any

from sestui.policy import ConditionOutcome, Effect, Miss, StatementTrace
from sestui.verdict.analysis import Analysis
from sestui.verdict.common import finding, unique
from sestui.verdict.context import RequestContext
from sestui.verdict.fixes import as_list, edit_policy
from sestui.verdict.model import Check, CheckResult, Finding, Fix, Status

CHECK_ID = "conditions"
TITLE = "Conditions on request values"
_WIDENABLE = ("StringEquals", "StringLike", "StringEqualsIgnoreCase")


def _value(a: Analysis, key: str) -> str:
    for k, v in a.context.items():
        if k.lower() == key:
            return ", ".join(v) if isinstance(v, list) else str(v)
    unknown = RequestContext(a.context, a.unknown).unknown_of(key)
    if unknown is not None:
        return f"unknown ({unknown.meaning})"
    return "absent (AWS sets no such key for this request)"


def _known(a: Analysis, key: str) -> bool:
    return any(k.lower() == key for k in a.context)


def _reads(o: ConditionOutcome, keys: frozenset[str]) -> bool:
    """Whether the condition reads one of the keys (itself or through a policy variable)."""
    return o.condition.key_lower in keys or bool(o.missing & keys)


def describe(a: Analysis, o: ConditionOutcome) -> str:
    c = o.condition
    values = ", ".join(c.values)
    need = f"must not match {values}" if c.negated else f"must match {values}"
    if c.base == "Null":
        need = "must be absent" if c.values[0].lower() == "true" else "must be present"
    state = "met" if o.matched else "not met"
    return f"{c.operator} {c.key} {need} — is {_value(a, c.key_lower)} ({state})"


def _widen(index: int, o: ConditionOutcome, value: str) -> Any:
    def change(stmts: list[dict[str, Any]]) -> None:
        block = stmts[index]["Condition"][o.condition.operator]
        block[o.condition.key] = [*as_list(block[o.condition.key]), value]

    return change


def run(a: Analysis) -> CheckResult:
    relevant: list[tuple[StatementTrace, bool]] = []  # (trace, decisive)
    deciding = frozenset(a.deciding_keys)
    for ev in a.evaluations:
        e = ev.evaluation
        for t in e.traces:
            if not t.statement.conditions or {Miss.ACTION, Miss.RESOURCE, Miss.PRINCIPAL} & set(
                t.misses
            ):
                continue
            decisive = (t.effect is Effect.DENY and t.applies) or (
                t.effect is Effect.ALLOW and not t.applies and not ev.decision.allowed
            )
            # A Deny whose conditions are not met, whatever the unknown values, is no cause.
            if (
                t.effect is Effect.DENY
                and not t.applies
                and not any(_reads(o, deciding) for o in t.conditions)
            ):
                continue
            relevant.append((t, decisive))
    if not relevant:
        return CHECK.result(Status.NA, "no condition bears on this send")
    findings: list[Finding] = []
    fix: Fix | None = None
    failing = []
    for t, decisive in relevant:
        for o in t.conditions:
            text = describe(a, o)
            findings.append(finding(a, t, text))
            if decisive and not o.matched and not _reads(o, deciding) and t.effect is Effect.ALLOW:
                failing.append(text)
                value = _value(a, o.condition.key_lower)
                doc = a.document_of(t.policy)
                if (
                    fix is None
                    and doc
                    and _known(a, o.condition.key_lower)
                    and o.condition.base in _WIDENABLE
                    and o.condition.qualifier is None
                    and "," not in value
                ):
                    fix = edit_policy(
                        f"Also allow {o.condition.key} = {value}",
                        doc,
                        _widen(t.statement.index, o, value),
                        f"Or send with {o.condition.key} set to one of: "
                        + ", ".join(o.condition.values),
                    )
            elif (
                decisive
                and t.effect is Effect.DENY
                and not any(_reads(x, deciding) for x in t.conditions)
            ):
                failing.append(text)
    keys = tuple(sorted(deciding))
    if failing:
        return CHECK.result(
            Status.FAIL,
            failing[0],
            explanation="A statement that would decide this send hangs on a condition that "
            "the request does not meet.",
            findings=unique(findings),
            fix=fix,
            missing_keys=keys,
        )
    if keys:
        return CHECK.result(
            Status.UNKNOWN,
            "depends on " + ", ".join(keys) + ", which the request leaves unset",
            explanation="The answer differs between possible values of these keys: give them "
            "(--from, --recipient, --source-ip, --context KEY=VALUE…) to decide.",
            findings=unique(findings),
            fix=None,
            missing_keys=keys,
        )
    return CHECK.result(
        Status.PASS,
        f"{len(relevant)} conditional statement(s), all decided by the request",
        explanation="",
        findings=unique(findings),
    )


CHECK = Check(CHECK_ID, TITLE, run)
