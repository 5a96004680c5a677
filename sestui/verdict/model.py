"""What the checks produce: statuses, findings (statement references), fixes, the verdict."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from sestui.account import PolicyDocument
from sestui.exitcodes import ExitCode
from sestui.policy import Decision, Effect, Evaluation, LineRange, PolicyKind, StatementTrace

if TYPE_CHECKING:
    from sestui.verdict.analysis import Analysis


class Status(Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNKNOWN = "unknown"
    NA = "n/a"

    @property
    def glyph(self) -> str:
        return {"pass": "✓", "fail": "✗", "warn": "!", "unknown": "?", "n/a": "·"}[self.value]


class Outcome(Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNDECIDED = "undecided"

    @property
    def glyph(self) -> str:
        """✓ ✗ ? (the TUI styles them: sestui/tui/findings.py OUTCOME_MARKS)."""
        return {"allowed": "✓", "denied": "✗", "undecided": "?"}[self.value]

    @property
    def exit_code(self) -> ExitCode:
        return _EXIT_CODES[self]


_EXIT_CODES = {
    Outcome.ALLOWED: ExitCode.OK,
    Outcome.DENIED: ExitCode.DENIED,
    Outcome.UNDECIDED: ExitCode.UNDECIDED,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """A statement (or a whole policy, or a fact) that a check blames or points at."""

    reason: str
    document: PolicyDocument | None = None
    statement: int | None = None
    sid: str | None = None
    lines: LineRange | None = None
    effect: Effect | None = None  # the blamed statement's Effect (None: not a statement)

    @classmethod
    def of(cls, trace: StatementTrace, document: PolicyDocument | None, reason: str) -> Finding:
        s = trace.statement
        return cls(reason, document, s.index, s.sid, s.lines, s.effect)

    @property
    def kind(self) -> PolicyKind | None:
        return self.document.source.kind if self.document else None

    def where(self) -> str:
        if self.document is None:
            return ""
        text = self.document.source.describe()
        if self.statement is not None:
            text += f", Statement[{self.statement}]" + (f" ({self.sid})" if self.sid else "")
        if self.lines is not None:
            text += f", lines {self.lines.first}-{self.lines.last}"
        return text


class FixKind(Enum):
    ADD_IDENTITY_POLICY = "add-identity-policy"
    REPLACE_POLICY = "replace-policy"


@dataclass(frozen=True, slots=True)
class Fix:
    """A concrete change, shown as JSON and never applied to AWS."""

    title: str
    kind: FixKind
    document: dict[str, Any]
    replaces: PolicyDocument | None = None  # for REPLACE_POLICY
    note: str = ""
    account: str | None = None  # across accounts: the account to apply it in ("111… (central)")

    def text(self) -> str:
        return json.dumps(self.document, indent=2)


@dataclass(frozen=True, slots=True)
class CheckResult:
    check_id: str
    title: str
    status: Status
    summary: str
    explanation: str = ""
    findings: tuple[Finding, ...] = ()
    fix: Fix | None = None
    missing_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Check:
    """One check: its id and title, and how it judges an analysis."""

    id: str
    title: str
    run: Callable[[Analysis], CheckResult]

    def result(
        self,
        status: Status,
        summary: str,
        *,
        explanation: str = "",
        findings: tuple[Finding, ...] = (),
        fix: Fix | None = None,
        missing_keys: tuple[str, ...] = (),
    ) -> CheckResult:
        """This check's result, its id and title filled in."""
        return CheckResult(
            self.id, self.title, status, summary, explanation, findings, fix, missing_keys
        )


@dataclass(frozen=True, slots=True)
class ResourceEvaluation:
    """One action on one resource of the request, decided by the engine."""

    action: str
    resource: str
    resource_type: str  # identity | configuration-set | template | *
    evaluation: Evaluation

    @property
    def decision(self) -> Decision:
        return self.evaluation.decision


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    summary: str
    deciding: PolicyKind | None
    error_text: str | None
    evaluations: tuple[ResourceEvaluation, ...]
    checks: tuple[CheckResult, ...]
    identity_arn: str | None
    missing_keys: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=())  # why undecided / why denied beyond policies
    # Unknown request values the policies read that did not change the answer, with what was
    # assumed of them ("ses:fromaddress: any address at example.com").
    assumed: tuple[str, ...] = ()

    def check(self, check_id: str) -> CheckResult:
        for c in self.checks:
            if c.check_id == check_id:
                return c
        raise KeyError(check_id)
