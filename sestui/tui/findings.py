"""What the policy pane shows of a verdict: the check it rests on, the findings `n`/`N` walk,
which statements allow rather than blame, and a check without a policy document as text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from textual.content import Content

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from sestui.decide import CheckResult, Finding, Status, Verdict
    from sestui.policy import PolicySource


# One table from an outcome (by value: the domain loads after the first frame) to its glyph and
# style, for the principal rows, the matrix cells and the verdict bar's glyph.
OUTCOME_MARKS: dict[str, tuple[str, str]] = {
    "allowed": ("✓", "$success"),
    "denied": ("✗", "$error"),
    "undecided": ("?", "$warning"),
}


@cache
def _status_styles() -> dict[Status, str]:
    from sestui.decide import Status  # on first use: the domain loads after the first frame

    return {
        Status.PASS: "$success",
        Status.FAIL: "bold $error",
        Status.WARN: "$warning",
        Status.UNKNOWN: "$warning",
        Status.NA: "$text-muted",
    }


def status_style(status: Status) -> str:
    """The style of a check status's glyph (one table for the checks pane and the policy pane)."""
    return _status_styles()[status]


def is_problem(status: Status) -> bool:
    """A status the finding cursor stops at: failed, warned or unknown."""
    from sestui.decide import Status

    return status in (Status.FAIL, Status.WARN, Status.UNKNOWN)


@dataclass(frozen=True)
class Stop:
    """One stop of `n`/`N`: a finding of a check, or a check without a policy document."""

    check_id: str
    finding: Finding | None


def statement_key(f: Finding) -> tuple[PolicySource | None, int | None]:
    return (f.document.source if f.document else None, f.statement)


def allowing_statements(verdict: Verdict) -> frozenset[tuple[PolicySource | None, int | None]]:
    """The statements marked as allowing (✓): on a refusal, those that allow what was refused
    (an Allow that a Deny, a boundary or an SCP overrides); a statement that allows only the
    request's other resources (the identity, not its configuration set) is the near miss to
    extend, marked like the other blamed ones. When every resource was allowed (an ALLOWED
    verdict, or a refusal no policy decides), every allowing statement."""
    refused = [e for e in verdict.evaluations if not e.decision.allowed]
    return frozenset(
        (t.policy.source, t.statement.index)
        for e in refused or verdict.evaluations
        for t in e.evaluation.allows()
    )


def finding_stops(verdict: Verdict) -> tuple[Stop, ...]:
    """What `n`/`N` walk, the first being what decides the verdict: on a refusal (or an
    undecided verdict) the distinct findings of the failing checks, then of those that warn
    (a check without a policy document is one stop: its explanation); on ALLOWED the allowing
    statements first, then the warnings."""
    from sestui.decide import Outcome, Status

    allowing = allowing_statements(verdict)

    def distinct(c: CheckResult, keep: Callable[[Finding], bool]) -> list[Stop]:
        seen: set[tuple[object, ...]] = set()
        out = []
        for f in c.findings:
            key = (*statement_key(f), f.lines)
            if f.document is None or key in seen or not keep(f):
                continue
            seen.add(key)
            out.append(Stop(c.check_id, f))
        return out

    def problems(status: tuple[Status, ...]) -> list[Stop]:
        out = []
        for c in verdict.checks:
            if c.status in status:
                blamed = distinct(c, lambda f: statement_key(f) not in allowing)
                out.extend(blamed or [Stop(c.check_id, None)])
        return out

    allows: list[Stop] = []
    if verdict.outcome is Outcome.ALLOWED:
        seen: set[tuple[object, ...]] = set()
        for c in verdict.checks:
            for stop in distinct(c, lambda f: statement_key(f) in allowing):
                assert stop.finding is not None
                if statement_key(stop.finding) not in seen:
                    seen.add(statement_key(stop.finding))
                    allows.append(stop)
    stops = problems((Status.FAIL,))
    first = deciding_check(verdict)
    # The check that decides the verdict leads (the others keep the checks' order).
    stops.sort(key=lambda st: st.check_id != first)
    return tuple(allows + stops + problems((Status.WARN, Status.UNKNOWN)))


# The check that reports on each policy type (the verdict names the type that decided).
CHECK_OF_KIND = {
    "identity": "identity-policy",
    "permissions-boundary": "permissions-boundary",
    "scp": "scp",
    "resource": "sending-authorization",
}


def deciding_check(verdict: Verdict) -> str | None:
    """The failing check the verdict rests on: for a policy decision, the check of the deciding
    policy type (else the first failing check that blames a policy of that type); for a refusal
    no policy decides (an unverified identity, a sandbox), the first failing check that blames
    no policy; else the first failing one."""
    from sestui.decide import Status

    failing = [c for c in verdict.checks if c.status is Status.FAIL]
    if verdict.deciding is not None:
        own = CHECK_OF_KIND.get(verdict.deciding.value)
        match = next((c for c in failing if c.check_id == own), None) or next(
            (c for c in failing if verdict.deciding in {f.kind for f in c.findings}), None
        )
    else:
        # A check of a policy type that found nothing to mark (no near miss) blames no policy
        # either: it is not what a refusal no policy decides (a role over SMTP) rests on.
        policy_checks = set(CHECK_OF_KIND.values())
        match = next(
            (
                c
                for c in failing
                if c.check_id not in policy_checks and all(f.document is None for f in c.findings)
            ),
            None,
        )
    chosen = match or (failing[0] if failing else None)
    return chosen.check_id if chosen else None


def explanation(result: CheckResult) -> Content:
    """A check without a policy document, in full: what it found, why, the evidence, the fix."""
    parts: list[str | tuple[str, str]] = [
        (f"{result.status.glyph} {result.title}", "bold " + status_style(result.status)),
        (f" ({result.status.value})\n", "$text-muted"),
        (result.summary + "\n", "bold"),
    ]
    if result.explanation:
        parts.append("\n" + result.explanation + "\n")
    evidence = [f.reason + (f" — {f.where()}" if f.document else "") for f in result.findings]
    if result.missing_keys:
        evidence.append("request keys left unset: " + ", ".join(result.missing_keys))
    if evidence:
        parts.append(("\nEvidence\n", "bold"))
        parts.extend(f"  • {e}\n" for e in evidence)
    if result.fix is not None:
        parts.append((f"\nFix: {result.fix.title}\n", "bold $success"))
        if result.fix.note:
            parts.append((result.fix.note + "\n", "$text-muted"))
        parts.append(result.fix.text() + "\n")
    return Content.assemble(*parts)
