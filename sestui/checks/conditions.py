"""Check 11: conditions whose outcome depends on request values (From address, recipients,
source IP, time…), each key with its value and the values that would pass."""

from __future__ import annotations

from typing import Any

from sestui.checks.analysis import Analysis
from sestui.checks.common import condition_missing, finding, uncertain_keys, unique
from sestui.checks.fixes import as_list, edit_policy
from sestui.checks.model import CheckResult, Finding, Fix, Status
from sestui.policy import ConditionOutcome, Effect, Miss, StatementTrace

CHECK_ID = "conditions"
TITLE = "Conditions on request values"
_WIDENABLE = ("StringEquals", "StringLike", "StringEqualsIgnoreCase")


def _value(a: Analysis, key: str) -> str:
    for k, v in a.context.items():
        if k.lower() == key:
            return ", ".join(v) if isinstance(v, list) else str(v)
    return "(not set)"


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
    missing: set[str] = set()
    for ev in a.evaluations:
        e = ev.evaluation
        missing |= uncertain_keys(e)
        for t in e.traces:
            if not t.statement.conditions or {Miss.ACTION, Miss.RESOURCE, Miss.PRINCIPAL} & set(
                t.misses
            ):
                continue
            decisive = (t.effect is Effect.DENY and t.applies) or (
                t.effect is Effect.ALLOW and not t.applies and not ev.decision.allowed
            )
            # A Deny whose conditions are not met, on known values, is no cause: leave it out.
            if t.effect is Effect.DENY and not t.applies and not condition_missing(t):
                continue
            relevant.append((t, decisive))
    if not relevant:
        return CheckResult(CHECK_ID, TITLE, Status.NA, "no condition bears on this send")
    findings: list[Finding] = []
    fix: Fix | None = None
    failing = []
    for t, decisive in relevant:
        for o in t.conditions:
            text = describe(a, o)
            findings.append(finding(a, t, text))
            if decisive and not o.matched and not o.missing and t.effect is Effect.ALLOW:
                failing.append(text)
                value = _value(a, o.condition.key_lower)
                doc = a.document_of(t.policy)
                if (
                    fix is None
                    and doc
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
            elif decisive and t.effect is Effect.DENY and not condition_missing(t):
                failing.append(text)
    keys = tuple(sorted(missing))
    if failing:
        return CheckResult(
            CHECK_ID,
            TITLE,
            Status.FAIL,
            failing[0],
            "A statement that would decide this send hangs on a condition that "
            "the request does not meet.",
            unique(findings),
            fix,
            keys,
        )
    if keys:
        return CheckResult(
            CHECK_ID,
            TITLE,
            Status.UNKNOWN,
            "depends on " + ", ".join(keys) + ", which the request leaves unset",
            "Set these values (From address, recipients, source IP…) to decide; "
            "a missing key makes most conditions false, and negated or IfExists "
            "conditions true.",
            unique(findings),
            None,
            keys,
        )
    return CheckResult(
        CHECK_ID,
        TITLE,
        Status.PASS,
        f"{len(relevant)} conditional statement(s), all decided by the request",
        "",
        unique(findings),
    )
